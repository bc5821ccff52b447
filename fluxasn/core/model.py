"""Loading models: the bundled fluxasn core model or a user's SBML/JSON/MAT/YAML file."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

import cobra

from fluxasn.exceptions import ModelLoadError
from fluxasn.io.models import read_model_file

__all__ = ["load_model", "BUNDLED_MODELS"]

#: Names accepted by :func:`load_model` for models that ship with fluxasn.
BUNDLED_MODELS = ("core",)

_DEFAULT = "default"


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
