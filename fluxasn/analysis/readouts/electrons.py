"""Electron vents: how much NADH a model can reoxidise without respiration, through what, and what bounds it.

A cell that cannot respire must still regenerate NAD+ for glycolysis and for
the NAD+-dependent steps of biosynthesis (Titov 2016 Science 352:231; Luengo
2021 Mol Cell 81:691; Li 2022 Nat Metab 4:711). In a constraint-based model
every route that oxidises NADH without oxygen is either real and bounded (a
reduced product the cell secretes, such as lactate, glycerol(-3-phosphate),
succinate, 2-hydroxyglutarate or proline, held by the uptake of its carbon,
by the enzyme pool or by a measured secretion rate) or a *free vent*: a
cycle or an unbounded secretion that takes electrons away at no cost. A free
vent makes respiration inhibition cost nothing, whatever else is right.

:func:`electron_vents` audits a model for them. For each compartment that has
both NAD+ and NADH it adds, inside its own ``with model:`` block, an
artificial load ``NAD+ + H+ -> NADH`` (the proton when the compartment has
one), closes oxygen uptake (``oxygen=0.0``, the default; ``None`` keeps the
model's O2 bound) and maximises the load: the largest rate (mmol/gDW/h) at
which the rest of the network can reoxidise NADH in that compartment. Growth
keeps its bounds (usually free to be 0). Then

* a load at the ``cap`` (default 1000 mmol/gDW/h), or one held back only by
  open bounds (bounds as large as the model's largest, i.e. its infinity,
  such as a proton exchange at 1000), is a **free vent**: the
  reactions of a parsimonious route (least total flux at 1 - 1e-9 of that rate) are
  listed so the cycle can be found and closed;
* a finite load is bounded: its active limits (the bounds and constraints
  with a dual value, named as :func:`fluxasn.analysis.readouts.growth_limits`
  names them: uptake limit, measured rate, enzyme pool, redox, reaction bound)
  and the parsimonious route's NADH-oxidising reactions and exchanges (the
  reduced products secreted, the acceptors taken up) are reported.

The audit is a readout: the model is not changed. Units: mmol/gDW/h.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

import cobra
import pandas as pd
from cobra.flux_analysis import pfba

from fluxasn.analysis.readouts._common import _resolver
from fluxasn.analysis.readouts.limits import growth_limits
from fluxasn.config import ZERO
from fluxasn.core.cofactors import cofactor_index, is_proton
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, RoleError
from fluxasn.views import ResultView, format_number

__all__ = ["ElectronVents", "electron_vents", "close_free_vents", "VENT_COLUMNS", "ROUTE_COLUMNS"]

#: Columns of :meth:`ElectronVents.to_frame` (one row per compartment).
VENT_COLUMNS = ("compartment", "cofactor", "max_oxidation", "status", "free_vent", "limited_by", "products", "unit")
#: Columns of :attr:`ElectronVents.routes` (the parsimonious route of each compartment).
ROUTE_COLUMNS = ("compartment", "reaction", "name", "kind", "flux", "oxidised", "unit")

LOAD_PREFIX = "fluxasn_electron_load_"
_PAIRS = {"nadh": ("nad", "nadh"), "nadph": ("nadp", "nadph")}


@dataclass(repr=False)
class ElectronVents(ResultView):
    """Per compartment, the most NAD(P)H the model reoxidises without respiration, and what bounds it.

    Attributes
    ----------
    frame
        Columns :data:`VENT_COLUMNS`: ``max_oxidation`` (mmol/gDW/h), solver
        ``status``, ``free_vent`` (the load reached ``cap`` or only open
        bounds hold it), ``limited_by``
        (the active limits, largest price first), ``products`` (exchanges of
        the parsimonious route, secreted with +, taken up with -).
    routes
        Columns :data:`ROUTE_COLUMNS`: the reactions of each compartment's
        parsimonious route that oxidise the cofactor (``kind`` ``oxidation``,
        ``oxidised`` = mmol/gDW/h of cofactor), its exchanges (``kind``
        ``exchange``) and, for a free vent, every other reaction of the cycle
        (``kind`` ``route``).
    oxygen
        The O2 uptake allowed (mmol/gDW/h), or ``None`` if the model's bound was kept.
    cap
        The load's upper bound: reaching it means unbounded.
    """

    frame: pd.DataFrame
    routes: pd.DataFrame
    oxygen: Optional[float]
    cap: float
    model_id: str = ""
    notes: List[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    @property
    def free(self) -> List[str]:
        """Compartments with a free vent."""
        return list(self.frame.loc[self.frame["free_vent"], "compartment"])

    def _title(self) -> str:
        o2 = "model's O2 bound" if self.oxygen is None else f"O2 uptake <= {self.oxygen:g} mmol/gDW/h"
        return (f"electron vents of {self.model_id or 'the model'} ({o2}): most cofactor reoxidised per "
                f"compartment without respiration, mmol/gDW/h")

    def warnings(self) -> List[str]:
        """One warning sentence per audit with a free vent (what it means, how to fix it); else none."""
        if not self.free:
            return []
        return [f"free electron vent: NADH is reoxidised without O2 up to the audit's cap "
                f"({self.cap:g} mmol/gDW/h) in compartment(s) {', '.join(self.free)}, so losing "
                "respiration or complex I can cost this model nothing; `fluxasn vents` names the "
                "reactions, `--redox vents` closes the electron half-reactions that make them"]

    def summary_line(self) -> str:
        """One line: the verdict and each compartment's most cofactor reoxidised (or its status)."""
        frame = self.frame
        parts = ", ".join(f"{r.compartment} " + ("free" if r.free_vent else format_number(r.max_oxidation)
                                                if r.status == "optimal" else r.status)
                          for r in frame.itertuples())
        undecided = list(frame.loc[frame["status"] != "optimal", "compartment"])
        if self.free:
            verdict = "FREE VENT in " + ", ".join(self.free)
        elif undecided:  # e.g. measured rates that need O2, which the audit closes
            verdict = f"not decided in {', '.join(undecided)}"
        else:
            verdict = "no free vent"
        cofactor = str(frame["cofactor"].iloc[0]).upper() if len(frame) else "NADH"
        o2 = "without O2" if self.oxygen == 0 else ("at the model's O2 bound" if self.oxygen is None
                                                     else f"with O2 <= {self.oxygen:g}")
        return (f"{verdict} (most {cofactor} reoxidised {o2}, mmol/gDW/h: "
                f"{parts or 'no oxidised/reduced pair'})")

    def _notes(self) -> Sequence[str]:
        lines = list(self.notes)
        if self.free:
            lines.append("WARNING: free electron vent in " + ", ".join(self.free)
                         + f" (reoxidation reaches the cap {self.cap:g}); see .routes for the reactions")
        return lines


