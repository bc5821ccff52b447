"""Growth, the ASNS flux range and shadow prices: model in, pandas out.

Units: fluxes in mmol/gDW/h, growth in 1/h, shadow prices in (1/h) per (mmol/gDW/h).
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import cobra
import pandas as pd

from fluxasn.analysis.fva import fva
from fluxasn.analysis.readouts._common import _check_fraction, _clean, _expression_range, _optimize, _resolver
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import RoleError

__all__ = ['growth', 'asns_range', 'shadow_prices', 'SHADOW_PRICE_METABOLITES']


#: Metabolites (cytosolic) whose shadow prices are read out: (label, metabolite,
#: compartment id or kind; the kind is found in each model by
#: :func:`fluxasn.core.compartments.find_compartments`).
SHADOW_PRICE_METABOLITES: Tuple[Tuple[str, str, str], ...] = (
    ("asparagine", "asparagine", "cytosol"),
    ("aspartate", "aspartate", "cytosol"),
    ("glutamine", "glutamine", "cytosol"),
    ("nad", "nad", "cytosol"),
)

def growth(model: cobra.Model, *, resolver: Optional[ModelResolver] = None) -> pd.Series:
    """Maximum growth.

    Returns
    -------
    pandas.Series
        ``growth`` (1/h; NaN unless optimal) and ``status``.
    """
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    with model:
        model.objective = biomass
        value, status = _optimize(model)
    return pd.Series({"growth": value, "status": status})


def asns_range(
    model: cobra.Model,
    *,
    fraction_of_optimum: float = 1.0,
    resolver: Optional[ModelResolver] = None,
) -> pd.Series:
    """Flux variability of ASNS (total flux of the role's reactions).

    Parameters
    ----------
    fraction_of_optimum
        Growth is held at or above this fraction of its maximum.

    Returns
    -------
    pandas.Series
        ``minimum``, ``maximum`` (mmol/gDW/h) and ``status``.

    Notes
    -----
    A single ASNS reaction goes through :func:`fluxasn.analysis.fva.fva`;
    several (e.g. compartment copies) through the FVA of their summed flux.
    Tested against :func:`cobra.flux_analysis.flux_variability_analysis`.
    """
    _check_fraction(fraction_of_optimum)
    resolver = _resolver(model, resolver)
    reactions = resolver.role_reactions("ASNS")
    biomass = resolver.biomass()
    if len(reactions) == 1:  # one reaction: the analysis layer's FVA
        with model:
            model.objective = biomass
            model.objective_direction = "max"
            growth_value, status = _optimize(model)
            if status != "optimal":
                return pd.Series({"minimum": float("nan"), "maximum": float("nan"), "status": status})
            table = fva(model, [reactions[0].id], fraction_of_optimum=fraction_of_optimum, processes=1)
        row = table.iloc[0]
        return pd.Series({"minimum": _clean(row["minimum"]), "maximum": _clean(row["maximum"]), "status": "optimal"})
    low, high, status = _expression_range(
        model, {r.id: 1.0 for r in reactions}, biomass=biomass, fraction=fraction_of_optimum,
        resolver=resolver,
    )
    return pd.Series({"minimum": low, "maximum": high, "status": status})


def shadow_prices(
    model: cobra.Model,
    *,
    metabolites: Sequence[Tuple[str, str, str]] = SHADOW_PRICE_METABOLITES,
    resolver: Optional[ModelResolver] = None,
) -> pd.Series:
    """Growth gained per unit of a metabolite supplied, from the duals of maximum growth.

    Parameters
    ----------
    metabolites
        (label, metabolite name, compartment) triples, the compartment an id
        of the model or a kind (``cytosol``, ``mitochondrion``,
        ``extracellular``); default cytosolic asparagine, aspartate,
        glutamine and NAD+.

    Returns
    -------
    pandas.Series
        ``shadow_price_<label>`` in (1/h) per (mmol/gDW/h) (NaN for a
        metabolite the model does not have) and ``status``.

    Raises
    ------
    RoleError
        The model has no compartment of a kind asked for (the message names
        the model's compartments), or no single biomass reaction.

    Notes
    -----
    Sign convention: positive means supplying the metabolite (a source of
    1 mmol/gDW/h into its mass balance) raises maximum growth, i.e. the
    metabolite limits growth; zero means it is in excess. This is minus the
    dual value of the metabolite's mass balance as cobra reports it for a
    maximisation (checked against finite differences in the tests). At a
    degenerate optimum the dual is one of several valid values.
    """
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    resolved = []
    for label, name, compartment in metabolites:
        resolver.compartment(compartment)  # a compartment the model lacks is an error, not a NaN
        try:
            resolved.append((label, resolver.metabolite(name, compartment)))
        except RoleError:  # the model has no such metabolite: NaN, not an error
            resolved.append((label, None))
    out = {}
    with model:
        model.objective = biomass
        value, status = _optimize(model)
        for label, met in resolved:
            if status == "optimal" and met is not None:
                dual = model.constraints[met.id].dual
                out[f"shadow_price_{label}"] = _clean(-float(dual)) if dual is not None else float("nan")
            else:
                out[f"shadow_price_{label}"] = float("nan")
    out["status"] = status
    return pd.Series(out)


