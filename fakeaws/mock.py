"""Turning the fake cloud on: decorator, context manager, start()/stop().

``mock_serverless`` works on plain and ``async`` functions, on classes, with or
without arguments, and as ``with mock_serverless() as cloud:``. Activations
nest: an activation inside an active one reuses that world, unless it asks for
``fresh=True``, which starts a new world until it ends. While a cloud is
active the process has fake credentials and a default region, and the user's
environment is restored exactly on exit, even when the test raised.
"""

from __future__ import annotations

import inspect
import os
import threading
import unittest
from datetime import datetime
from typing import Any

import wrapt

from fakeaws import intercept
from fakeaws.cloud import DEFAULT_REGION, Cloud
from fakeaws.services.registry import BACKENDS, SERVICE_SETTINGS


def env_strict() -> bool:
    """``FAKEAWS_STRICT=1`` turns strict response checking on for every new cloud."""
    return os.environ.get("FAKEAWS_STRICT", "") not in ("", "0", "false", "False")


# Process-wide defaults for new clouds; the pytest plugin sets ``strict`` from its ini option.
DEFAULTS: dict[str, Any] = {"strict": env_strict()}

_CLOUD_OPTIONS = ("region", "account_id", "seed", "clock", "start", "strict")
_OPTION_TYPES: dict[str, Any] = {
    "region": str,
    "account_id": str,
    "seed": (int, str),
    "clock": str,
    "start": (int, float, datetime),
    "strict": bool,
}
_OPTION_DOC = {
    "region": "a region name",
    "account_id": "a 12-digit string",
    "seed": "an int or a str",
    "clock": '"real" or "frozen"',
    "start": "epoch seconds or an aware datetime",
    "strict": "a bool",
}
_ENV_KEYS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
)


