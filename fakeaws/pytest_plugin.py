"""pytest plugin (registered through the ``pytest11`` entry point).

* ``cloud``: a function-scoped fixture yielding an active fake cloud.
* ``@pytest.mark.fakeaws(region=..., seed=..., dynamodb={...})``: its settings.
* ``world_fixture``: build expensive state once per module/class/session and
  give every test its own copy of it (snapshot once, restore per test).
* ini option ``fakeaws_strict``: check every response against botocore's
  output shapes in every activation of the run (decorators included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fakeaws import intercept, mock
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
    if config.getini("fakeaws_strict"):
        mock.DEFAULTS["strict"] = True
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
def cloud(request: pytest.FixtureRequest) -> Iterator[Cloud]:
    """An active fake cloud for one test; ``@pytest.mark.fakeaws(...)`` configures it.

    A new world per test; if a world is already active when the fixture is set
    up (a ``world_fixture`` requested first), it is that world.
    """
    with ServerlessMock(**_marker_settings(request)) as active:
        yield active


def world_fixture(
    builder: Callable[[Cloud], Any] | None = None, *, scope: str = "module", **options: Any
) -> Any:
    """Turn ``builder(cloud)`` into a fixture giving each test a copy of the world it built.

    The builder runs once per ``scope`` ("module", "class", "package" or
    "session") in a fresh cloud; the result is snapshotted, and every test
    that requests the fixture gets an active cloud restored from it::

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
    name = builder.__name__

    @pytest.fixture(name=name)
    def per_test(request: pytest.FixtureRequest) -> Iterator[Cloud]:
        snapshot = _world_snapshot(request, name, scope, builder, options)
        active = intercept.current()
        if active is not None:  # e.g. the `cloud` fixture is active too: same world
            active.restore(snapshot)
            yield active
            return
        with ServerlessMock(fresh=True, **options) as fresh:
            fresh.restore(snapshot)
            yield fresh

    per_test.__doc__ = builder.__doc__
    return per_test


def _world_snapshot(
    request: pytest.FixtureRequest,
    name: str,
    scope: str,
    builder: Callable[[Cloud], Any],
    options: dict[str, Any],
) -> Snapshot:
    if scope == "session":
        key: Any = None
    elif scope == "package":
        key = getattr(request.module, "__package__", None)
    elif scope == "class":
        key = (request.module.__name__, getattr(request.cls, "__qualname__", None))
    else:
        key = request.module.__name__
    worlds = request.config._fakeaws_worlds
    snapshot = worlds.get((name, key))
    if snapshot is None:
        with ServerlessMock(fresh=True, **options) as building:
            builder(building)
            building.settle()
            snapshot = worlds[(name, key)] = building.snapshot()
    return snapshot
