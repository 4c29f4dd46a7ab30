"""A third-party hot spot that an edition, whose notes cite on every page, runs into.

sphinxcontrib-bibtex resolves every citation by asking pybtex for its ``plaintext`` backend, and pybtex looks
a plugin up by scanning the entry points of every installed distribution, on every call: about ten
milliseconds a citation. This edition's 800 citations spent more time there than in anything else of the
build. pybtex checks the plugins registered at run time first (``register_plugin``, its public API), so the
plugins that are looked up per citation are registered once, as the very classes the scan finds: nothing
changes but the time.
"""

from __future__ import annotations

from sphinx.application import Sphinx

#: (group, name) of the pybtex plugins sphinxcontrib-bibtex looks up once per citation
PER_CITATION = (("pybtex.backends", "plaintext"),)


def register_pybtex_plugins(app: Sphinx) -> None:
    try:
        from pybtex.plugin import find_plugin, register_plugin
    except ImportError:  # pragma: no cover - no bibliography support installed
        return
    for group, name in PER_CITATION:
        try:
            # ``force``: without it pybtex declines to register a name an installed entry point already has
            register_plugin(group, name, find_plugin(group, name), force=True)
        except Exception:  # pragma: no cover - pybtex without that plugin: leave the lookups as they are
            continue


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", register_pybtex_plugins)
