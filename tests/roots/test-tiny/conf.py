extensions = ["myst_parser", "sphinxcontrib.bibtex", "sphinx_standoff"]
standoff_sources = "sources"
standoff_annotations = "annotations"
bibtex_bibfiles = ["refs.bib"]
exclude_patterns = ["_build"]
