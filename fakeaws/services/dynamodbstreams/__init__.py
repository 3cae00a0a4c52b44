"""The fake DynamoDB Streams API (botocore service ``dynamodbstreams``)."""
