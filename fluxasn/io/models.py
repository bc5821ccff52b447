"""Model files: read and write SBML, COBRA JSON, MATLAB and YAML (format from the suffix).

Every error names the file (and, for SBML, the line of libSBML's first error).

Loading is quiet: the messages cobra and libSBML print while reading (one per
reaction without bounds, an absent objective ...) are collected and counted
in one warning of the ``fluxasn.io`` logger; each is logged at DEBUG
(``fluxasn --debug`` shows them all).
"""
from __future__ import annotations

import gzip
import hashlib
import contextlib
import io
import logging
import os
import warnings
from pathlib import Path
from typing import Iterator, List, Tuple, Union

import cobra
from cobra.io.sbml import CobraSBMLError
from ruamel.yaml.error import YAMLError
from scipy.io.matlab import MatReadError

from fluxasn.exceptions import FluxasnInputError, ModelLoadError

__all__ = [
    "MODEL_FORMATS",
    "WRITE_FORMATS",
    "model_format",
    "read_model_file",
    "write_model_file",
    "check_output_format",
    "describe_source",
]

#: File suffixes understood by :func:`read_model_file` (a trailing ``.gz`` is allowed).
MODEL_FORMATS = {
    ".xml": "sbml",
    ".sbml": "sbml",
    ".json": "json",
    ".mat": "mat",
    ".yml": "yaml",
    ".yaml": "yaml",
}

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
        with _quiet_loading(path):
            if fmt == "sbml":
                model = _read_sbml(path)
            elif fmt == "json":
                model = cobra.io.load_json_model(io.StringIO(_read_text(path)))
            elif fmt == "yaml":
                model = cobra.io.from_yaml(_read_text(path))
            else:
                model = _read_mat(path)
    except ModelLoadError:
        raise
    except _READ_ERRORS as error:
        raise ModelLoadError(
            f"malformed {fmt.upper()} model: {type(error).__name__}: {error}",
            source=path,
        ) from error
    if len(model.reactions) == 0:
        raise ModelLoadError(f"the {fmt.upper()} file holds no reactions", source=path)
    return model


#: What cobra's readers raise on malformed content (JSON, YAML via ruamel, MATLAB via SciPy, SBML).
_READ_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, CobraSBMLError,
                MatReadError, YAMLError)


LOGGER = logging.getLogger("fluxasn.io")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def _quiet_loading(path: Path) -> Iterator[None]:
    """Collect cobra's log messages and Python warnings while a file is read; report them as one line."""
    cobra_logger = logging.getLogger("cobra")
    collector = _Collector()
    propagate = cobra_logger.propagate
    cobra_logger.addHandler(collector)
    cobra_logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        cobra_logger.removeHandler(collector)
        cobra_logger.propagate = propagate
    messages = collector.messages + [str(w.message) for w in caught]
    for message in messages:
        LOGGER.debug("%s: %s", path.name, message)
    if messages:
        LOGGER.warning("%s: %d message(s) from the model reader, e.g. %r; "
                       "'fluxasn --debug' (or logging level DEBUG for 'fluxasn.io') shows them all",
                       path.name, len(messages), messages[0][:120])


#: MATLAB fields that cobra reads as numbers but some models store as text (Recon 2.04: confidence scores).
_NUMERIC_TEXT_FIELDS = ("rxnConfidenceScores",)


def _read_mat(path: Path) -> cobra.Model:
    """A COBRA/RAVEN MATLAB model; numeric fields stored as text are converted (empty or non-numeric -> dropped)."""
    import numpy as np
    from cobra.io.mat import from_mat_struct
    from scipy.io import loadmat

    data = loadmat(str(path))
    names = sorted(k for k in data if not k.startswith("__"))
    structs = [k for k in names if getattr(data[k].dtype, "names", None) and "S" in data[k].dtype.names]
    if not structs:
        raise ModelLoadError("no COBRA model structure (a struct with field 'S') in the MATLAB file", source=path)
    if len(structs) > 1:
        raise ModelLoadError(f"several model structures in the MATLAB file: {', '.join(structs)}; expected one",
                             source=path)
    name = structs[0]
    struct = data[name]
    for field in _NUMERIC_TEXT_FIELDS:
        if field not in struct.dtype.names:
            continue
        cells = struct[field][0, 0]
        if cells.dtype != object:
            continue
        values = []
        for cell in cells.ravel():
            item = cell
            while isinstance(item, np.ndarray) and item.size == 1:
                item = item.ravel()[0]
            if isinstance(item, np.ndarray) and item.size == 0:
                values.append(np.nan)
                continue
            try:
                values.append(float(item))
            except (TypeError, ValueError):
                raise ModelLoadError(f"field {field!r} holds {item!r}, expected a number",
                                     source=path, identifier=field) from None
        LOGGER.debug("%s: field %s stored as text, read as numbers", path.name, field)
        struct[field][0, 0] = np.array(values, dtype=float).reshape(-1, 1)
    return from_mat_struct(struct, model_id=name)


def _read_sbml(path: Path) -> cobra.Model:
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


def describe_source(source: str) -> str:
    """A provenance line for a model source: the bundled core model, or a file and its sha256."""
    if source == "core":
        return "bundled fluxasn core model"
    path = Path(source)
    if path.is_file():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        return f"{path} (sha256 {digest}...)"
    return str(source)
