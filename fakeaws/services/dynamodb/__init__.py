"""Amazon DynamoDB."""
