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
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Union

import cobra
import pandas as pd

from fluxasn.core.matching import (
    ExchangeIndex,
    Match,
    exchange_sign,
    lookup_entry,
    metabolite_dictionary,
)
from fluxasn.core.paths import bundled_data_path
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

#: Serum added to a named medium unless told otherwise.
DEFAULT_SERUM = "FBS"
#: Volume fraction of serum in the culture medium (10% FBS).
DEFAULT_SERUM_FRACTION = 0.10


@dataclass(frozen=True)
class UptakeRule:
    """How a medium concentration becomes an exchange bound.

    Parameters
    ----------
    factor
        Uptake limit per mM of a component, in mmol/gDW/h per mM (default 0.1).
    minimum
        Floor of the uptake limit (mmol/gDW/h; default 0.01) for a component
        of a class in ``floor_classes`` present at any positive concentration.
        Components absent from the medium stay closed whatever the floor.
        ``minimum=0`` gives the pure concentration rule.
    floor_classes
        Metabolite classes (column ``metabolite_class`` of
        ``data/media/metabolites.tsv``) that the floor applies to: vitamins,
        lipid-soluble vitamins, fatty acids, lipids and ions. Amino acids,
        sugars, organic acids and other carbon or nitrogen sources always
        follow the pure rule.
    maximum
        Ceiling of any uptake limit (mmol/gDW/h; default 1000).
    secretion
        Upper bound of secretion on every exchange (mmol/gDW/h; default 1000).
    inorganic
        Uptake limits (mmol/gDW/h) of species that are not medium components,
        by dictionary id. Default: O2, H2O, H+ open (1000), CO2 closed (0), as in
        ``data/media/defaults.tsv``. A medium component listed here gets the
        larger of the two limits.
    """

    factor: float = 0.1
    minimum: float = 0.01
    floor_classes: tuple = ("vitamin", "lipid_vitamin", "fatty_acid", "lipid", "ion")
    maximum: float = 1000.0
    secretion: float = 1000.0
    inorganic: Mapping[str, float] = field(default_factory=lambda: dict(_defaults()))

    def __post_init__(self):
        for name in ("factor", "minimum", "maximum", "secretion"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise FluxasnInputError(
                    f"uptake rule {name} must be a finite number >= 0, got {value!r}",
                    identifier=name,
                )
        for key, value in self.inorganic.items():
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise FluxasnInputError(
                    f"inorganic uptake limit must be a finite number >= 0, got {value!r}",
                    identifier=key,
                )

    def limit(self, concentration_mM: float, metabolite_class: str = "") -> float:
        """Uptake limit (mmol/gDW/h) of a component at ``concentration_mM``."""
        if concentration_mM <= 0:
            return 0.0
        value = concentration_mM * self.factor
        if metabolite_class in self.floor_classes:
            value = max(self.minimum, value)
        return min(self.maximum, value)


@functools.lru_cache(maxsize=1)
def _defaults() -> Dict[str, float]:
    table = pd.read_csv(bundled_data_path("media", "defaults.tsv"), sep="\t")
    return {str(r.component): float(r.uptake_limit) for r in table.itertuples(index=False)}


# --- the library ---------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _media_table() -> pd.DataFrame:
    return pd.read_csv(bundled_data_path("media", "media.tsv"), sep="\t", keep_default_na=False)


@functools.lru_cache(maxsize=1)
def _media_index() -> pd.DataFrame:
    return pd.read_csv(
        bundled_data_path("media", "media_index.tsv"), sep="\t", dtype=str, keep_default_na=False
    )


@functools.lru_cache(maxsize=1)
def _serum_table() -> pd.DataFrame:
    return pd.read_csv(bundled_data_path("media", "serum.tsv"), sep="\t", keep_default_na=False)


def _key(name: str) -> str:
    return re.sub(r"[\s\-_/:()]+", "", str(name).lower())


def _resolve_medium_name(name: str) -> str:
    index = _media_index()
    wanted = _key(name)
    for row in index.itertuples(index=False):
        names = [row.medium] + [a.strip() for a in row.aliases.split(";") if a.strip()]
        if any(_key(n) == wanted for n in names):
            return row.medium
    raise FluxasnInputError(
        "unknown medium; expected one of " + ", ".join(index["medium"]) + " (see list_media())",
        identifier=name,
    )


def list_media() -> pd.DataFrame:
    """The bundled media: name, base medium, removed components, aliases, description, source."""
    return _media_index().copy()


def list_sera() -> pd.DataFrame:
    """The bundled serum table (concentrations in mM in the serum itself)."""
    sera = _serum_table().copy()
    dialysed = sera[sera["dialyzable"] == "no"].copy()
    dialysed["serum"] = "dFBS"
    return pd.concat([sera, dialysed], ignore_index=True)


@dataclass(repr=False)
class Medium(ResultView):
    """A medium: components (dictionary ids or names) with concentrations in mM."""

    name: str
    components: pd.DataFrame  # columns: component, concentration_mM, status, source

    @property
    def concentrations(self) -> Dict[str, float]:
        return dict(zip(self.components["component"], self.components["concentration_mM"]))

    def without(self, *components: str) -> "Medium":
        """A copy without ``components`` (dictionary ids)."""
        keep = ~self.components["component"].isin(components)
        return Medium(self.name + " -" + "-".join(components), self.components[keep].reset_index(drop=True))

    def to_frame(self) -> pd.DataFrame:
        return self.components.copy()

    def _title(self) -> str:
        return f"Medium {self.name} ({len(self.components)} components, mM)"

    def _display(self) -> pd.DataFrame:
        return self.components[["component", "concentration_mM", "status"]]


def get_medium(name: str) -> Medium:
    """A bundled medium by name or alias (case-insensitive), e.g. ``"RPMI-1640 -Asn"``."""
    canonical = _resolve_medium_name(name)
    index = _media_index().set_index("medium")
    row = index.loc[canonical]
    base = row["base"] or canonical
    table = _media_table()
    rows = table[table["medium"] == base][["component", "concentration_mM", "status", "source"]]
    removed = [c.strip() for c in row["remove"].split(";") if c.strip()]
    rows = rows[~rows["component"].isin(removed)].reset_index(drop=True)
    return Medium(canonical, rows)


def _serum_concentrations(serum: Optional[str]) -> Dict[str, float]:
    if serum is None:
        return {}
    sera = list_sera()
    wanted = _key(serum)
    names = {_key(s): s for s in sera["serum"].unique()}
    if wanted not in names:
        raise FluxasnInputError(
            "unknown serum; expected one of " + ", ".join(sorted(set(sera["serum"]))) + " or None",
            identifier=serum,
        )
    rows = sera[sera["serum"] == names[wanted]]
    return dict(zip(rows["component"], rows["concentration_mM"].astype(float)))


def _as_medium(medium) -> Medium:
    if isinstance(medium, Medium):
        return medium
    if isinstance(medium, str):
        return get_medium(medium)
    if isinstance(medium, Mapping):
        frame = pd.DataFrame(
            {"component": list(medium.keys()), "concentration_mM": list(medium.values())}
        )
        frame["status"] = "user"
        frame["source"] = "user"
        return Medium("user medium", frame)
    if isinstance(medium, pd.DataFrame):
        missing = {"component", "concentration_mM"} - set(medium.columns)
        if missing:
            raise FluxasnInputError(
                "medium table needs the columns component and concentration_mM; missing "
                + ", ".join(sorted(missing)),
                identifier="medium",
            )
        frame = medium.copy()
        for column in ("status", "source"):
            if column not in frame:
                frame[column] = "user"
        return Medium("user medium", frame.reset_index(drop=True))
    raise FluxasnInputError(
        f"a medium is a bundled medium name, a mapping component -> mM or a DataFrame; got {type(medium).__name__}",
        identifier="medium",
    )


# --- the result ------------------------------------------------------------------


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
    """

    medium: str
    serum: Optional[str]
    serum_fraction: float
    table: pd.DataFrame
    closed: List[str]
    sinks_closed: List[str]
    model_id: str = ""

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
        return ["Unmatched (no exchange in the model): " + ", ".join(self.unmatched)] if self.unmatched else []


# --- applying a medium -------------------------------------------------------------


def apply_medium(
    model: cobra.Model,
    medium: Union[str, Mapping[str, float], pd.DataFrame, Medium],
    *,
    serum: Optional[str] = DEFAULT_SERUM,
    serum_fraction: float = DEFAULT_SERUM_FRACTION,
    rule: Optional[UptakeRule] = None,
    exchanges: Optional[Mapping[str, Optional[str]]] = None,
    close_sinks: bool = True,
    strict: bool = False,
) -> MediumResult:
    """Constrain a model's exchanges to a culture medium (with serum).

    Each component is matched to an exchange reaction through the metabolite's
    annotations (BiGG, MetaNetX, KEGG, ChEBI, HMDB) and names
    (:class:`fluxasn.core.matching.ExchangeIndex`); its uptake is limited by
    ``rule``; every other uptake is closed (peptides included) and secretion
    is left open on every exchange. Bounds are set by ordinary cobra
    assignments, so ``with model:`` undoes them.

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
        Overrides: component -> exchange reaction id (to resolve an ambiguity
        or a miss), or ``None`` to leave a component out.
    close_sinks
        Also close the uptake direction of sink reactions (``model.sinks``),
        which otherwise import intracellular metabolites (default True).
    strict
        Raise instead of reporting unmatched components.

    Returns
    -------
    MediumResult

    Raises
    ------
    FluxasnInputError
        Unknown medium or serum, a negative or non-finite concentration, a
        component matching two exchanges (named with both), an override naming
        a reaction that is not an exchange, or (``strict``) an unmatched
        component. Nothing is changed on the model when it raises.

    Notes
    -----
    The uptake rule, the serum composition and the inorganic defaults are
    documented with their provenance in ``data/media/README.md``.
    """
    rule = rule or UptakeRule()
    base = _as_medium(medium)
    if not isinstance(serum_fraction, (int, float)) or not (0.0 <= serum_fraction <= 1.0):
        raise FluxasnInputError(
            f"serum_fraction must be between 0 and 1, got {serum_fraction!r}", identifier="serum_fraction"
        )
    serum_mM = _serum_concentrations(serum)
    overrides = dict(exchanges or {})

    # 1. concentrations per component (medium + serum), validated
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
    components = list(medium_mM)
    for component in serum_mM:
        if component not in medium_mM:
            components.append(component)

    index = ExchangeIndex(model)
    rows = []
    limits: Dict[str, float] = {}  # exchange id -> uptake limit
    owner: Dict[str, str] = {}  # exchange id -> component
    for component in components:
        m_mM = medium_mM.get(component, 0.0)
        s_mM = serum_mM.get(component, 0.0) * (serum_fraction if serum else 0.0)
        total = m_mM + s_mM
        entry = lookup_entry(component)
        name = entry.name if entry else component
        if component in overrides:
            target = overrides[component]
            if target is None:
                continue
            if target not in index.by_reaction:
                raise FluxasnInputError(
                    f"override for {component!r} names {target!r}, which is not an exchange reaction of the model",
                    identifier=component,
                )
            found = Match(component, (target,), "override", entry, "user override")
        elif entry is not None:
            found = index.match_entry(entry)
        else:
            found = index.match(component)
        if found.ambiguous:
            raise FluxasnInputError(
                f"medium component matches {len(found.exchanges)} exchanges ("
                + ", ".join(found.exchanges)
                + f"; {found.method}: {found.evidence}); choose one with "
                f"exchanges={{{component!r}: <exchange id>}}",
                source=base.name,
                identifier=component,
            )
        if not found.found:
            if strict:
                raise FluxasnInputError(
                    "medium component has no exchange reaction in the model (strict=True)",
                    source=base.name,
                    identifier=component,
                )
            rows.append((component, name, m_mM, s_mM, total, None, 0.0, "", "unmatched"))
            continue
        exchange = found.exchange
        if exchange in owner:
            raise FluxasnInputError(
                f"medium components {owner[exchange]!r} and {component!r} both match exchange {exchange!r}",
                source=base.name,
                identifier=component,
            )
        owner[exchange] = component
        limit = rule.limit(total, entry.metabolite_class if entry else "")
        if component in rule.inorganic:
            limit = max(limit, float(rule.inorganic[component]))
        limits[exchange] = limit
        rows.append((component, name, m_mM, s_mM, total, exchange, limit, found.method, "matched"))

    # inorganic defaults for species not in the medium
    entries = metabolite_dictionary()
    for component, limit in rule.inorganic.items():
        if component in owner.values() or component in medium_mM or component in serum_mM:
            continue
        entry = entries.get(component)
        found = index.match_entry(entry) if entry else index.match(component)
        if found.ambiguous:
            raise FluxasnInputError(
                "inorganic species matches exchanges " + ", ".join(found.exchanges)
                + f"; choose one with exchanges={{{component!r}: <exchange id>}}",
                identifier=component,
            )
        if not found.found or found.exchange in owner:
            rows.append((component, entry.name if entry else component, 0.0, 0.0, 0.0, None, float(limit), "", "unmatched"))
            continue
        owner[found.exchange] = component
        limits[found.exchange] = float(limit)
        rows.append((component, entry.name if entry else component, 0.0, 0.0, 0.0, found.exchange, float(limit), found.method, "inorganic"))

    # 2. every bound computed first, then applied (nothing half-applied on error)
    new_bounds = {}
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
    sinks_closed = []
    if close_sinks:
        exchange_ids = {r.id for r in index.reactions}
        for reaction in model.sinks:
            if reaction.id in exchange_ids or len(reaction.metabolites) != 1:
                continue
            lower, upper = reaction.bounds
            if exchange_sign(reaction) < 0 and lower < 0:
                new_bounds[reaction.id] = (0.0, max(upper, 0.0))
                sinks_closed.append(reaction.id)
            elif exchange_sign(reaction) > 0 and upper > 0:
                new_bounds[reaction.id] = (min(lower, 0.0), 0.0)
                sinks_closed.append(reaction.id)
    for reaction_id, bounds in new_bounds.items():
        model.reactions.get_by_id(reaction_id).bounds = bounds

    table = pd.DataFrame(
        rows,
        columns=[
            "component",
            "name",
            "medium_mM",
            "serum_mM",
            "concentration_mM",
            "exchange",
            "uptake_limit",
            "match",
            "status",
        ],
    )
    return MediumResult(
        medium=base.name,
        serum=serum,
        serum_fraction=float(serum_fraction) if serum else 0.0,
        table=table,
        closed=closed,
        sinks_closed=sinks_closed,
        model_id=model.id,
    )
