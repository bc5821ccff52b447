"""Loading models: the bundled fluxasn core model or a user's SBML/JSON/MAT/YAML file."""
from __future__ import annotations

import gzip
import io
import os
from pathlib import Path
from typing import Optional, Tuple, Union

import cobra

from fluxasn.exceptions import ModelLoadError

__all__ = ["load_model", "read_model_file", "model_format", "MODEL_FORMATS", "BUNDLED_MODELS"]

#: File suffixes understood by :func:`read_model_file` (a trailing ``.gz`` is allowed).
MODEL_FORMATS = {
    ".xml": "sbml",
    ".sbml": "sbml",
    ".json": "json",
    ".mat": "mat",
    ".yml": "yaml",
    ".yaml": "yaml",
}

#: Names accepted by :func:`load_model` for models that ship with fluxasn.
BUNDLED_MODELS = ("core",)

_DEFAULT = "default"


def model_format(path: Path, *, kind: str = "model", error: type = ModelLoadError) -> Tuple[str, bool]:
    """Format (``"sbml"``, ``"json"``, ``"mat"``, ``"yaml"``) and gzip flag named by a file suffix.

    Raises ``error`` (naming the file and the accepted suffixes) for an unknown suffix;
    ``kind`` words the message (``"model"`` for input, ``"output"`` for output).
    """
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in MODEL_FORMATS:
        raise error(
            f"unknown {kind} format "
            f"{''.join(path.suffixes) or '(no suffix)'!r}; expected one of "
            + ", ".join(sorted(MODEL_FORMATS))
            + " (optionally gzipped, .gz)",
            source=path,
        )
    return MODEL_FORMATS[suffixes[-1]], gz


def _read_text(path: Path) -> str:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise ModelLoadError(f"cannot read file: {error}", source=path) from error


def read_model_file(path: Union[str, os.PathLike]) -> cobra.Model:
    """Read a model file into a :class:`cobra.Model`, with errors that name the file.

    Parameters
    ----------
    path
        SBML (``.xml``, ``.sbml``), COBRA JSON (``.json``), MATLAB (``.mat``,
        COBRA Toolbox or RAVEN structure) or YAML (``.yml``, ``.yaml``); text
        formats may be gzipped (``.gz``).

    Raises
    ------
    ModelLoadError
        The file is missing, its format is unknown, or its content is malformed.
    """
    path = Path(path)
    fmt, _ = model_format(path)
    if not path.exists():
        raise ModelLoadError("file not found", source=path)
    if not path.is_file():
        raise ModelLoadError("not a regular file", source=path)
    try:
        if fmt == "sbml":
            model = _read_sbml(path)
        elif fmt == "json":
            model = cobra.io.load_json_model(io.StringIO(_read_text(path)))
        elif fmt == "yaml":
            model = cobra.io.from_yaml(_read_text(path))
        else:
            model = cobra.io.load_matlab_model(str(path))
    except ModelLoadError:
        raise
    except Exception as error:  # cobra and libsbml raise many unrelated types
        raise ModelLoadError(
            f"malformed {fmt.upper()} model: {type(error).__name__}: {error}",
            source=path,
        ) from error
    if len(model.reactions) == 0:
        raise ModelLoadError(f"the {fmt.upper()} file holds no reactions", source=path)
    return model


def _read_sbml(path: Path) -> cobra.Model:
    from cobra.io.sbml import CobraSBMLError

    text = _read_text(path)
    try:
        return cobra.io.read_sbml_model(io.StringIO(text))
    except CobraSBMLError as error:
        line, detail = _first_sbml_error(text)
        raise ModelLoadError(
            f"malformed SBML: {detail or error}", source=path, line=line
        ) from error


def _first_sbml_error(text: str):
    """Line and message of libSBML's first error (or fatal) for ``text``."""
    import libsbml

    document = libsbml.readSBMLFromString(text)
    for index in range(document.getNumErrors()):
        err = document.getError(index)
        if err.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            return err.getLine() or None, err.getShortMessage() + ": " + err.getMessage().strip()
    return None, ""


def load_model(
    source: Union[str, os.PathLike] = "core",
    *,
    medium: Optional[str] = _DEFAULT,
) -> cobra.Model:
    """Load the bundled core model or a model file, ready for analysis.

    Parameters
    ----------
    source
        ``"core"`` for the bundled fluxasn core model of human central carbon
        and amino-acid metabolism, or the path of a model file (see
        :func:`read_model_file`).
    medium
        Name of a medium in the bundled media library to apply
        (:func:`fluxasn.core.media.apply_medium`), or ``None`` to keep the
        exchange bounds as they are in the source. The default applies
        RPMI-1640 (with 10% FBS) to the core model and leaves model files as
        shipped.

    Returns
    -------
    cobra.Model

    Raises
    ------
    ModelLoadError
        ``source`` is neither a bundled model name nor a readable model file.

    Notes
    -----
    Genome-scale models as shipped (Human-GEM, Recon3D) leave every exchange
    open; apply a defined medium (``medium="RPMI-1640"``) before drawing any
    conclusion about asparagine.
    """
    if isinstance(source, str) and source in BUNDLED_MODELS:
        from fluxasn.core.coremodel import build_core_model

        model = build_core_model()
        if medium == _DEFAULT:
            medium = "RPMI-1640"
    else:
        path = Path(source)
        if isinstance(source, str) and not path.suffix and not path.exists():
            raise ModelLoadError(
                "neither a bundled model (expected one of "
                + ", ".join(BUNDLED_MODELS)
                + ") nor an existing model file",
                identifier=source,
            )
        model = read_model_file(path)
        if medium == _DEFAULT:
            medium = None
    if medium is not None:
        from fluxasn.core.media import apply_medium

        apply_medium(model, medium)
    return model
