"""A private module namespace per execution environment, inside the test process.

Each environment has its own module table. Its modules are found with the
import system's own machinery (``FileFinder``s on the environment's
``sys.path``, combined as ``PathFinder`` does), made by ``module_from_spec``
and run by their loader, but never enter ``sys.modules`` (nor their finders in
``sys.path_importer_cache``): every one of them gets ``__builtins__`` = the
environment's copy of the builtins, whose ``__import__`` is
:meth:`Importer.import_`. So each ``import`` statement their code runs, at
init or later, in any thread, resolves in its own environment.

A name resolves, in order, to:

1. a facade of the environment (``os``, ``sys``, ``boto3``, ``logging``...,
   see ``facades.py``), or a private copy of a few standard modules that look
   modules up in ``sys.modules`` (``dataclasses``, ``logging.config``) or
   print to ``sys.stdout`` (``traceback``, ``pprint``);
2. a module the environment already has, or finds on its ``sys.path`` (the
   function's code, then its layers' ``python/lib/pythonX.Y/site-packages``
   and ``python`` folders);
3. a module the Lambda Python runtime provides, shared with the test process:
   the standard library, ``boto3``, ``botocore`` and their dependencies,
   ``fakeaws``. ``RUNTIME`` packages and the standard modules the runtime has
   already loaded when it imports the handler (``PRELOADED``) always come
   from the test process, even when the function ships a module of the same
   name (so a zip bundling its own boto3 still gets the shared, intercepted
   one); another standard module name can be taken by the function's own
   module, as on AWS;
4. with ``allow_site_packages``, any module the test process can import;
   otherwise ``ModuleNotFoundError: No module named 'x'``, as on AWS.

Imports follow Python's rules: absolute and relative (``level``), packages,
submodules set as attributes of their parent, ``fromlist`` (submodules and
``*``), circular imports (a module is in the table while it runs, and taken
out again if it fails), namespace packages (spanning code and layers).
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import importlib.util
import os
import sys
import threading
import types
import zipimport
from collections.abc import Callable, Iterator, MutableMapping
from importlib.machinery import (
    BYTECODE_SUFFIXES,
    EXTENSION_SUFFIXES,
    SOURCE_SUFFIXES,
    ExtensionFileLoader,
    FileFinder,
    ModuleSpec,
    SourceFileLoader,
    SourcelessFileLoader,
)
from typing import Any

# Packages of the Lambda Python runtime (what /var/runtime holds, next to the runtime).
RUNTIME = frozenset(
    {
        "boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six",
        "simplejson", "awslambdaric", "fakeaws",
    }
)  # fmt: skip

# Standard modules the Python runtime has imported before it imports the handler: a
# module of the function cannot take their names, as they are in sys.modules already.
PRELOADED = frozenset(
    {
        "abc", "base64", "binascii", "bisect", "builtins", "calendar", "codecs", "collections",
        "contextlib", "copy", "copyreg", "ctypes", "datetime", "decimal", "email", "encodings",
        "enum", "errno", "fnmatch", "functools", "genericpath", "hashlib", "heapq", "http",
        "importlib", "io", "itertools", "json", "keyword", "linecache", "locale", "logging",
        "math", "numbers", "operator", "os", "platform", "posix", "posixpath", "quopri",
        "random", "re", "reprlib", "select", "selectors", "signal", "socket", "sre_compile",
        "sre_constants", "sre_parse", "ssl", "stat", "string", "struct", "sys", "threading",
        "time", "token", "tokenize", "traceback", "types", "typing", "urllib", "uu", "warnings",
        "weakref", "zipimport", "zlib",
    }
)  # fmt: skip

# Standard modules each environment runs a copy of: they look classes' modules up in
# sys.modules (dataclasses, with string annotations), configure "the" root logger
# (logging.config) or print to sys.stdout/sys.stderr (traceback, pprint).
PRIVATE_STDLIB = frozenset({"dataclasses", "logging.config", "pprint", "traceback"})

STDLIB = frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names)
# ``__main__`` is the runtime's bootstrap on AWS; here, the test process's main module.
_ALWAYS_SHARED = RUNTIME | PRELOADED | frozenset(sys.builtin_module_names) | {"__main__"}

_stdlib_specs: dict[str, Any] = {}
_stdlib_specs_lock = threading.Lock()
# Compiled modules, shared by all environments (code objects are immutable): a cold start
# compiles nothing it compiled before, even with PYTHONDONTWRITEBYTECODE.
_codes: dict[tuple[str, int, int], Any] = {}


# Finders of the environments' path entries, kept here rather than in the process's
# sys.path_importer_cache (nothing of an environment is registered with the process).
_LOADERS = (
    (ExtensionFileLoader, EXTENSION_SUFFIXES),
    (SourceFileLoader, SOURCE_SUFFIXES),
    (SourcelessFileLoader, BYTECODE_SUFFIXES),
)
_finders: dict[str, Any] = {}


def _finder(entry: str) -> Any:
    finder = _finders.get(entry)
    if finder is None and entry not in _finders:
        if os.path.isdir(entry or "."):
            finder = FileFinder(entry or ".", *_LOADERS)
        else:
            try:
                finder = zipimport.zipimporter(entry)
            except (zipimport.ZipImportError, OSError):
                finder = None
        _finders[entry] = finder
    return finder


def find_spec(name: str, path: list[str]) -> ModuleSpec | None:
    """``PathFinder.find_spec(name, path)``, with finders of our own: regular packages and
    modules first found win; namespace portions add up."""
    portions: list[str] = []
    for entry in path:
        if not isinstance(entry, str):
            continue
        finder = _finder(entry)
        if finder is None:
            continue
        spec = finder.find_spec(name)
        if spec is None:
            continue
        if spec.loader is not None:
            return spec
        portions.extend(spec.submodule_search_locations or ())
    if portions:
        spec = ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = portions
        return spec
    return None


def invalidate_caches() -> None:
    """``importlib.invalidate_caches`` for the environments' finders too."""
    for finder in list(_finders.values()):
        if finder is not None:
            finder.invalidate_caches()


