"""Named tolerances and the one configuration object (processes, solver policy).

Tolerances
----------
Each number below is defined here once; modules name the role it plays (for
example ``AT_BOUND = ZERO`` in FVA) instead of writing the number again.

:data:`ZERO`
    Solver noise: a flux, bound move or growth change smaller than this is
    exactly zero (far inside the solvers' feasibility tolerance of 1e-7).
:data:`FEASIBILITY`
    Primal feasibility in model units: a point reused as a feasible solution
    must meet every bound and constraint within this (cobra's default
    tolerance, and GLPK's and HiGHS' as fluxasn sets them).
:data:`NO_GROWTH`
    Growth below this (1/h) is no growth (a lethal knockout, a scenario that
    stops growth).

Configuration
-------------
:data:`config` holds the defaults that functions read when an argument is
left at ``None``: ``processes`` (worker processes; default cobra's
``Configuration().processes``, i.e. the number of cores) and ``solver`` (the
backend of fluxasn's warm LPs; default each analysis's own measured choice). Change them for a session::

    import fluxasn
    fluxasn.config.processes = 1
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

__all__ = ["ZERO", "FEASIBILITY", "NO_GROWTH", "Configuration", "config"]

#: Smaller than this is solver noise, i.e. zero.
ZERO = 1e-9
#: Feasibility in model units for a reused point (cobra's default tolerance).
FEASIBILITY = 1e-7
#: Growth (1/h) below this counts as no growth.
NO_GROWTH = 1e-6

_SOLVERS = ("auto", "glpk", "highs")


@dataclass
class Configuration:
    """Session defaults for parallel work and the LP solver.

    Attributes
    ----------
    processes
        Worker processes for screens, FVA, scenario matrices and 13C starts;
        ``None``: cobra's ``Configuration().processes`` (the number of cores).
        ``1`` runs everything in the calling process.
    solver
        ``None`` (each analysis uses the backend measured best for it: FVA
        GLPK, knockout screens HiGHS from 5,000 reactions on), or ``"auto"``,
        ``"glpk"`` or ``"highs"`` for every warm LP of FVA and knockout
        screens. fluxasn's own LPs never use ``model.solver``; readouts that
        hold growth at a fraction of its maximum always use GLPK (its warm
        primal simplex after objective changes was measured faster there).
    """

    processes: Optional[int] = None
    solver: Optional[str] = None

    def __setattr__(self, name, value):
        if name == "solver" and value is not None and value not in _SOLVERS:
            from fluxasn.exceptions import FluxasnInputError

            raise FluxasnInputError(f"solver must be one of {', '.join(_SOLVERS)}, got {value!r}",
                                    identifier="solver")
        if name == "processes" and value is not None and (not isinstance(value, int) or value < 1):
            from fluxasn.exceptions import FluxasnInputError

            raise FluxasnInputError(f"processes must be an integer >= 1 or None, got {value!r}",
                                    identifier="processes")
        super().__setattr__(name, value)


#: The session's configuration.
config = Configuration()
