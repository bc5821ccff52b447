"""Writing a model in the format named by the file suffix (used by ``fluxasn convert``)."""
from __future__ import annotations

import gzip
import io
import os
from pathlib import Path
from typing import Union

import cobra

from fluxasn.core.model import MODEL_FORMATS, model_format
from fluxasn.exceptions import FluxasnInputError

__all__ = ["write_model_file", "check_output_format", "WRITE_FORMATS"]

#: Suffix -> format written by :func:`write_model_file` (the formats :func:`fluxasn.read_model_file` reads).
WRITE_FORMATS = MODEL_FORMATS


def _target_format(path: Path):
    fmt, gz = model_format(path, kind="output", error=FluxasnInputError)
    if gz and fmt == "mat":
        raise FluxasnInputError("MATLAB files cannot be gzipped; write .mat", source=path)
    return fmt, gz


def check_output_format(path: Union[str, os.PathLike]) -> str:
    """The format :func:`write_model_file` would write to ``path``; raises for an unknown suffix."""
    return _target_format(Path(path))[0]


def write_model_file(model: cobra.Model, path: Union[str, os.PathLike]) -> Path:
    """Write ``model`` to ``path`` as SBML, JSON, MAT or YAML, chosen by its suffix.

    Parameters
    ----------
    model
        The model to write (not changed).
    path
        Target file: ``.xml``/``.sbml`` (SBML L3 FBC v2), ``.json`` (COBRA
        JSON), ``.mat`` (COBRA Toolbox) or ``.yml``/``.yaml``; text formats
        may be gzipped (``.gz``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FluxasnInputError
        The suffix names no known format.
    """
    path = Path(path)
    fmt, gz = _target_format(path)
    if fmt == "mat":
        cobra.io.save_matlab_model(model, str(path))
        return path
    buffer = io.StringIO()
    if fmt == "sbml":
        cobra.io.write_sbml_model(model, buffer)
    elif fmt == "json":
        cobra.io.save_json_model(model, buffer)
    else:
        cobra.io.save_yaml_model(model, buffer)
    text = buffer.getvalue()
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
