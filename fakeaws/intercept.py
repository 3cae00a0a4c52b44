"""The seam between botocore and the fake cloud.

For every client, whenever it was created, two handlers sit on its event
emitter (registered on the client's first call while a mock is active):

* ``before-parameter-build`` keeps the caller's parameters for the call;
* ``before-call`` answers with ``(http_response, parsed_response)``, so botocore
  never signs, sends or parses anything. Parameter validation has already run.

Because answering at ``before-call`` skips botocore's endpoint, where retries
live, the ``before-call`` handler runs the retry loop itself: it emits the
client's own ``needs-retry`` event (legacy, standard or adaptive handlers
decide), advances the virtual clock by the backoff instead of sleeping, and
reports ``RetryAttempts`` as the endpoint would. Backoff jitter is drawn from
the cloud's seeded jitter stream, so retried calls land at deterministic times.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import wrapt
from botocore import UNSIGNED
from botocore.exceptions import CapacityNotAvailableError, NoCredentialsError

if TYPE_CHECKING:
    from fakeaws.cloud import Cloud

_stack: list[Cloud] = []  # activation stack; the last one answers calls
_stack_lock = threading.Lock()
_PARAMS = "fakeaws.params"
_HOOKED = "_fakeaws_hooked"


def current() -> Cloud | None:
    """The cloud answering calls right now, or None."""
    return _stack[-1] if _stack else None


def push(cloud: Cloud) -> None:
    with _stack_lock:
        if not _stack:
            _install()
        _stack.append(cloud)


def pop(cloud: Cloud) -> None:
    with _stack_lock:
        if not _stack or _stack[-1] is not cloud:
            raise RuntimeError(
                "fakeaws mocks must be stopped in the reverse order they were started"
            )
        _stack.pop()
        if not _stack:
            _uninstall()


# -- installation ------------------------------------------------------------------------


def _install() -> None:
    import botocore.client
    import botocore.retryhandler
    import botocore.waiter

    # Checked on every first activation, not remembered: botocore.client may have been
    # re-imported since (importlib.reload, pytest's in-process runs), leaving a fresh class.
    current = botocore.client.BaseClient.__dict__["_make_api_call"]
    if getattr(current, "_self_fakeaws", False) is False:
        # Inert while no mock is active: one list check per call.
        wrapper = wrapt.FunctionWrapper(current, _on_api_call)
        wrapper._self_fakeaws = True
        botocore.client.BaseClient._make_api_call = wrapper
    botocore.waiter.time = _VIRTUAL_TIME  # waiters "sleep" on the virtual clock
    botocore.retryhandler.random = _JITTER_RANDOM  # legacy backoff jitter: seeded


def _uninstall() -> None:
    import botocore.retryhandler
    import botocore.waiter

    botocore.waiter.time = time
    botocore.retryhandler.random = random


def _on_api_call(wrapped, client, args, kwargs):
    if _stack and not getattr(client.meta.events, _HOOKED, False):
        hook_client(client)
    return wrapped(*args, **kwargs)


def hook_client(client: Any) -> None:
    """Put fakeaws's handlers on a client's event emitter (idempotent)."""
    events = client.meta.events
    limiter = _adaptive_rate_limiter(events)
    _seed_standard_backoff(events, client.meta.service_model.service_id.hyphenize())
    events.register_last("before-parameter-build", _capture_params, unique_id="fakeaws-params")
    events.register_last(
        "before-call", functools.partial(_answer, events, limiter), unique_id="fakeaws-answer"
    )
    setattr(events, _HOOKED, True)


def _capture_params(params: dict, context: dict, **kwargs: Any) -> None:
    if _stack:
        context[_PARAMS] = params


# -- answering, with botocore's retry handling --------------------------------------------


def _answer(events, limiter, model, params, request_signer, context, **kwargs):
    cloud = current()
    if cloud is None:
        return None
    api_params = context.pop(_PARAMS, None) or {}
    access_key = _access_key(request_signer)
    try:
        _check_signable(request_signer, context, access_key)
    except _MissingAuthentication:
        return cloud.refuse_unsigned(model)
    region = context.get("client_region") or cloud.region
    if region == "aws-global":
        region = "us-east-1"
    attempts = 1
    _retries_context(context, attempts)
    _acquire_send_token(cloud, limiter)
    response = cloud.handle(model, api_params, access_key, region, attempts)
    while _needs_retry(cloud, events, limiter, model, params, response, attempts):
        attempts += 1
        _retries_context(context, attempts)
        _acquire_send_token(cloud, limiter)
        response = cloud.handle(model, api_params, access_key, region, attempts)
    response[1]["ResponseMetadata"]["RetryAttempts"] = attempts - 1
    return response


def _access_key(request_signer: Any) -> str | None:
    """The key the request would be signed with, read without refreshing anything.

    ``RefreshableCredentials.access_key`` may fetch new credentials (container or
    instance metadata: real network calls), so read the stored attribute instead.
    """
    credentials = getattr(request_signer, "_credentials", None)
    inner = vars(credentials).get("_credentials") if credentials is not None else None
    if inner is not None:  # DeferredRefreshableCredentials, once resolved
        credentials = inner
    if credentials is None:
        return None
    stored = vars(credentials)
    return stored.get("access_key") or stored.get("_access_key")


def _check_signable(request_signer: Any, context: dict, access_key: str | None) -> None:
    """Fail as botocore or AWS would when the request cannot be signed."""
    if access_key is not None or context.get("auth_type") == "none":
        return
    if getattr(request_signer, "_signature_version", None) is UNSIGNED:
        raise _MissingAuthentication()
    if getattr(request_signer, "_credentials", None) is None:
        raise NoCredentialsError()


class _MissingAuthentication(Exception):
    """An unsigned request to an operation that needs signing: AWS answers 403."""


def _retries_context(context: dict, attempt: int) -> None:
    # What botocore.endpoint.Endpoint._update_retries_context records for the handlers.
    retries = context.setdefault("retries", {})
    retries["attempt"] = attempt
    retries.setdefault("invocation-id", "fakeaws")


@functools.lru_cache(maxsize=1024)
def _retry_event(service_id: str, operation: str) -> str:
    return f"needs-retry.{service_id}.{operation}"


def _needs_retry(cloud, events, limiter, model, request_dict, response, attempts) -> bool:
    if response[0].status_code < 300 and limiter is None:
        return False  # only adaptive clients look at successful responses
    event = _retry_event(model.service_model.service_id.hyphenize(), model.name)
    replies = events.emit(
        event,
        response=response,
        endpoint=None,
        operation=model,
        attempts=attempts,
        caught_exception=None,
        request_dict=request_dict,
    )
    delay = next((r for r in _values(replies) if r is not None), None)
    if delay is None or delay is False:
        return False
    cloud.sleep(delay)
    return True


def _values(replies: list[tuple[Any, Any]]) -> Iterator[Any]:
    return (reply for _handler, reply in replies)


def _jitter() -> float:
    """botocore's backoff jitter, drawn from the active cloud's seeded jitter stream."""
    cloud = current()
    return cloud.jitter.random() if cloud is not None else random.random()


class _JitterRandomModule:
    """Stands in for ``random`` inside ``botocore.retryhandler`` (legacy mode) while active."""

    def __getattr__(self, name: str) -> Any:
        return getattr(random, name)

    @staticmethod
    def random() -> float:
        return _jitter()


def _seed_standard_backoff(events: Any, service_id: str) -> None:
    """Point a standard/adaptive client's ExponentialBackoff at the cloud's jitter stream."""
    try:
        from botocore.retries.standard import RetryHandler

        for handler in events._emitter._handlers.prefix_search(f"needs-retry.{service_id}.x"):
            owner = getattr(handler, "__self__", None)
            if isinstance(owner, RetryHandler):
                owner._retry_policy._retry_backoff._random = _jitter
    except AttributeError:  # botocore internals moved: jitter is then botocore's own
        pass


# -- adaptive retry mode: client-side rate limiting on the virtual clock -----------------


class _BucketClock:
    """botocore.retries.bucket.Clock on continuous time that virtual sleeps move forward.

    Monotonic real time plus every second an adaptive client "slept" on a
    virtual clock: it never jumps between worlds, never goes back, and after
    deactivation carries on from where it was.
    """

    offset = 0.0

    def current_time(self) -> float:
        return time.monotonic() + _BucketClock.offset

    def sleep(self, amount: float) -> None:
        cloud = current()
        if cloud is None:
            time.sleep(amount)
            return
        _BucketClock.offset += amount
        cloud.sleep(amount)


_BUCKET_CLOCK = _BucketClock()


def _adaptive_rate_limiter(events: Any) -> Any:
    """The client's adaptive-mode rate limiter, re-clocked onto virtual time (or None)."""
    try:
        from botocore.retries.adaptive import ClientRateLimiter

        handlers = events._emitter._handlers.prefix_search("before-send.x.y")
        limiter = next(
            (
                h.__self__
                for h in handlers
                if isinstance(getattr(h, "__self__", None), ClientRateLimiter)
            ),
            None,
        )
        if limiter is None:
            return None
        clock = _BUCKET_CLOCK
        limiter._clock = limiter._rate_clocker._clock = limiter._token_bucket._clock = clock
        return limiter
    except AttributeError:  # botocore internals moved: adaptive limiting is then not modelled
        return None


def _acquire_send_token(cloud: Cloud, limiter: Any) -> None:
    # What ClientRateLimiter.on_sending_request does at before-send, without a real wait.
    if limiter is None or not limiter._enabled:
        return
    bucket = limiter._token_bucket
    while True:
        try:
            bucket.acquire(block=False)
            return
        except CapacityNotAvailableError:
            _BUCKET_CLOCK.sleep(max(bucket._sleep_amount(1), 0.001))


# -- waiters ----------------------------------------------------------------------------


class _VirtualTimeModule:
    """Stands in for the ``time`` module inside ``botocore.waiter`` while a mock is active."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        cloud = current()
        if cloud is not None:
            cloud.sleep(seconds)
        else:
            time.sleep(seconds)


_VIRTUAL_TIME = _VirtualTimeModule()
_JITTER_RANDOM = _JitterRandomModule()
