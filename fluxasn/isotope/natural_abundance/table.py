"""Correct a table of measured isotopologue intensities: many samples and fragments in one call.

The table has one row per sample, fragment and isotopologue (the long layout
of IsoCor's input files); each fragment is described once (formula, traced
atoms, tracer, purity, resolution). Every group of rows is checked: a
fragment without a description, an isotopologue given twice, one missing, or
one outside the fragment's range is refused with the row and the names.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.natural_abundance.correction import _per_tracer, _tracer_list, correct
from fluxasn.isotope.natural_abundance.elements import parse_formula, parse_isotope

__all__ = ["correct_table"]

_OPTIONS = {"formula", "n_traced", "tracer", "purity", "tracer_na", "resolution"}


def _label(value: Any, n_tracers: int) -> Optional[Tuple[int, ...]]:
    """Isotopologue label -> tuple of counts (``2`` or ``"2"``; ``"2,1"`` or ``(2, 1)`` for two tracers)."""
    if isinstance(value, (tuple, list)):
        parts = list(value)
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        parts = [value]
    elif isinstance(value, float) and value.is_integer():
        parts = [int(value)]
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\s*,\s*\d+)*\s*", value):
        parts = [int(p) for p in value.split(",")]
    else:
        return None
    if len(parts) != n_tracers or any(isinstance(p, bool) or int(p) != p or p < 0 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _traced_counts(spec: Mapping[str, Any], tracers: List[str], label: str) -> List[int]:
    """Traced atoms per tracer (as :func:`correct` reads ``n_traced``); checked again there."""
    counts = parse_formula(spec["formula"])
    out = []
    for t, n in zip(tracers, _per_tracer(spec.get("n_traced"), tracers, "n_traced", label)):
        n = counts.get(parse_isotope(t)[0], 0) if n is None else n
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise FluxasnInputError(f"the number of traced atoms of {t} must be a whole number >= 1, got {n!r}",
                                    identifier=label)
        out.append(int(n))
    return out


def correct_table(table, fragments: Mapping[str, Mapping[str, Any]], *, sample: str = "sample",
                  fragment: str = "fragment", isotopologue: str = "isotopologue", area: str = "area",
                  source: Optional[str] = None):
    """Correct every sample and fragment of a long table.

    Parameters
    ----------
    table
        :class:`pandas.DataFrame` with one row per sample, fragment and
        isotopologue.
    fragments
        Fragment id -> keyword arguments of
        :func:`~fluxasn.isotope.natural_abundance.correct`: ``formula``
        (required), ``n_traced``, ``tracer``, ``purity``, ``tracer_na``,
        ``resolution``.
    sample, fragment, isotopologue, area
        Column names. Isotopologue labels are the tracer-atom counts: ``0,
        1, ...`` for one tracer, ``"i,j"`` (or a tuple) for two.
    source
        Where the table came from (a file name), named in errors.

    Returns
    -------
    pandas.DataFrame
        One row per sample, fragment and isotopologue of the corrected
        distribution: the columns given plus ``corrected`` (intensity units),
        ``fraction``, ``residuum`` (on the measured rows, NaN elsewhere) and
        ``mean_enrichment_<tracer>`` per tracer.
    """
    import pandas as pd

    missing = [c for c in (sample, fragment, isotopologue, area) if c not in table.columns]
    if missing:
        raise FluxasnInputError(f"the table has no column {missing}; its columns are {list(table.columns)}",
                                source=source, identifier=missing[0])
    for name, spec in fragments.items():
        unknown = set(spec) - _OPTIONS
        if "formula" not in spec or unknown:
            raise FluxasnInputError(f"fragment description needs 'formula' and takes only {sorted(_OPTIONS)}; "
                                    f"got {sorted(spec)}", source=source, identifier=str(name))
    rows_out: List[Dict[str, Any]] = []
    # a row's line in its file (header on line 1), when the table came from one
    line = (lambda pos: int(pos) + 2) if source is not None else (lambda pos: None)
    positions = table.reset_index(drop=True).groupby([sample, fragment], sort=False, dropna=False).indices
    for (smp, frag), where in positions.items():
        label = f"{smp}/{frag}"
        if frag not in fragments:
            raise FluxasnInputError(f"fragment {frag!r} has no description (described: {sorted(fragments)})",
                                    source=source, line=line(where[0]), identifier=str(frag))
        spec = dict(fragments[frag])
        tracers = _tracer_list(spec.get("tracer", "13C"))
        values: Dict[Tuple[int, ...], float] = {}
        for pos in where:
            raw = table[isotopologue].iloc[pos]
            lab = _label(raw, len(tracers))
            if lab is None:
                raise FluxasnInputError(f"isotopologue {raw!r} is not a count of {'+'.join(tracers)} atoms "
                                        f"({'e.g. 2' if len(tracers) == 1 else 'e.g. 2,1'}; table row {pos})",
                                        source=source, line=line(pos), identifier=label)
            if lab in values:
                raise FluxasnInputError(f"isotopologue {raw!r} is given twice (table row {pos})", source=source,
                                        line=line(pos), identifier=label)
            values[lab] = float(table[area].iloc[pos])
        ns = _traced_counts(spec, tracers, label)
        if len(tracers) == 1:
            top = max(values)[0]
            shape: Tuple[int, ...] = (top + 1,)
        else:
            shape = tuple(n + 1 for n in ns)
        outside = [k for k in values if any(c >= s for c, s in zip(k, shape))]
        if outside:
            raise FluxasnInputError(f"isotopologues {[','.join(map(str, k)) for k in outside]} exceed the "
                                    f"{ns} traced {'+'.join(tracers)} atoms", source=source,
                                    line=line(where[0]), identifier=label)
        absent = [k for k in np.ndindex(shape) if k not in values]
        if absent:
            raise FluxasnInputError(f"isotopologues {[','.join(map(str, k)) for k in absent]} are missing "
                                    f"(expected every count up to {[s - 1 for s in shape]})", source=source,
                                    line=line(where[0]), identifier=label)
        measured = np.zeros(shape)
        for k, v in values.items():
            measured[k] = v
        result = correct(measured, name=label, **spec)
        frac_shape = result.fractions.shape
        for idx in np.ndindex(tuple(max(a, b) for a, b in zip(shape, frac_shape))):
            in_frac = all(i < s for i, s in zip(idx, frac_shape))
            row = {sample: smp, fragment: frag,
                   isotopologue: idx[0] if len(idx) == 1 else ",".join(map(str, idx)),
                   area: values.get(idx, np.nan),
                   "corrected": result.corrected[idx] if in_frac else np.nan,
                   "fraction": result.fractions[idx] if in_frac else np.nan,
                   "residuum": result.residuum[idx] if idx in values else np.nan}
            for t, e in result.mean_enrichment.items():
                row[f"mean_enrichment_{t}"] = e
            rows_out.append(row)
    return pd.DataFrame(rows_out)
