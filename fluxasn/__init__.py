"""fluxasn: constraint-based and 13C flux analysis of asparagine metabolism in human cells.

The public API is listed in ``__all__``; everything else is internal. Names are
imported when first used (PEP 562), so ``import fluxasn`` loads neither cobra,
pandas nor the solvers until an analysis needs them.

Layers (imports only point down): :mod:`fluxasn.exceptions`, :mod:`fluxasn.config`,
:mod:`fluxasn.progress` -> :mod:`fluxasn.io` (every file format) ->
:mod:`fluxasn.core` (models, media, roles, resolver, measurements as data) and
:mod:`fluxasn.views` -> :mod:`fluxasn.lp` (the one LP layer) ->
:mod:`fluxasn.analysis` and :mod:`fluxasn.isotope` -> :mod:`fluxasn.report` ->
:mod:`fluxasn.cli`.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Dict, List

from fluxasn._version import __version__
from fluxasn.config import config
from fluxasn.exceptions import (  # noqa: F401
    FluxasnError, FluxasnInputError, GeneError, InfeasibleError, ModelLoadError, RoleError,
)

#: Public name -> module that defines it.
_LAZY: Dict[str, str] = {}


def _public(module: str, *names: str) -> None:
    for name in names:
        _LAZY[name] = module


# --- core: models, media, roles, measured rates as data, units
_public("fluxasn.core.model", "load_model")
_public("fluxasn.io.models", "read_model_file", "write_model_file")
_public("fluxasn.core.coremodel", "ASPARAGINASE_REACTIONS", "build_core_model", "export_core_sbml",
        "set_asparaginase")
_public("fluxasn.core.media", "Medium", "MediumResult", "UptakeRule", "apply_medium", "get_medium",
        "list_media", "list_sera")
_public("fluxasn.core.medium_files", "read_medium_file")
_public("fluxasn.core.medium_rules", "medium_options")
_public("fluxasn.core.roles", "ROLES", "Roles", "find_roles", "select_reactions")
_public("fluxasn.core.genes", "GeneIndex", "GeneMatch", "GeneMatches", "resolve_genes")
_public("fluxasn.core.measurements", "Measurements", "load_nci60", "nci60_cell_lines", "read_measurements")
_public("fluxasn.core.units", "convert_rate", "fmol_per_cell_h_to_mmol_per_gdw_h",
        "nmol_per_million_cells_h_to_fmol_per_cell_h")
# --- analysis: measured rates on a model, FVA, knockouts, screens, scenarios, readouts
_public("fluxasn.analysis.rates", "ConstraintResult", "Relaxation", "constrain_with_measurements",
        "minimal_relaxation")
_public("fluxasn.analysis.rate_fit", "FitResult", "fit_measurements")
_public("fluxasn.analysis.prepare", "PreparedModel", "prepare_model")
_public("fluxasn.analysis.fva", "fva")
_public("fluxasn.analysis.knockouts", "KnockoutResult", "knockout_screen")
_public("fluxasn.analysis.screen", "ScreenResult", "read_spec", "run_screen")
_public("fluxasn.analysis.scenarios", "Scenario", "ScenarioMatrix", "apply_scenario", "apply_scenario_with_rates",
        "list_scenarios", "parse_scenario", "run_scenarios")
_public("fluxasn.analysis.readouts", "ElectronVents", "GrowthLimits", "aspartate_sources", "close_free_vents",
        "electron_vents", "growth_envelope", "growth_limits", "nucleotide_capacity")
_public("fluxasn.core.enzymes", "EnzymeCosts", "PoolParameters", "enzyme_costs", "pool_parameters",
        "read_enzyme_table")
_public("fluxasn.analysis.capacity", "EnzymePool", "add_enzyme_capacity", "calibrate_capacity", "enzyme_usage",
        "pool_shadow_price")
_public("fluxasn.analysis.redox", "block_transhydrogenation", "constrain_redox_directions")
# --- isotope: 13C-MFA
_public("fluxasn.isotope", "LabelingNetwork", "MFAProblem", "MFAResult", "Tracer", "add_13c_constraints",
        "fit_13c", "read_c13", "read_fluxml", "read_freeflux", "read_ftbl", "read_inca_csv", "read_mfapy",
        "simulate_mids")
# --- report
_public("fluxasn.report", "FluxReport", "FluxSummary", "make_report", "summarize", "validate_file",
        "write_escher_json")

__all__: List[str] = [
    "__version__",
    "config",
    "FluxasnError",
    "FluxasnInputError",
    "GeneError",
    "InfeasibleError",
    "ModelLoadError",
    "RoleError",
    *_LAZY,
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fluxasn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from fluxasn.analysis.fva import fva  # noqa: F401
    from fluxasn.analysis.knockouts import KnockoutResult, knockout_screen  # noqa: F401
    from fluxasn.analysis.prepare import PreparedModel, prepare_model  # noqa: F401
    from fluxasn.analysis.rate_fit import FitResult, fit_measurements  # noqa: F401
    from fluxasn.analysis.rates import (  # noqa: F401
        ConstraintResult, Relaxation, constrain_with_measurements, minimal_relaxation,
    )
    from fluxasn.analysis.capacity import (  # noqa: F401
        EnzymePool, add_enzyme_capacity, calibrate_capacity, enzyme_usage, pool_shadow_price,
    )
    from fluxasn.analysis.redox import block_transhydrogenation, constrain_redox_directions  # noqa: F401
    from fluxasn.analysis.readouts import (  # noqa: F401
        ElectronVents, GrowthLimits, aspartate_sources, close_free_vents, electron_vents, growth_envelope,
        growth_limits, nucleotide_capacity,
    )
    from fluxasn.core.enzymes import (  # noqa: F401
        EnzymeCosts, PoolParameters, enzyme_costs, pool_parameters, read_enzyme_table,
    )
    from fluxasn.analysis.scenarios import (  # noqa: F401
        Scenario, ScenarioMatrix, apply_scenario, apply_scenario_with_rates, list_scenarios, parse_scenario,
        run_scenarios,
    )
    from fluxasn.analysis.screen import ScreenResult, read_spec, run_screen  # noqa: F401
    from fluxasn.core.coremodel import (  # noqa: F401
        ASPARAGINASE_REACTIONS, build_core_model, export_core_sbml, set_asparaginase,
    )
    from fluxasn.core.measurements import Measurements, load_nci60, nci60_cell_lines, read_measurements  # noqa: F401
    from fluxasn.core.media import (  # noqa: F401
        Medium, MediumResult, UptakeRule, apply_medium, get_medium, list_media, list_sera,
    )
    from fluxasn.core.medium_files import read_medium_file  # noqa: F401
    from fluxasn.core.medium_rules import medium_options  # noqa: F401
    from fluxasn.core.model import load_model  # noqa: F401
    from fluxasn.core.genes import GeneIndex, GeneMatch, GeneMatches, resolve_genes  # noqa: F401
    from fluxasn.core.roles import ROLES, Roles, find_roles, select_reactions  # noqa: F401
    from fluxasn.core.units import (  # noqa: F401
        convert_rate, fmol_per_cell_h_to_mmol_per_gdw_h, nmol_per_million_cells_h_to_fmol_per_cell_h,
    )
    from fluxasn.io.models import read_model_file, write_model_file  # noqa: F401
    from fluxasn.isotope import (  # noqa: F401
        LabelingNetwork, MFAProblem, MFAResult, Tracer, add_13c_constraints, fit_13c, read_c13, read_fluxml,
        read_freeflux, read_ftbl, read_inca_csv, read_mfapy, simulate_mids,
    )
    from fluxasn.report import (  # noqa: F401
        FluxReport, FluxSummary, make_report, summarize, validate_file, write_escher_json,
    )