def _code_of(spec: Any) -> Any:
    origin = spec.origin
    stat = os.stat(origin)
    key = (origin, stat.st_mtime_ns, stat.st_size)
    code = _codes.get(key)
    if code is None:
        code = _codes[key] = spec.loader.get_code(spec.name)
    return code


class Importer:
    """The module table and ``__import__`` of one execution environment."""

    def __init__(
        self,
        path: list[str],
        facades: dict[str, Callable[[Importer], types.ModuleType]],
        builtins_dict: dict[str, Any],
        allow_site_packages: bool = False,
    ) -> None:
        self.path = path  # the environment's sys.path (the very list its ``sys.path`` is)
        self.modules: dict[str, Any] = {}  # env modules, facades, and shared ones seen
        self.builtins = builtins_dict
        self.allow_site_packages = allow_site_packages
        self._facades = facades
        self._lock = threading.RLock()
        self._loading: set[str] = set()

    # -- the __import__ builtin ---------------------------------------------------------------
    def import_(
        self,
        name: str,
        globals: dict[str, Any] | None = None,  # noqa: A002 - __import__'s own signature
        locals: Any = None,  # noqa: A002
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
        if level == 0:
            module = self.modules.get(name)
            if module is None or (self._loading and name in self._loading):
                module = self._gcd_import(name)
            if not fromlist:
                dot = name.find(".")
                return module if dot == -1 else self._gcd_import(name[:dot])
        else:
            if level < 0:
                raise ValueError("level must be >= 0")
            package = _calc_package(globals if globals is not None else {})
            module = self._gcd_import(_resolve_name(name, package, level))
            if not fromlist:
                if not name:
                    return module
                cut_off = len(name) - len(name.partition(".")[0])
                return self._gcd_import(module.__name__[: len(module.__name__) - cut_off])
        if hasattr(module, "__path__"):
            return self._handle_fromlist(module, fromlist)
        return module

    def import_module(self, name: str, package: str | None = None) -> Any:
        """``importlib.import_module`` in this environment."""
        level = 0
        if name.startswith("."):
            if not package:
                raise TypeError(
                    f"the 'package' argument is required to perform a relative import for {name!r}"
                )
            for character in name:
                if character != ".":
                    break
                level += 1
            return self._gcd_import(_resolve_name(name[level:], package, level))
        return self._gcd_import(name)

    def reload(self, module: Any) -> Any:
        """``importlib.reload``: run an environment module's code again, in the same object."""
        name = getattr(module, "__name__", None)
        if not self.owns(module):
            return importlib.reload(module)
        if self.modules.get(name) is not module:
            raise ImportError(f"module {name} not in sys.modules", name=name)
        spec = module.__spec__
        with self._lock:
            parent_name = name.rpartition(".")[0]
            path = getattr(self.modules.get(parent_name), "__path__", None) if parent_name else None
            found = find_spec(name, list(path) if path else list(self.path))
            if found is not None:
                spec = found
            module.__spec__ = spec
            module.__loader__ = spec.loader
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader.exec_module(module)
        return self.modules[name]

    def special_names(self) -> set[str]:
        """Modules the environment does not take from the process (facades, private copies)."""
        return set(self._facades) | PRIVATE_STDLIB

    def owns(self, module: Any) -> bool:
        """Whether ``module`` is one of the environment's own (code, layers, private copies)."""
        return getattr(module, "__dict__", {}).get("__builtins__") is self.builtins

    def drop(self) -> None:
        self.modules.clear()

    # -- finding and loading ----------------------------------------------------------------
    def _gcd_import(self, name: str) -> Any:
        if not name:
            raise ValueError("Empty module name")
        module = self.modules.get(name)
        if module is not None and not (self._loading and name in self._loading):
            return module
        with self._lock:
            module = self.modules.get(name)
            if module is not None:
                return module  # maybe half-initialized: a circular import in this thread
            return self._load(name)

    def _load(self, name: str) -> Any:
        parent_name, _, child = name.rpartition(".")
        parent = None
        if parent_name:
            parent = self._gcd_import(parent_name)
            module = self.modules.get(name)
            if module is not None:  # importing the parent imported it
                return module
        factory = self._facades.get(name)
        if factory is not None:
            module = self.modules[name] = factory(self)
        elif name in PRIVATE_STDLIB:
            module = self._private_stdlib(name)
        elif parent is not None:
            module = self._child_of_env(name, parent) if self.owns(parent) else self._shared(name)
        else:
            module = self._top_level(name)
        if parent is not None:
            # A parent that refuses attributes: Python warns and goes on.
            with contextlib.suppress(AttributeError):
                setattr(parent, child, module)
        return module

    def _top_level(self, name: str) -> Any:
        if name in _ALWAYS_SHARED:
            try:
                return self._shared(name)
            except ModuleNotFoundError as exc:
                # A runtime package the test process lacks (six, simplejson...): the
                # function's own copy, if it ships one.
                if exc.name != name or name not in RUNTIME:
                    raise
        spec = find_spec(name, list(self.path))
        if spec is not None:
            return self._run(spec)
        if name in STDLIB or self.allow_site_packages:
            return self._shared(name)
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    def _child_of_env(self, name: str, parent: Any) -> Any:
        path = getattr(parent, "__path__", None)
        if path is None:
            raise ModuleNotFoundError(
                f"No module named {name!r}; {parent.__name__!r} is not a package", name=name
            )
        spec = find_spec(name, list(path))
        if spec is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return self._run(spec)

    def _shared(self, name: str) -> Any:
        module = sys.modules.get(name)
        if module is None:
            module = importlib.import_module(name)
        self.modules[name] = module
        return module

    def _private_stdlib(self, name: str) -> Any:
        spec = _stdlib_specs.get(name)
        if spec is None:
            with _stdlib_specs_lock:
                spec = _stdlib_specs[name] = importlib.util.find_spec(name)
        # A fresh spec each time: module_from_spec fills it in for its module.
        spec = importlib.util.spec_from_file_location(name, spec.origin)
        return self._run(spec)

    def _run(self, spec: Any) -> Any:
        name = spec.name
        namespace = spec.loader is None and spec.submodule_search_locations is not None
        module = importlib.util.module_from_spec(spec)
        if namespace:
            module.__path__ = list(spec.submodule_search_locations)
            spec.submodule_search_locations = module.__path__
        module.__builtins__ = self.builtins
        self.modules[name] = module
        if namespace:
            return module
        self._loading.add(name)
        try:
            if type(spec.loader) is SourceFileLoader:
                exec(_code_of(spec), module.__dict__)  # what exec_module does, minus compiling
            else:
                spec.loader.exec_module(module)
        except BaseException:
            if self.modules.get(name) is module:
                del self.modules[name]
            raise
        finally:
            self._loading.discard(name)
        return self.modules.get(name, module)  # a module may have replaced itself

    def _handle_fromlist(self, module: Any, fromlist: Any, recursive: bool = False) -> Any:
        for item in fromlist:
            if not isinstance(item, str):
                where = f"{module.__name__}.__all__" if recursive else "``from list''"
                raise TypeError(f"Item in {where} must be str, not {type(item).__name__}")
            if item == "*":
                if not recursive and hasattr(module, "__all__"):
                    self._handle_fromlist(module, module.__all__, recursive=True)
            elif not hasattr(module, item):
                from_name = f"{module.__name__}.{item}"
                try:
                    self._gcd_import(from_name)
                except ModuleNotFoundError as exc:
                    if exc.name == from_name and from_name not in self.modules:
                        continue
                    raise
        return module


def _calc_package(globals: dict[str, Any]) -> str | None:  # noqa: A002
    package = globals.get("__package__")
    if package is not None:
        return package
    spec = globals.get("__spec__")
    if spec is not None:
        return spec.parent
    package = globals.get("__name__")
    if package is None:
        return None
    if "__path__" not in globals:
        package = package.rpartition(".")[0]
    return package


def _resolve_name(name: str, package: str | None, level: int) -> str:
    if not isinstance(name, str):
        raise TypeError(f"module name must be str, not {type(name)}")
    if not package:
        raise ImportError("attempted relative import with no known parent package")
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        raise ImportError("attempted relative import beyond top-level package")
    base = bits[0]
    return f"{base}.{name}" if name else base


class ModulesView(MutableMapping):
    """An environment's ``sys.modules``: its own table first, then the process's modules.

    Writes and deletions change the environment's table only.
    """

    def __init__(self, importer: Importer) -> None:
        self._importer = importer

    def __getitem__(self, name: str) -> Any:
        module = self._importer.modules.get(name)
        if module is None:
            return sys.modules[name]
        return module

    def get(self, name: str, default: Any = None) -> Any:
        module = self._importer.modules.get(name)
        if module is None:
            return sys.modules.get(name, default)
        return module

    def __contains__(self, name: object) -> bool:
        return name in self._importer.modules or name in sys.modules

    def __setitem__(self, name: str, module: Any) -> None:
        self._importer.modules[name] = module

    def __delitem__(self, name: str) -> None:
        if name in self._importer.modules:
            del self._importer.modules[name]
        elif name not in sys.modules:
            raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        own = self._importer.modules
        yield from list(own)
        yield from [name for name in list(sys.modules) if name not in own]

    def __len__(self) -> int:
        own = self._importer.modules
        return len(own) + sum(1 for name in list(sys.modules) if name not in own)

    def copy(self) -> dict[str, Any]:
        return dict(self.items())

    def __repr__(self) -> str:
        return f"<modules of a Lambda execution environment: {len(self)} modules>"


def new_builtins() -> types.ModuleType:
    """A ``builtins`` module of the environment's own: a copy its code can change freely."""
    module = types.ModuleType("builtins", builtins.__doc__)
    module.__dict__.update(builtins.__dict__)
    return module
