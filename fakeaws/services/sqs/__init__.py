"""The fake sqs."""
