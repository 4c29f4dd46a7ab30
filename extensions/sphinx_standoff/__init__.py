"""sphinx-standoff: critical editions in Sphinx from faithful transcriptions and stand-off annotations.

Name it in ``conf.py`` (``extensions = ["sphinx_standoff"]``), point ``standoff_sources`` and
``standoff_annotations`` at the folders, and give each source a page holding
``standoff-source`` with the source's id. Nothing here knows about any particular edition.

The extension itself is in ``extension``, imported only when Sphinx sets it up: the checker (``standoff
check``) and the other tools, which never build, do not import Sphinx and the extension's renderers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

__version__ = "0.1.0"


def setup(app: Sphinx) -> ExtensionMetadata:
    from .extension import setup as setup_extension

    return setup_extension(app)
