"""What was worked out from an unchanged file, kept between runs (of the checker; of a build, in its doctrees).

What an annotation file yields (its annotations' places, their bodies' verdicts, where their selectors land)
depends on nothing but the file's bytes, the texts of the sources it quotes (which the user of a ``Memo``
checks by their digests), the settings of the check and the code that works it out. A ``Memo`` keeps such
results by the hash of the file's bytes, in one JSON file. Its version names this package's code (a hash of
its modules) and whatever else the caller says the results depend on (``version``): a file made by other code,
or for other settings, is not used, so a change to the code can never be met with a stale result.

Only JSON is read back, never pickled objects; a caller must take a stored result whose shape it does not
expect as no result. The file keeps the results used in the last run only, and is written (atomically) only
when that changed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import orjson

_FORMAT = "standoff-memo/1"


def code_version() -> str:
    """A hash of this package's modules: changes whenever its code does."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key_of(data: bytes) -> str:
    """The key of a file's bytes."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class Memo:
    """Results by key, kept in the JSON file ``file`` (``None``: for this run only) between runs."""

    def __init__(self, file: Path | None, version: str = "") -> None:
        self.file = file
        self.version = f"{_FORMAT} code={code_version()} {version}"
        #: what the file held and this run has not (yet) used
        self._stored: dict[str, Any] = {}
        #: what this run used or made: what the file is to hold next
        self._kept: dict[str, Any] = {}
        self._changed = False
        #: the file is read when a result is first asked for, not before: a caller that forks worker processes
        #: first (``edition.load_edition``) does not share the file's many objects with them (see ``_read_file``)
        self._read = file is None

    def _read_file(self) -> None:
        """Read the file's results, if it has any for this version.

        Done as late as it can be, because a process that forks after making a large memo's objects pays for
        them again: each object it touches afterwards (a reference count changed is a write) copies the page
        that holds it, which the worker shares with it until then. At 100,000 annotations that made 40,000 more
        page faults (a fifth of the checker's), about 0.15 s of its CPU time."""
        self._read = True
        if self.file is None:
            return
        try:
            stored = read_json(self.file)
            if isinstance(stored, dict) and stored.get("version") == self.version:
                results = stored.get("results")
                self._stored = results if isinstance(results, dict) else {}
        except (OSError, ValueError, RecursionError):
            pass  # no memo yet, or an unreadable one: start afresh

    def get(self, key: str) -> Any:
        """The result kept for ``key``, or ``None``."""
        if not self._read:
            self._read_file()
        value = self._kept.get(key)
        if value is None:
            value = self._stored.pop(key, None)
            if value is not None:
                self._kept[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` (JSON data) for ``key``. Putting what is already kept for it, as the file would hold
        it (tuples as lists), is no change: the file is not written again for it."""
        if not self._read:
            self._read_file()
        held = self._kept.get(key)
        if held is None:
            held = self._stored.pop(key, None)
        self._kept[key] = value
        if held is None or not _same_json(held, value):
            self._changed = True

    def forget(self, key: str) -> None:
        """Drop what is kept for ``key`` (a result found not to be of the expected shape)."""
        if self._kept.pop(key, None) is not None:
            self._changed = True

    def save(self) -> None:
        """Write the results used or made in this run, if that is not what the file already holds (a run that
        asked for none and made none leaves it as it is)."""
        if self.file is None or not self._read or not (self._changed or self._stored):
            return
        write_json(self.file, {"version": self.version, "results": self._kept})


def _same_json(a: Any, b: Any) -> bool:
    """Would ``a`` and ``b`` be written alike?"""
    try:
        return orjson.dumps(a) == orjson.dumps(b)
    except TypeError:  # what orjson cannot write (see ``write_json``): never kept as it is
        return False


def read_json(file: Path) -> Any:
    """A cache file's data; raise ``OSError`` or ``ValueError`` where it cannot be read.

    Cache files are read and written with orjson, ten times quicker than ``json`` at writing the tens of
    megabytes of a large edition's caches. It writes only what it reads back exactly (``write_json``).
    """
    return orjson.loads(file.read_bytes())


def write_json(file: Path, data: Any) -> None:
    """Write a cache file at once (a reader sees the old file or the new one, never half of one); a cache that
    cannot be written only makes the next run slower, so a failure is let pass. So is data that orjson refuses
    to write, such as an integer beyond 64 bits (which ``json`` would write, and orjson read back as a float):
    what is written is read back exactly. (Callers give no NaN, which orjson would write as ``null``.)"""
    partial = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    try:
        payload = orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError: an integer too large, a type JSON has not
        return
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(payload)
        os.replace(partial, file)
    except OSError:
        partial.unlink(missing_ok=True)
