"""Function code on disk: building deployment zips, and extracting them once per process.

Zips are extracted under one temporary directory per process (so pytest-xdist
workers never share one), keyed by their SHA-256, at most once: execution
environments of the same code share the directory, as the read-only
``/var/task`` of every AWS sandbox holds the same files. A function's layers
are merged into one directory in layer order, later layers overwriting the
files of earlier ones, as Lambda merges them into ``/opt``. The whole tree is
removed when the interpreter exits.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Mapping, Sequence

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: a fixed timestamp
_FILE_MODE = 0o100644 << 16
_EXEC_MODE = 0o100755 << 16

_lock = threading.Lock()
_root: str | None = None
_dirs: dict[str, str] = {}  # cache key -> extracted directory


def _cache_root() -> str:
    global _root
    if _root is None:
        _root = tempfile.mkdtemp(prefix="fakeaws-lambda-")
        atexit.register(shutil.rmtree, _root, True)
    return _root


def code_dir(code: bytes, sha256: str = "") -> str:
    """The directory holding the extracted ``code`` zip (extracted on first use)."""
    key = "code-" + _key(sha256 or _sha(code))
    return _extracted(key, (code,))


def layers_dir(layers: Sequence[tuple[bytes, str]]) -> str | None:
    """One directory with the layers' contents merged in order (None without layers)."""
    if not layers:
        return None
    combined = hashlib.sha256()
    for content, sha in layers:
        combined.update((sha or _sha(content)).encode())
        combined.update(b"\0")
    return _extracted("opt-" + combined.hexdigest()[:40], tuple(c for c, _ in layers))


def _extracted(key: str, zips: tuple[bytes, ...]) -> str:
    path = _dirs.get(key)
    if path is not None:
        return path
    with _lock:
        path = _dirs.get(key)
        if path is None:
            root = _cache_root()
            staging = tempfile.mkdtemp(prefix=".staging-", dir=root)
            for content in zips:
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    archive.extractall(staging)  # extractall drops absolute and ".." parts
            path = os.path.join(root, key)
            os.rename(staging, path)
            _dirs[key] = path
    return path


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _key(sha: str) -> str:
    # CodeSha256 is base64: make it a safe directory name.
    return sha.replace("/", "_").replace("+", "-").rstrip("=")


# -- building zips -------------------------------------------------------------------------


def build_zip(
    path: str | os.PathLike[str] | None = None,
    *,
    source: str | None = None,
    files: Mapping[str, str | bytes] | None = None,
    filename: str = "lambda_function.py",
) -> bytes:
    """A deployment package, byte-for-byte the same for the same input.

    ``path`` is a folder (added recursively, without ``__pycache__``) or one
    file; ``source`` is the text of ``filename``; ``files`` maps relative paths
    to text or bytes. They combine: ``source`` and ``files`` are added over the
    folder's files. Entries are sorted and carry a fixed timestamp, so the
    same input always has the same CodeSha256.
    """
    if path is None and source is None and files is None:
        raise ValueError("build_zip needs a path, source text or files")
    entries: dict[str, tuple[bytes, bool]] = {}
    if path is not None:
        entries.update(_folder_entries(os.fspath(path)))
    if source is not None:
        entries[_arcname(filename)] = (source.encode("utf-8"), False)
    for name, content in (files or {}).items():
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        entries[_arcname(name)] = (data, False)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(entries):
            data, executable = entries[name]
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so that the permission bits are read back
            info.external_attr = _EXEC_MODE if executable else _FILE_MODE
            archive.writestr(info, data)
    return buffer.getvalue()


def _folder_entries(root: str) -> dict[str, tuple[bytes, bool]]:
    if os.path.isfile(root):
        with open(root, "rb") as handle:
            return {os.path.basename(root): (handle.read(), os.access(root, os.X_OK))}
    if not os.path.isdir(root):
        raise FileNotFoundError(f"no such file or folder: {root!r}")
    entries = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        for name in names:
            full = os.path.join(folder, name)
            arcname = os.path.relpath(full, root).replace(os.sep, "/")
            with open(full, "rb") as handle:
                entries[arcname] = (handle.read(), os.access(full, os.X_OK))
    return entries


def _arcname(name: str) -> str:
    arcname = name.replace("\\", "/").lstrip("/")
    parts = [p for p in arcname.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise ValueError(f"not a relative path inside the package: {name!r}")
    return "/".join(parts)
