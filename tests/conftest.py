"""Shared fixtures.

Models are loaded once per test session and every test gets its own copy.
Reference data from ``../shared`` (or ``$FLUXASN_SHARED``) is optional for a
user's clone: tests that need it skip with a reason; under ``CI=true`` a
missing file fails the test instead.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from _shared import EXTRA_MODELS, HUMAN_GEM, RECON3D, REPO, _ci, require_shared, shared_root  # noqa: F401


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared reference-data folder."""
    return require_shared()


# --- models: loaded once per session, copied per test -----------------------


@pytest.fixture(scope="session")
def _core_session():
    import fluxasn

    return fluxasn.load_model("core")


@pytest.fixture()
def core_model(_core_session):
    """The bundled core model on its default medium (RPMI-1640 + 10% FBS)."""
    return _core_session.copy()


@pytest.fixture(scope="session")
def _textbook_session():
    from cobra.io import load_model as cobra_load

    return cobra_load("textbook")


@pytest.fixture()
def textbook(_textbook_session):
    """cobra's bundled E. coli core ("textbook") model."""
    return _textbook_session.copy()


@pytest.fixture(scope="session")
def _ijo1366_session():
    from cobra.io import load_model as cobra_load

    return cobra_load("iJO1366")


@pytest.fixture()
def ijo1366(_ijo1366_session):
    """cobra's bundled iJO1366 model."""
    return _ijo1366_session.copy()


@pytest.fixture(scope="session")
def _human_gem_session():
    import fluxasn

    return fluxasn.read_model_file(require_shared(*HUMAN_GEM))


@pytest.fixture()
def human_gem(_human_gem_session):
    """Human-GEM 1.19.0 as shipped (every exchange open)."""
    return _human_gem_session.copy()


@pytest.fixture(scope="session")
def _recon3d_session():
    import fluxasn

    return fluxasn.read_model_file(require_shared(*RECON3D))


@pytest.fixture()
def recon3d(_recon3d_session):
    """Recon3D as shipped (BiGG SBML; research use only)."""
    return _recon3d_session.copy()


_EXTRA_LOADED: dict = {}


@pytest.fixture(scope="session")
def extra_model():
    """``extra_model(key)``: a copy of a model of :data:`_shared.EXTRA_MODELS`, each read once per session."""
    import fluxasn

    def get(key: str):
        if key not in _EXTRA_LOADED:
            _EXTRA_LOADED[key] = fluxasn.read_model_file(require_shared("models", "extra", EXTRA_MODELS[key]))
        return _EXTRA_LOADED[key].copy()

    return get