def _proton(model: cobra.Model, compartment: str) -> Optional[cobra.Metabolite]:
    return next((met for met in model.metabolites if met.compartment == compartment and is_proton(met)), None)


def _oxygen_exchange(model: cobra.Model, resolver: ModelResolver) -> Optional[cobra.Reaction]:
    try:
        return resolver.exchange("o2")
    except (RoleError, FluxasnInputError):
        return None


def electron_vents(
    model: cobra.Model,
    *,
    cofactor: str = "nadh",
    compartments: Optional[Iterable[str]] = None,
    oxygen: Optional[float] = 0.0,
    measured: Optional[Iterable[str]] = None,
    cap: float = 1000.0,
    routes: Optional[bool] = True,
    resolver: Optional[ModelResolver] = None,
) -> ElectronVents:
    """Audit ``model`` for routes that reoxidise NADH (or NADPH) without respiration.

    Parameters
    ----------
    model
        Any cobra model, with its medium and scenario applied (not changed).
    cofactor
        ``"nadh"`` (default) or ``"nadph"``.
    compartments
        Compartment ids to audit (default: every compartment with both forms).
    oxygen
        Largest O2 uptake allowed (mmol/gDW/h); 0 (default) audits the routes
        without respiration, ``None`` keeps the model's bound.
    measured
        Reaction ids whose bounds are measured rates (named so in ``limited_by``).
    cap
        Upper bound of the artificial load (mmol/gDW/h); a maximum at the cap
        is reported as a free vent.
    routes
        Compute the parsimonious route of every compartment (one more LP
        each; on Human-GEM about half a minute with GLPK). ``False``: only for
        free vents; ``None``: for none (the audit alone, as the flux report runs it).
    resolver
        A :class:`~fluxasn.core.resolver.ModelResolver` of ``model`` to reuse.

    Returns
    -------
    ElectronVents
        Non-optimal statuses are recorded, not raised.
    """
    if cofactor not in _PAIRS:
        raise FluxasnInputError(f"cofactor must be one of {sorted(_PAIRS)}, got {cofactor!r}", identifier="cofactor")
    if not (isinstance(cap, (int, float)) and cap > 0 and math.isfinite(cap)):
        raise FluxasnInputError(f"cap must be a positive finite number (mmol/gDW/h), got {cap!r}", identifier="cap")
    if oxygen is not None and not (oxygen >= 0 and math.isfinite(oxygen)):
        raise FluxasnInputError(f"oxygen must be >= 0 (mmol/gDW/h) or None, got {oxygen!r}", identifier="oxygen")
    resolver = _resolver(model, resolver)
    index = cofactor_index(model, resolver=resolver)
    oxidised_kind, reduced_kind = _PAIRS[cofactor]
    forms: Dict[str, Dict[str, cobra.Metabolite]] = {}
    for met in model.metabolites:
        kind = index.kind(met)
        if kind in (oxidised_kind, reduced_kind):
            forms.setdefault(met.compartment, {})[kind] = met
    available = sorted(c for c, found in forms.items() if len(found) == 2)
    if compartments is None:
        chosen = available
    else:
        chosen = list(compartments)
        missing = [c for c in chosen if c not in available]
        if missing:
            raise FluxasnInputError(
                f"compartment(s) {missing} have no {oxidised_kind}/{reduced_kind} pair in model {model.id!r}; "
                f"expected one of {available}", identifier=str(missing[0]))
    notes: List[str] = []
    o2 = _oxygen_exchange(model, resolver) if oxygen is not None else None
    if oxygen is not None and o2 is None:
        notes.append("no oxygen exchange found: the model's bounds were kept")
    exchanges = {r.id for r in model.exchanges}
    open_bound = max([abs(b) for r in model.reactions for b in r.bounds if math.isfinite(b)] + [cap])
    rows, route_rows = [], []
    for compartment in chosen:
        nad, nadh = forms[compartment][oxidised_kind], forms[compartment][reduced_kind]
        with model:
            if o2 is not None:  # only ever tightened
                resolver.set_uptake_limit(o2, min(oxygen, resolver.uptake_limit(o2)))
            load = cobra.Reaction(f"{LOAD_PREFIX}{compartment}", lower_bound=0.0, upper_bound=cap)
            stoichiometry = {nad: -1.0, nadh: 1.0}
            proton = _proton(model, compartment)
            if proton is not None:
                stoichiometry[proton] = -1.0
            load.add_metabolites(stoichiometry)
            model.add_reactions([load])
            model.objective = load
            model.objective_direction = "max"
            limits = growth_limits(model, objective="model", measured=measured, resolver=resolver)
            value, status = limits.growth, limits.status
            row = {"compartment": compartment, "cofactor": cofactor, "max_oxidation": value, "status": status,
                   "free_vent": False, "limited_by": "", "products": "", "unit": "mmol/gDW/h"}
            if status == "optimal":
                held = limits.frame
                if o2 is not None:  # the audit's own O2 closure is the premise, not a limit
                    held = held[held["id"] != o2.id]
                # free: at the cap, or held back only by "open" bounds (the model's largest, its infinity)
                only_open = len(held) and bool((held["unit"].eq("mmol/gDW/h")
                                                & held["value"].abs().ge(open_bound * (1 - 1e-9))).all())
                row["free_vent"] = bool(value >= cap * (1 - 1e-9) or (value > ZERO and only_open))
                row["limited_by"] = "; ".join(f"{r.limit} ({r.shadow_price:.3g})" for r in held.head(4).itertuples())
                if value > ZERO and routes is not None and (routes or row["free_vent"]):
                    fluxes = pfba(model, fraction_of_optimum=1.0 - 1e-9).fluxes
                    products = []
                    for reaction in model.reactions:
                        flux = float(fluxes[reaction.id])
                        if abs(flux) <= 1e-9 or reaction.id == load.id:
                            continue
                        if reaction.id in exchanges:
                            net = -resolver.uptake_flux(reaction, flux)  # secretion +, uptake -
                            products.append((abs(net), f"{reaction.id} {net:+.4g}"))
                            route_rows.append({"compartment": compartment, "reaction": reaction.id,
                                               "name": reaction.name, "kind": "exchange", "flux": flux,
                                               "oxidised": 0.0, "unit": "mmol/gDW/h"})
                            continue
                        oxidised = -reaction.metabolites.get(nadh, 0.0) * flux
                        if oxidised > 1e-9 or row["free_vent"]:  # a free vent: every reaction of its cycle
                            route_rows.append({"compartment": compartment, "reaction": reaction.id,
                                               "name": reaction.name,
                                               "kind": "oxidation" if oxidised > 1e-9 else "route", "flux": flux,
                                               "oxidised": max(oxidised, 0.0) + 0.0, "unit": "mmol/gDW/h"})
                    row["products"] = "; ".join(text for _, text in sorted(products, reverse=True))
            rows.append(row)
    frame = pd.DataFrame(rows, columns=list(VENT_COLUMNS))
    route_frame = pd.DataFrame(route_rows, columns=list(ROUTE_COLUMNS))
    if len(route_frame):
        order = route_frame["kind"].map({"oxidation": 0, "route": 1, "exchange": 2})
        route_frame = (route_frame.assign(_order=order)
                       .sort_values(["compartment", "_order", "oxidised"], ascending=[True, True, False], kind="stable")
                       .drop(columns="_order").reset_index(drop=True))
    return ElectronVents(frame, route_frame, oxygen, float(cap), str(model.id), notes)


