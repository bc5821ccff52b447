"""Culture media: a bundled library and :func:`apply_medium` for any model.

The library (``data/media/``) holds RPMI-1640, DMEM (high glucose), DMEM/F-12
and HPLM with their Asn-free variants, in mM, each row with a status
(verified / standard formulation / from memory) and a source; a serum table
(FBS, and dialysed FBS as the non-dialysable part of it); and the defaults
for inorganic species (O2, H2O, H+, CO2).

Uptake rule (documented in ``data/media/README.md``; configurable through
:class:`UptakeRule`): the uptake limit of a component present at ``c`` mM is
``c x factor`` mmol/gDW/h with ``factor = 0.1`` mmol/gDW/h per mM, which
reproduces NCI-60 uptakes in RPMI-1640 (Gln 2.05 mM -> 0.205, Ser 0.285 mM ->
0.029, Asn 0.378 mM -> 0.038 mmol/gDW/h); optionally floored at
``minimum`` for components present in trace amounts. Every other uptake is
closed, peptides included; secretion stays open on every exchange.

Any model (:func:`apply_medium`; the rules in :mod:`fluxasn.core.medium_rules`):
components are matched through :class:`fluxasn.core.matching.ExchangeIndex`
(annotations, id stems and names, whatever the compartment is called);
duplicate exchanges of one metabolite get the bound on one of them; sinks the
biomass needs stay open, with a warning; the serum is merged into the medium
by the exchange each entry resolves to and adds to its concentration.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import cobra
import pandas as pd

from fluxasn.core.matching import (
    ExchangeIndex,
    Match,
    exchange_sign,
    lookup_entry,
    metabolite_dictionary,
)
from fluxasn.core.media_library import (  # noqa: F401 (re-exported; private tables used by tests)
    DEFAULT_SERUM,
    DEFAULT_SERUM_FRACTION,
    Medium,
    UptakeRule,
    _as_medium,
    _defaults,
    _media_index,
    _media_table,
    _serum_concentrations,
    _serum_table,
    get_medium,
    list_media,
    list_sera,
)
from fluxasn.core.medium_rules import (
    choose_exchange,
    current_medium_options,
    needed_sinks,
)
from fluxasn.views import ResultView
from fluxasn.exceptions import FluxasnInputError

__all__ = [
    "UptakeRule",
    "Medium",
    "MediumResult",
    "apply_medium",
    "get_medium",
    "list_media",
    "list_sera",
    "DEFAULT_SERUM",
    "DEFAULT_SERUM_FRACTION",
]


# --- the result ------------------------------------------------------------------

LOGGER = logging.getLogger("fluxasn.media")

_COLUMNS = ["component", "name", "medium_mM", "serum_mM", "concentration_mM", "exchange", "uptake_limit",
            "match", "status"]


@dataclass(repr=False)
class MediumResult(ResultView):
    """What :func:`apply_medium` did.

    Attributes
    ----------
    medium, serum, serum_fraction
        What was applied.
    table
        One row per component: component, name, medium_mM, serum_mM,
        concentration_mM, exchange, uptake_limit (mmol/gDW/h), match, status
        (``matched`` / ``unmatched`` / ``inorganic``).
    closed
        Exchange ids whose uptake was closed (not in the medium).
    sinks_closed
        Sink reactions whose uptake direction was closed.
    duplicates
        Exchange that carries a component's bound -> the other exchanges of
        the same metabolite, closed for uptake.
    sinks_kept
        Sinks left open: asked for (``keep_sinks``) or needed for growth.
    sinks_needed
        The sinks of ``sinks_kept`` that growth needs (found by the LP test).
    bounds_set
        Reaction id -> (lower, upper) set after the medium (``bounds``).
    sink_note
        Why the sink test was skipped or failed, or ``""``.
    """

    medium: str
    serum: Optional[str]
    serum_fraction: float
    table: pd.DataFrame
    closed: List[str]
    sinks_closed: List[str]
    model_id: str = ""
    duplicates: Dict[str, List[str]] = field(default_factory=dict)
    sinks_kept: List[str] = field(default_factory=list)
    sinks_needed: List[str] = field(default_factory=list)
    bounds_set: Dict[str, tuple] = field(default_factory=dict)
    sink_note: str = ""

    @property
    def matched(self) -> Dict[str, str]:
        """Component -> exchange reaction id."""
        rows = self.table[self.table["status"] != "unmatched"]
        return dict(zip(rows["component"], rows["exchange"]))

    @property
    def unmatched(self) -> List[str]:
        """Components of the medium or serum without an exchange in the model."""
        return list(self.table.loc[self.table["status"] == "unmatched", "component"])

    @property
    def serum_contributions(self) -> pd.DataFrame:
        return self.table[self.table["serum_mM"] > 0][["component", "name", "serum_mM", "exchange"]]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _title(self) -> str:
        serum = "no serum" if not self.serum else f"{self.serum_fraction:.0%} {self.serum}"
        n_matched = int((self.table["status"] != "unmatched").sum())
        return (
            f"Medium {self.medium} + {serum} on {self.model_id or 'model'}: "
            f"{n_matched} components matched, {len(self.unmatched)} unmatched, "
            f"{len(self.closed)} other uptakes closed"
        )

    def _display(self) -> pd.DataFrame:
        return self.table[["component", "concentration_mM", "exchange", "uptake_limit", "match", "status"]]

    def _notes(self) -> List[str]:
        notes = ["Unmatched (no exchange in the model): " + ", ".join(self.unmatched)] if self.unmatched else []
        notes += [m for m in self.messages() if not m.startswith("Unmatched")]
        return notes

    def messages(self) -> List[str]:
        """One line per thing a user should know: duplicate exchanges, sinks kept open, the sink test."""
        lines = []
        for chosen, others in self.duplicates.items():
            lines.append(f"duplicate exchanges of one metabolite: the medium bound is on {chosen}; "
                         f"{', '.join(others)} closed for uptake")
        if self.sinks_needed:
            lines.append("sinks kept open because growth needs them (growth is 0 with them closed): "
                         + ", ".join(self.sinks_needed))
        asked = [s for s in self.sinks_kept if s not in self.sinks_needed]
        if asked:
            lines.append("sinks kept open as asked: " + ", ".join(asked))
        if self.sink_note:
            lines.append(self.sink_note)
        return lines


# --- applying a medium -------------------------------------------------------------


def _concentrations(base: Medium) -> Dict[str, float]:
    medium_mM: Dict[str, float] = {}
    for row in base.components.itertuples(index=False):
        value = row.concentration_mM
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = float("nan")
        if not math.isfinite(value) or value < 0:
            raise FluxasnInputError(
                f"concentration must be a finite number >= 0 mM, got {row.concentration_mM!r}",
                source=base.name,
                identifier=str(row.component),
            )
        medium_mM[str(row.component)] = medium_mM.get(str(row.component), 0.0) + value
    return medium_mM


def _match(index: ExchangeIndex, component: str, entry, overrides, source: str) -> Optional[Match]:
    """The match of one component (``None``: left out by an override); duplicates resolved, ties raised."""
    override_key = component if component in overrides else (entry.id if entry and entry.id in overrides else None)
    if override_key is not None:
        target = overrides[override_key]
        if target is None:
            return None
        if target not in index.by_reaction:
            raise FluxasnInputError(
                f"override for {component!r} names {target!r}, which is not an exchange reaction of the model",
                identifier=component,
            )
        return Match(component, (target,), "override", entry, "user override")
    found = index.match_entry(entry) if entry is not None else index.match(component)
    if found.ambiguous and index.same_metabolite(found.exchanges):
        chosen = choose_exchange(index.model, found.exchanges)
        others = tuple(e for e in found.exchanges if e != chosen)
        found = Match(found.query, (chosen,), found.method, found.entry, found.evidence, others)
    if found.ambiguous:
        raise FluxasnInputError(
            f"medium component matches {len(found.exchanges)} exchanges ("
            + ", ".join(found.exchanges)
            + f"; {found.method}: {found.evidence}); choose one with "
            f"exchanges={{{component!r}: <exchange id>}}",
            source=source,
            identifier=component,
        )
    return found


def apply_medium(
    model: cobra.Model,
    medium: Union[str, Mapping[str, float], pd.DataFrame, Medium],
    *,
    serum: Optional[str] = DEFAULT_SERUM,
    serum_fraction: float = DEFAULT_SERUM_FRACTION,
    rule: Optional[UptakeRule] = None,
    exchanges: Optional[Mapping[str, Optional[str]]] = None,
    close_sinks: bool = True,
    keep_sinks: Sequence[str] = (),
    bounds: Optional[Mapping[str, Tuple[Optional[float], Optional[float]]]] = None,
    strict: bool = False,
) -> MediumResult:
    """Constrain a model's exchanges to a culture medium (with serum).

    Each component is matched to an exchange reaction through the metabolite's
    annotations (BiGG, MetaNetX, KEGG, ChEBI, HMDB), id stems and names
    (:class:`fluxasn.core.matching.ExchangeIndex`, which finds the
    extracellular compartment by :func:`fluxasn.core.compartments.find_compartments`);
    its uptake is limited by ``rule``; every other uptake is closed (peptides
    included) and secretion is left open on every exchange. Bounds are set by
    ordinary cobra assignments, so ``with model:`` undoes them.

    Rules that hold on any model:

    * Serum and medium are merged by what they resolve to: a serum entry
      naming the same dictionary entry, or matching the same exchange, as a
      medium component adds its concentration (x ``serum_fraction``) to that
      component (``{"glucose": 10}`` + 10% FBS gives 10.7 mM glucose). Two
      components of the medium itself matching one exchange are an error.
    * A component matching several exchanges of one metabolite (the same
      model metabolite, or ids differing only in the compartment tag) puts
      its bound on one of them, chosen by
      :func:`fluxasn.core.medium_rules.choose_exchange` (uptake allowed as
      shipped, then ``EX_``, then the shortest id, then alphabetical); the
      others are closed for uptake and listed in ``duplicates``. Exchanges
      of different metabolites tied in a match are an ambiguity (raised).
    * When closing sinks stops growth (the biomass role) that was positive
      with them open, the sinks growth needs are kept open (a minimal set,
      :func:`fluxasn.core.medium_rules.needed_sinks`), named in
      ``sinks_needed`` and in a warning of the ``fluxasn.media`` logger.
    * Inside :func:`fluxasn.core.medium_rules.medium_options` its serum
      replaces ``serum``/``serum_fraction``, its sinks add to
      ``keep_sinks`` and its bounds to ``bounds``.

    Parameters
    ----------
    model
        Any cobra model.
    medium
        A bundled medium name (see :func:`list_media`; e.g. ``"RPMI-1640"``,
        ``"RPMI-1640 -Asn"``), a mapping component -> mM (components named by
        dictionary id, name, synonym or database id), a DataFrame with columns
        component and concentration_mM, or a :class:`Medium`.
    serum
        ``"FBS"`` (default), ``"dFBS"`` (dialysed: only the protein-bound,
        non-dialysable components) or ``None`` for a serum-free medium.
    serum_fraction
        Volume fraction of serum (default 0.10 for 10%).
    rule
        The :class:`UptakeRule` (default: 0.1 mmol/gDW/h per mM).
    exchanges
        Overrides: component (as written, or its dictionary id) -> exchange
        reaction id (to resolve an ambiguity or a miss), or ``None`` to leave
        a component out.
    close_sinks
        Also close the uptake direction of sink reactions (``model.sinks``),
        which otherwise import intracellular metabolites (default True),
        except the sinks growth needs and ``keep_sinks``.
    keep_sinks
        Sink reaction ids to leave as they are.
    bounds
        Reaction id -> (lower, upper) in mmol/gDW/h of boundary reactions,
        set after the medium; ``None`` for a bound keeps the medium's.
    strict
        Raise instead of reporting unmatched components.

    Returns
    -------
    MediumResult

    Raises
    ------
    FluxasnInputError
        Unknown medium or serum, a negative or non-finite concentration, a
        component matching two exchanges of different metabolites (named with
        both), two medium components matching one exchange, an override
        naming a reaction that is not an exchange, a kept sink that is not a
        sink, a bound on a reaction that is not a boundary reaction or with
        lower > upper, or (``strict``) an unmatched component. Nothing is
        changed on the model when it raises.

    Notes
    -----
    The uptake rule, the serum composition and the inorganic defaults are
    documented with their provenance in ``data/media/README.md``.
    """
    rule = rule or UptakeRule()
    options = current_medium_options()
    if options.serum is not None:
        serum, serum_fraction = options.serum
    keep_sinks = list(dict.fromkeys(list(keep_sinks) + list(options.keep_sinks)))
    bounds = {**dict(bounds or {}), **dict(options.bounds)}
    base = _as_medium(medium)
    if not isinstance(serum_fraction, (int, float)) or not (0.0 <= serum_fraction <= 1.0):
        raise FluxasnInputError(
            f"serum_fraction must be between 0 and 1, got {serum_fraction!r}", identifier="serum_fraction"
        )
    serum_mM = _serum_concentrations(serum)
    overrides = dict(exchanges or {})
    medium_mM = _concentrations(base)

    index = ExchangeIndex(model)
    rows: List[dict] = []
    by_exchange: Dict[str, dict] = {}  # exchange id -> its row
    by_entry: Dict[str, dict] = {}  # dictionary id -> row of the medium component naming it
    duplicates: Dict[str, List[str]] = {}

    def add(component, m_mM, s_mM, from_serum):
        entry = lookup_entry(component)
        if from_serum and entry is not None and entry.id in by_entry:  # the same entry: serum adds
            by_entry[entry.id]["serum_mM"] += s_mM
            return
        found = _match(index, component, entry, overrides, base.name)
        if found is None:
            return
        row = {"component": component, "name": entry.name if entry else component, "medium_mM": m_mM,
               "serum_mM": s_mM, "exchange": None, "match": "", "status": "unmatched",
               "class": entry.metabolite_class if entry else "", "entry": entry.id if entry else component}
        if found.found:
            exchange = found.exchange
            if exchange in by_exchange:
                if from_serum:  # the serum adds to the medium component of that exchange
                    by_exchange[exchange]["serum_mM"] += s_mM
                    return
                raise FluxasnInputError(
                    f"medium components {by_exchange[exchange]['component']!r} and {component!r} "
                    f"both match exchange {exchange!r}",
                    source=base.name,
                    identifier=component,
                )
            row.update(exchange=exchange, match=found.method, status="matched")
            by_exchange[exchange] = row
            if found.duplicates:
                duplicates[exchange] = list(found.duplicates)
        elif strict:
            raise FluxasnInputError(
                "medium component has no exchange reaction in the model (strict=True)",
                source=base.name,
                identifier=component,
            )
        if entry is not None and not from_serum:
            by_entry.setdefault(entry.id, row)
        rows.append(row)

    for component, m_mM in medium_mM.items():
        add(component, m_mM, 0.0, False)
    for component, value in serum_mM.items():
        add(component, 0.0, value * (serum_fraction if serum else 0.0), True)

    limits: Dict[str, float] = {}  # exchange id -> uptake limit
    for row in rows:
        row["concentration_mM"] = row["medium_mM"] + row["serum_mM"]
        row["uptake_limit"] = 0.0
        if row["exchange"] is not None:
            limit = rule.limit(row["concentration_mM"], row["class"])
            if row["entry"] in rule.inorganic:
                limit = max(limit, float(rule.inorganic[row["entry"]]))
            row["uptake_limit"] = limits[row["exchange"]] = limit

    # inorganic defaults for species not in the medium
    entries = metabolite_dictionary()
    present = {row["entry"] for row in rows} | set(medium_mM) | set(serum_mM)
    for component, limit in rule.inorganic.items():
        if component in present:
            continue
        entry = entries.get(component)
        found = _match(index, component, entry, overrides, "inorganic defaults")
        if found is None:
            continue
        row = {"component": component, "name": entry.name if entry else component, "medium_mM": 0.0,
               "serum_mM": 0.0, "concentration_mM": 0.0, "exchange": None, "uptake_limit": float(limit),
               "match": "", "status": "unmatched"}
        if found.found and found.exchange in limits:  # a medium component's exchange: the larger limit
            limits[found.exchange] = max(limits[found.exchange], float(limit))
            by_exchange[found.exchange]["uptake_limit"] = limits[found.exchange]
            continue
        if found.found:
            limits[found.exchange] = float(limit)
            row.update(exchange=found.exchange, match=found.method, status="inorganic")
            if found.duplicates:
                duplicates[found.exchange] = list(found.duplicates)
        rows.append(row)

    # every bound computed first, then applied (nothing half-applied on error)
    new_bounds: Dict[str, Tuple[float, float]] = {}
    closed = []
    for reaction in index.reactions:
        if len(reaction.metabolites) != 1:
            continue
        uptake = limits.get(reaction.id, 0.0)
        if reaction.id not in limits:
            closed.append(reaction.id)
        if exchange_sign(reaction) < 0:
            new_bounds[reaction.id] = (-uptake, rule.secretion)
        else:
            new_bounds[reaction.id] = (-rule.secretion, uptake)
    exchange_ids = {r.id for r in index.reactions}
    sinks = [r for r in model.sinks if r.id not in exchange_ids and len(r.metabolites) == 1]
    sink_ids = {r.id for r in sinks}
    for rid in keep_sinks:
        if rid not in sink_ids:
            raise FluxasnInputError(
                f"keep_sinks names {rid!r}, which is not a sink reaction of model {model.id!r}"
                + (f" (its sinks: {', '.join(sorted(sink_ids)[:20])})" if sink_ids else " (it has none)"),
                identifier=rid,
            )
    sinks_closed = []
    if close_sinks:
        for reaction in sinks:
            if reaction.id in keep_sinks:
                continue
            lower, upper = reaction.bounds
            if exchange_sign(reaction) < 0 and lower < 0:
                new_bounds[reaction.id] = (0.0, max(upper, 0.0))
                sinks_closed.append(reaction.id)
            elif exchange_sign(reaction) > 0 and upper > 0:
                new_bounds[reaction.id] = (min(lower, 0.0), 0.0)
                sinks_closed.append(reaction.id)
    final_bounds = _bounds_after(model, new_bounds, bounds)
    test = needed_sinks(model, new_bounds=new_bounds, closed_sinks=sinks_closed) if sinks_closed else None
    if test is not None:
        for rid in test.kept:
            del new_bounds[rid]
            sinks_closed.remove(rid)
    for reaction_id, pair in {**new_bounds, **final_bounds}.items():
        model.reactions.get_by_id(reaction_id).bounds = pair

    table = pd.DataFrame([{c: row[c] for c in _COLUMNS} for row in rows], columns=_COLUMNS)
    result = MediumResult(
        medium=base.name,
        serum=serum,
        serum_fraction=float(serum_fraction) if serum else 0.0,
        table=table,
        closed=closed,
        sinks_closed=sinks_closed,
        model_id=model.id,
        duplicates=duplicates,
        sinks_kept=[r.id for r in sinks if r.id in keep_sinks] + (test.kept if test else []),
        sinks_needed=list(test.kept) if test else [],
        bounds_set=final_bounds,
        sink_note=test.note if test else "",
    )
    for message in result.messages():
        LOGGER.warning("medium %s on %s: %s", base.name, model.id or "model", message)
    return result


def _bounds_after(model: cobra.Model, medium_bounds: Mapping[str, Tuple[float, float]],
                  bounds: Mapping[str, Tuple[Optional[float], Optional[float]]]) -> Dict[str, tuple]:
    """The ``bounds`` set after the medium, checked (boundary reactions only, lower <= upper)."""
    out = {}
    boundary = {r.id for r in model.boundary} if bounds else set()
    for rid, (lower, upper) in bounds.items():
        if rid not in boundary:
            raise FluxasnInputError(
                f"exchange bounds name {rid!r}, which is not an exchange (boundary reaction) of model {model.id!r}",
                identifier=rid,
            )
        current = medium_bounds.get(rid, model.reactions.get_by_id(rid).bounds)
        pair = (current[0] if lower is None else float(lower), current[1] if upper is None else float(upper))
        if pair[0] > pair[1]:
            raise FluxasnInputError(
                f"exchange bounds of {rid!r}: lower {pair[0]:g} > upper {pair[1]:g} mmol/gDW/h", identifier=rid)
        out[rid] = pair
    return out
