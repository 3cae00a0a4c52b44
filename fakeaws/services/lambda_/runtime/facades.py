"""What ``import os`` (``sys``, ``boto3``, ``logging``, ``time``, ``importlib``) gives a handler.

A facade is a module of the environment's own that holds a few names of its
own and hands every other attribute to the real module (PEP 562
``__getattr__``); classes, constants and submodules are the real ones.

* ``os``: ``environ`` (the environment's variables), ``getenv``, ``putenv``,
  ``unsetenv`` (on the environment's variables too: never on the process's)
  ``getcwd`` (the task root, Lambda's working directory) and ``_exit`` (ends the
  runtime, ``Runtime.ExitError``, never the test process).
* ``sys``: ``path``, ``modules`` (see ``isolation.py``), ``stdout`` and
  ``stderr`` (the function's log), ``argv``, an empty ``stdin``.
* ``boto3``: a ``DEFAULT_SESSION`` of its own and a ``Session`` that, given no
  keys, profile or botocore session, signs with the environment's
  ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN`` and
  uses its ``AWS_REGION``: the execution role's credentials, as on AWS.
  Sessions start from a copy of one template session's event handlers and
  share its data loader: a cold start does not pay for botocore's setup.
* ``logging``: a root logger and logger hierarchy of its own (a private
  ``logging.Manager``) with the runtime's handler on the root; module-level
  ``getLogger``, ``basicConfig``, ``info``... act on them.
* ``time``: ``sleep`` lets virtual time pass on the cloud's clock (and counts
  toward the invocation's duration and timeout).
* ``importlib``: ``import_module``, ``reload`` and ``__import__`` of the environment.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time as _time
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fakeaws.services.lambda_.runtime import isolation
from fakeaws.services.lambda_.runtime.isolation import Importer, ModulesView

if TYPE_CHECKING:
    from fakeaws.services.lambda_.runtime.environment import Sandbox


def _facade(importer: Importer, real: types.ModuleType) -> types.ModuleType:
    module = types.ModuleType(real.__name__, real.__doc__)
    prefix = real.__name__ + "."
    # Submodules the environment has its own of (logging.config): never the real ones.
    own = {name[len(prefix) :] for name in importer.special_names() if name.startswith(prefix)}

    def __getattr__(attr: str) -> Any:  # noqa: N807 - PEP 562
        if attr in own:
            return importer.import_module(prefix + attr)
        return getattr(real, attr)

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(set(dir(real)) | set(module.__dict__))

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dir__ = __dir__  # type: ignore[method-assign]
    for attr in ("__file__", "__spec__", "__loader__", "__package__", "__path__", "__all__"):
        if hasattr(real, attr):
            setattr(module, attr, getattr(real, attr))
    return module


class Environ(dict):
    """``os.environ`` of an environment: a dict of str, printed as ``environ({...})``."""

    def __setitem__(self, key: str, value: str) -> None:
        dict.__setitem__(self, _str(key), _str(value))

    def setdefault(self, key: str, value: str) -> str:  # type: ignore[override]
        if key not in self:
            self[key] = value
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def copy(self) -> dict[str, str]:  # type: ignore[override]
        return dict(self)

    def __repr__(self) -> str:
        return f"environ({dict.__repr__(self)})"


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"str expected, not {type(value).__name__}")
    return value


# -- the facades -------------------------------------------------------------------------


def make_os(sandbox: Sandbox) -> Callable[[Importer], types.ModuleType]:
    def build(importer: Importer) -> types.ModuleType:
        module = _facade(importer, os)
        environ = sandbox.environ
        task_root = sandbox.task_root

        def getenv(key: str, default: Any = None) -> Any:
            return environ.get(key, default)

        def putenv(key: str, value: str) -> None:
            environ[key] = value

        def unsetenv(key: str) -> None:
            environ.pop(key, None)

        def getcwd() -> str:
            return task_root

        def getcwdb() -> bytes:
            return os.fsencode(task_root)

        def _exit(status: int) -> None:
            # The runtime process ends (Runtime.ExitError), never the test process.
            raise SystemExit(status)

        module.environ = environ
        module.getenv = getenv
        module.putenv = putenv
        module.unsetenv = unsetenv
        module.getcwd = getcwd
        module.getcwdb = getcwdb
        module._exit = _exit
        return module

    return build


def make_sys(sandbox: Sandbox) -> Callable[[Importer], types.ModuleType]:
    def build(importer: Importer) -> types.ModuleType:
        module = _facade(importer, sys)
        module.path = importer.path
        module.modules = ModulesView(importer)
        module.stdout = module.__stdout__ = sandbox.stdout
        module.stderr = module.__stderr__ = sandbox.stderr
        module.stdin = module.__stdin__ = io.StringIO()
        module.argv = ["/var/runtime/bootstrap.py"]
        return module

    return build


def make_time(sandbox: Sandbox) -> Callable[[Importer], types.ModuleType]:
    def build(importer: Importer) -> types.ModuleType:
        module = _facade(importer, _time)
        module.sleep = sandbox.sleep
        return module

    return build


def make_importlib(sandbox: Sandbox) -> Callable[[Importer], types.ModuleType]:
    import importlib

    def build(importer: Importer) -> types.ModuleType:
        module = _facade(importer, importlib)

        def invalidate_caches() -> None:
            importlib.invalidate_caches()
            isolation.invalidate_caches()

        module.import_module = importer.import_module
        module.reload = importer.reload
        module.__import__ = importer.import_
        module.invalidate_caches = invalidate_caches
        return module

    return build


# -- boto3 -----------------------------------------------------------------------------------

_template: Any = None
_template_lock = threading.Lock()


def new_botocore_session() -> Any:
    """A botocore session, made cheaply.

    Registering botocore's ~1,300 built-in event handlers is most of what a new
    session costs (milliseconds); every environment's session starts from a
    copy of one template's handlers instead. They also share its data loader,
    which caches the service models it reads.
    """
    global _template
    import copy

    import botocore.session

    if _template is None:
        with _template_lock:
            if _template is None:
                _template = botocore.session.Session()
    session = botocore.session.Session(
        event_hooks=copy.copy(_template._original_handler), include_builtin_handlers=False
    )
    session.register_component("data_loader", _template.get_component("data_loader"))
    return session


def make_boto3(sandbox: Sandbox) -> Callable[[Importer], types.ModuleType]:
    def build(importer: Importer) -> types.ModuleType:
        import boto3
        import boto3.session

        environ = sandbox.environ
        boto3_data = os.path.join(os.path.dirname(boto3.__file__), "data")

        class Session(boto3.session.Session):
            __doc__ = boto3.session.Session.__doc__

            def __init__(
                self,
                aws_access_key_id: str | None = None,
                aws_secret_access_key: str | None = None,
                aws_session_token: str | None = None,
                region_name: str | None = None,
                botocore_session: Any = None,
                profile_name: str | None = None,
                **kwargs: Any,
            ) -> None:
                chosen = (
                    aws_access_key_id
                    or aws_secret_access_key
                    or aws_session_token
                    or profile_name
                    or botocore_session is not None
                )
                if not chosen:
                    aws_access_key_id = environ.get("AWS_ACCESS_KEY_ID")
                    aws_secret_access_key = environ.get("AWS_SECRET_ACCESS_KEY")
                    aws_session_token = environ.get("AWS_SESSION_TOKEN")
                if region_name is None and profile_name is None and botocore_session is None:
                    region_name = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
                if botocore_session is None:
                    botocore_session = new_botocore_session()
                super().__init__(
                    aws_access_key_id=aws_access_key_id,
                    aws_secret_access_key=aws_secret_access_key,
                    aws_session_token=aws_session_token,
                    region_name=region_name,
                    botocore_session=botocore_session,
                    profile_name=profile_name,
                    **kwargs,
                )

            def _setup_loader(self) -> None:
                # boto3 appends its data folder to the loader's paths: once is enough.
                self._loader = self._session.get_component("data_loader")
                if boto3_data not in self._loader.search_paths:
                    self._loader.search_paths.append(boto3_data)

        Session.__module__ = "boto3.session"
        session_module = _facade(importer, boto3.session)
        session_module.Session = Session
        module = _facade(importer, boto3)
        module.session = session_module
        module.Session = Session
        module.DEFAULT_SESSION = None

        def setup_default_session(**kwargs: Any) -> None:
            module.DEFAULT_SESSION = Session(**kwargs)

        def _get_default_session() -> Any:
            if module.DEFAULT_SESSION is None:
                setup_default_session()
            return module.DEFAULT_SESSION

        def client(*args: Any, **kwargs: Any) -> Any:
            return _get_default_session().client(*args, **kwargs)

        def resource(*args: Any, **kwargs: Any) -> Any:
            return _get_default_session().resource(*args, **kwargs)

        module.setup_default_session = setup_default_session
        module._get_default_session = _get_default_session
        module.client = client
        module.resource = resource
        importer.modules["boto3.session"] = session_module
        return module

    return build


# -- logging ---------------------------------------------------------------------------------


def make_logging(sandbox: Sandbox) -> Callable[[Importer], types.ModuleType]:
    def build(importer: Importer) -> types.ModuleType:
        import logging

        module = _facade(importer, logging)
        root = sandbox.root_logger
        manager = root.manager
        lock = threading.RLock()
        handler_list: list[Any] = []  # for logging.config's housekeeping: never the process's

        def getLogger(name: str | None = None) -> logging.Logger:  # noqa: N802
            if not name or isinstance(name, str) and name == root.name:
                return root
            return manager.getLogger(name)

        def basicConfig(**kwargs: Any) -> None:  # noqa: N802
            with lock:
                force = kwargs.pop("force", False)
                encoding = kwargs.pop("encoding", None)
                errors = kwargs.pop("errors", "backslashreplace")
                if force:
                    for handler in root.handlers[:]:
                        root.removeHandler(handler)
                        handler.close()
                if root.handlers:
                    return
                handlers = kwargs.pop("handlers", None)
                if handlers is None:
                    if "stream" in kwargs and "filename" in kwargs:
                        raise ValueError("'stream' and 'filename' should not be specified together")
                elif "stream" in kwargs or "filename" in kwargs:
                    raise ValueError(
                        "'stream' or 'filename' should not be specified together with 'handlers'"
                    )
                if handlers is None:
                    filename = kwargs.pop("filename", None)
                    mode = kwargs.pop("filemode", "a")
                    if filename:
                        if "b" in mode:
                            errors = None
                        else:
                            encoding = io.text_encoding(encoding)
                        handlers = [
                            logging.FileHandler(filename, mode, encoding=encoding, errors=errors)
                        ]
                    else:
                        stream = kwargs.pop("stream", None) or sandbox.stderr
                        handlers = [logging.StreamHandler(stream)]
                dfs = kwargs.pop("datefmt", None)
                style = kwargs.pop("style", "%")
                if style not in logging._STYLES:
                    raise ValueError(f"Style must be one of: {','.join(logging._STYLES.keys())}")
                fs = kwargs.pop("format", logging._STYLES[style][1])
                formatter = logging.Formatter(fs, dfs, style)
                for handler in handlers:
                    if handler.formatter is None:
                        handler.setFormatter(formatter)
                    root.addHandler(handler)
                level = kwargs.pop("level", None)
                if level is not None:
                    root.setLevel(level)
                if kwargs:
                    raise ValueError(f"Unrecognised argument(s): {', '.join(kwargs.keys())}")

        def _at_root(method: str) -> Callable[..., None]:
            def log(msg: Any, *args: Any, **kwargs: Any) -> None:
                if not root.handlers:
                    basicConfig()
                kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
                getattr(root, method)(msg, *args, **kwargs)

            log.__name__ = method
            return log

        def log(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
            if not root.handlers:
                basicConfig()
            kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
            root.log(level, msg, *args, **kwargs)

        def disable(level: int = logging.CRITICAL) -> None:
            manager.disable = level
            manager._clear_cache()

        def shutdown(handlerList: list[Any] = handler_list) -> None:  # noqa: N803
            logging.shutdown(handlerList)

        def setLoggerClass(klass: type) -> None:  # noqa: N802
            manager.setLoggerClass(klass)

        def getLoggerClass() -> type:  # noqa: N802
            return manager.loggerClass or logging.getLoggerClass()

        def captureWarnings(capture: bool) -> None:  # noqa: N802
            """Not in an execution environment: it would redirect the process's warnings."""

        module.root = root
        module.getLogger = getLogger
        module.basicConfig = basicConfig
        for method in ("debug", "info", "warning", "warn", "error", "exception", "critical"):
            setattr(module, method, _at_root(method))
        module.fatal = module.critical
        module.log = log
        module.disable = disable
        module.shutdown = shutdown
        module.setLoggerClass = setLoggerClass
        module.getLoggerClass = getLoggerClass
        module.captureWarnings = captureWarnings
        module._handlers = {}
        module._handlerList = handler_list
        return module

    return build
