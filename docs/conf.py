"""Sphinx configuration of the fluxasn API reference (``sphinx-build -W -b html docs docs/_build``)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fluxasn._version import __version__  # noqa: E402

project = "fluxasn"
author = "the fluxasn developers"
copyright = "the fluxasn developers, MIT licence"
release = version = __version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_default_options = {"show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autoclass_content = "class"
exclude_patterns = ["_build"]
html_theme = "alabaster"
suppress_warnings: list = []
