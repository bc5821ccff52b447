"""Perturbations: the small objects a scenario is made of, each one change to a model.

Each perturbation changes a model through the role mapping and the resolver
(:class:`~fluxasn.core.resolver.ModelResolver`), never through model
identifiers, so the same perturbation runs on the core model, Human-GEM or
Recon3D. Every change is an ordinary cobra bound assignment, undone when the
caller's ``with model:`` block ends.

Units: uptake limits in mmol/gDW/h; concentrations in mM, converted by the
uptake rule of :mod:`fluxasn.core.media` (0.1 mmol/gDW/h per mM by default).
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import cobra
from cobra.exceptions import OptimizationError
from cobra.flux_analysis import pfba

from fluxasn.core.media import UptakeRule, apply_medium
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, RoleError

__all__ = [
    "normoxic_o2_uptake",
    "Perturbation",
    "SetMedium",
    "RemoveMedium",
    "Asparaginase",
    "IntracellularAsparaginase",
    "KnockOut",
    "InhibitETC",
    "Hypoxia",
    "Supplement",
    "UncapUptake",
    "TRANSPORTER_LIMITED",
    "KNOCKOUT_REACTIONS",
]

#: Metabolites that most cells do not take up without a dedicated transporter
#: (Garcia-Bermudez 2018: aspartate needs SLC1A3). A supplement of these
#: without ``transporter=`` leaves the uptake limit unchanged.
TRANSPORTER_LIMITED = {"aspartate": "SLC1A3", "glutamate": "SLC1A3"}


def _uptake_rule():
    return UptakeRule()


@dataclass(frozen=True)
class Perturbation:
    """Base class: one change to a model. Subclasses implement :meth:`apply`."""

    #: order of application: medium (0), medium edits (1), genetics (2), relative limits (3)
    phase = 1

    def apply(self, model: cobra.Model, resolver: ModelResolver) -> List[str]:
        """Change ``model`` (inside the caller's ``with model:``); return notes."""
        raise NotImplementedError

    def describe(self) -> str:
        return repr(self)


@dataclass(frozen=True)
class SetMedium(Perturbation):
    """Apply a bundled medium (with serum) by :func:`fluxasn.core.media.apply_medium`."""

    medium: str = "RPMI-1640"
    serum: Optional[str] = "FBS"
    phase = 0

    def apply(self, model, resolver):
        result = apply_medium(model, self.medium, serum=self.serum)
        notes = [f"medium {result.medium} + {self.serum or 'no serum'}"]
        if result.unmatched:
            notes.append("unmatched medium components: " + ", ".join(result.unmatched))
        return notes

    def describe(self):
        return f"medium {self.medium}" + (f" + 10% {self.serum}" if self.serum else "")


@dataclass(frozen=True)
class RemoveMedium(Perturbation):
    """Close the uptake of a medium component (depletion, e.g. ``"asparagine"``)."""

    component: str = "asparagine"

    def apply(self, model, resolver):
        exchange = resolver.exchange(self.component)
        resolver.set_uptake_limit(exchange, 0.0)
        return [f"{self.component} uptake closed ({exchange.id})"]

    def describe(self):
        return f"no {self.component} in the medium"


@dataclass(frozen=True)
class Asparaginase(Perturbation):
    """The drug L-asparaginase: medium asparagine hydrolysed to aspartate + NH3.

    Asparagine uptake is closed. The asparagine that was in the medium becomes
    aspartate and ammonia, 1:1, which cells with an aspartate transporter
    (SLC1A3) take up (Sun et al. 2019 Cell Rep; Knott et al. 2018 Nature
    554:378). Its concentration is read back from the current asparagine
    uptake limit through the uptake rule (limit / 0.1 mmol/gDW/h per mM), so
    it works on any model and medium; that concentration raises the aspartate
    uptake limit by the uptake rule, and the ammonia (NH4+) uptake limit too
    when the model has an ammonia exchange (its secretion bound is left as the
    model has it; a model without one gets a note). A medium without
    asparagine adds nothing. Whether cells take the aspartate up is then up to
    the model's aspartate transport reactions: with SLC1A3 closed or knocked
    out the raised limit carries no flux.

    This is extracellular hydrolysis; intracellular ASPG/ASRGL1 activity is
    :class:`IntracellularAsparaginase`.

    Parameters
    ----------
    glutaminase
        Also the enzyme's glutaminase co-activity: ``glutaminase_fraction`` of
        the medium glutamine is removed (its uptake limit is scaled by
        ``1 - fraction``).
    glutaminase_fraction
        Fraction (0-1) of the medium glutamine hydrolysed.
    aspartate
        Add the hydrolysis products (aspartate, ammonia) to the medium
        (default). ``False`` only closes asparagine uptake, the behaviour
        before issue #19.
    """

    glutaminase: bool = False
    glutaminase_fraction: float = 1.0
    aspartate: bool = True

    def __post_init__(self):
        if not 0.0 <= float(self.glutaminase_fraction) <= 1.0:
            raise FluxasnInputError(
                f"glutaminase_fraction must be between 0 and 1, got {self.glutaminase_fraction!r}",
                identifier="glutaminase_fraction",
            )

    def apply(self, model, resolver):
        asn = resolver.exchange("asparagine")
        asn_limit = resolver.uptake_limit(asn)
        resolver.set_uptake_limit(asn, 0.0)
        notes = [f"asparagine uptake closed ({asn.id}): hydrolysed in the medium"]
        if self.aspartate:
            notes.extend(_hydrolysis_products(model, resolver, asn_limit))
        if self.glutaminase:
            gln = resolver.exchange("glutamine")
            limit = resolver.uptake_limit(gln) * (1.0 - float(self.glutaminase_fraction))
            resolver.set_uptake_limit(gln, limit)
            notes.append(f"glutamine uptake limit x {1 - self.glutaminase_fraction:g} ({gln.id})")
        return notes

    def describe(self):
        text = "L-asparaginase (medium Asn -> Asp + NH3)" if self.aspartate else "L-asparaginase (medium Asn removed)"
        if self.glutaminase:
            text += f" with glutaminase co-activity ({self.glutaminase_fraction:.0%} of Gln)"
        return text


def _hydrolysis_products(model: cobra.Model, resolver: ModelResolver, asn_limit: float) -> List[str]:
    """Raise the aspartate and ammonia uptake limits by the medium asparagine (1:1); return notes."""
    rule = _uptake_rule()
    mM = asn_limit / rule.factor if rule.factor > 0 else 0.0
    if not mM > 0:
        return ["no asparagine in the medium: no aspartate or ammonia made"]
    added = rule.limit(mM)  # the pure rule: a product, not a medium component with a floor
    notes = []
    for name in ("aspartate", "ammonia"):
        try:
            exchange = resolver.exchange(name)
        except FluxasnInputError as error:
            if error.reason.startswith("matches several"):
                raise
            notes.append(f"model {model.id!r} has no {name} exchange: the {name} made is not added")
            continue
        current = resolver.uptake_limit(exchange)
        limit = max(current, min(rule.maximum, current + added))
        resolver.set_uptake_limit(exchange, limit)
        notes.append(
            f"{name} uptake <= {limit:.4g} mmol/gDW/h ({exchange.id}; + {mM:.4g} mM from the medium asparagine)"
        )
    return notes


@dataclass(frozen=True)
class IntracellularAsparaginase(Perturbation):
    """Intracellular asparaginase activity (ASPG / ASRGL1 reactions) on or off.

    On: the role reactions are opened in their forward (hydrolysis) direction
    (bounds 0, 1000). Off: closed (0, 0). The core model ships with them off.
    """

    active: bool = True
    phase = 2

    def apply(self, model, resolver):
        reactions = _asparaginase_reactions(resolver)
        for reaction in reactions:
            reaction.bounds = (0.0, 1000.0) if self.active else (0.0, 0.0)
        state = "opened" if self.active else "closed"
        return [f"intracellular asparaginase {state}: " + ", ".join(r.id for r in reactions)]

    def describe(self):
        return "intracellular asparaginase (ASPG/ASRGL1) " + ("active" if self.active else "absent")


def _asparaginase_reactions(resolver: ModelResolver) -> List[cobra.Reaction]:
    reactions: List[cobra.Reaction] = []
    errors = []
    for role in ("ASPG", "ASRGL1"):
        try:
            for reaction in resolver.role_reactions(role):
                if reaction not in reactions:
                    reactions.append(reaction)
        except RoleError as error:
            errors.append(str(error))
    if not reactions:
        raise RoleError("no intracellular asparaginase reaction (roles ASPG, ASRGL1): " + "; ".join(errors))
    return reactions


#: What a gene knock-out closes: ``"rules"`` (cobra's gene rules) or ``"all"``.
KNOCKOUT_REACTIONS = ("rules", "all")


@dataclass(frozen=True)
class KnockOut(Perturbation):
    """Knock out the reactions of a role (e.g. ``"ASNS"``, ``"GOT1"``) or a gene symbol.

    A role knock-out closes the role's reactions. A gene knock-out
    (``gene="SLC1A3"``) with ``reactions="rules"`` (default) uses cobra's
    gene-protein-reaction rules (``gene.knock_out()``): a reaction closes only
    if its rule fails without the gene, so a reaction with an isozyme (rule
    ``"gA or gB"``) stays open. The note names the reactions closed and the
    ones kept open with the genes that keep them open. ``reactions="all"``
    closes every reaction whose gene rule names the gene, overriding the gene
    rules (for a cell line that does not express the isozymes).
    """

    role: Optional[str] = None
    gene: Optional[str] = None
    reactions: str = "rules"
    phase = 2

    def __post_init__(self):
        if (self.role is None) == (self.gene is None):
            raise FluxasnInputError("KnockOut takes exactly one of role= or gene=", identifier="KnockOut")
        if self.reactions not in KNOCKOUT_REACTIONS:
            raise FluxasnInputError(
                f"KnockOut reactions= must be one of {', '.join(KNOCKOUT_REACTIONS)}; got {self.reactions!r}",
                identifier="reactions",
            )
        if self.role is not None and self.reactions != "rules":
            raise FluxasnInputError(
                "KnockOut reactions= applies to gene= knock-outs (a role knock-out closes all its reactions)",
                identifier="reactions",
            )

    def apply(self, model, resolver):
        if self.role is not None:
            reactions = resolver.role_reactions(self.role)
            for reaction in reactions:
                reaction.bounds = (0.0, 0.0)
            return [f"{self.role} knocked out: " + ", ".join(r.id for r in reactions)]
        match = resolver.gene_match(self.gene)  # GeneError (a RoleError) when none or ambiguous
        genes = [model.genes.get_by_id(i) for i in match.genes]
        reactions = sorted({r for g in genes for r in g.reactions}, key=lambda r: r.id)
        for gene in genes:
            gene.knock_out()
        count = _count(len(reactions), "reaction")
        if self.reactions == "all":
            for reaction in reactions:
                reaction.bounds = (0.0, 0.0)
            return [
                f"gene {self.gene} knocked out with reactions='all' (overrides the gene rules): closes all "
                f"{count} whose gene rule names it (" + ", ".join(r.id for r in reactions) + ")"
            ]
        closed = [r for r in reactions if not r.functional]
        kept = _kept_open(resolver, [r for r in reactions if r.functional])
        if not kept:
            return [f"gene {self.gene} knocked out: closes all {count} (" + ", ".join(r.id for r in closed) + ")"]
        if not closed:
            return [f"gene {self.gene} knocked out: closes none of its {count} ({kept}); "
                    "reactions='all' closes them regardless"]
        return [f"gene {self.gene} knocked out: closes {len(closed)} of its {count} ("
                + ", ".join(r.id for r in closed) + f"); keeps {len(reactions) - len(closed)} open ({kept})"]

    def describe(self):
        if self.gene is not None and self.reactions == "all":
            return f"{self.gene} loss (all its reactions, isozymes overridden)"
        return f"{self.role or self.gene} loss"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _supporting_genes(expr, knocked: Set[str]) -> Optional[Set[str]]:
    """Gene ids that keep a gene-rule expression true without ``knocked`` (None: it is false).

    The same recursion as cobra's own rule evaluation: an ``or`` is kept by
    the genes of its true branches, an ``and`` by the genes of all branches.
    """
    if isinstance(expr, ast.Name):
        return None if expr.id in knocked else {expr.id}
    if isinstance(expr, ast.BoolOp):
        parts = [_supporting_genes(value, knocked) for value in expr.values]
        if isinstance(expr.op, ast.Or):
            true = [p for p in parts if p is not None]
            return set().union(*true) if true else None
        return None if any(p is None for p in parts) else set().union(*parts)
    return set()


def _kept_open(resolver: ModelResolver, reactions: List[cobra.Reaction]) -> str:
    """``"R1, R2: kept open by gB, gC; R3: kept open by gD"`` (model gene ids, with the symbol where it differs)."""
    symbols: Dict[str, str] = getattr(resolver, "_symbols", None) or {}  # filled by resolver.genes()
    groups: Dict[Tuple[str, ...], List[str]] = {}
    for reaction in reactions:
        knocked = {g.id for g in reaction.genes if not g.functional}
        supporters = _supporting_genes(reaction.gpr.body, knocked) or set()
        names = []
        for gene_id in sorted(supporters):
            gene = resolver.model.genes.get_by_id(gene_id) if gene_id in resolver.model.genes else None
            symbol = symbols.get(gene_id) or (gene.name if gene is not None else "")
            name = gene_id if not symbol or symbol.upper() == gene_id.upper() else f"{gene_id} ({symbol})"
            if name not in names:
                names.append(name)
        groups.setdefault(tuple(names), []).append(reaction.id)
    return "; ".join(
        ", ".join(ids) + (": kept open by " + ", ".join(names) if names else ": kept open (no gene rule left)")
        for names, ids in groups.items()
    )


@dataclass(frozen=True)
class InhibitETC(Perturbation):
    """Inhibit an electron-transport-chain complex (``"I"`` rotenone/metformin, ``"III"`` antimycin)."""

    complex: str = "I"
    phase = 2

    def __post_init__(self):
        if str(self.complex).upper() not in ("I", "II", "III", "IV", "V"):
            raise FluxasnInputError(
                f"ETC complex must be one of I, II, III, IV, V; got {self.complex!r}", identifier="complex"
            )

    def apply(self, model, resolver):
        role = f"C{str(self.complex).upper()}"
        reactions = resolver.role_reactions(role)
        for reaction in reactions:
            reaction.bounds = (0.0, 0.0)
        return [f"ETC {role} inhibited: " + ", ".join(r.id for r in reactions)]

    def describe(self):
        return f"ETC complex {str(self.complex).upper()} inhibited"


def normoxic_o2_uptake(model: cobra.Model, *, resolver: Optional[ModelResolver] = None) -> float:
    """The O2 uptake (mmol/gDW/h, >= 0) of a parsimonious optimum of ``model`` as it is.

    The normoxic reference of a relative :class:`Hypoxia`: cobra's
    :func:`~cobra.flux_analysis.pfba` on the model's current bounds.

    Parameters
    ----------
    model
        Any cobra model with an O2 exchange.
    resolver
        The model's :class:`~fluxasn.core.resolver.ModelResolver` (default: a new one).

    Returns
    -------
    float
        The O2 uptake; NaN if the model has no optimal solution (infeasible or
        unbounded): a relative hypoxia then closes O2 uptake and says so.

    Raises
    ------
    FluxasnInputError
        The model has no O2 exchange.
    """
    resolver = resolver or ModelResolver(model)
    exchange = resolver.exchange("O2")
    try:
        solution = pfba(model)
    except OptimizationError:
        return float("nan")
    return max(0.0, resolver.uptake_flux(exchange, solution.fluxes[exchange.id]))


@dataclass(frozen=True)
class Hypoxia(Perturbation):
    """Limit O2 uptake: to ``o2_max`` mmol/gDW/h, or to ``fraction`` of a normoxic reference.

    The normoxic reference is ``reference_o2`` (mmol/gDW/h). Inside a scenario,
    :func:`~fluxasn.analysis.scenarios.apply_scenario` sets it to the pFBA O2
    uptake of the model before any of the scenario's perturbations
    (:func:`normoxic_o2_uptake`; :func:`~fluxasn.analysis.scenarios.run_scenarios`
    takes one for the whole matrix), so ``hypoxia`` and ``hypoxia+pyruvate``
    get the same cap. Applied on its own without ``reference_o2``, the
    reference is the pFBA O2 uptake of the model as Hypoxia finds it. A
    reference without an optimal solution (NaN) closes O2 uptake and the note
    says so (the scenario's readouts then record the solver status); it is
    never raised, so a scenario matrix keeps running.
    """

    o2_max: Optional[float] = None
    fraction: float = 0.1
    reference_o2: Optional[float] = None
    #: where ``reference_o2`` comes from, for the note (not part of equality)
    reference_source: str = field(default="given as reference_o2", compare=False, repr=False)
    phase = 3

    def __post_init__(self):
        reference = self.reference_o2
        if reference is not None and not (float(reference) >= 0 or math.isnan(float(reference))):
            raise FluxasnInputError(
                f"reference_o2 must be >= 0 mmol/gDW/h, got {self.reference_o2!r}", identifier="reference_o2"
            )

    @property
    def relative(self) -> bool:
        """True if the cap is a fraction of a normoxic reference still to be computed."""
        return self.o2_max is None and self.reference_o2 is None

    def apply(self, model, resolver):
        exchange = resolver.exchange("O2")
        if self.o2_max is not None:
            limit = float(self.o2_max)
            if limit < 0:
                raise FluxasnInputError(f"o2_max must be >= 0, got {limit}", identifier="o2_max")
            note = f"O2 uptake <= {limit:.4g} mmol/gDW/h ({exchange.id})"
        elif getattr(resolver, "dry_run", False):
            limit = 0.0  # the dry run only checks that O2 has an exchange
            note = f"O2 uptake <= {limit:.4g} mmol/gDW/h ({exchange.id})"
        else:
            if self.reference_o2 is not None:
                normoxic, source = float(self.reference_o2), self.reference_source
            else:
                normoxic, source = normoxic_o2_uptake(model, resolver=resolver), "of the model as hypoxia found it"
            if math.isnan(normoxic):
                limit = 0.0
                note = (f"normoxic reference infeasible: O2 uptake closed ({exchange.id}; "
                        f"the normoxic reference {source} has no optimal pFBA solution)")
            else:
                limit = float(self.fraction) * normoxic
                note = (f"O2 uptake <= {limit:.4g} mmol/gDW/h ({float(self.fraction) * 100:g}% of the normoxic "
                        f"{normoxic:.4g} {source}; {exchange.id})")
        resolver.set_uptake_limit(exchange, min(limit, resolver.uptake_limit(exchange)))
        return [note]

    def describe(self):
        if self.o2_max is not None:
            return f"hypoxia (O2 uptake <= {self.o2_max:g} mmol/gDW/h)"
        return f"hypoxia (O2 uptake <= {self.fraction:.0%} of normoxic)"


@dataclass(frozen=True)
class Supplement(Perturbation):
    """Add a metabolite to the medium at ``mM`` (uptake limit raised by the uptake rule).

    For metabolites most cells cannot take up without a transporter
    (aspartate, glutamate: SLC1A3), the uptake limit changes only if
    ``transporter`` names that transporter and the model has reactions of that
    gene transporting the metabolite; otherwise the supplement is recorded but
    not taken up (Garcia-Bermudez 2018).
    """

    metabolite: str = "pyruvate"
    mM: float = 1.0
    transporter: Optional[str] = None

    def __post_init__(self):
        if not float(self.mM) >= 0:
            raise FluxasnInputError(f"supplement concentration must be >= 0 mM, got {self.mM!r}", identifier=self.metabolite)

    def apply(self, model, resolver):
        exchange = resolver.exchange(self.metabolite)
        notes = []
        needed = TRANSPORTER_LIMITED.get(self.metabolite.lower())
        if self.transporter is not None:
            transport = resolver.gene_reactions(self.transporter, metabolite=self.metabolite)
            if not transport:
                raise RoleError(
                    f"model {model.id!r} has no {self.metabolite} transport reaction of gene {self.transporter!r}"
                )
            for reaction in transport:
                if reaction.upper_bound <= 0 and reaction.lower_bound >= 0:
                    reaction.upper_bound = 1000.0
            notes.append(f"{self.transporter} transports {self.metabolite}: " + ", ".join(r.id for r in transport))
        elif needed is not None:
            return [f"{self.metabolite} supplement not taken up without {needed} (uptake limit unchanged)"]
        added = _uptake_rule().limit(float(self.mM))
        limit = resolver.uptake_limit(exchange) + added
        resolver.set_uptake_limit(exchange, limit)
        notes.append(f"{self.metabolite} {self.mM:g} mM: uptake <= {limit:.4g} mmol/gDW/h ({exchange.id})")
        return notes

    def describe(self):
        text = f"+{self.mM:g} mM {self.metabolite}"
        return text + (f" via {self.transporter}" if self.transporter else "")


@dataclass(frozen=True)
class UncapUptake(Perturbation):
    """Raise a component's uptake limit to ``limit`` mmol/gDW/h (e.g. glucose uncapped)."""

    metabolite: str = "glucose"
    limit: float = 1000.0

    def apply(self, model, resolver):
        exchange = resolver.exchange(self.metabolite)
        resolver.set_uptake_limit(exchange, max(float(self.limit), resolver.uptake_limit(exchange)))
        return [f"{self.metabolite} uptake <= {self.limit:g} mmol/gDW/h ({exchange.id})"]

    def describe(self):
        return f"{self.metabolite} uptake uncapped"


