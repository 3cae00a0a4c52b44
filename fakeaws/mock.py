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
import unittest
from typing import Any

import wrapt

from fakeaws import intercept
from fakeaws.cloud import DEFAULT_REGION, Cloud
from fakeaws.services.registry import BACKENDS, SERVICE_SETTINGS

# Process-wide defaults for new clouds; the pytest plugin sets ``strict`` from its ini option.
DEFAULTS: dict[str, Any] = {"strict": os.environ.get("FAKEAWS_STRICT", "") not in ("", "0")}

_CLOUD_OPTIONS = ("region", "account_id", "seed", "clock", "start", "strict")
_ENV_KEYS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
)


class ServerlessMock:
    """One activation of a fake cloud. Use through ``mock_serverless``."""

    def __init__(self, *, fresh: bool = False, **options: Any) -> None:
        services = set(BACKENDS) | set(SERVICE_SETTINGS)
        unknown = set(options) - set(_CLOUD_OPTIONS) - services
        if unknown:
            raise TypeError(
                f"mock_serverless() got unknown option(s): {', '.join(sorted(unknown))}"
            )
        self.fresh = fresh
        self.options = options
        self.cloud: Cloud | None = None
        self._owns = False
        self._saved_env: dict[str, str | None] | None = None

    # -- start / stop ---------------------------------------------------------------
    def start(self) -> Cloud:
        """Activate; returns the cloud (the active one, when nesting without ``fresh``)."""
        if self.cloud is not None:
            raise RuntimeError("this mock is already started")
        active = intercept.current()
        if active is not None and not self.fresh:
            if self.options:
                raise ValueError(
                    "a fakeaws cloud is already active: nested mock_serverless(...) reuses it, "
                    "so it cannot take settings; pass fresh=True for a new world"
                )
            self.cloud, self._owns = active, False
            return active
        self.cloud, self._owns = self._new_cloud(), True
        self._saved_env = _patch_environment(self.cloud, "region" in self.options)
        try:
            intercept.push(self.cloud)
        except BaseException:
            _restore_environment(self._saved_env)
            raise
        return self.cloud

    def stop(self) -> None:
        """Deactivate (a no-op for a nested activation that reused the world)."""
        if self.cloud is None:
            return
        cloud, self.cloud = self.cloud, None
        if self._owns:
            try:
                intercept.pop(cloud)
            finally:
                _restore_environment(self._saved_env or {})

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


def mock_serverless(target: Any = None, /, *, fresh: bool = False, **options: Any) -> Any:
    """Fake the AWS serverless stack.

    ``@mock_serverless``, ``@mock_serverless(region=..., seed=...)``,
    ``with mock_serverless() as cloud:`` or ``m = mock_serverless(); m.start()``.

    Options: ``region`` (default: the environment's, else us-east-1),
    ``account_id`` (123456789012), ``seed`` (0), ``clock`` ("real" or
    "frozen"), ``start`` (the clock's start time), ``strict`` (check every
    response against botocore's output shape), ``fresh`` (a new world even
    inside an active one), and per-service settings as ``<service>={...}``.
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
                async for item in wrapped(*args, **kwargs):
                    yield item

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
    return cls


# -- environment ----------------------------------------------------------------------------


def _patch_environment(cloud: Cloud, region_given: bool) -> dict[str, str | None]:
    """Fake credentials unless some are set in the environment; a region if none is."""
    saved = {key: os.environ.get(key) for key in _ENV_KEYS}
    env = os.environ
    if not env.get("AWS_ACCESS_KEY_ID"):
        # Fake root keys; hide profiles so no real credential chain (SSO, IMDS) is consulted.
        cred = cloud.identities.root_credential()
        env["AWS_ACCESS_KEY_ID"] = cred.access_key_id
        env["AWS_SECRET_ACCESS_KEY"] = cred.secret_access_key
        for key in (
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
        ):
            env.pop(key, None)
    if region_given or not (env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION")):
        env["AWS_DEFAULT_REGION"] = cloud.region
    return saved


def _restore_environment(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
