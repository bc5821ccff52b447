"""Gene and reaction knockout screens (single and pairs) that agree with COBRApy.

* :mod:`~fluxasn.analysis.knockouts.engine`: the deletion engine, its warm LP
  and the exact rules that skip LPs (R1-R5, argued in its docstring);
* :mod:`~fluxasn.analysis.knockouts.screen`: :func:`knockout_screen`, in this
  process or over a process pool;
* :mod:`~fluxasn.analysis.knockouts.result`: :class:`KnockoutResult`.
"""
from fluxasn.analysis.knockouts.engine import METHODS, DeletionEngine, iter_pairs, pair_count
from fluxasn.analysis.knockouts.result import KnockoutResult
from fluxasn.analysis.knockouts.screen import knockout_screen, run_span

__all__ = ["knockout_screen", "KnockoutResult", "DeletionEngine", "METHODS", "pair_count", "iter_pairs", "run_span"]
