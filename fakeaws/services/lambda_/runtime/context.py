"""The context object a Python handler receives, shaped as ``awslambdaric``'s.

As in the runtime, the function's name, version, memory size and log names
are read from the execution environment's variables when the context is
made (``memory_limit_in_mb`` is therefore a string, as on AWS), ``identity``
is always an object (its two fields None without a Cognito identity),
``client_context`` is None unless the caller sent one, and the ``w3c``
member of a client context is taken out of it and offered by ``w3c()``.
"""

from __future__ import annotations

from typing import Any

W3C_FIELDS = ("traceparent", "tracestate", "baggage")


class LambdaContext:
    def __init__(
        self,
        request_id: str,
        client_context: dict[str, Any] | None,
        cognito_identity: dict[str, Any] | None,
        remaining_ms: Any,
        invoked_function_arn: str | None,
        tenant_id: str | None,
        environ: dict[str, str],
        log: Any,
    ) -> None:
        self.aws_request_id = request_id
        self.log_group_name = environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        if client_context is None:
            self._w3c: dict[str, str] = {}
            self.client_context = None
        else:
            self._w3c = _take_w3c(client_context)
            self.client_context = _from_dict(ClientContext, client_context)
            self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = identity = CognitoIdentity()
        if cognito_identity is None:
            identity.cognito_identity_id = identity.cognito_identity_pool_id = None
        else:
            identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._remaining_ms = remaining_ms
        self._log = log

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out (never negative)."""
        return self._remaining_ms()

    def w3c(self) -> dict[str, str]:
        """The W3C trace context the caller sent in its client context."""
        return dict(self._w3c)

    def log(self, msg: Any) -> None:
        """Write ``msg`` to the function's log as it is (one event)."""
        self._log(str(msg))

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(["
            f"aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}"
            "])"
        )


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(["
            f"cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}"
            "])"
        )


class Client:
    __slots__ = (
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    )

    def __repr__(self) -> str:
        fields = ",".join(f"{name}={getattr(self, name)}" for name in self.__slots__)
        return f"{self.__class__.__name__}([{fields}])"


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}([custom={self.custom},env={self.env},client={self.client}])"
        )


def _from_dict(cls: type, values: dict[str, Any] | None) -> Any:
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


def _take_w3c(client_context: dict[str, Any] | None) -> dict[str, str]:
    if not isinstance(client_context, dict) or "w3c" not in client_context:
        return {}
    raw = client_context.pop("w3c")
    if not isinstance(raw, dict):
        return {}
    return {key: raw[key] for key in W3C_FIELDS if isinstance(raw.get(key), str)}
