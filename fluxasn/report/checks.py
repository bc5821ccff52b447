"""What a flux report warns about: the reaction it calls growth, the medium, implausible growth.

Used by :func:`fluxasn.report.summarize` (re-exported from
:mod:`fluxasn.report.summary`). Growth in 1/h, doubling times in h, uptakes in
mmol/gDW/h.
"""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Tuple

import cobra

from fluxasn.exceptions import RoleError
from fluxasn.views import format_number

__all__ = ["FASTEST_DOUBLING_H", "UNBOUNDED_UPTAKE", "doubling_time_h", "growth_reaction", "medium_warnings",
           "resolve_roles"]

#: A doubling time below this (h) is flagged as implausible for a human cell. Proliferating human
#: cancer cell lines double in about a day: the NCI-60 lines in 17-80 h (NCI DTP cell line
#: characterisation, https://dtp.cancer.gov/discovery_development/nci-60/cell_list.htm); 4 h leaves
#: a wide margin, so the warning only fires on a model whose uptakes are effectively unbounded.
FASTEST_DOUBLING_H = 4.0

#: An uptake bound at or above this (mmol/gDW/h) is counted as unbounded (files use 1000 or 100).
UNBOUNDED_UPTAKE = 100.0


def doubling_time_h(growth_rate_per_h: float) -> float:
    """Doubling time (h) of exponential growth at ``growth_rate_per_h`` (1/h).

    ``t_d = ln(2) / mu``; ``inf`` for no growth, ``nan`` for a missing or
    negative rate.
    """
    if growth_rate_per_h is None:
        return math.nan
    mu = float(growth_rate_per_h)
    if math.isnan(mu) or mu < 0:
        return math.nan
    if mu == 0:
        return math.inf
    return math.log(2.0) / mu


def resolve_roles(model: cobra.Model, roles) -> Dict[str, Tuple[str, ...]]:
    """Role -> reaction ids, from a :class:`fluxasn.core.roles.Roles`, a mapping, or find_roles."""
    if roles is None:
        from fluxasn.core.roles import find_roles

        roles = find_roles(model)
    if hasattr(roles, "reactions") and hasattr(roles, "table"):  # a Roles result
        return {str(role): tuple(roles.reactions(role)) for role in roles.table["role"]}
    out: Dict[str, Tuple[str, ...]] = {}
    for role, value in dict(roles).items():
        if value is None:
            out[str(role)] = ()
        elif isinstance(value, str):
            out[str(role)] = (value,)
        else:
            out[str(role)] = tuple(str(v) for v in value)
    return out


def growth_reaction(model: cobra.Model, *, roles: Any = None) -> Tuple[Optional[str], str, List[str]]:
    """The reaction reported as growth, how it was found, and warnings about the choice.

    Growth is the model's biomass reaction (the ``biomass`` role of
    :func:`fluxasn.core.roles.find_roles`), never blindly the objective: an
    objective that is not the biomass reaction (ATP maintenance, a demand, a
    single enzyme) is named in a warning and the biomass reaction is
    maximised instead. Without a single biomass reaction the objective is
    used, with a warning that it may not be growth.

    Parameters
    ----------
    model
        Any cobra model (not changed).
    roles
        Its :class:`~fluxasn.core.roles.Roles` (found when ``None``).

    Returns
    -------
    (reaction id or None, how it was found, warnings)
    """
    if roles is None:
        from fluxasn.core.roles import find_roles

        roles = find_roles(model)
    biomass = tuple(resolve_roles(model, roles).get("biomass", ()))
    method = _biomass_method(roles)
    objective = [r.id for r in model.reactions if r.objective_coefficient != 0]
    shown = ", ".join(objective) or "none"
    warnings: List[str] = []
    if len(biomass) == 1:
        chosen, how = biomass[0], method or "the biomass role"
        if objective != [chosen] and not how.startswith(f"objective drain {shown} ->"):  # a drain: same growth
            warnings.append(
                f"the model's objective ({shown}) is not its biomass reaction: growth here is "
                f"{chosen} ({how}), maximised instead; the objective is not reported"
            )
    elif len(objective) == 1:
        chosen = objective[0]
        if biomass and chosen in biomass:
            how = f"the objective, one of {len(biomass)} biomass reactions ({', '.join(biomass)})"
        else:
            how = "the model's objective (no single biomass reaction found)"
            listed = f"several biomass reactions ({', '.join(biomass)})" if biomass else "no biomass reaction"
            warnings.append(
                f"the model has {listed}; 'growth' here is its objective {chosen}, which may not be "
                "growth; name the biomass reaction with roles overrides={'biomass': ID}"
            )
    else:
        listed = ", ".join(biomass) if biomass else "none found"
        raise RoleError(
            f"model {model.id!r}: no reaction to call growth (biomass reactions: {listed}; objective: "
            f"{shown}); name one with roles overrides={{'biomass': ID}} or set model.objective"
        )
    reaction = model.reactions.get_by_id(chosen)
    if reaction.upper_bound <= 0:
        warnings.append(f"the growth reaction {chosen} is closed (upper bound {reaction.upper_bound:g}): "
                        "no growth is possible until it is opened")
    return chosen, how, warnings


