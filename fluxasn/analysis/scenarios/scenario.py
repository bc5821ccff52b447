"""Scenarios: named, cited lists of perturbations; the tokens, parsing, listing and applying.

The package docstring (:mod:`fluxasn.analysis.scenarios`) describes what a
scenario is and the token syntax; here are :data:`SCENARIO_TOKENS`,
:func:`parse_scenario`, :func:`apply_scenario` (resolve everything, then
change bounds inside the caller's ``with model:``) and
:func:`apply_scenario_with_rates` (the scenario, then the measured rates it
leaves standing).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Set, Tuple, Union

import cobra
import pandas as pd

from fluxasn.analysis.scenarios.perturbations import (
    Asparaginase,
    Hypoxia,
    InhibitETC,
    IntracellularAsparaginase,
    KnockOut,
    Perturbation,
    RemoveMedium,
    SetMedium,
    Supplement,
    UncapUptake,
    normoxic_o2_uptake,
)
from fluxasn.analysis.rates import constrain_with_measurements
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError

__all__ = [
    "Scenario",
    "SCENARIO_TOKENS",
    "DEFAULT_SCENARIOS",
    "parse_scenario",
    "list_scenarios",
    "apply_scenario",
    "apply_scenario_check",
    "reactions_changed_by",
    "apply_scenario_with_rates",
    "normoxic_reference",
]


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

    @property
    def needs_o2_reference(self) -> bool:
        """True if a relative :class:`Hypoxia` needs a normoxic O2 reference (:func:`normoxic_reference`)."""
        return any(isinstance(p, Hypoxia) and p.relative for p in self.perturbations)

    def apply(self, model: cobra.Model, *, resolver: Optional[ModelResolver] = None,
              reference_o2: Optional[float] = None) -> List[str]:
        """Apply to ``model`` (call inside ``with model:``); return notes (see :func:`apply_scenario`)."""
        return apply_scenario(model, self, resolver=resolver, reference_o2=reference_o2)


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
    "hypoxia": (Hypoxia, ("o2_max", "fraction", "reference_o2")),
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
    reference_o2: Optional[float] = None,
) -> List[str]:
    """Apply a scenario to ``model``; call inside ``with model:``.

    Every role, exchange and transporter is resolved before the first bound
    changes, so a scenario that names something the model lacks raises
    without changing the model.

    Parameters
    ----------
    model
        Any cobra model (usually with a medium, and measured rates, applied).
    scenario
        A :class:`Scenario` or a token string (:func:`parse_scenario`).
    resolver
        The model's :class:`~fluxasn.core.resolver.ModelResolver` (default: a new one).
    reference_o2
        Normoxic O2 uptake (mmol/gDW/h) that a relative hypoxia
        (``Hypoxia(fraction=...)``) takes its fraction of. Default: the pFBA
        O2 uptake of ``model`` before any perturbation of the scenario
        (:func:`normoxic_reference`), so every scenario of a comparison has
        the same reference whatever else it changes; a value given here
        (e.g. one for a whole matrix, :func:`run_scenarios`) stands for that
        and the notes call it the unperturbed model's. NaN: the reference has
        no optimal solution; O2 uptake is closed and the note says so
        (recorded, not raised). Ignored if the scenario has no relative hypoxia.

    Returns
    -------
    list of str
        One note per change made.

    Raises
    ------
    FluxasnInputError
        Unknown scenario token, supplement not in the model, or a negative
        ``reference_o2``.
    RoleError
        A role (reaction, transporter) the scenario needs is missing.
    """
    scenario = parse_scenario(scenario)
    resolver = resolver or ModelResolver(model)
    if reference_o2 is not None and not (float(reference_o2) >= 0 or math.isnan(float(reference_o2))):
        raise FluxasnInputError(f"reference_o2 must be >= 0 mmol/gDW/h, got {reference_o2!r}",
                                identifier="reference_o2")
    # dry run in a nested context: resolves everything, then undoes it
    apply_scenario_check(model, scenario, resolver)
    perturbations = scenario.perturbations
    if scenario.needs_o2_reference:
        # one normoxic reference, taken before any perturbation changes the model
        source = "of the unperturbed model"
        if reference_o2 is None:
            reference_o2 = normoxic_reference(model, resolver=resolver)
        perturbations = tuple(
            replace(p, reference_o2=float(reference_o2), reference_source=source)
            if isinstance(p, Hypoxia) and p.relative else p
            for p in perturbations
        )
    notes: List[str] = []
    for perturbation in sorted(perturbations, key=lambda p: p.phase):
        notes.extend(perturbation.apply(model, resolver))
    return notes


def normoxic_reference(
    model: cobra.Model,
    *,
    measurements=None,
    k: float = 2.0,
    resolver: Optional[ModelResolver] = None,
) -> float:
    """The normoxic O2 uptake of a comparison: what a relative hypoxia takes its fraction of.

    The pFBA O2 uptake (mmol/gDW/h) of ``model`` as it is, before any
    scenario (:func:`~fluxasn.analysis.scenarios.perturbations.normoxic_o2_uptake`);
    with ``measurements``, of the model under the measured rates the way
    :func:`apply_scenario_with_rates` applies them to the unperturbed
    ("control") scenario: growth left out, bounds ``mean +/- k sd``,
    minimally relaxed if infeasible. The model is left unchanged.

    Parameters
    ----------
    model
        Any cobra model with an O2 exchange.
    measurements
        Measured rates (one cell line and condition), or None.
    k
        Width of the measurement bounds in standard deviations.
    resolver
        The model's :class:`~fluxasn.core.resolver.ModelResolver` (default: a new one).

    Returns
    -------
    float
        The O2 uptake; NaN if the model (under the rates) has no optimal solution.
    """
    resolver = resolver or ModelResolver(model)
    if measurements is None:
        return normoxic_o2_uptake(model, resolver=resolver)
    with model:
        leave_out = _always_left_out(model, resolver)
        constrain_with_measurements(model, measurements, k=k, relax=True, leave_out=leave_out)
        return normoxic_o2_uptake(model, resolver=resolver)


def _always_left_out(model: cobra.Model, resolver: ModelResolver) -> Set[str]:
    """Reactions whose measurements no scenario applies: the objective and growth."""
    left_out = {r.id for r in model.reactions if r.objective_coefficient != 0}
    left_out.add(resolver.biomass().id)
    return left_out


def apply_scenario_check(model: cobra.Model, scenario: Scenario, resolver: ModelResolver) -> None:
    """Resolve every role, exchange and transporter of ``scenario`` (changes undone)."""
    resolver.dry_run = True
    try:
        with model:
            for perturbation in sorted(scenario.perturbations, key=lambda p: p.phase):
                perturbation.apply(model, resolver)
    finally:
        resolver.dry_run = False




def reactions_changed_by(model: cobra.Model, scenario: Union[str, Scenario], *,
                         resolver: Optional[ModelResolver] = None,
                         reference_o2: Optional[float] = None) -> Set[str]:
    """Ids of the reactions whose bounds ``scenario`` changes (applied and undone; the model is unchanged)."""
    before = {r.id: r.bounds for r in model.reactions}
    with model:
        apply_scenario(model, scenario, resolver=resolver, reference_o2=reference_o2)
        return {r.id for r in model.reactions if r.bounds != before[r.id]}


def apply_scenario_with_rates(
    model: cobra.Model,
    scenario: Union[str, Scenario],
    measurements,
    *,
    k: float = 2.0,
    resolver: Optional[ModelResolver] = None,
    reference_o2: Optional[float] = None,
):
    """Apply a scenario, then the measured rates it leaves standing (call inside ``with model:``).

    Measured rates describe unperturbed cells. Under a scenario, the measured
    growth and the measured rates of the exchanges the scenario sets are left
    out (they are what the scenario changes or predicts); every other rate
    bounds its reaction to ``mean +/- k sd``, minimally relaxed if the
    scenario makes them infeasible (:func:`fluxasn.analysis.rates.constrain_with_measurements`).

    A relative hypoxia takes its fraction of ``reference_o2``, by default the
    normoxic O2 uptake under the measured rates (:func:`normoxic_reference`
    with ``measurements``), the same for every scenario of a comparison.

    Returns
    -------
    (notes, ConstraintResult)
        The scenario's notes and what the measurements did (its
        :meth:`~fluxasn.analysis.rates.ConstraintResult.provenance` gives the
        lines a report prints).
    """
    scenario = parse_scenario(scenario)
    resolver = resolver or ModelResolver(model)
    if scenario.needs_o2_reference and reference_o2 is None:
        apply_scenario_check(model, scenario, resolver)  # bad input raises before any LP
        reference_o2 = normoxic_reference(model, measurements=measurements, k=k, resolver=resolver)
    touched = reactions_changed_by(model, scenario, resolver=resolver, reference_o2=reference_o2)
    touched |= _always_left_out(model, resolver)
    notes = apply_scenario(model, scenario, resolver=resolver, reference_o2=reference_o2)
    result = constrain_with_measurements(model, measurements, k=k, relax=True, leave_out=touched)
    return notes, result
