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

from dataclasses import dataclass
from typing import List, Optional

import cobra
from cobra.exceptions import OptimizationError
from cobra.flux_analysis import pfba

from fluxasn.core.media import UptakeRule, apply_medium
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, RoleError

__all__ = [
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

    Asparagine uptake is closed. The aspartate made outside the cell is not
    taken up by cells without an aspartate transporter, so the aspartate
    uptake limit is left as it is. With ``glutaminase=True`` the enzyme's
    glutaminase co-activity also removes ``glutaminase_fraction`` of the
    medium glutamine (its uptake limit is scaled by ``1 - fraction``).

    This is extracellular hydrolysis; intracellular ASPG/ASRGL1 activity is
    :class:`IntracellularAsparaginase`.
    """

    glutaminase: bool = False
    glutaminase_fraction: float = 1.0

    def __post_init__(self):
        if not 0.0 <= float(self.glutaminase_fraction) <= 1.0:
            raise FluxasnInputError(
                f"glutaminase_fraction must be between 0 and 1, got {self.glutaminase_fraction!r}",
                identifier="glutaminase_fraction",
            )

    def apply(self, model, resolver):
        asn = resolver.exchange("asparagine")
        resolver.set_uptake_limit(asn, 0.0)
        notes = [f"asparagine uptake closed ({asn.id}): hydrolysed in the medium"]
        if self.glutaminase:
            gln = resolver.exchange("glutamine")
            limit = resolver.uptake_limit(gln) * (1.0 - float(self.glutaminase_fraction))
            resolver.set_uptake_limit(gln, limit)
            notes.append(f"glutamine uptake limit x {1 - self.glutaminase_fraction:g} ({gln.id})")
        return notes

    def describe(self):
        text = "L-asparaginase (medium Asn -> Asp + NH3)"
        if self.glutaminase:
            text += f" with glutaminase co-activity ({self.glutaminase_fraction:.0%} of Gln)"
        return text


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


@dataclass(frozen=True)
class KnockOut(Perturbation):
    """Knock out the reactions of a role (e.g. ``"ASNS"``, ``"GOT1"``) or a gene symbol.

    A role knock-out closes the role's reactions; a gene knock-out
    (``gene="SLC1A3"``) uses cobra's gene-protein-reaction rules.
    """

    role: Optional[str] = None
    gene: Optional[str] = None
    phase = 2

    def __post_init__(self):
        if (self.role is None) == (self.gene is None):
            raise FluxasnInputError("KnockOut takes exactly one of role= or gene=", identifier="KnockOut")

    def apply(self, model, resolver):
        if self.role is not None:
            reactions = resolver.role_reactions(self.role)
            for reaction in reactions:
                reaction.bounds = (0.0, 0.0)
            return [f"{self.role} knocked out: " + ", ".join(r.id for r in reactions)]
        genes = resolver.genes(self.gene)
        if not genes:
            raise RoleError(f"model {model.id!r} has no gene {self.gene!r}")
        for gene in genes:
            gene.knock_out()
        return [f"gene {self.gene} knocked out"]

    def describe(self):
        return f"{self.role or self.gene} loss"


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


@dataclass(frozen=True)
class Hypoxia(Perturbation):
    """Limit O2 uptake: to ``o2_max`` mmol/gDW/h, or to ``fraction`` of the O2
    uptake of a parsimonious optimum under the other perturbations."""

    o2_max: Optional[float] = None
    fraction: float = 0.1
    phase = 3

    def apply(self, model, resolver):
        exchange = resolver.exchange("O2")
        if self.o2_max is not None:
            limit = float(self.o2_max)
            if limit < 0:
                raise FluxasnInputError(f"o2_max must be >= 0, got {limit}", identifier="o2_max")
        elif getattr(resolver, "dry_run", False):
            limit = 0.0  # the dry run only checks that O2 has an exchange
        else:
            try:
                solution = pfba(model)
                normoxic = max(0.0, resolver.uptake_flux(exchange, solution.fluxes[exchange.id]))
            except OptimizationError:  # infeasible before hypoxia: nothing to scale
                normoxic = 0.0
            limit = float(self.fraction) * normoxic
        resolver.set_uptake_limit(exchange, min(limit, resolver.uptake_limit(exchange)))
        return [f"O2 uptake <= {limit:.4g} mmol/gDW/h ({exchange.id})"]

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


