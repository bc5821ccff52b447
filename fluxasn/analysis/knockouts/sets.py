"""The knocked-out sets and the single-deletion table of the deletion engine.

:func:`coupling_closure` gives rule R1's closure of a knocked-out set under
full coupling; :class:`SingleTable` holds single deletions as pair screens use
them (see :mod:`fluxasn.analysis.knockouts.engine` for the rules).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple

import numpy as np

from fluxasn.lp.compress import coupled_groups

__all__ = ["FluxRows", "SingleTable", "coupling_closure"]


class FluxRows:
    """Rows of fluxes by single deletion, each distinct vector stored once.

    Most singles are answered by the reference optimum or a witness, so their
    rows are the same few vectors: on Human-GEM + RPMI-1640 (2,887 genes, 9,860
    watched reactions) a dense table took 242 MB per process, these rows 31 MB
    (118 distinct vectors).
    """

    def __init__(self, rows: np.ndarray, index: np.ndarray) -> None:
        self.rows = rows
        self.index = index

    def has(self, k: int) -> bool:
        """Whether single deletion ``k`` has a flux row."""
        return bool(self.index[k] >= 0)

    def __getitem__(self, k: int) -> np.ndarray:
        if self.index[k] < 0:
            raise KeyError(f"single deletion {k} has no flux row")
        return self.rows[self.index[k]]


@dataclass
class SingleTable:
    """Single deletions as pair screens use them."""

    ids: List[str]
    sets: List[FrozenSet[int]]
    growth: np.ndarray
    status: List[str]
    #: Fluxes of the watched reactions (``pos``) in each single's optimum, ``flux[k]``
    #: (``flux.has(k)``: whether there is one).
    flux: FluxRows
    pos: Dict[int, int]
    cache: Dict[FrozenSet[int], Tuple[float, str]] = field(default_factory=dict)
    pool: List[np.ndarray] = field(default_factory=list)
    witnesses: List[np.ndarray] = field(default_factory=list)
    #: Optimal basis of each single-deletion LP that was solved, by knocked set.
    bases: Dict[FrozenSet[int], object] = field(default_factory=dict)
    #: Reactions a pair knocks out beyond its singles' sets, by position pair
    #: (:func:`~fluxasn.analysis.knockouts.pairs.cut_pairs`); None: evaluate GPRs per pair.
    extra: Optional[Dict[Tuple[int, int], FrozenSet[int]]] = None
    #: Answers of pair sets, kept across chunks (see :mod:`.pairs`).
    solved: Dict[FrozenSet[int], Tuple[float, str]] = field(default_factory=dict)


def coupling_closure(lp, n_reactions: int, zero_ok: np.ndarray) -> Dict[int, Tuple[int, ...]]:
    """Reaction -> its group of fully coupled reactions, for rule R1's closure.

    Groups from :func:`fluxasn.lp.compress.coupled_groups` (the LP's
    homogeneous equality rows alone, no bound used) whose members are all
    reactions with 0 within their bounds: knocking out any member then forces
    the others to 0 inside their bounds, so a knocked set and its closure give
    the same LP.
    """
    out: Dict[int, Tuple[int, ...]] = {}
    for group in coupled_groups(lp.n_cols, lp.matrix, lp.row_bounds):
        if group[-1] < n_reactions and all(zero_ok[j] for j in group):
            for j in group:
                out[j] = group
    return out
