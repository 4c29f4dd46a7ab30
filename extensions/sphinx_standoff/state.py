"""Where the loaded edition lives during a build.

The edition is loaded afresh at the start of every build (it is cheap, and this is how a bad annotation keeps
failing the build until it is fixed). It hangs on the environment in a holder that is never pickled, so
parallel readers (forked after loading) see it and the saved environment does not carry it.
"""

from __future__ import annotations

from typing import Any

from sphinx.environment import BuildEnvironment

from .edition import Edition


class _Transient:
    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.value = None


def set_edition(env: BuildEnvironment, edition: Edition) -> None:
    env.standoff_edition = _Transient(edition)  # type: ignore[attr-defined]


def edition_of(env: BuildEnvironment) -> Edition | None:
    holder = getattr(env, "standoff_edition", None)
    return holder.value if holder is not None else None
