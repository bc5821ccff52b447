"""Solver helpers shared by the core and analysis layers."""
from __future__ import annotations

import os
import sys

__all__ = ["new_highs"]

_BANNER_SHOWN = False


def new_highs():
    """A HiGHS instance whose first construction does not print HiGHS's banner.

    highspy writes a banner to file descriptor 1 when the first ``Highs()`` of a
    process is built; it would mix with a script's (or the CLI's --json/--csv)
    standard output. The first construction runs with fd 1 pointed at
    ``/dev/null``; later ones print nothing anyway.
    """
    import highspy

    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return _one_thread(highspy.Highs())
    _BANNER_SHOWN = True
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        return _one_thread(highspy.Highs())
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return _one_thread(highspy.Highs())
    finally:
        os.dup2(saved, 1)
        os.close(saved)


#: HiGHS threads per instance. HiGHS keeps one scheduler per process, sized by
#: the first run; a later instance asking for another size fails to run (model
#: status "Not Set"). optlang's "hybrid" interface (cobra's HiGHS + OSQP, used
#: for MOMA) asks for 1, so fluxasn's instances do too: with HiGHS' default
#: (0, automatic) a fluxasn LP followed by cobra's pFBA on "hybrid" in the same
#: process was aborted. Parallel work in fluxasn is across processes anyway.
HIGHS_THREADS = 1


def _one_thread(h):
    h.setOptionValue("threads", HIGHS_THREADS)
    return h
