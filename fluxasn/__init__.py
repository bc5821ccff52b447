"""fluxasn: constraint-based and 13C flux analysis of asparagine metabolism in human cells.

The public API is listed in ``__all__``; everything else is internal.
"""
from fluxasn.exceptions import (
    FluxasnError,
    FluxasnInputError,
    InfeasibleError,
    ModelLoadError,
    RoleError,
)
from fluxasn.core.model import load_model
from fluxasn.io.models import read_model_file
from fluxasn.core.coremodel import (
    ASPARAGINASE_REACTIONS,
    build_core_model,
    export_core_sbml,
    set_asparaginase,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "FluxasnError",
    "FluxasnInputError",
    "InfeasibleError",
    "ModelLoadError",
    "RoleError",
    "load_model",
    "read_model_file",
    "ASPARAGINASE_REACTIONS",
    "build_core_model",
    "export_core_sbml",
    "set_asparaginase",
]

# Each subpackage adds its public names below, in its own block, so that
# parallel work never edits the same lines.

# --- core: media, roles, measurements ---------------------------------------
from fluxasn.core.media import (  # noqa: E402
    Medium,
    MediumResult,
    UptakeRule,
    apply_medium,
    get_medium,
    list_media,
    list_sera,
)

from fluxasn.core.roles import ROLES, Roles, find_roles  # noqa: E402

__all__ += ["Medium", "MediumResult", "UptakeRule", "apply_medium", "get_medium", "list_media", "list_sera"]
from fluxasn.core.measurements import Measurements, load_nci60, nci60_cell_lines, read_measurements  # noqa: E402
from fluxasn.analysis.rates import (  # noqa: E402
    ConstraintResult,
    FitResult,
    Relaxation,
    constrain_with_measurements,
    fit_measurements,
    minimal_relaxation,
)
from fluxasn.core.units import (  # noqa: E402
    convert_rate,
    fmol_per_cell_h_to_mmol_per_gdw_h,
    nmol_per_million_cells_h_to_fmol_per_cell_h,
)

__all__ += ["ROLES", "Roles", "find_roles"]
__all__ += [
    "ConstraintResult",
    "FitResult",
    "Measurements",
    "Relaxation",
    "constrain_with_measurements",
    "fit_measurements",
    "load_nci60",
    "minimal_relaxation",
    "nci60_cell_lines",
    "read_measurements",
    "convert_rate",
    "fmol_per_cell_h_to_mmol_per_gdw_h",
    "nmol_per_million_cells_h_to_fmol_per_cell_h",
]

# --- analysis: FBA/FVA, knockouts, screens ----------------------------------
from fluxasn.analysis.fva import fva  # noqa: E402
from fluxasn.analysis.knockouts import KnockoutResult, knockout_screen  # noqa: E402
from fluxasn.analysis.screen import ScreenResult, read_spec, run_screen  # noqa: E402

__all__ += ["fva", "knockout_screen", "KnockoutResult", "run_screen", "read_spec", "ScreenResult"]

# --- analysis: asparagine scenarios -----------------------------------------
from fluxasn.analysis.scenarios import (  # noqa: E402
    Scenario,
    ScenarioMatrix,
    apply_scenario,
    apply_scenario_with_rates,
    list_scenarios,
    parse_scenario,
    run_scenarios,
)
from fluxasn.analysis.readouts import (  # noqa: E402
    aspartate_sources,
    growth_envelope,
    nucleotide_capacity,
)

__all__ += [
    "Scenario",
    "ScenarioMatrix",
    "apply_scenario",
    "apply_scenario_with_rates",
    "list_scenarios",
    "parse_scenario",
    "run_scenarios",
    "aspartate_sources",
    "growth_envelope",
    "nucleotide_capacity",
]

# --- isotope: 13C MFA --------------------------------------------------------
from fluxasn.isotope import (  # noqa: E402
    LabelingNetwork,
    MFAProblem,
    MFAResult,
    Tracer,
    add_13c_constraints,
    fit_13c,
    read_fluxml,
    read_freeflux,
    read_inca_csv,
    read_mfapy,
    simulate_mids,
)

__all__ += [
    "LabelingNetwork",
    "MFAProblem",
    "MFAResult",
    "Tracer",
    "add_13c_constraints",
    "fit_13c",
    "read_fluxml",
    "read_freeflux",
    "read_inca_csv",
    "read_mfapy",
    "simulate_mids",
]

# --- report ------------------------------------------------------------------
from fluxasn.report import (  # noqa: E402
    FluxReport,
    FluxSummary,
    make_report,
    summarize,
    validate_file,
    write_escher_json,
)

__all__ += [
    "FluxReport",
    "FluxSummary",
    "make_report",
    "summarize",
    "validate_file",
    "write_escher_json",
]
