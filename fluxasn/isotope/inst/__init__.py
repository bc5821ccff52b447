"""Isotopically non-stationary 13C-MFA (INST-MFA): time-course MIDs with pool sizes.

:mod:`.simulate` integrates the EMU cascade over time with forward
sensitivities; :mod:`.problem` fits fluxes and pool sizes jointly to
time-course MIDs; :mod:`.tables` reads time-course tables; :mod:`.fluxml`
turns non-stationary FluxML configurations into problems.
"""
from fluxasn.isotope.inst.simulate import FLUX_UNITS, POOL_UNITS, INSTSystem
from fluxasn.isotope.inst.problem import INSTProblem, INSTResult, Pool, TimeCourse, fit_inst, profile_inst
from fluxasn.isotope.inst.tables import PoolTable, read_pool_sizes, read_time_course_mids
from fluxasn.isotope.inst.fluxml import X3CFLUX_INITIAL_13C, fluxml_units, inst_problem_from_fluxml
from fluxasn.isotope.inst.folder import TimeCourseInput, is_time_course_folder, read_time_course_folder
from fluxasn.isotope.inst.start import stationary_start, theta_from_fluxes

__all__ = ["INSTSystem", "POOL_UNITS", "FLUX_UNITS", "INSTProblem", "INSTResult", "Pool", "TimeCourse",
           "fit_inst", "profile_inst", "read_time_course_mids", "read_pool_sizes", "PoolTable",
           "inst_problem_from_fluxml", "fluxml_units", "X3CFLUX_INITIAL_13C",
           "TimeCourseInput", "read_time_course_folder", "is_time_course_folder", "stationary_start",
           "theta_from_fluxes"]
