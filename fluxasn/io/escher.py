"""Flux export for Escher (https://escher.github.io): ``{reaction_id: flux}`` JSON.

Escher's *Data > Load reaction data* reads a JSON object mapping reaction
identifiers to numbers. Fluxes are written in mmol/gDW/h, unchanged.
"""
from __future__ import annotations

import json
import math
import os
from typing import Mapping, Union

import cobra
import pandas as pd

from fluxasn.exceptions import FluxasnInputError

__all__ = ["escher_fluxes", "write_escher_json"]

FluxSource = Union[cobra.Solution, pd.Series, Mapping[str, float]]


def escher_fluxes(fluxes: FluxSource) -> dict:
    """Return ``{reaction_id: flux}`` (mmol/gDW/h) for Escher's reaction data.

    Parameters
    ----------
    fluxes
        A :class:`cobra.Solution`, a :class:`pandas.Series` indexed by reaction
        identifier, or any mapping reaction id -> flux.

    Returns
    -------
    dict
        Plain ``str -> float`` mapping in the order given; ``-0.0`` is written
        as ``0.0``.

    Raises
    ------
    FluxasnInputError
        The solution is not optimal (it carries no fluxes), or a flux is not a
        finite number (JSON has no NaN or infinity).
    """
    if isinstance(fluxes, cobra.Solution):
        if fluxes.status != "optimal":
            raise FluxasnInputError(
                f"solver status is {fluxes.status!r}; only an optimal solution has fluxes to export",
                identifier="status",
            )
        fluxes = fluxes.fluxes
    items = fluxes.items()
    out = {}
    for rid, value in items:
        value = float(value)
        if not math.isfinite(value):
            raise FluxasnInputError(
                f"flux {value} is not a finite number", identifier=str(rid)
            )
        out[str(rid)] = value + 0.0  # turns -0.0 into 0.0
    return out


def write_escher_json(fluxes: FluxSource, path: Union[str, os.PathLike]) -> dict:
    """Write :func:`escher_fluxes` of ``fluxes`` to ``path`` as JSON and return it."""
    data = escher_fluxes(fluxes)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")
    return data
