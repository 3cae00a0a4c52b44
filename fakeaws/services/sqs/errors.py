"""SQS errors: the shape names botocore models, the legacy Query codes clients see, messages.

SQS speaks the JSON protocol but stays compatible with its old Query API: the
``__type`` of an error is the shape name (``QueueDoesNotExist``) and the
``x-amzn-query-error`` header carries the legacy code
(``AWS.SimpleQueueService.NonExistentQueue``) that botocore reports as
``Error.Code``. The botocore model does not record those legacy codes, so they
are listed here, from responses recorded against AWS. Errors AWS sends that the
model does not declare (``InvalidParameterValue``, ``MissingParameter``) have
shape names AWS uses on the wire (``InvalidParameterValueException``...).

Messages are AWS's where they are known (see docs/sqs.md for the sources);
the few of fakeaws's own wording are marked ``# own wording``.
"""

from __future__ import annotations

from fakeaws.errors import AWSError

# shape name -> (legacy query code, HTTP status)
QUERY_CODES: dict[str, tuple[str, int]] = {
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", 400),
    "QueueNameExists": ("QueueAlreadyExists", 400),
    "QueueDeletedRecently": ("AWS.SimpleQueueService.QueueDeletedRecently", 400),
    "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
    "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
    "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", 400),
    "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", 400),
    "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", 400),
    "TooManyEntriesInBatchRequest": ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", 400),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", 400),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", 400),
    "InvalidAttributeName": ("InvalidAttributeName", 400),
    "InvalidAttributeValue": ("InvalidAttributeValue", 400),
    "InvalidMessageContents": ("InvalidMessageContents", 400),
    "OverLimit": ("OverLimit", 403),
    "ResourceNotFoundException": ("ResourceNotFoundException", 404),
    "InvalidIdFormat": ("InvalidIdFormat", 400),
    # Not in the botocore model: the shape names AWS puts in ``__type``.
    "InvalidParameterValueException": ("InvalidParameterValue", 400),
    "MissingRequiredParameterException": ("MissingParameter", 400),
    "AccessDeniedException": ("AccessDenied", 403),
}

NO_QUEUE = "The specified queue does not exist."
DELETED_RECENTLY = (
    "You must wait 60 seconds after deleting a queue before you can create another with the "
    "same name."
)
QUEUE_NAME = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
FIFO_QUEUE_NAME = (
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
    "underscores, must end with .fifo suffix and be 1 to 80 in length"
)
EMPTY_QUEUE_NAME = "Queue name cannot be empty"
GET_URL_NO_NAME = "Value for parameter QueueName is invalid. Reason: Must specify a queue name."
BATCH_ID = (
    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
    "It can be at most 80 letters long."
)
BODY_CHARACTERS = (
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF "
    "| #xE000 to #xFFFD | #x10000 to #x10FFFF"
)
NEED_DEDUP = (
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
    "provided explicitly"
)
SSE_BOTH = (
    "You can use one type of server-side encryption (SSE) at one time. You can either enable "
    "KMS SSE or SQS SSE."
)
INVALID_NEXT_TOKEN = "Invalid or expired next token."
SOURCE_ARN_FORMAT = (
    "You must use this format to specify the SourceArn: "
    "arn:<partition>:<service>:<region>:<account-id>:<resource-id>"
)
DESTINATION_ARN_FORMAT = (
    "You must use this format to specify the DestinationArn: "
    "arn:<partition>:<service>:<region>:<account-id>:<resource-id>"
)
NO_SOURCE = "The resource that you specified for the SourceArn parameter doesn't exist."
NO_DESTINATION = "The resource that you specified for the DestinationArn parameter doesn't exist."
NOT_A_DLQ = "Source queue must be configured as a Dead Letter Queue."
TASK_RUNNING = (
    "There is already a task running. Only one active task is allowed for a source queue arn "
    "at a given time."
)


def sqs_error(shape: str, message: str) -> AWSError:
    """An SQS error by shape name, with the legacy code and status AWS sends for it."""
    query_code, status = QUERY_CODES[shape]
    return AWSError(shape, message, status=status, query_code=query_code)


def invalid_parameter(message: str) -> AWSError:
    """``InvalidParameterValue`` (clients see that code; the shape is ...Exception)."""
    return sqs_error("InvalidParameterValueException", message)


def invalid_value(value: object, parameter: str, reason: str) -> AWSError:
    """AWS's usual ``Value X for parameter P is invalid. Reason: R`` message."""
    return invalid_parameter(
        f"Value {value} for parameter {parameter} is invalid. Reason: {reason}"
    )


def missing_parameter(name: str) -> AWSError:
    return sqs_error(
        "MissingRequiredParameterException", f"The request must contain the parameter {name}."
    )


def no_queue() -> AWSError:
    return sqs_error("QueueDoesNotExist", NO_QUEUE)


def invalid_attribute_name(message: str) -> AWSError:
    return sqs_error("InvalidAttributeName", message)


def unknown_attribute(name: str) -> AWSError:
    return invalid_attribute_name(f"Unknown Attribute {name}.")


def invalid_attribute_value(name: str, reason: str | None = None) -> AWSError:
    message = f"Invalid value for the parameter {name}."
    if reason:
        message = f"Invalid value for the parameter {name}. Reason: {reason}"
    return sqs_error("InvalidAttributeValue", message)


def receipt_handle_invalid(handle: str) -> AWSError:
    return sqs_error(
        "ReceiptHandleIsInvalid",
        f'The input receipt handle "{handle}" is not a valid receipt handle.',
    )


def receipt_handle_other_queue(handle: str) -> AWSError:
    return sqs_error(
        "ReceiptHandleIsInvalid", f'The receipt handle "{handle}" is not valid for this queue.'
    )


def receipt_handle_expired(handle: str) -> AWSError:
    return invalid_value(handle, "ReceiptHandle", "The receipt handle has expired.")


def not_available_for_visibility(handle: str) -> AWSError:
    return invalid_value(
        handle,
        "ReceiptHandle",
        "Message does not exist or is not available for visibility timeout change.",
    )


def access_denied(url: str) -> AWSError:
    return sqs_error("AccessDeniedException", f"Access to the resource {url} is denied.")


def batch_failure(entry_id: str, err: AWSError) -> dict:
    """A ``BatchResultErrorEntry`` for an entry that failed with ``err``."""
    query_code = QUERY_CODES.get(err.code, (err.code, 400))[0]
    sender = err.sender_fault if err.sender_fault is not None else (err.status or 400) < 500
    return {"Id": entry_id, "SenderFault": sender, "Code": query_code, "Message": err.message}
