"""One status map: GLPK and HiGHS answers as the status names cobra and optlang use.

Every LP, MILP and QP of fluxasn reports one of these names; a screen or a
readout records it in its result instead of raising.
"""
from __future__ import annotations

__all__ = [
    "OPTIMAL",
    "INFEASIBLE",
    "UNBOUNDED",
    "INFEASIBLE_OR_UNBOUNDED",
    "FEASIBLE",
    "TIME_LIMIT",
    "ITERATION_LIMIT",
    "UNDEFINED",
    "glpk_status",
    "highs_status",
]

OPTIMAL = "optimal"
INFEASIBLE = "infeasible"
UNBOUNDED = "unbounded"
#: Only a solve that could not tell the two apart says this; fluxasn's solvers
#: settle it with a phase-1 solve (no objective) before they report.
INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
FEASIBLE = "feasible"
TIME_LIMIT = "time_limit"
ITERATION_LIMIT = "iteration_limit"
UNDEFINED = "undefined"


def glpk_status(code: int) -> str:
    """The name of a GLPK solution status (``glp_get_status``)."""
    import swiglpk as glp

    return {
        glp.GLP_OPT: OPTIMAL,
        glp.GLP_FEAS: FEASIBLE,
        glp.GLP_INFEAS: INFEASIBLE,
        glp.GLP_NOFEAS: INFEASIBLE,
        glp.GLP_UNBND: UNBOUNDED,
        glp.GLP_UNDEF: UNDEFINED,
    }.get(code, UNDEFINED)


def highs_status(model_status) -> str:
    """The name of a HiGHS model status (``Highs.getModelStatus()``)."""
    import highspy

    M = highspy.HighsModelStatus
    return {
        M.kOptimal: OPTIMAL,
        M.kInfeasible: INFEASIBLE,
        M.kUnbounded: UNBOUNDED,
        M.kUnboundedOrInfeasible: INFEASIBLE_OR_UNBOUNDED,
        M.kTimeLimit: TIME_LIMIT,
        M.kIterationLimit: ITERATION_LIMIT,
    }.get(model_status, UNDEFINED)
