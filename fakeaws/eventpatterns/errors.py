"""The one error the pattern engine raises."""

from __future__ import annotations

LAMBDA_INVALID = "Invalid filter pattern definition."


class PatternError(ValueError):
    """A pattern AWS would refuse, with AWS's words for the dialect that read it.

    - ``reason``: the validation reason (``"Empty arrays are not allowed"``), the
      same words in every dialect.
    - ``message`` (also ``str(error)``): what the dialect's service puts after its
      own prefix:

      * ``eventbridge``: the reason; the service answers
        ``InvalidEventPatternException`` with ``eventbridge_message``
        (``"Event pattern is not valid. Reason: " + reason``);
      * ``sns``: ``"FilterPolicy: " + reason`` and, for syntax errors, the
        parser's location (``"\\n at [Source: (String)\\"...\\"; line: 1, column: 10]"``),
        or a message without the ``FilterPolicy:`` part (the scope check).
        The service answers ``InvalidParameter`` with ``sns_message``
        (SetSubscriptionAttributes: ``"Invalid parameter: " + message``) or
        ``sns_subscribe_message`` (Subscribe:
        ``"Invalid parameter: Attributes Reason: " + message``);
      * ``lambda``: always ``"Invalid filter pattern definition."``; the service
        answers ``InvalidParameterValueException`` with it.
    """

    def __init__(
        self,
        reason: str,
        dialect: str = "eventbridge",
        *,
        location: str = "",
        prefixed: bool = True,
    ) -> None:
        self.reason = reason
        self.dialect = dialect
        self.location = location
        self.prefixed = prefixed
        if dialect == "sns":
            message = f"FilterPolicy: {reason}{location}" if prefixed else reason
        elif dialect == "lambda":
            message = LAMBDA_INVALID
        else:
            message = reason
        self.message = message
        super().__init__(message)

    @property
    def eventbridge_message(self) -> str:
        return f"Event pattern is not valid. Reason: {self.reason}"

    @property
    def sns_message(self) -> str:
        """The message of SetSubscriptionAttributes (and CreateTopic-style attribute calls)."""
        return f"Invalid parameter: {self.message}"

    @property
    def sns_subscribe_message(self) -> str:
        """The message of Subscribe with a FilterPolicy attribute."""
        return f"Invalid parameter: Attributes Reason: {self.message}"

    @property
    def lambda_message(self) -> str:
        return LAMBDA_INVALID

    @property
    def full_message(self) -> str:
        """The whole message the dialect's service answers with."""
        if self.dialect == "sns":
            return self.sns_message
        if self.dialect == "lambda":
            return LAMBDA_INVALID
        return self.eventbridge_message
