extensions = ["myst_parser", "sphinx_standoff"]
standoff_sources = "sources"
standoff_annotations = "annotations"
exclude_patterns = ["_build", "sources", "annotations"]
