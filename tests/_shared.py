"""Helpers shared by the tests: where the reference data lives, and CI mode.

Import these with ``from _shared import require_shared`` (never from
``conftest``: several conftest.py files exist and their module names clash).
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def shared_root() -> Path:
    """Where the shared reference data lives (``$FLUXASN_SHARED`` or ``../shared``)."""
    env = os.environ.get("FLUXASN_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def require_shared(*parts: str) -> Path:
    """Return ``shared/<parts>``; skip the test if absent, fail under CI=true."""
    path = shared_root().joinpath(*parts)
    if not path.exists():
        message = (
            f"reference data {path} is missing (clone the project with its shared/ "
            "folder beside it, or set FLUXASN_SHARED)"
        )
        if _ci():
            pytest.fail(message + "; CI=true requires it", pytrace=False)
        pytest.skip(message)
    return path


HUMAN_GEM = ("models", "human-gem", "Human-GEM_1.19.0.json.gz")
RECON3D = ("models", "recon3d", "Recon3D.xml.gz")

#: Public genome-scale models beyond Human-GEM and Recon3D (``shared/models/extra``; each
#: folder README gives source, licence and traits), by the key the tests use.
EXTRA_MODELS = {
    "rat": "Rat-GEM_1.8.0.mat",                          # rat symbols, RAVEN MAT, MAR ids
    "ihsa": "iHsa_Blais2017.xml.gz",                     # Entrez genes, objective is a drain
    "recon204": "Recon2.v04.mat",                        # Entrez.transcript genes, text fields
    "mouse_sbml3": "mus_musculus_Quek2008_sbml3.xml.gz",  # duplicate boundary reactions
    "mouse_l2": "mus_musculus_Quek2008.xml.gz",          # SBML L2, _ext ids, no genes, no objective
}


def x3cflux_core():
    """The compiled simulator core of x3cflux 3.1.2 (13CFLUX v3), the independent 13C reference.

    The README's test command installs it without its dependencies
    (``pip install --no-deps x3cflux==3.1.2``: hopsy and cyipopt, needed only by
    its fitting modules, are left out), so ``import x3cflux`` fails and the
    core is loaded alone. Absent: skip, and fail under CI=true.
    """
    if "x3cflux.lib.core" in sys.modules:
        return sys.modules["x3cflux.lib.core"]
    spec = importlib.util.find_spec("x3cflux")
    if spec is None:
        message = "x3cflux 3.1.2 is not installed (the README's test command installs it; Python 3.11 wheel only)"
        if _ci():
            pytest.fail(message + "; CI=true requires it", pytrace=False)
        pytest.skip(message)
    try:
        core = importlib.import_module("x3cflux.lib.core")
    except ImportError:
        for name in [n for n in sys.modules if n == "x3cflux" or n.startswith("x3cflux.")]:
            del sys.modules[name]
        stub = types.ModuleType("x3cflux")
        stub.__path__ = list(spec.submodule_search_locations)
        sys.modules["x3cflux"] = stub
        core = importlib.import_module("x3cflux.lib.core")
    core.logging.level = 1
    return core
