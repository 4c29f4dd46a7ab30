"""Problems found in sources and annotations, with the place an editor must look."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: a file, a 1-based line and column, the annotation concerned (if any), a message.

    ``severity`` is ``"error"`` (the edition cannot be built faithfully) or ``"warning"`` (the checker's
    advice, for example a selector so short that a small edit would move it).
    """

    path: str
    line: int
    column: int
    annotation: str | None
    message: str
    code: str = "standoff"
    severity: str = "error"

    @property
    def location(self) -> str:
        """``path:line`` as Sphinx prints a warning location."""
        return f"{self.path}:{self.line}"

    def format(self, root: Path | None = None) -> str:
        """``path:line:column: annotation-id: message``, with the path relative to ``root``."""
        path = self.path
        if root is not None:
            try:
                path = str(Path(path).resolve().relative_to(root.resolve()))
            except ValueError:
                pass
        who = f"{self.annotation}: " if self.annotation else ""
        return f"{path}:{self.line}:{self.column}: {who}{self.message}"


class DiagnosticError(Exception):
    """Raised inside a loading stage to abandon one item; carries its ``Diagnostic``."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
