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
the cloud's seeded generator, so retried calls land at deterministic times.
"""

from __future__ import annotations

import contextlib
import functools
import random
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import wrapt
from botocore.exceptions import CapacityNotAvailableError

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

_installed_wrapper = False


def _install() -> None:
    global _installed_wrapper
    if not _installed_wrapper:
        # Inert while no mock is active: one list check per call.
        wrapt.wrap_function_wrapper("botocore.client", "BaseClient._make_api_call", _on_api_call)
        _installed_wrapper = True
    import botocore.waiter

    botocore.waiter.time = _VIRTUAL_TIME  # waiters "sleep" on the virtual clock


def _uninstall() -> None:
    import botocore.waiter

    botocore.waiter.time = time


def _on_api_call(wrapped, client, args, kwargs):
    if _stack and not getattr(client.meta.events, _HOOKED, False):
        hook_client(client)
    return wrapped(*args, **kwargs)


def hook_client(client: Any) -> None:
    """Put fakeaws's handlers on a client's event emitter (idempotent)."""
    events = client.meta.events
    limiter = _adaptive_rate_limiter(events)
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
    credentials = getattr(request_signer, "_credentials", None)
    return getattr(credentials, "access_key", None) if credentials is not None else None


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
    with _seeded_global_random(cloud.random):
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


_random_lock = threading.Lock()


@contextlib.contextmanager
def _seeded_global_random(rng: random.Random) -> Iterator[None]:
    """botocore draws backoff jitter from the global ``random``; make it the cloud's draw."""
    with _random_lock:
        state = random.getstate()
        random.seed(rng.random())
        try:
            yield
        finally:
            random.setstate(state)


# -- adaptive retry mode: client-side rate limiting on the virtual clock -----------------


class _BucketClock:
    """botocore.retries.bucket.Clock, reading and sleeping on the active cloud's clock."""

    def current_time(self) -> float:
        cloud = current()
        return cloud.clock.time() if cloud is not None else time.time()

    def sleep(self, amount: float) -> None:
        cloud = current()
        if cloud is not None:
            cloud.sleep(amount)
        else:
            time.sleep(amount)


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
        clock = _BucketClock()
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
            cloud.sleep(max(bucket._sleep_amount(1), 0.001))


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