def _half_reaction(reaction: cobra.Reaction) -> Optional[float]:
    """The charge a reaction creates per unit flux if it balances every element but not charge, else ``None``.

    Such a reaction (e.g. Human-GEM's ``urate -> H+ + urate radical``) is a
    redox half-reaction: it gives electrons to nothing, or takes them from
    nothing. Reactions with a metabolite lacking a formula are never chosen.
    """
    if reaction.boundary or any(not (met.formula or "").strip() or met.charge is None
                                for met in reaction.metabolites):
        return None
    imbalance = reaction.check_mass_balance()
    if set(imbalance) != {"charge"}:
        return None
    return float(imbalance["charge"])


def close_free_vents(
    model: cobra.Model,
    *,
    cofactor: str = "nadh",
    oxygen: Optional[float] = 0.0,
    cap: float = 1000.0,
    max_rounds: int = 20,
    resolver: Optional[ModelResolver] = None,
) -> pd.DataFrame:
    """Close the electron half-reactions that make free vents, until none is left; call inside ``with model:``.

    Rule (the same for every model): a reaction on a free vent's parsimonious
    cycle that balances every element but not charge is an electron
    half-reaction (electrons appear or vanish); it is closed (bounds 0, 0) and
    the audit is repeated, until no compartment has a free vent, no such
    reaction is left on a cycle, or ``max_rounds`` is reached. Reactions with
    an element imbalance or a metabolite without formula are never closed
    (they are named in the result instead, as unresolved).

    Parameters
    ----------
    model
        The model to change (the bounds are restored on leaving ``with model:``).
    cofactor, oxygen, cap, resolver
        As :func:`electron_vents`.
    max_rounds
        Largest number of audit rounds.

    Returns
    -------
    pandas.DataFrame
        One row per closed reaction (``status`` ``closed``: ``reaction``,
        ``compartment`` whose vent it was on, ``charge_created`` per unit
        flux, ``reaction_string``, ``round``) and one per compartment whose
        vent remains (``status`` ``unresolved``).
    """
    if not (isinstance(max_rounds, int) and max_rounds >= 1):
        raise FluxasnInputError(f"max_rounds must be an integer >= 1, got {max_rounds!r}", identifier="max_rounds")
    resolver = _resolver(model, resolver)
    rows: List[dict] = []
    for round_ in range(1, max_rounds + 1):
        vents = electron_vents(model, cofactor=cofactor, oxygen=oxygen, cap=cap, routes=False, resolver=resolver)
        free = vents.free
        if not free:
            break
        closed_now = []
        for compartment in free:
            on_cycle = vents.routes.loc[(vents.routes["compartment"] == compartment)
                                        & (vents.routes["kind"] != "exchange"), "reaction"]
            for rid in on_cycle:
                reaction = model.reactions.get_by_id(rid)
                charge = _half_reaction(reaction)
                if charge is None or rid in closed_now or reaction.bounds == (0.0, 0.0):
                    continue
                reaction.bounds = (0.0, 0.0)
                closed_now.append(rid)
                rows.append({"status": "closed", "reaction": rid, "compartment": compartment,
                             "charge_created": charge, "reaction_string": reaction.reaction, "round": round_})
        if not closed_now:
            break
    else:
        vents = electron_vents(model, cofactor=cofactor, oxygen=oxygen, cap=cap, routes=False, resolver=resolver)
    for compartment in vents.free:
        rows.append({"status": "unresolved", "reaction": "", "compartment": compartment, "charge_created": math.nan,
                     "reaction_string": "", "round": math.nan})
    return pd.DataFrame(rows, columns=["status", "reaction", "compartment", "charge_created", "reaction_string",
                                       "round"])
