"""Locations of the bundled model and data files.

``models/`` and ``data/`` in the source tree are installed as the packages
``fluxasn._models`` and ``fluxasn._data`` (see ``setup.cfg``), so the same code
finds them in an editable and in a regular install.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["models_dir", "data_dir", "bundled_model_path", "bundled_data_path"]


def models_dir() -> Path:
    """Directory holding the bundled models."""
    return Path(str(resources.files("fluxasn._models")))


def data_dir() -> Path:
    """Directory holding the bundled example data."""
    return Path(str(resources.files("fluxasn._data")))


def bundled_model_path(*parts: str) -> Path:
    """Path of a file below the bundled models directory."""
    return models_dir().joinpath(*parts)


def bundled_data_path(*parts: str) -> Path:
    """Path of a file below the bundled data directory."""
    return data_dir().joinpath(*parts)
