"""The knobs of a cloud: core settings and one namespace per service.

``cloud.settings.strict`` and ``cloud.settings.<service>.<knob>``. Services
declare their knobs (with defaults) in ``fakeaws.services.registry``; a
misspelt knob is an error, never silently ignored.
"""

from __future__ import annotations

import copy
from typing import Any


class ServiceSettings:
    """The knobs of one service, with attribute access; unknown names are errors."""

    def __init__(self, service: str, defaults: dict[str, Any]) -> None:
        object.__setattr__(self, "_service", service)
        object.__setattr__(self, "_values", copy.deepcopy(defaults))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(self._unknown(name)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise AttributeError(self._unknown(name))
        self._values[name] = value

    def update(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(self, name, copy.deepcopy(value))

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def _unknown(self, name: str) -> str:
        known = ", ".join(sorted(self._values)) or "none"
        return f"{self._service} has no setting {name!r} (known: {known})"

    def __repr__(self) -> str:
        return f"<{self._service} settings {self._values}>"


class Settings:
    """Core settings plus ``settings.<service>`` namespaces."""

    def __init__(self, strict: bool = False, services: dict[str, dict[str, Any]] | None = None):
        from fakeaws.services.registry import SERVICE_SETTINGS

        self.strict = strict
        self._services = {name: ServiceSettings(name, d) for name, d in SERVICE_SETTINGS.items()}
        for name, values in (services or {}).items():
            self.service(name).update(values)

    def service(self, name: str) -> ServiceSettings:
        try:
            return self._services[name]
        except KeyError:
            known = ", ".join(sorted(self._services)) or "none"
            raise AttributeError(f"no settings for service {name!r} (known: {known})") from None

    def __getattr__(self, name: str) -> ServiceSettings:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.service(name.removesuffix("_"))  # settings.lambda_ for "lambda"
