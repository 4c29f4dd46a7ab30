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

# -- The PDF edition (nox -s pdf): Sphinx's LaTeX builder, XeLaTeX through latexmk ---------------------------------
# FreeSerif/FreeSans/FreeMono (Sphinx's defaults for XeLaTeX, Debian package fonts-freefont-otf) carry every
# character of the sources and the apparatus: curly quotes, dashes, accented and Cyrillic letters, U+FFFD, ≠, ¶.
latex_engine = "xelatex"
latex_use_xindy = True  # UTF-8 sorting of the index (Debian package xindy)
latex_documents = [(root_doc, "offers-to-the-moon.tex", project, author, "manual", True)]
latex_show_urls = "no"
latex_show_pagerefs = False  # the extension prints the page of each link to a passage, entry or event
standoff_latex_parts = True  # the captions of index.md's toctrees become the parts of the book

_year = copyright.partition(",")[0]
# the edition's particulars as LaTeX macros, for the title page, the running heads and the PDF metadata
_particulars = {
    "title": project,
    "shorttitle": short_title,
    "subtitle": project.partition(": ")[2].replace(" in Space,", r"\\ in Space,"),
    "author": author,
    "release": release,
    "year": _year,
    "copyright": copyright,
}
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    "fncychap": "",
    "sphinxsetup": "hmargin={1.15in,1.15in}, vmargin={1in,1in}, TitleColor={named}{black}",
    "preamble": "".join(rf"\newcommand{{\edition{name}}}{{{value}}}" + "\n" for name, value in _particulars.items())
    + r"""
\hypersetup{
  pdftitle={\editiontitle},
  pdfauthor={\editionauthor},
  pdfsubject={A critical edition of five accounts of the Kennedy–Khrushchev offers of a joint lunar mission,
    with documents from Foreign Relations of the United States},
  pdfkeywords={critical edition, Kennedy, Khrushchev, space cooperation, Moon, FRUS},
  pdflang={en}}
\makeatletter
\renewcommand{\py@HeaderFamily}{\rmfamily\bfseries}
\renewcommand{\sphinxstyleindexentry}[1]{#1}
\renewcommand{\sphinxstyleindexextra}[1]{ (#1)}
\g@addto@macro\UrlBreaks{\do-}
\titleformat{\chapter}[display]{\normalfont\raggedright}{\large\itshape\chaptertitlename\ \thechapter}{1ex}%
  {\LARGE\bfseries}
\titlespacing*{\chapter}{0pt}{0pt}{5ex}
\fancypagestyle{normal}{%
  \fancyhf{}%
  \fancyhead[LE,RO]{\small\thepage}%
  \fancyhead[CE]{\small\itshape\editionshorttitle}%
  \fancyhead[CO]{\small\itshape\nouppercase{\leftmark}}%
  \renewcommand{\headrulewidth}{0pt}\renewcommand{\footrulewidth}{0pt}%
  \def\chaptermark##1{\markboth{##1}{##1}}\def\sectionmark##1{}}
\fancypagestyle{plain}{%
  \fancyhf{}\fancyfoot[C]{\small\thepage}%
  \renewcommand{\headrulewidth}{0pt}\renewcommand{\footrulewidth}{0pt}}
\makeatother
""",
    "maketitle": r"""
\begin{titlepage}
  \centering
  \vspace*{0.18\textheight}
  {\Huge\bfseries\editionshorttitle\par}
  \vspace{1.5ex}
  {\Large\editionsubtitle\par}
  \vspace{4ex}
  {\large A critical edition\par}
  \vfill
  {\large Edited by the editors of the edition\par}
  \vspace{2ex}
  {\normalsize Version \editionrelease\enspace\textperiodcentered\enspace\editionyear\par}
  \vspace*{0.08\textheight}
\end{titlepage}
\thispagestyle{empty}
\null\vfill
\noindent\textbf{How to cite this edition}\par\smallskip
\noindent The editors, \emph{\editiontitle}, critical edition, version \editionrelease\ (\editionyear).
Cite a passage by source and paragraph number, for example “Kennedy to Khrushchev, 7 March 1962, ¶9”:
the paragraph numbers are printed in the margin, and the running heads name the source.\par\bigskip
\noindent\textcopyright\ \editioncopyright.\par\smallskip
\noindent Typeset from the edition's sources with Sphinx and XeLaTeX; the reading edition is the HTML.\par
\clearpage
""",
    "tableofcontents": r"\renewcommand{\contentsname}{Contents}\sphinxtableofcontents",
    "printindex": r"\renewcommand{\indexname}{Index of names}\printindex",
}
# -- end of the PDF edition block ---------------------------------------------------------------------------------
