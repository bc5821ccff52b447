"""Gene and reaction knockout screens (single and pairs) that agree with COBRApy.

* :mod:`~fluxasn.analysis.knockouts.engine`: the deletion engine, its warm LP
  and the exact rules that skip LPs (R1-R5, argued in its docstring);
* :mod:`~fluxasn.analysis.knockouts.screen`: :func:`knockout_screen`, in this
  process or over a process pool;
* :mod:`~fluxasn.analysis.knockouts.result`: :class:`KnockoutResult`.
"""

from fluxasn.analysis.knockouts import engine as _engine
from fluxasn.analysis.knockouts import result as _result
from fluxasn.analysis.knockouts import screen as _screen
from fluxasn.analysis.knockouts.engine import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.knockouts.result import *  # noqa: F401,F403 (the names of its __all__)
from fluxasn.analysis.knockouts.screen import *  # noqa: F401,F403 (the names of its __all__)

__all__ = [*_engine.__all__, *_result.__all__, *_screen.__all__]
