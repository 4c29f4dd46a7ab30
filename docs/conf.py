"""Sphinx configuration of the edition."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent.resolve()
# the extension lives in this repository; installing the project makes this unnecessary, but a plain
# ``sphinx-build docs …`` from a checkout should work too
sys.path.insert(0, str(HERE.parent / "extensions"))

project = "Offers to the Moon: Kennedy, Khrushchev and US–Soviet Cooperation in Space, 1961 to the Present"
short_title = "Offers to the Moon"
author = "The editors"
version = release = "0.1"
copyright = "2026, the editors; texts as stated on each source page"

extensions = [
    "myst_parser",
    "sphinx_design",
    "sphinxcontrib.bibtex",
    "sphinx_standoff",
]

standoff_sources = "../sources"
standoff_annotations = "../annotations"

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "label"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 2

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
root_doc = "index"
language = "en"
today_fmt = "%d %B %Y"

html_theme = "furo"
html_title = short_title
html_static_path = ["_static"]
html_css_files = ["edition.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False

# reproducible builds: no timestamps unless SOURCE_DATE_EPOCH says so
if "SOURCE_DATE_EPOCH" not in os.environ:
    os.environ["SOURCE_DATE_EPOCH"] = "0"
