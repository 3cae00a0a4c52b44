"""pytest plugin (registered through the ``pytest11`` entry point).

* ``cloud``: a function-scoped fixture yielding an active fake cloud.
* ``@pytest.mark.fakeaws(region=..., seed=..., dynamodb={...})``: its settings.
* ``world_fixture``: build expensive state once per module/class/session and
  give every test its own copy of it (snapshot once, restore per test).
* ini option ``fakeaws_strict``: check every response against botocore's
  output shapes in every activation of the run (decorators included).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fakeaws import mock
from fakeaws.cloud import Cloud, Snapshot
from fakeaws.mock import ServerlessMock


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "fakeaws_strict",
        type="bool",
        default=False,
        help="fakeaws: check every fake response against botocore's output shape",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fakeaws(**settings): settings of the fakeaws `cloud` fixture "
        "(region, account_id, seed, clock, start, strict, <service>={...})",
    )
    config._fakeaws_saved_defaults = dict(mock.DEFAULTS)
    mock.DEFAULTS["strict"] = bool(config.getini("fakeaws_strict")) or mock.env_strict()
    config._fakeaws_worlds = {}  # (fixture name, scope key) -> Snapshot


def pytest_unconfigure(config: pytest.Config) -> None:
    saved = getattr(config, "_fakeaws_saved_defaults", None)
    if saved is not None:
        mock.DEFAULTS.update(saved)


def _marker_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    # Closest last, so a function's marker overrides its class's and module's.
    for marker in reversed(list(request.node.iter_markers("fakeaws"))):
        settings.update(marker.kwargs)
    return settings


@pytest.fixture
def cloud(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """An active fake cloud for one test; ``@pytest.mark.fakeaws(...)`` configures it.

    A new world per test. If the test also uses a ``world_fixture`` that was
    set up first, it is that world (which already has the marker's settings).
    """
    world = getattr(request.node, "_fakeaws_world", None)
    if world is not None:
        yield world
        return
    with _activation(request, monkeypatch, {}) as active:
        request.node._fakeaws_world = active
        yield active


def _activation(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> ServerlessMock:
    # Environment changes go through the test's MonkeyPatch, so that they and the
    # test's own monkeypatching are undone in one consistent (LIFO) order.
    activation = ServerlessMock(fresh=True, **{**options, **_marker_settings(request)})
    activation.environ = monkeypatch
    return activation


def world_fixture(
    builder: Callable[[Cloud], Any] | None = None, *, scope: str = "module", **options: Any
) -> Any:
    """Turn ``builder(cloud)`` into a fixture giving each test a copy of the world it built.

    The builder runs once per ``scope`` ("module", "class", "package" or
    "session") in a fresh cloud; the result is snapshotted, and every test
    that requests the fixture gets an active cloud restored from it, with the
    test's ``@pytest.mark.fakeaws`` settings applied::

        @world_fixture
        def orders(cloud):
            boto3.client("dynamodb").create_table(...)

        def test_order(orders):        # `orders` is the active cloud
            ...
    """
    if builder is None:
        return lambda fn: world_fixture(fn, scope=scope, **options)
    if scope not in ("module", "class", "package", "session"):
        raise ValueError(
            f"world_fixture scope must be module, class, package or session: {scope!r}"
        )
    if inspect.isgeneratorfunction(builder) or inspect.iscoroutinefunction(builder):
        raise TypeError(
            f"world_fixture builder {builder.__qualname__} must be a plain function that builds "
            "the world and returns (not a generator or coroutine)"
        )

    @pytest.fixture(name=builder.__name__)
    def per_test(
        request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[Cloud]:
        snapshot = _world_snapshot(request, builder, scope, options)
        existing = getattr(request.node, "_fakeaws_world", None)
        if existing is not None:  # the `cloud` fixture was set up first: one world
            existing.restore(snapshot)
            yield existing
            return
        with _activation(request, monkeypatch, options) as fresh:
            fresh.restore(snapshot)
            request.node._fakeaws_world = fresh
            yield fresh

    per_test.__doc__ = builder.__doc__
    return per_test


def _world_snapshot(
    request: pytest.FixtureRequest,
    builder: Callable[[Cloud], Any],
    scope: str,
    options: dict[str, Any],
) -> Snapshot:
    if scope == "session":
        key: Any = None
    elif scope == "package":
        key = str(request.path.parent)
    elif scope == "class":
        key = (str(request.path), getattr(request.cls, "__qualname__", None))
    else:
        key = str(request.path)
    worlds = request.config._fakeaws_worlds
    name = (builder.__code__.co_filename, builder.__qualname__, key)
    snapshot = worlds.get(name)
    if snapshot is None:
        with ServerlessMock(fresh=True, **options) as building:
            builder(building)
            building.settle()
            snapshot = worlds[name] = building.snapshot()
    return snapshot
