"""Elementary Metabolite Unit (EMU) decomposition and steady-state MID simulation.

The symbolic work is done once per network (:class:`EMUSystem`): the EMUs
needed for the measured fragments are found by walking the atom transitions
backwards, grouped by size, ordered block-triangularly (strongly connected
components of the same-size EMU graph in topological order, networkx), and
compiled into sparse index arrays. Each simulation then only fills values,
factorises one sparse (or small dense) matrix per EMU size and solves

.. math:: A_n(v) X_n = B_n(v) Y_n(X_1, ..., X_{n-1}, \\text{inputs})

where :math:`Y_n` holds the MIDs of labelled inputs and the convolutions of
smaller EMUs. The sensitivities (analytic Jacobian) follow from
:math:`A_n \\, \\partial X_n = \\partial B_n Y_n + B_n \\partial Y_n - \\partial A_n X_n`,
reusing the factorisation. The MIDs alone (no sensitivities) take the fused
path of :mod:`fluxasn.isotope.emu_solve` (one value buffer and one padded
MID array for all levels), which gives the same MIDs in fewer array
operations.

References
----------
Antoniewicz MR, Kelleher JK, Stephanopoulos G (2007). Elementary metabolite
units (EMU): a novel framework for modeling isotopic distributions.
Metab Eng 9:68-86.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import networkx as nx
import numpy as np
import scipy.sparse as sp

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.atommap import AtomTransition
from fluxasn.isotope.emu_solve import EPS, FusedLevels, conv_matrix, sparse_lu

__all__ = ["EMU", "parse_emu", "emu_name", "EMUSystem"]

#: An EMU: (metabolite, sorted 0-based atom positions).
EMU = Tuple[str, Tuple[int, ...]]

_DENSE_LIMIT = 48
_EPS = EPS


def emu_name(emu: EMU) -> str:
    """``("Glu", (0, 1, 2))`` -> ``"Glu_123"`` (``":"``-separated above 9 atoms)."""
    met, pos = emu
    if max(pos) < 9:
        return f"{met}_{''.join(str(p + 1) for p in pos)}"
    return f"{met}_{':'.join(str(p + 1) for p in pos)}"


def parse_emu(text, *, carbons: Optional[Mapping[str, int]] = None) -> EMU:
    """Read an EMU: ``"Glu_12345"``, ``"Glu_1:2:3"`` or ``("Glu", [1, 2, 3])`` (1-based)."""
    if isinstance(text, tuple) and len(text) == 2 and not isinstance(text[1], str):
        met, pos = text[0], [int(p) for p in text[1]]
    else:
        m = re.match(r"^(.+)_([0-9:]+)$", str(text))
        if not m:
            raise FluxasnInputError(
                f"cannot read EMU {text!r}; expected METABOLITE_positions, e.g. 'Glu_12345' or "
                "'Glu_1:2:3'",
                identifier=str(text),
            )
        met, digits = m.group(1), m.group(2)
        pos = [int(p) for p in digits.split(":")] if ":" in digits else [int(c) for c in digits]
    if not pos or min(pos) < 1 or len(set(pos)) != len(pos):
        raise FluxasnInputError(
            f"EMU {text!r} needs distinct 1-based atom positions", identifier=str(text)
        )
    if carbons is not None:
        if met not in carbons:
            raise FluxasnInputError(
                f"EMU {text!r} names metabolite {met!r}, which no atom transition carries",
                identifier=met,
            )
        if max(pos) > carbons[met]:
            raise FluxasnInputError(
                f"EMU {text!r} asks for atom {max(pos)} but {met} has {carbons[met]} traced atoms",
                identifier=str(text),
            )
    return met, tuple(sorted(p - 1 for p in pos))


@dataclass
class _Group:
    """Y items of one size that share a size signature (convolution of k EMUs)."""

    items: np.ndarray  # indices into Y
    refs: List[Tuple[int, np.ndarray]]  # (size, rows) per factor


class _Level:
    """Compiled system of one EMU size."""

    def __init__(self, size, unknown, n_src, a_entries, b_entries, groups, n_y):
        self.size = size
        self.k = len(unknown)
        self.unknown = unknown
        self.n_src = n_src
        self.n_y = n_y
        self.groups = groups
        ar, ac, ai, aw = (np.asarray(x) for x in zip(*a_entries)) if a_entries else ([],) * 4
        self.ar = np.asarray(ar, dtype=np.int64)
        self.ac = np.asarray(ac, dtype=np.int64)
        self.ai = np.asarray(ai, dtype=np.int64)
        self.aw = np.asarray(aw, dtype=float)
        br, bc, bi, bw = (np.asarray(x) for x in zip(*b_entries)) if b_entries else ([],) * 4
        self.br = np.asarray(br, dtype=np.int64)
        self.bc = np.asarray(bc, dtype=np.int64)
        self.bi = np.asarray(bi, dtype=np.int64)
        self.bw = np.asarray(bw, dtype=float)
        k = self.k
        self.dense = k <= _DENSE_LIMIT
        # A pattern (CSC order: column-major linear index)
        lin = self.ac * k + self.ar
        ulin, self.a_pos = np.unique(lin, return_inverse=True)
        self.a_nnz = len(ulin)
        self.a_rows = (ulin % k).astype(np.int32)
        cols = ulin // k
        self.a_indptr = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=k))]).astype(np.int32)
        self.a_lin_dense = self.ar * k + self.ac
        self.flat_diag = np.arange(k) * (k + 1)
        self.a_diag = np.flatnonzero(self.a_rows == cols)
        # B pattern (CSR: k x n_y)
        lin = self.br * max(n_y, 1) + self.bc
        ulin, self.b_pos = np.unique(lin, return_inverse=True)
        self.b_nnz = len(ulin)
        self.b_cols = (ulin % max(n_y, 1)).astype(np.int32)
        rows = ulin // max(n_y, 1)
        self.b_indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=k))]).astype(np.int32)
        # row-summation matrices for sensitivities
        self.sum_b = sp.csr_matrix((np.ones(len(self.br)), (self.br, np.arange(len(self.br)))), shape=(k, len(self.br)))
        if k * len(self.br) <= 40000:  # small: dense BLAS beats sparse overhead
            self.sum_b = self.sum_b.toarray()
        self.eps_rhs = np.zeros((k, size + 1))
        self.eps_rhs[:, 0] = _EPS
        # sensitivities: diagonal entries aggregated per (row, flux), off-diagonal kept apart
        diag = self.ar == self.ac
        self.d_r, self.d_i, self.d_w = self.ar[diag], self.ai[diag], self.aw[diag]
        self.o_r, self.o_c, self.o_i, self.o_w = self.ar[~diag], self.ac[~diag], self.ai[~diag], self.aw[~diag]
        self.sum_o = sp.csr_matrix((np.ones(len(self.o_r)), (self.o_r, np.arange(len(self.o_r)))),
                                   shape=(k, len(self.o_r)))
        if k * len(self.o_r) <= 40000:
            self.sum_o = self.sum_o.toarray()
        self._pdiag = None
        self._a_sparse = None
        self._dir = None

    def production(self, n_fluxes: int):
        """(k x n_fluxes) matrix of production weights: diagonal of A = production @ v."""
        if self._pdiag is None or self._pdiag.shape[1] != n_fluxes:
            pd_ = sp.csr_matrix((self.d_w, (self.d_r, self.d_i)), shape=(self.k, n_fluxes))
            self._pdiag = pd_.toarray() if self.k * n_fluxes <= 40000 else pd_
        return self._pdiag

    def directional(self, dv: np.ndarray):
        """``(dA, dB)`` along the columns of ``dv`` as ``(k p) x k`` and ``(k p) x n_y`` matrices
        (row ``i p + j``: row ``i`` along column ``j``); kept for the last ``dv`` given."""
        if self._dir is not None and self._dir[0] is dv:
            return self._dir[1]
        p = dv.shape[1]
        out = []
        for r, c, w, i, ncol in ((self.ar, self.ac, self.aw, self.ai, self.k),
                                 (self.br, self.bc, self.bw, self.bi, self.n_y)):
            rows = (r[:, None] * p + np.arange(p)).ravel()
            m = sp.csr_matrix(((w[:, None] * dv[i]).ravel(), (rows, np.repeat(c, p))), shape=(self.k * p, ncol))
            out.append(m.toarray() if self.k * p * ncol <= 20000 else m)
        self._dir = (dv, tuple(out))
        return self._dir[1]

    def matrices(self, v):
        k = self.k
        aval = self.aw * v[self.ai]
        bval = self.bw * v[self.bi]
        if self.dense:
            flat = np.bincount(self.a_lin_dense, weights=aval, minlength=k * k)
            flat[self.flat_diag] += _EPS
            a = flat.reshape(k, k)
        else:
            data = np.bincount(self.a_pos, weights=aval, minlength=self.a_nnz)
            data[self.a_diag] += _EPS
            if self._a_sparse is None:  # the pattern is fixed: build once, refill the values
                self._a_sparse = sp.csc_matrix((data, self.a_rows, self.a_indptr), shape=(k, k))
                self._a_sparse.has_sorted_indices = True
            self._a_sparse.data = data
            a = self._a_sparse
        return a, bval

    def factor(self, a):
        if self.dense:
            if self.k == 1:
                inv1 = 1.0 / a[0, 0]
                return lambda rhs: rhs * inv1
            inv = np.linalg.inv(a)
            return lambda rhs: inv @ rhs
        return sparse_lu(self.k, a.data, self.a_rows, self.a_indptr).solve


class PackedSources(dict):
    """Input-EMU MIDs (a dict) with the per-size stacked arrays :meth:`EMUSystem.pack` builds
    (and the padded array of all MIDs that the system's fast path starts from)."""

    def __init__(self, mids, arrays, padded=None, owner=None):
        super().__init__(mids)
        self.arrays = arrays
        self.padded = padded
        self.owner = owner


class EMUSystem:
    """EMU network compiled for a set of measured EMUs.

    Parameters
    ----------
    transitions
        ``(flux_index, AtomTransition)`` for every gross (one-direction) flux
        that carries an atom transition.
    targets
        EMUs to simulate (measured fragments, or any EMU of interest).
    sources
        Metabolites whose labelling is an input (tracers, unlabelled substrates).
    alias
        Merge an EMU made by one reaction from one same-size EMU into that
        precursor (exact at isotopic steady state only; the non-stationary
        simulation, where every pool has its own dynamics, passes False).

    Notes
    -----
    The EMU balance uses the total production flux of each EMU on the
    diagonal, so simulated MIDs sum to one even at fluxes that are not exactly
    balanced. A zero-production EMU gets a 1e-10 unlabelled inflow to keep the
    system regular.
    """

    def __init__(
        self,
        transitions: Sequence[Tuple[int, AtomTransition]],
        targets: Iterable[EMU],
        sources: Iterable[str],
        *,
        alias: bool = True,
    ) -> None:
        sources = set(sources)
        producers: Dict[str, list] = defaultdict(list)
        for idx, t in transitions:
            if not t.substrates:  # uptake across the boundary: its products are sources
                continue
            loc = {}
            for k, (sm, letters) in enumerate(t.substrates):
                for j, letter in enumerate(letters):
                    loc[letter] = (k, j)
            for met, alts in t.products:
                producers[met].append((idx, t, alts, loc))
        terms: Dict[EMU, Dict[Tuple[int, tuple], float]] = {}
        src_emus = set()
        self.targets = list(dict.fromkeys(targets))
        stack = list(self.targets)
        while stack:
            e = stack.pop()
            if e in terms or e in src_emus:
                continue
            met, pos = e
            if met in sources:
                src_emus.add(e)
                continue
            if met not in producers:
                raise FluxasnInputError(
                    f"metabolite {met!r} (EMU {emu_name(e)}) is neither produced by a reaction "
                    "with an atom transition nor declared a labelled source",
                    identifier=met,
                )
            acc: Dict[Tuple[int, tuple], float] = defaultdict(float)
            for idx, t, alts, loc in producers[met]:
                w = 1.0 / len(alts)
                for alt in alts:
                    groups: Dict[int, list] = defaultdict(list)
                    for p in pos:
                        k, j = loc[alt[p]]
                        groups[k].append(j)
                    precs = tuple(sorted((t.substrates[k][0], tuple(sorted(js))) for k, js in groups.items()))
                    acc[(idx, precs)] += w
                    stack.extend(precs)
            terms[e] = acc
        # EMUs made by a single reaction from a single same-size EMU are copies of it:
        # alias them to that precursor (their MID is identical) to shrink the systems
        do_alias, alias = alias, {}
        for e, acc in terms.items():
            if do_alias and len(acc) == 1:
                (idx, precs), w = next(iter(acc.items()))
                if len(precs) == 1 and abs(w - 1.0) < 1e-12 and precs[0] != e:
                    alias[e] = precs[0]

        def resolve(e):
            seen = []
            while e in alias and e not in seen:
                seen.append(e)
                e = alias[e]
            if e in seen:  # a closed loop of copies: keep its first member
                e = seen[0]
                alias.pop(e, None)
            return e

        final = {e: resolve(e) for e in list(alias)}
        alias = {e: t for e, t in final.items() if t != e}
        merged: Dict[EMU, Dict[Tuple[int, tuple], float]] = {}
        for e, acc in terms.items():
            if e in alias:
                continue
            out = merged.setdefault(e, defaultdict(float))
            for (idx, precs), w in acc.items():
                out[(idx, tuple(sorted(alias.get(p, p) for p in precs)))] += w
        terms = merged
        self.aliases = alias
        self.n_emus = len(terms) + len(src_emus)
        sizes = sorted({len(e[1]) for e in list(terms) + list(src_emus)})
        self.sizes = sizes
        self.index: Dict[EMU, Tuple[int, int]] = {}
        self.levels: Dict[int, _Level] = {}
        self.sources_by_size: Dict[int, List[EMU]] = {}
        unknown_by_size: Dict[int, list] = defaultdict(list)
        for e in terms:
            unknown_by_size[len(e[1])].append(e)
        for n in sizes:
            unk = unknown_by_size.get(n, [])
            g = nx.DiGraph()
            g.add_nodes_from(unk)
            unk_set = set(unk)
            for e in unk:
                for (idx, precs) in terms[e]:
                    if len(precs) == 1 and precs[0] in unk_set:
                        g.add_edge(precs[0], e)
            cond = nx.condensation(g)
            order = []
            for c in nx.topological_sort(cond):
                order.extend(sorted(cond.nodes[c]["members"]))
            srcs = sorted(e for e in src_emus if len(e[1]) == n)
            self.sources_by_size[n] = srcs
            for r, e in enumerate(order):
                self.index[e] = (n, r)
            for r, e in enumerate(srcs):
                self.index[e] = (n, len(order) + r)
        for e, t in alias.items():
            self.index[e] = self.index[t]
        self.n_blocks = {}
        for n in sizes:
            unk = [e for e in self.index if self.index[e][0] == n and e in terms]
            unk.sort(key=lambda e: self.index[e][1])
            row = {e: i for i, e in enumerate(unk)}
            a_entries, b_entries = [], []
            yitems: Dict[tuple, int] = {}
            for e in unk:
                r = row[e]
                for (idx, precs), w in terms[e].items():
                    a_entries.append((r, r, idx, w))
                    if len(precs) == 1 and precs[0] in row:
                        a_entries.append((r, row[precs[0]], idx, -w))
                    else:
                        y = yitems.setdefault(precs, len(yitems))
                        b_entries.append((r, y, idx, w))
            by_sig: Dict[tuple, list] = defaultdict(list)
            for precs, y in yitems.items():
                sig = tuple(len(p[1]) for p in precs)
                by_sig[sig].append((y, precs))
            groups = []
            for sig, lst in by_sig.items():
                items = np.array([y for y, _ in lst], dtype=np.int64)
                refs = []
                for j, s in enumerate(sig):
                    refs.append((s, np.array([self.index[precs[j]][1] for _, precs in lst], dtype=np.int64)))
                groups.append(_Group(items, refs))
            self.levels[n] = _Level(n, unk, len(self.sources_by_size[n]), a_entries, b_entries, groups, len(yitems))
        self._conv: Dict[Tuple[int, int], np.ndarray] = {}
        for lev in self.levels.values():
            for g in lev.groups:
                s = g.refs[0][0]
                for s2, _ in g.refs[1:]:
                    self._conv.setdefault((s, s2), conv_matrix(s, s2))
                    s += s2
        self.source_emus = sorted(src_emus)
        self.source_metabolites = sorted({e[0] for e in src_emus})
        self._fused = FusedLevels(self.sizes, self.levels)

    # ------------------------------------------------------------------
    def describe(self) -> Dict[int, Dict[str, int]]:
        """Per EMU size: unknown EMUs, input EMUs and convolution/input items."""
        return {
            n: {"unknown": lev.k, "inputs": lev.n_src, "y_items": lev.n_y}
            for n, lev in self.levels.items()
        }

    def simulate(
        self,
        v: np.ndarray,
        source_mids: Mapping[EMU, np.ndarray],
        dv: Optional[np.ndarray] = None,
    ):
        """Simulate every EMU MID at gross fluxes ``v``.

        Parameters
        ----------
        v
            Gross fluxes (flux-index order used at compilation).
        source_mids
            MID of every input EMU (see :attr:`source_emus`), e.g. from
            :func:`fluxasn.isotope.tracers.source_mids`.
        dv
            Optional ``(n_fluxes, p)`` matrix of flux directions; if given,
            the sensitivities dX/du along these directions are returned too.

        Returns
        -------
        X, dX
            Per size, arrays of MIDs ``(rows, size+1)`` (and sensitivities
            ``(rows, p, size+1)`` or None); use :meth:`mid` to read an EMU.
        """
        v = np.asarray(v, dtype=float)
        if dv is None:
            if getattr(source_mids, "owner", None) is not self._fused:  # a dict, or packed by another system
                source_mids = self.pack(source_mids)
            padded = source_mids.padded
            return self._fused.simulate(v, padded), None
        X: Dict[int, np.ndarray] = {}
        dX: Dict[int, np.ndarray] = {} if dv is not None else None
        p = dv.shape[1] if dv is not None else 0
        for n in self.sizes:
            lev = self.levels[n]
            k = lev.k
            Xn = np.empty((k + lev.n_src, n + 1))
            if isinstance(source_mids, PackedSources):
                Xn[k:] = source_mids.arrays[n]
            else:
                for r, e in enumerate(self.sources_by_size[n]):
                    Xn[k + r] = source_mids[e]
            X[n] = Xn
            if dv is not None:
                dXn = np.zeros((k + lev.n_src, p, n + 1))
                dX[n] = dXn
            if k == 0:
                continue
            Y = np.empty((lev.n_y, n + 1))
            dY = np.empty((lev.n_y, p, n + 1)) if dv is not None else None
            for g in lev.groups:
                s, rows = g.refs[0]
                acc = X[s][rows]
                dacc = dX[s][rows] if dv is not None else None
                for s2, rows2 in g.refs[1:]:
                    other = X[s2][rows2]
                    m = self._conv[(s, s2)]
                    if dv is not None:
                        dother = dX[s2][rows2]
                        d1 = (dacc[:, :, :, None] * other[:, None, None, :]).reshape(len(rows), p, -1) @ m
                        d2 = (acc[:, None, :, None] * dother[:, :, None, :]).reshape(len(rows), p, -1) @ m
                        dacc = d1 + d2
                    acc = (acc[:, :, None] * other[:, None, :]).reshape(len(rows), -1) @ m
                    s += s2
                Y[g.items] = acc
                if dv is not None:
                    dY[g.items] = dacc
            a, bval = lev.matrices(v)
            solve = lev.factor(a)
            rhs = lev.sum_b @ (bval[:, None] * Y[lev.bc]) + lev.eps_rhs
            Xn[:k] = solve(rhs)
            if dv is not None:  # A dX = dB Y + B dY - dA X, with dA, dB along dv built once per dv
                dam, dbm = lev.directional(dv)
                bm = np.bincount(lev.br * lev.n_y + lev.bc, weights=bval, minlength=k * lev.n_y).reshape(k, lev.n_y)
                r = (np.asarray(dbm @ Y) + (bm @ dY.reshape(lev.n_y, -1)).reshape(k * p, n + 1)
                     - np.asarray(dam @ Xn[:k]))
                dXn[:k] = solve(r.reshape(k, p * (n + 1))).reshape(k, p, n + 1)
        return X, dX

    def pack(self, source_mids: Mapping[EMU, np.ndarray]) -> "PackedSources":
        """Input MIDs stacked per EMU size, for repeated simulations."""
        arrays = {}
        for n in self.sizes:
            srcs = self.sources_by_size[n]
            arrays[n] = np.array([source_mids[e] for e in srcs], dtype=float).reshape(len(srcs), n + 1)
        return PackedSources(source_mids, arrays, self._fused.template(arrays), self._fused)

    def mid(self, X, emu: EMU) -> np.ndarray:
        """The MID of ``emu`` from a :meth:`simulate` result."""
        n, r = self.index[emu]
        return X[n][r]