class _World:
    """An active cloud, the activations using it, and what activating it changed."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.users = 0
        self.saved_env: dict[str, str | None] = {}
        self.saved_session: Any = None


_worlds: list[_World] = []  # the activation stack; intercept.current() is the top's cloud
_worlds_lock = threading.RLock()


class ServerlessMock:
    """One activation of a fake cloud. Use through ``mock_serverless``."""

    def __init__(self, *, fresh: bool = False, **options: Any) -> None:
        # lambda_={...} for the "lambda" service's settings (a Python keyword otherwise)
        options = {k.removesuffix("_") if k.endswith("_") else k: v for k, v in options.items()}
        _check_options(options)
        self.fresh = fresh
        self.options = options
        self.cloud: Cloud | None = None
        # Where environment changes go: os.environ, or a pytest MonkeyPatch (see the plugin).
        self.environ: Any = None
        self._world: _World | None = None

    # -- start / stop ---------------------------------------------------------------
    def start(self) -> Cloud:
        """Activate; returns the cloud (the active one, when nesting without ``fresh``)."""
        if self._world is not None:
            raise RuntimeError("this mock is already started")
        with _worlds_lock:
            if _worlds and not self.fresh:
                if self.options:
                    raise ValueError(
                        "a fakeaws cloud is already active: nested mock_serverless(...) reuses "
                        "it, so it cannot take settings; pass fresh=True for a new world"
                    )
                world = _worlds[-1]
            else:
                world = _World(self._new_cloud())
                _activate(world, "region" in self.options, self.environ)
                _worlds.append(world)
            world.users += 1
        self._world, self.cloud = world, world.cloud
        return world.cloud

    def stop(self) -> None:
        """Deactivate. A world stays active until every activation using it has stopped."""
        world = self._world
        if world is None:
            return
        with _worlds_lock:
            if world.users == 1 and _worlds[-1] is not world:
                raise RuntimeError(
                    "fakeaws mocks must be stopped in the reverse order they were started: "
                    "stop the newer fresh=True mock first"
                )
            world.users -= 1
            if world.users == 0:
                _worlds.pop()
                _deactivate(world, self.environ)
        self._world, self.cloud = None, None

    def _new_cloud(self) -> Cloud:
        opts = {k: v for k, v in self.options.items() if k in _CLOUD_OPTIONS}
        opts.setdefault("strict", DEFAULTS["strict"])
        opts.setdefault(
            "region",
            os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION,
        )
        services = {k: v for k, v in self.options.items() if k not in _CLOUD_OPTIONS}
        return Cloud(services=services, **opts)

    # -- context manager --------------------------------------------------------------
    def __enter__(self) -> Cloud:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> Cloud:
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    # -- decorator --------------------------------------------------------------------------
    def __call__(self, target: Any) -> Any:
        return _decorate(target, self.fresh, self.options)


def _check_options(options: dict[str, Any]) -> None:
    services = set(BACKENDS) | set(SERVICE_SETTINGS)
    unknown = set(options) - set(_CLOUD_OPTIONS) - services
    if unknown:
        raise TypeError(f"mock_serverless() got unknown option(s): {', '.join(sorted(unknown))}")
    for name, kinds in _OPTION_TYPES.items():
        if name in options and not isinstance(options[name], kinds):
            raise TypeError(f"mock_serverless({name}=...) must be {_OPTION_DOC[name]}")
    account = options.get("account_id")
    if account is not None and not (len(account) == 12 and account.isdigit()):
        raise ValueError(f"account_id must be 12 digits, not {account!r}")
    for service in services & set(options):
        if not isinstance(options[service], dict):
            raise TypeError(f"mock_serverless({service}=...) takes a dict of settings")


def mock_serverless(target: Any = None, /, *, fresh: bool = False, **options: Any) -> Any:
    """Fake the AWS serverless stack.

    ``@mock_serverless``, ``@mock_serverless(region=..., seed=...)``,
    ``with mock_serverless() as cloud:`` or ``m = mock_serverless(); m.start()``.

    Options: ``region`` (default: the environment's, else us-east-1),
    ``account_id`` (123456789012), ``seed`` (0), ``clock`` ("real" or
    "frozen"), ``start`` (the clock's start time), ``strict`` (check every
    response against botocore's output shape), ``fresh`` (a new world even
    inside an active one), and per-service settings as ``<service>={...}``
    (``lambda_={...}`` for Lambda).
    """
    mock = ServerlessMock(fresh=fresh, **options)
    return mock if target is None else mock(target)


# -- decorating functions and classes ------------------------------------------------------


def _decorate(target: Any, fresh: bool, options: dict[str, Any]) -> Any:
    if inspect.isclass(target):
        return _decorate_class(target, fresh, options)
    if not callable(target):
        raise TypeError(f"mock_serverless cannot decorate {target!r}")

    if inspect.isgeneratorfunction(target):  # e.g. a yield fixture: active until it finishes

        @wrapt.decorator
        def run_generator(wrapped, instance, args, kwargs):
            with ServerlessMock(fresh=fresh, **options):
                return (yield from wrapped(*args, **kwargs))

        return run_generator(target)

    if inspect.isasyncgenfunction(target):

        @wrapt.decorator
        async def run_async_generator(wrapped, instance, args, kwargs):
            with ServerlessMock(fresh=fresh, **options):
                inner = wrapped(*args, **kwargs)
                try:
                    value = await inner.__anext__()
                    while True:  # forward asend/athrow, as `yield from` would
                        try:
                            sent = yield value
                        except GeneratorExit:
                            await inner.aclose()
                            raise
                        except BaseException as exc:  # noqa: BLE001 - thrown in by the caller
                            value = await inner.athrow(exc)
                        else:
                            value = await inner.asend(sent)
                except StopAsyncIteration:
                    return

        return run_async_generator(target)

    if inspect.iscoroutinefunction(target):

        @wrapt.decorator
        async def run_async(wrapped, instance, args, kwargs):
            with ServerlessMock(fresh=fresh, **options):
                return await wrapped(*args, **kwargs)

        return run_async(target)

    @wrapt.decorator
    def run(wrapped, instance, args, kwargs):
        with ServerlessMock(fresh=fresh, **options):
            return wrapped(*args, **kwargs)

    return run(target)


def _decorate_class(cls: type, fresh: bool, options: dict[str, Any]) -> type:
    if issubclass(cls, unittest.TestCase):
        # A fresh world per test method, with setUp and tearDown inside it.
        original_setup = cls.setUp

        def setUp(self: unittest.TestCase) -> None:  # noqa: N802 (unittest's name)
            mock = ServerlessMock(fresh=fresh, **options)
            mock.start()
            self.addCleanup(mock.stop)  # cleanups run after tearDown, even if setUp fails
            original_setup(self)

        setUp.__wrapped__ = original_setup  # type: ignore[attr-defined]
        cls.setUp = setUp  # type: ignore[method-assign]
        return cls
    for name in dir(cls):
        if not name.startswith("test"):
            continue
        attr = inspect.getattr_static(cls, name)
        if inspect.isfunction(attr):
            setattr(cls, name, _decorate(attr, fresh, options))
        elif isinstance(attr, (staticmethod, classmethod)):
            setattr(cls, name, type(attr)(_decorate(attr.__func__, fresh, options)))
    return cls


# -- environment ----------------------------------------------------------------------------


def _activate(world: _World, region_given: bool, environ: Any) -> None:
    """Fake credentials unless some are set in the environment; a region if none is set.

    Also parks ``boto3.DEFAULT_SESSION``: a session made before (or inside)
    the mock caches the credentials it found, which must not cross worlds.
    """
    import boto3

    cloud = world.cloud
    env = os.environ
    world.saved_env = {key: env.get(key) for key in _ENV_KEYS}
    changes: dict[str, str | None] = {}
    if not env.get("AWS_ACCESS_KEY_ID"):
        # Fake root keys; hide profiles so no real credential chain (SSO, IMDS) is consulted.
        cred = cloud.identities.root_credential()
        changes["AWS_ACCESS_KEY_ID"] = cred.access_key_id
        changes["AWS_SECRET_ACCESS_KEY"] = cred.secret_access_key
        for key in (
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
        ):
            changes[key] = None
    if region_given or not env.get("AWS_DEFAULT_REGION"):
        # botocore reads AWS_DEFAULT_REGION only; the cloud's region already honours AWS_REGION.
        changes["AWS_DEFAULT_REGION"] = cloud.region
    world.saved_session = boto3.DEFAULT_SESSION
    try:
        for key, value in changes.items():
            _set_env(environ, key, value)
        boto3.DEFAULT_SESSION = None
        intercept.push(cloud)
    except BaseException:
        _restore(world, environ)
        raise


def _deactivate(world: _World, environ: Any) -> None:
    try:
        intercept.pop(world.cloud)
    finally:
        _restore(world, environ)


def _restore(world: _World, environ: Any) -> None:
    import boto3

    boto3.DEFAULT_SESSION = world.saved_session
    if environ is not None:
        return  # a MonkeyPatch undoes its own changes, in order with the test's own
    for key, value in world.saved_env.items():
        _set_env(None, key, value)


def _set_env(environ: Any, key: str, value: str | None) -> None:
    if environ is not None:  # pytest's MonkeyPatch
        if value is None:
            environ.delenv(key, raising=False)
        else:
            environ.setenv(key, value)
    elif value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value
