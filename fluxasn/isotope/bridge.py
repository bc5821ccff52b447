"""Bridge from a 13C-MFA result to a COBRA model: fitted flux intervals as bounds.

A mapping table links each MFA flux to one model reaction or a signed sum of
model reactions (``core flux expression = coefficient x MFA flux``). MFA
fluxes are in the MFA network's own scale (e.g. per 100 glucose taken up);
the conversion to mmol/gDW/h is explicit: ``scale = reference_value /
result.flux(reference)``, e.g. the measured glucose uptake in mmol/gDW/h over
the MFA glucose uptake (100).

Changes are bounds (single reactions) or added linear constraints (sums);
both are recorded by cobra's context manager and undone on leaving
``with model:``. Everything is checked before anything is applied.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from fluxasn.config import ZERO
from fluxasn.core.paths import bundled_data_path
from fluxasn.exceptions import FluxasnInputError, InfeasibleError

__all__ = ["FluxMapping", "read_flux_mapping", "flux_scale", "add_13c_constraints", "identity_mapping",
           "MCF7_CORE_MAPPING"]

#: Bundled table: mfapy MCF-7 model (Araki 2018) fluxes -> fluxasn core model reactions.
MCF7_CORE_MAPPING = bundled_data_path("c13", "mcf7_to_core.tsv")


@dataclass(frozen=True)
class FluxMapping:
    """One row: ``sum(coef_i * model_reaction_i) = coefficient * mfa_flux``."""

    mfa_flux: str
    terms: Tuple[Tuple[float, str], ...]
    coefficient: float = 1.0
    note: str = ""


_TERM = re.compile(r"^\s*([+-])?\s*(?:(\d+(?:\.\d+)?)\s*\*?\s*)?([A-Za-z0-9_]+)\s*$")


def _parse_expression(text: str, *, source=None, line=None, identifier=None):
    terms = []
    for raw in re.split(r"(?=[+-])", text.replace(" ", "")):
        if not raw:
            continue
        m = _TERM.match(raw)
        if not m:
            raise FluxasnInputError(f"cannot read model-reaction term {raw!r}; expected e.g. 'ME2 + ME1m' or '-LDH_L'",
                                    source=source, line=line, identifier=identifier)
        sign = -1.0 if m.group(1) == "-" else 1.0
        coef = float(m.group(2)) if m.group(2) else 1.0
        terms.append((sign * coef, m.group(3)))
    if not terms:
        raise FluxasnInputError("empty model-reaction expression", source=source, line=line, identifier=identifier)
    return tuple(terms)


def read_flux_mapping(path=MCF7_CORE_MAPPING) -> List[FluxMapping]:
    """Read a mapping table (tsv: ``mfa_flux``, ``model_reactions``, ``coefficient``, ``note``).

    ``model_reactions`` is a signed sum such as ``ME2 + ME1m + ME2m`` or
    ``-LDH_L``. Lines starting with ``#`` are comments (provenance).
    """
    path = Path(path)
    if not path.exists():
        raise FluxasnInputError("mapping table not found", source=path)
    out = []
    with open(path, encoding="utf-8") as fh:
        rows = [(i, l) for i, l in enumerate(fh, start=1) if l.strip() and not l.startswith("#")]
    header = rows[0][1].rstrip("\n").split("\t")
    need = ["mfa_flux", "model_reactions", "coefficient"]
    if [h for h in need if h not in header]:
        raise FluxasnInputError(f"mapping table needs columns {need}, found {header}", source=path, line=rows[0][0])
    for line, raw in rows[1:]:
        row = dict(zip(header, raw.rstrip("\n").split("\t")))
        try:
            coef = float(row["coefficient"])
        except ValueError:
            raise FluxasnInputError(f"coefficient {row['coefficient']!r} is not a number", source=path,
                                    line=line, identifier=row.get("mfa_flux")) from None
        out.append(FluxMapping(row["mfa_flux"].strip(),
                               _parse_expression(row["model_reactions"], source=path, line=line,
                                                 identifier=row["mfa_flux"]),
                               coef, row.get("note", "")))
    return out


def flux_scale(result, *, reference: str, reference_value: float) -> float:
    """Factor converting MFA fluxes to mmol/gDW/h: ``reference_value / result.flux(reference)``.

    Parameters
    ----------
    result
        The :class:`~fluxasn.isotope.results.MFAResult`.
    reference
        An MFA flux measured in absolute units too (e.g. ``"r1_SubsGlc"``).
    reference_value
        That flux in mmol/gDW/h (e.g. glucose uptake 1.18).
    """
    base = result.flux(reference)
    if not np.isfinite(base) or abs(base) < 1e-12:
        raise FluxasnInputError(f"reference flux is {base}; cannot scale by it", identifier=reference)
    if not np.isfinite(reference_value):
        raise FluxasnInputError("reference value must be finite", identifier=reference)
    return float(reference_value) / base


def identity_mapping(result, model) -> List[FluxMapping]:
    """One row per net flux of ``result`` whose id is a reaction of ``model`` (``model flux = MFA flux``)."""
    names = [n for n in _result_fluxes(result) if not n.endswith(".exch")]
    return [FluxMapping(n, ((1.0, n),), 1.0, "same id") for n in names if n in model.reactions]


def _is_time_course(result) -> bool:
    return isinstance(getattr(result, "fluxes", None), dict) and hasattr(result, "pools")


def _result_fluxes(result):
    return list(result.fluxes) if _is_time_course(result) else list(result.to_frame().index)


def add_13c_constraints(
    model,
    result,
    *,
    mapping: Union[str, Path, Sequence[FluxMapping], None] = None,
    reference: Optional[str] = None,
    reference_value: Optional[float] = None,
    method: str = "interval",
    check_feasible: bool = True,
) -> pd.DataFrame:
    """Constrain ``model`` with the fitted 13C fluxes (bounds undone on leaving ``with model:``).

    Parameters
    ----------
    model
        A :class:`cobra.Model`; call inside ``with model:`` to make the change temporary.
    result
        The fit: a stationary :class:`~fluxasn.isotope.results.MFAResult` (its
        interval per flux: profile if computed, else linearised, clipped to the
        feasible range) or a time-course
        :class:`~fluxasn.isotope.inst.problem.INSTResult` (its linearized intervals).
    mapping
        Mapping table path or rows (:func:`read_flux_mapping`). Default: for a
        stationary result the bundled MCF-7 table (:data:`MCF7_CORE_MAPPING`);
        for a time-course result the identity (:func:`identity_mapping`: every
        net flux whose id is a reaction of ``model``, for networks built on the
        model's own reactions such as ``data/c13/core_time_course``).
    reference, reference_value
        Named scaling to mmol/gDW/h (:func:`flux_scale`); required for a
        stationary result. A time-course result without them is taken as
        fitted in mmol/gDW/h (the unit of a time-course folder fit; scale 1).
    method
        ``"interval"``: model flux within the scaled interval; ``"value"``:
        fixed at the scaled best fit.
    check_feasible
        Raise :class:`~fluxasn.exceptions.InfeasibleError` (after undoing the
        changes) if the constrained model has no feasible flux.

    Returns
    -------
    pandas.DataFrame
        One row per mapping: mfa_flux, model_reactions, scale, minimum, maximum
        (mmol/gDW/h) and how it was applied (``bounds`` or ``constraint``).
    """
    if method not in ("interval", "value"):
        raise FluxasnInputError(f"method {method!r} is not 'interval' or 'value'", identifier=method)
    inst = _is_time_course(result)
    if mapping is None:
        mapping = identity_mapping(result, model) if inst else MCF7_CORE_MAPPING
    rows = read_flux_mapping(mapping) if isinstance(mapping, (str, Path)) else list(mapping)
    if inst and reference is None and reference_value is None:
        scale = 1.0
    elif reference is None or reference_value is None:
        raise FluxasnInputError("a stationary 13C result needs reference= and reference_value= (the scale "
                                "from its flux units to mmol/gDW/h)", identifier="reference")
    else:
        scale = flux_scale(result, reference=reference, reference_value=reference_value)
    intervals = ({k: tuple(float(x) for x in val) for k, val in result.fluxes.items()} if inst else
                 {k: tuple(float(x) for x in r) for k, r in
                  result.to_frame()[["flux", "lower", "upper"]].iterrows()})
    plan = []
    for m in rows:
        if m.mfa_flux in intervals:
            val, lo, hi = intervals[m.mfa_flux]
        else:
            try:
                val = result.flux(m.mfa_flux)
            except FluxasnInputError:
                raise FluxasnInputError("mapping names a flux the 13C network lacks",
                                        identifier=m.mfa_flux) from None
            lo = hi = val
        if method == "value":
            lo = hi = val
        a, b = sorted((m.coefficient * scale * lo, m.coefficient * scale * hi))
        for _, rid in m.terms:
            if rid not in model.reactions:
                raise FluxasnInputError(f"mapping for {m.mfa_flux} names reaction {rid!r}, absent from "
                                        f"model {model.id}", identifier=rid)
        if len(m.terms) == 1 and m.terms[0][0] != 0:
            c, rid = m.terms[0]
            lb, ub = sorted((a / c, b / c))
            rxn = model.reactions.get_by_id(rid)
            nlb, nub = max(rxn.lower_bound, lb), min(rxn.upper_bound, ub)
            if nlb > nub + ZERO:
                raise InfeasibleError(
                    f"13C interval [{lb:.4g}, {ub:.4g}] of {m.mfa_flux} does not meet the bounds "
                    f"[{rxn.lower_bound:.4g}, {rxn.upper_bound:.4g}] of {rid}")
            if nlb > nub:  # equal within rounding
                nlb = nub = 0.5 * (nlb + nub)
            plan.append((m, "bounds", rid, nlb, nub, a, b))
        else:
            plan.append((m, "constraint", None, a, b, a, b))
    def apply():
        for m, kind, rid, x, y, a, b in plan:
            if kind == "bounds":
                model.reactions.get_by_id(rid).bounds = (x, y)
            else:
                expr = sum(c * model.reactions.get_by_id(r).flux_expression for c, r in m.terms)
                model.add_cons_vars(model.problem.Constraint(expr, lb=x, ub=y, name=f"c13_{m.mfa_flux}"))

    if check_feasible:
        with model:  # trial run, always undone
            apply()
            status = model.slim_optimize(error_value=float("nan"))
        if not np.isfinite(status):
            raise InfeasibleError(
                "the model is infeasible with the 13C constraints (nothing was changed); check the "
                "mapping, the intervals and the scale")
    apply()
    out = [{"mfa_flux": m.mfa_flux, "model_reactions": " + ".join(f"{c:g}*{r}" for c, r in m.terms),
            "scale": scale, "minimum": a, "maximum": b, "applied_as": kind}
           for m, kind, rid, x, y, a, b in plan]
    return pd.DataFrame(out)