_INORGANIC_CARBON = {"CO2", "CHO3", "HCO3", "CO3", "CH2O3", "CO"}


def _is_organic(reaction: cobra.Reaction) -> bool:
    """Whether a boundary reaction's metabolite contains carbon (unknown formula counts as organic)."""
    import re

    met = next(iter(reaction.metabolites))
    formula = (met.formula or "").strip()
    if not formula:
        return True
    return formula not in _INORGANIC_CARBON and re.search(r"C(?![a-z])", formula) is not None


def _biomass_method(roles) -> str:
    table = getattr(roles, "table", None)
    if table is None or "method" not in getattr(table, "columns", ()):
        return ""
    rows = table[table["role"] == "biomass"]
    return "" if rows.empty else str(rows.iloc[0]["method"])


def medium_warnings(model: cobra.Model, *, medium: Optional[str], growth: float) -> List[str]:
    """Warnings that the bounds are not a culture medium, or that growth is implausibly fast.

    Parameters
    ----------
    model
        The model as analysed (not changed).
    medium
        The medium applied (``None``: the model file's own exchange bounds).
    growth
        The growth rate found (1/h).

    Returns
    -------
    list of str
        One sentence each, with the fix: no medium named and organic
        (carbon-containing, not CO2 or bicarbonate; or of unknown formula)
        uptakes effectively unbounded (at least :data:`UNBOUNDED_UPTAKE`
        mmol/gDW/h), which no culture medium allows; a doubling time below
        :data:`FASTEST_DOUBLING_H` h.
    """
    warnings: List[str] = []
    if medium is None:
        from fluxasn.core.matching import exchange_sign

        organic = [r.id for r in model.boundary if len(r.metabolites) == 1 and _is_organic(r)
                   and (r.upper_bound if exchange_sign(r) > 0 else -r.lower_bound) >= UNBOUNDED_UPTAKE]
        if organic:
            shown = ", ".join(organic[:5]) + (f" and {len(organic) - 5} more" if len(organic) > 5 else "")
            warnings.append(
                f"no medium applied and {len(organic)} organic uptakes are effectively unbounded "
                f"(at least {UNBOUNDED_UPTAKE:g} mmol/gDW/h: {shown}): growth reflects the model file's "
                "bounds, not a culture medium; apply a defined medium (--medium RPMI-1640; Python: "
                "fluxasn.apply_medium) before drawing conclusions"
            )
    if math.isfinite(growth) and growth > 0 and doubling_time_h(growth) < FASTEST_DOUBLING_H:
        warnings.append(
            f"growth {format_number(growth)} 1/h is a doubling time of {format_number(doubling_time_h(growth))} h, "
            f"faster than any human cell (under {FASTEST_DOUBLING_H:g} h): uptakes are probably unbounded; "
            "apply a defined medium or measured rates"
        )
    return warnings
