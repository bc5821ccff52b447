"""Composable culture and genetic scenarios for asparagine, aspartate and nucleotide analyses.

A :class:`Scenario` is data: a name, a description, a citation and a list of
*perturbations* (:mod:`~fluxasn.analysis.scenarios.perturbations`). Each
perturbation changes a model through the role mapping (never through model
identifiers), so the same scenario runs on the bundled core model, Human-GEM
or Recon3D. Apply one with :func:`apply_scenario` inside ``with model:``;
every change is an ordinary cobra bound assignment and is undone when the
block ends. :func:`apply_scenario_with_rates` also applies measured rates the
way a scenario allows (what the scenario sets is left out), and
:func:`run_scenarios` gives the scenario x readout matrix.

Scenarios parse from strings, ``"asn_free+asns_ko"``, for the command line:
tokens are the names in :data:`SCENARIO_TOKENS` (see :func:`list_scenarios`),
joined with ``+``; a token may take keyword parameters, e.g.
``"hypoxia(o2_max=0.2)"`` or ``"pyruvate(mM=2)"``.

Units: uptake limits in mmol/gDW/h; concentrations in mM, converted by the
uptake rule of :mod:`fluxasn.core.media` (:class:`~fluxasn.core.media.UptakeRule`,
0.1 mmol/gDW/h per mM by default).
"""
from fluxasn.analysis.scenarios.matrix import (
    MEASUREMENT_COLUMNS,
    READOUTS,
    REDUCTIVE_CARBOXYLATION,
    ScenarioMatrix,
    default_readouts,
    run_scenarios,
    scenario_table,
)
from fluxasn.analysis.scenarios.perturbations import (
    TRANSPORTER_LIMITED,
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
)
from fluxasn.analysis.scenarios.scenario import (
    DEFAULT_SCENARIOS,
    SCENARIO_TOKENS,
    Scenario,
    apply_scenario,
    apply_scenario_check,
    apply_scenario_with_rates,
    list_scenarios,
    parse_scenario,
    reactions_changed_by,
)

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
    "Scenario",
    "SCENARIO_TOKENS",
    "DEFAULT_SCENARIOS",
    "parse_scenario",
    "list_scenarios",
    "apply_scenario",
    "apply_scenario_check",
    "apply_scenario_with_rates",
    "reactions_changed_by",
    "READOUTS",
    "MEASUREMENT_COLUMNS",
    "REDUCTIVE_CARBOXYLATION",
    "default_readouts",
    "ScenarioMatrix",
    "run_scenarios",
    "scenario_table",
]
