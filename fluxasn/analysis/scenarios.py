"""Composable culture and genetic scenarios for asparagine, aspartate and nucleotide analyses.

A :class:`Scenario` is data: a name, a description, a citation and a list of
*perturbations*. Each perturbation is a small object that changes a model
through the role mapping (never through model identifiers), so the same
scenario runs on the bundled core model, Human-GEM or Recon3D. Apply one with
:func:`apply_scenario` inside ``with model:``; every change is an ordinary
cobra bound assignment and is undone when the block ends.

Scenarios parse from strings, ``"asn_free+asns_ko"``, for the command line:
tokens are the names in :data:`SCENARIO_TOKENS` (see :func:`list_scenarios`),
joined with ``+``; a token may take keyword parameters, e.g.
``"hypoxia(o2_max=0.2)"`` or ``"pyruvate(mM=2)"``.

Units: uptake limits in mmol/gDW/h; concentrations in mM, converted by the
uptake rule of :mod:`fluxasn.core.media` (:class:`~fluxasn.core.media.UptakeRule`,
0.1 mmol/gDW/h per mM by default).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import cobra
import pandas as pd

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
    "Scenario",
    "SCENARIO_TOKENS",
    "DEFAULT_SCENARIOS",
    "parse_scenario",
    "list_scenarios",
    "apply_scenario",
    "READOUTS",
    "default_readouts",
    "ScenarioMatrix",
    "run_scenarios",
    "scenario_table",
]

#: Metabolites that most cells do not take up without a dedicated transporter
#: (Garcia-Bermudez 2018: aspartate needs SLC1A3). A supplement of these
#: without ``transporter=`` leaves the uptake limit unchanged.
TRANSPORTER_LIMITED = {"aspartate": "SLC1A3", "glutamate": "SLC1A3"}


def _uptake_rule():
    from fluxasn.core.media import UptakeRule

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
        from fluxasn.core.media import apply_medium

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
            from cobra.flux_analysis import pfba

            try:
                solution = pfba(model)
                normoxic = max(0.0, resolver.uptake_flux(exchange, solution.fluxes[exchange.id]))
            except Exception:  # infeasible before hypoxia: nothing to scale
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


@dataclass(frozen=True)
class Scenario:
    """A named, cited list of perturbations.

    Attributes
    ----------
    name
        Short name (the CLI token string, e.g. ``"asn_free+asns_ko"``).
    perturbations
        Applied in phase order (medium, medium edits, genetics, relative limits),
        then in the given order.
    description, citation
        What the scenario models and where it comes from.
    """

    name: str
    perturbations: Tuple[Perturbation, ...] = ()
    description: str = ""
    citation: str = ""

    def __add__(self, other: "Scenario") -> "Scenario":
        if self.name == "control":
            return other
        if other.name == "control":
            return self
        return Scenario(
            name=f"{self.name}+{other.name}",
            perturbations=self.perturbations + other.perturbations,
            description="; ".join(d for d in (self.description, other.description) if d),
            citation="; ".join(c for c in dict.fromkeys((self.citation, other.citation)) if c),
        )

    def apply(self, model: cobra.Model, *, resolver: Optional[ModelResolver] = None) -> List[str]:
        """Apply to ``model`` (call inside ``with model:``); return notes."""
        return apply_scenario(model, self, resolver=resolver)


def _token(name, perturbations, description, citation=""):
    return Scenario(name, tuple(perturbations), description, citation)


_SULLIVAN = "Sullivan 2015 Cell 162:552; Birsoy 2015 Cell 162:540"

#: Named scenario tokens (combine with ``+``).
SCENARIO_TOKENS: Dict[str, Scenario] = {
    s.name: s
    for s in [
        _token("control", [], "the model as given (its current medium)"),
        _token("rpmi", [SetMedium("RPMI-1640")], "RPMI-1640 + 10% FBS"),
        _token("dmem", [SetMedium("DMEM (high glucose)")], "DMEM high glucose + 10% FBS (no Asn, no Asp)"),
        _token("hplm", [SetMedium("HPLM")], "human plasma-like medium + 10% FBS", "Cantor 2017 Cell 169:258"),
        _token("asn_free", [RemoveMedium("asparagine")], "no asparagine in the medium"),
        _token("gln_free", [RemoveMedium("glutamine")], "no glutamine in the medium"),
        _token("asparaginase", [Asparaginase()], "L-asparaginase: medium Asn hydrolysed", "Chan 2014 Blood 123:3596"),
        _token(
            "asparaginase_gls", [Asparaginase(glutaminase=True)],
            "L-asparaginase with glutaminase co-activity", "Chan 2014 Blood 123:3596",
        ),
        _token("intracellular_asparaginase", [IntracellularAsparaginase(True)], "ASPG/ASRGL1 active"),
        _token("no_intracellular_asparaginase", [IntracellularAsparaginase(False)], "ASPG/ASRGL1 absent"),
        _token("asns_ko", [KnockOut(role="ASNS")], "ASNS loss", "Krall 2016 Nat Commun 7:11457; Zhang 2014 Mol Cell 56:205"),
        _token("got1_ko", [KnockOut(role="GOT1")], "GOT1 loss", "Birsoy 2015 Cell 162:540"),
        _token("got2_ko", [KnockOut(role="GOT2")], "GOT2 loss"),
        _token("pc_ko", [KnockOut(role="PC")], "pyruvate carboxylase loss"),
        _token("gls_ko", [KnockOut(role="GLS")], "glutaminase loss"),
        _token("etc_i", [InhibitETC("I")], "ETC complex I inhibited (rotenone, metformin)", _SULLIVAN),
        _token("etc_iii", [InhibitETC("III")], "ETC complex III inhibited (antimycin A)", _SULLIVAN),
        _token("hypoxia", [Hypoxia()], "O2 uptake limited to 10% of normoxic", "Garcia-Bermudez 2018 Nat Cell Biol 20:775"),
        _token("glucose_uncapped", [UncapUptake("glucose")], "glucose uptake not limiting"),
        _token("pyruvate", [Supplement("pyruvate", 1.0)], "+1 mM pyruvate (electron acceptor via LDH)", _SULLIVAN),
        _token("akb", [Supplement("2-oxobutanoate", 1.0)], "+1 mM alpha-ketobutyrate (electron acceptor)", "Sullivan 2015 Cell 162:552"),
        _token("uridine", [Supplement("uridine", 0.2)], "+0.2 mM uridine (pyrimidine salvage)"),
        _token("asn", [Supplement("asparagine", 1.0)], "+1 mM asparagine", "Krall 2021 Cell Metab 33:1013"),
        _token("asp", [Supplement("aspartate", 20.0)], "+20 mM aspartate, no transporter (not taken up)", "Garcia-Bermudez 2018 Nat Cell Biol 20:775"),
        _token(
            "asp_slc1a3", [Supplement("aspartate", 20.0, transporter="SLC1A3")],
            "+20 mM aspartate taken up through SLC1A3", "Garcia-Bermudez 2018 Nat Cell Biol 20:775",
        ),
    ]
}

_PERTURBATION_PARAMETERS = {
    "hypoxia": (Hypoxia, ("o2_max", "fraction")),
    "pyruvate": (lambda **k: Supplement("pyruvate", **k), ("mM",)),
    "akb": (lambda **k: Supplement("2-oxobutanoate", **k), ("mM",)),
    "uridine": (lambda **k: Supplement("uridine", **k), ("mM",)),
    "asn": (lambda **k: Supplement("asparagine", **k), ("mM",)),
    "asp": (lambda **k: Supplement("aspartate", **k), ("mM",)),
    "asp_slc1a3": (lambda **k: Supplement("aspartate", transporter="SLC1A3", **k), ("mM",)),
    "asparaginase_gls": (lambda **k: Asparaginase(glutaminase=True, **k), ("glutaminase_fraction",)),
    "glucose_uncapped": (lambda **k: UncapUptake("glucose", **k), ("limit",)),
}

#: The default scenario matrix of ``fluxasn scenarios``.
DEFAULT_SCENARIOS: Tuple[str, ...] = (
    "control",
    "asn_free",
    "asns_ko",
    "asn_free+asns_ko",
    "asparaginase",
    "asparaginase+asns_ko",
    "asparaginase_gls",
    "gln_free",
    "hypoxia",
    "glucose_uncapped+etc_i",
    "glucose_uncapped+etc_i+pyruvate",
    "glucose_uncapped+etc_i+asp_slc1a3",
    "glucose_uncapped+etc_i+asn_free",
    "glucose_uncapped+etc_iii+uridine",
    "glucose_uncapped+etc_iii",
)

_TOKEN_RE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(?:\((.*)\))?\s*$")


def _parse_value(text: str, token: str, key: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise FluxasnInputError(
            f"parameter {key!r} of scenario token {token!r} must be a number, got {text!r}", identifier=token
        ) from None


def _split_tokens(text: str) -> List[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "+" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def parse_scenario(text: Union[str, Scenario]) -> Scenario:
    """A :class:`Scenario` from a string such as ``"asn_free+asns_ko"``.

    Raises
    ------
    FluxasnInputError
        An unknown token (named, with the list of valid ones) or a bad parameter.
    """
    if isinstance(text, Scenario):
        return text
    if not isinstance(text, str) or not text.strip():
        raise FluxasnInputError(
            "a scenario is a non-empty string of tokens joined with '+'; valid tokens: "
            + ", ".join(SCENARIO_TOKENS), identifier=str(text),
        )
    scenario = SCENARIO_TOKENS["control"]
    for raw in _split_tokens(text):
        match = _TOKEN_RE.match(raw)
        name = match.group(1).lower() if match else raw.strip()
        if not match or name not in SCENARIO_TOKENS:
            raise FluxasnInputError(
                f"unknown scenario token {raw.strip()!r} in {text!r}; valid tokens: " + ", ".join(SCENARIO_TOKENS),
                identifier=raw.strip(),
            )
        part = SCENARIO_TOKENS[name]
        if match.group(2) is not None and match.group(2).strip():
            if name not in _PERTURBATION_PARAMETERS:
                raise FluxasnInputError(f"scenario token {name!r} takes no parameters", identifier=raw.strip())
            factory, allowed = _PERTURBATION_PARAMETERS[name]
            kwargs = {}
            for item in match.group(2).split(","):
                if "=" not in item:
                    raise FluxasnInputError(
                        f"parameters are key=value; got {item.strip()!r} in {raw.strip()!r}", identifier=raw.strip()
                    )
                key, value = (s.strip() for s in item.split("=", 1))
                if key not in allowed:
                    raise FluxasnInputError(
                        f"unknown parameter {key!r} of {name!r}; expected one of " + ", ".join(allowed),
                        identifier=raw.strip(),
                    )
                kwargs[key] = _parse_value(value, raw.strip(), key)
            part = Scenario(raw.strip().replace(" ", ""), (factory(**kwargs),), part.description, part.citation)
        scenario = scenario + part
    return Scenario(text.strip().replace(" ", ""), scenario.perturbations, scenario.description, scenario.citation)


def list_scenarios() -> pd.DataFrame:
    """The scenario tokens: name, description, perturbations, citation."""
    rows = [
        (s.name, s.description, "; ".join(p.describe() for p in s.perturbations), s.citation)
        for s in SCENARIO_TOKENS.values()
    ]
    return pd.DataFrame(rows, columns=["name", "description", "perturbations", "citation"])


def apply_scenario(
    model: cobra.Model,
    scenario: Union[str, Scenario],
    *,
    resolver: Optional[ModelResolver] = None,
) -> List[str]:
    """Apply a scenario to ``model``; call inside ``with model:``.

    Every role, exchange and transporter is resolved before the first bound
    changes, so a scenario that names something the model lacks raises
    without changing the model.

    Returns
    -------
    list of str
        One note per change made.

    Raises
    ------
    FluxasnInputError
        Unknown scenario token or supplement not in the model.
    RoleError
        A role (reaction, transporter) the scenario needs is missing.
    """
    scenario = parse_scenario(scenario)
    resolver = resolver or ModelResolver(model)
    ordered = sorted(scenario.perturbations, key=lambda p: p.phase)
    # dry run in a nested context: resolves everything, then undoes it
    apply_scenario_check(model, scenario, resolver)
    notes: List[str] = []
    for perturbation in ordered:
        notes.extend(perturbation.apply(model, resolver))
    return notes


# --- the scenario x readout matrix ---------------------------------------------------

#: Readouts of :func:`run_scenarios`, in column order.
READOUTS: Tuple[str, ...] = (
    "growth",
    "asns_fva",
    "aspartate_sources",
    "nucleotides",
    "shadow_prices",
    "reductive_carboxylation",
    "essential_genes",
    "asns_partners",
)

#: Readouts left out by default on genome-scale models (> 1000 reactions):
#: gene screens over thousands of genes per scenario.
_SCREENS = ("essential_genes", "asns_partners")


def default_readouts(model: cobra.Model) -> Tuple[str, ...]:
    """All readouts for small models; no gene screens on genome-scale ones (> 1000 reactions)."""
    if len(model.reactions) > 1000:
        return tuple(r for r in READOUTS if r not in _SCREENS)
    return READOUTS


def _check_readouts(readouts) -> Tuple[str, ...]:
    readouts = tuple(readouts)
    for name in readouts:
        if name not in READOUTS:
            raise FluxasnInputError(
                f"unknown readout {name!r}; valid readouts: " + ", ".join(READOUTS), identifier=name
            )
    return readouts


def _run_one(model: cobra.Model, scenario: Scenario, readouts: Sequence[str], options: Mapping) -> Tuple[dict, dict]:
    from fluxasn.analysis import readouts as R

    row: Dict[str, object] = {"scenario": scenario.name}
    details: Dict[str, object] = {}
    with model:
        resolver = ModelResolver(model, overrides=options.get("overrides"), roles_=options.get("roles"))
        row["notes"] = " | ".join(apply_scenario(model, scenario, resolver=resolver))
        fraction = options.get("fraction_of_optimum", 1.0)
        if "growth" in readouts:
            g = R.growth(model, resolver=resolver)
            row["growth"], row["status"] = g["growth"], g["status"]
        if "asns_fva" in readouts:
            a = R.asns_range(model, fraction_of_optimum=fraction, resolver=resolver)
            row["asns_minimum"], row["asns_maximum"] = a["minimum"], a["maximum"]
        if "aspartate_sources" in readouts:
            table = R.aspartate_sources(model, fraction_of_optimum=fraction, resolver=resolver)
            details["aspartate_sources"] = table
            for item in table.itertuples(index=False):
                key = "asp" if item.metabolite == "aspartate" else "oaa"
                row[f"{key}_{item.compartment}_{item.source}_share"] = item.share
        if "nucleotides" in readouts:
            n = R.nucleotide_capacity(model, growth_fraction=options.get("growth_fraction", 0.5), resolver=resolver)
            row["purine_capacity"], row["pyrimidine_capacity"] = n["purine_capacity"], n["pyrimidine_capacity"]
        if "shadow_prices" in readouts:
            s = R.shadow_prices(model, resolver=resolver)
            for key, value in s.items():
                if key != "status":
                    row[key] = value
        if "reductive_carboxylation" in readouts:
            row["reductive_carboxylation_minimum"] = _reductive_minimum(model, resolver, fraction, row)
        genes = options.get("genes")
        if "essential_genes" in readouts:
            e = R.essential_genes(model, genes=genes, resolver=resolver)
            details["essential_genes"] = e
            names = sorted(e.loc[e["essential"], "gene"])
            row["n_essential"] = len(names)
            row["essential_genes"] = ";".join(names)
        if "asns_partners" in readouts:
            p = R.asns_partners(model, genes=genes, resolver=resolver)
            details["asns_partners"] = p
            row["asns_partners"] = ";".join(sorted(p.loc[p["partner"].astype(bool), "gene"])) if len(p) else ""
            if p.attrs.get("note"):
                row["notes"] += " | partners: " + p.attrs["note"]
    return row, details


#: The reductive-carboxylation route of the ``reductive_carboxylation`` readout:
#: the NADP-isocitrate dehydrogenases counted in the direction producing isocitrate.
REDUCTIVE_CARBOXYLATION = (("IDH1", "IDH2"), "isocitrate")


def _reductive_minimum(model, resolver, fraction, row) -> float:
    """Least IDH1 + IDH2 flux towards isocitrate at ``fraction`` of maximum growth (NaN, with a
    note, on a model without those reactions)."""
    from fluxasn.analysis import readouts as R

    genes, metabolite = REDUCTIVE_CARBOXYLATION
    try:
        group = R.capacity_group(model, genes, producing=metabolite, resolver=resolver)
    except FluxasnInputError as error:
        row["notes"] += f" | reductive carboxylation not read out: {error}"
        return float("nan")
    return float(R.minimum_capacity(model, group, fraction_of_optimum=fraction, resolver=resolver)["minimum_capacity"])


_WORKER_MODEL = None


def _worker_init(model):
    global _WORKER_MODEL
    _WORKER_MODEL = model


def _worker(args):
    scenario, readouts, options = args
    return _run_one(_WORKER_MODEL, scenario, readouts, options)


@dataclass
class ScenarioMatrix:
    """Scenario x readout results of :func:`run_scenarios`.

    Views: ``str()`` (terminal), ``_repr_html_()`` (notebook), :meth:`to_frame`
    (one row per scenario), :meth:`to_csv` / :meth:`to_json`, :meth:`heatmap`.

    Attributes
    ----------
    frame
        One row per scenario: ``scenario``, ``description``, ``growth``
        (1/h), ``status``, ``asns_minimum``/``asns_maximum`` (mmol/gDW/h),
        ``asp_<compartment>_<source>_share``, ``purine_capacity``,
        ``pyrimidine_capacity`` (mmol/gDW/h), ``shadow_price_<metabolite>``,
        ``reductive_carboxylation_minimum`` (the least IDH1 + IDH2 flux towards
        isocitrate that maximum growth needs, mmol/gDW/h),
        ``n_essential``, ``essential_genes``, ``asns_partners``, ``notes``.
    details
        Scenario -> long tables (``aspartate_sources``, ``essential_genes``,
        ``asns_partners``).
    """

    frame: pd.DataFrame
    details: Dict[str, Dict[str, pd.DataFrame]] = field(default_factory=dict)
    model_id: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_csv(self, path=None, **kwargs):
        """CSV text (``path=None``) or file."""
        return self.frame.to_csv(path, index=False, **kwargs)

    def to_json(self, path=None, **kwargs):
        """JSON records (``path=None``: the text)."""
        return self.frame.to_json(path, orient="records", indent=2, **kwargs)

    def _summary(self) -> pd.DataFrame:
        keep = [c for c in self.frame.columns if c not in ("description", "notes", "essential_genes")]
        return self.frame[keep]

    def __str__(self) -> str:
        title = f"scenario x readout matrix ({self.model_id}, {len(self.frame)} scenarios); fluxes mmol/gDW/h, growth 1/h"
        with pd.option_context("display.width", 250, "display.max_columns", 60):
            return title + "\n" + self._summary().to_string(index=False, float_format=lambda v: f"{v:.4g}")

    def __repr__(self) -> str:
        return f"<ScenarioMatrix {self.model_id}: {len(self.frame)} scenarios x {self.frame.shape[1]} columns>"

    def _repr_html_(self) -> str:
        import html as _html

        title = f"scenario x readout matrix ({_html.escape(self.model_id)})"
        return f"<p><strong>{title}</strong></p>" + self._summary().to_html(index=False, float_format=lambda v: f"{v:.4g}")

    def heatmap(self, columns: Optional[Sequence[str]] = None, ax=None):
        """Heatmap of numeric readouts, each column scaled to its maximum absolute value."""
        import matplotlib.pyplot as plt
        import numpy as np

        numeric = self.frame.set_index("scenario").select_dtypes("number")
        if columns is not None:
            numeric = numeric[list(columns)]
        scale = numeric.abs().max().replace(0, 1.0)
        values = (numeric / scale).to_numpy(dtype=float)
        if ax is None:
            _, ax = plt.subplots(figsize=(0.5 * numeric.shape[1] + 3, 0.35 * numeric.shape[0] + 2))
        image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(numeric.shape[1]), numeric.columns, rotation=90, fontsize=7)
        ax.set_yticks(range(numeric.shape[0]), numeric.index, fontsize=7)
        ax.figure.colorbar(image, ax=ax, label="value / column max |value|")
        return ax

    plot = heatmap


def run_scenarios(
    model: cobra.Model,
    scenarios: Optional[Sequence[Union[str, Scenario]]] = None,
    *,
    readouts: Optional[Sequence[str]] = None,
    processes: Optional[int] = None,
    fraction_of_optimum: float = 1.0,
    growth_fraction: float = 0.5,
    genes: Optional[Sequence[str]] = None,
    overrides: Optional[Mapping[str, object]] = None,
) -> ScenarioMatrix:
    """Run every scenario and readout; the model is left unchanged.

    Parameters
    ----------
    model
        Any cobra model with a medium applied (the core model from
        :func:`fluxasn.load_model` has RPMI-1640 + 10% FBS).
    scenarios
        Scenario strings or :class:`Scenario` objects; default
        :data:`DEFAULT_SCENARIOS`.
    readouts
        Names from :data:`READOUTS`; default :func:`default_readouts`.
    processes
        Worker processes (scenarios are spread over them); default cobra's
        ``Configuration().processes`` (the number of cores). Results do not
        depend on it.
    fraction_of_optimum
        Growth fraction held for the ASNS and aspartate-source FVA and pFBA.
    growth_fraction
        Growth fraction held for the nucleotide capacities.
    genes
        Genes for the essential-gene and ASNS partner screens (default all).
    overrides
        Role overrides (role -> reaction id(s)).

    Returns
    -------
    ScenarioMatrix

    Raises
    ------
    FluxasnInputError
        Unknown scenario token or readout, or a supplement the model has no
        exchange for; raised before any scenario runs. (With the default
        scenarios, one the model cannot express is kept as a row whose
        ``status`` starts with ``not run:`` and names what is missing.)
    RoleError
        A role a scenario needs is missing from the model.
    """
    defaults = scenarios is None
    parsed = [parse_scenario(s) for s in (DEFAULT_SCENARIOS if defaults else scenarios)]
    readouts = _check_readouts(readouts if readouts is not None else default_readouts(model))
    resolver = ModelResolver(model, overrides=overrides)
    # resolve everything first: bad input fails before any LP. Default
    # scenarios the model cannot express (no pyruvate exchange ...) are kept
    # as rows whose status says why, instead of failing the whole matrix.
    resolver.biomass()
    skipped: Dict[str, str] = {}
    for scenario in parsed:
        try:
            apply_scenario_check(model, scenario, resolver)
        except (FluxasnInputError, RoleError) as error:
            if not defaults:
                raise
            skipped[scenario.name] = f"not run: {error}"
    if "asns_fva" in readouts or "asns_partners" in readouts:
        resolver.role_reactions("ASNS")
    options = {
        "fraction_of_optimum": fraction_of_optimum,
        "growth_fraction": growth_fraction,
        "genes": list(genes) if genes is not None else None,
        "overrides": overrides,
        "roles": resolver.roles,
    }
    tasks = [(s, readouts, options) for s in parsed if s.name not in skipped]
    if processes is None:
        processes = int(cobra.Configuration().processes or 1)
    if processes and processes > 1 and len(tasks) > 1:
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        with context.Pool(min(processes, len(tasks)), initializer=_worker_init, initargs=(model,)) as pool:
            results = pool.map(_worker, tasks, chunksize=1)
    else:
        results = [_run_one(model, *task) for task in tasks]
    rows = []
    details = {}
    done = iter(results)
    for scenario in parsed:
        if scenario.name in skipped:
            row, detail = {"scenario": scenario.name, "status": skipped[scenario.name], "notes": ""}, {}
        else:
            row, detail = next(done)
        row["description"] = "; ".join(p.describe() for p in scenario.perturbations) or "as given"
        rows.append(row)
        details[scenario.name] = detail
    frame = pd.DataFrame(rows)
    first = ["scenario", "description", "growth", "status"]
    frame = frame[[c for c in first if c in frame] + [c for c in frame if c not in first and c != "notes"] + ["notes"]]
    return ScenarioMatrix(frame, details, model.id)


def apply_scenario_check(model: cobra.Model, scenario: Scenario, resolver: ModelResolver) -> None:
    """Resolve every role, exchange and transporter of ``scenario`` (changes undone)."""
    resolver.dry_run = True
    try:
        with model:
            for perturbation in sorted(scenario.perturbations, key=lambda p: p.phase):
                perturbation.apply(model, resolver)
    finally:
        resolver.dry_run = False


def scenario_table(model: cobra.Model, **kwargs) -> pd.DataFrame:
    """:func:`run_scenarios` as a DataFrame (what ``fluxasn scenarios`` prints)."""
    return run_scenarios(model, **kwargs).to_frame()
