"""Sphinx configuration of the landuse API reference.

Build (warnings are errors, nothing is fetched from the internet)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The API pages follow the code: ``_ext/landuse_docs.py`` writes an autosummary table and one stub
page per name in each public face's ``__all__`` into ``api/generated/`` (gitignored), copies the
notebooks into ``notebooks/`` (gitignored) where myst-nb executes them, and renders the policy
profiles from their TOML.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import landuse  # noqa: E402

project = "landuse"
author = "landuse developers"
copyright = "2019–2026, landuse developers"
release = landuse.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "sphinx_click",
    "landuse_docs",
]

root_doc = "index"
language = "en"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "api/generated/*.inc"]
source_suffix = {".rst": "restructuredtext", ".ipynb": "myst-nb", ".md": "myst-nb"}
templates_path: list[str] = []

# --- API: autodoc / autosummary / numpydoc -------------------------------------------------------
autosummary_generate = False  # the stubs come from _ext/landuse_docs.py, from each face's __all__
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types in words
autodoc_member_order = "bysource"
autodoc_default_options = {"exclude-members": "__init__, __new__"}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# --- notebooks: executed at every build, a failing cell fails the build ---------------------------
nb_execution_mode = "force"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_allow_errors = False
nb_execution_in_temp = True  # files the notebooks write go to a temporary folder
nb_merge_streams = True
nb_execution_show_tb = True
myst_heading_anchors = 3

# --- HTML: the pydata theme bundles its assets; nothing is fetched at build or view time ---------
html_theme = "pydata_sphinx_theme"
html_title = f"landuse {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_copy_source = False
