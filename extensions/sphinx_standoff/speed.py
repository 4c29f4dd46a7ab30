"""What makes a large edition slow that is not the edition's own code: pybtex's plugin look-ups, and Python's
garbage collector.

**pybtex.** sphinxcontrib-bibtex resolves every citation by asking pybtex for its ``plaintext`` backend, and
pybtex looks a plugin up by scanning the entry points of every installed distribution, on every call: about ten
milliseconds a citation. This edition's 800 citations spent more time there than in anything else of the
build. pybtex checks the plugins registered at run time first (``register_plugin``, its public API), so the
plugins that are looked up per citation are registered once, as the very classes the scan finds: nothing
changes but the time.

**The garbage collector.** A build holds a great many long-lived objects: the loaded edition (every
annotation, anchor and source) for the whole build, and, once reading is done, every doctree Sphinx keeps for
writing. Python's collector scans all of them again at each full collection; at 1,000 sources that was 39 of
180 s. With ``standoff_gc_tuning`` (on by default) the objects alive once the edition is loaded, and again
once every page is read, are frozen (``gc.freeze``: left out of later scans, which is also what lets forked
parallel workers share their memory), and collections run less often (a first-generation threshold of
50,000 allocations instead of 700). Both are undone when the build finishes.

The price is memory. A page's doctree, once written, is garbage held in cycles (docutils' parent links), and
so are its translator and its template context. A frozen doctree is never scanned, and a full collection
hardly ever comes with these thresholds, so they are all freed only when the build finishes. At 1,000
sources, one build each: 162 s and a peak of 1.53 GB with the tuning, 188 s and 1.23 GB without. Setting the
thresholds back once reading is done cost as much time as no tuning (184 and 187 s, with and without freezing
the doctrees) and saved 0.1 to 0.3 GB. Emptying each doctree as soon as its page is written (tried by patching
the HTML builder) kept both gains, 143 s and 1.28 GB, but Sphinx has no event after a page is written to do
it from.
"""

from __future__ import annotations

import gc

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

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


#: the collector's thresholds during a build (CPython's defaults are 700, 10, 10)
THRESHOLDS = (50_000, 20, 100)


class _Collector:
    """The collector's state before the build, to put back when it finishes."""

    thresholds: tuple[int, ...] | None = None


def tune_collector(app: Sphinx) -> None:
    """Freeze what is alive now (the loaded edition) and make collections rarer; see the module's docstring."""
    if not app.config.standoff_gc_tuning or _Collector.thresholds is not None:
        return
    _Collector.thresholds = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    gc.freeze()


def freeze_read_doctrees(app: Sphinx, env: BuildEnvironment) -> None:
    """Every page is read: freeze the doctrees Sphinx keeps for writing."""
    if _Collector.thresholds is not None:
        gc.freeze()


def restore_collector(app: Sphinx, exception: BaseException | None) -> None:
    if _Collector.thresholds is None:
        return
    gc.unfreeze()
    gc.set_threshold(*_Collector.thresholds)
    _Collector.thresholds = None


def setup(app: Sphinx) -> None:
    app.add_config_value("standoff_gc_tuning", True, "", types=frozenset({bool}))
    app.connect("builder-inited", register_pybtex_plugins)
    # after the edition is loaded (``load`` runs at priority 600)
    app.connect("builder-inited", tune_collector, priority=900)
    app.connect("env-updated", freeze_read_doctrees)
    app.connect("build-finished", restore_collector, priority=900)
