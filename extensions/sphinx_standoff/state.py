"""Where the loaded edition lives during a build.

The edition is loaded afresh at the start of every build (it is cheap, and this is how a bad annotation keeps
failing the build until it is fixed). It hangs on the environment in a holder that is never pickled, so
parallel readers (forked after loading) see it and the saved environment does not carry it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sphinx.environment import BuildEnvironment

from .comparison import Analysis
from .edition import Edition


class _Transient:
    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.value = None


def set_edition(env: BuildEnvironment, edition: Edition, analysis: Analysis | None = None) -> None:
    env.standoff_edition = _Transient((edition, analysis))  # type: ignore[attr-defined]


def edition_of(env: BuildEnvironment) -> Edition | None:
    holder = getattr(env, "standoff_edition", None)
    return holder.value[0] if holder is not None and holder.value else None


def analysis_of(env: BuildEnvironment) -> Analysis | None:
    holder = getattr(env, "standoff_edition", None)
    return holder.value[1] if holder is not None and holder.value else None


def page_fingerprint(edition: Edition, analysis: Analysis | None, source_id: str) -> str:
    """Changes whenever anything shown on the page of ``source_id`` changes."""
    extra = analysis.fingerprint(source_id) if analysis is not None else ""
    return hashlib.sha256((edition.fingerprint(source_id) + extra).encode()).hexdigest()


def global_fingerprint(edition: Edition, analysis: Analysis | None) -> str:
    """Changes whenever anything in the edition changes (for pages that look across all sources)."""
    digest = hashlib.sha256()
    for source_id in sorted(edition.sources):
        digest.update(edition.fingerprint(source_id).encode())
    for located in edition.annotations:
        digest.update(located.annotation.model_dump_json().encode())
    if analysis is not None:
        digest.update(analysis.fingerprint().encode())
    return digest.hexdigest()
