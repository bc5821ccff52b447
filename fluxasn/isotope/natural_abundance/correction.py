"""Correction matrices and the correction of measured isotopologue distributions.

Model (the one IsoCor 2 uses, Millard et al. 2019, generalised to several
tracer elements). A fragment has ``n_e`` traced atoms of each tracer element
``e``; the unknown is the distribution of the number ``t_e`` of tracer-derived
atoms. Given ``t``, the measured ion is the sum of independent contributions:

* every atom that is not traced (other elements, untraced atoms of a tracer
  element, derivative atoms) at natural abundance;
* ``t_e`` labelled atoms of each tracer element, each drawn from the tracer's
  isotopic purity;
* ``n_e - t_e`` unlabelled traced atoms: at natural abundance when
  ``tracer_na=True`` (the correction then removes it), else all of the
  lightest isotope.

The matrix column of ``t`` is the spectrum of that sum, pooled onto the
measured peaks: by nominal mass (``resolution=None``), or, at high
resolution, onto the peaks at ``sum_e k_e * (m(tracer_e) - m(lightest_e))``
above the monoisotopic mass, taking every isotopologue within the resolving
limit of a peak (the nearest peak if two are) and leaving out those the
instrument resolves from every peak (e.g. 18O or 2H next to 13C2, 13C1). Only
isotopologues that cannot reach a measured peak are ever dropped (all heavy
isotopes are heavier), so the matrix is exact up to rounding.

The resolving limit at mass ``m`` and charge ``z`` is ``1.66 * FWHM(m/z) *
|z|``, with FWHM from the resolving power ``R`` given at ``at_mz``:
Orbitrap ``(m/z)**1.5 / (R * sqrt(at_mz))``, FT-ICR ``(m/z)**2 / (R * at_mz)``,
constant ``(m/z) / R`` (the presets of AccuCor, Su X et al. (2017) Anal Chem
89:5940-5948, and IsoCor 2).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from scipy.optimize import nnls

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.natural_abundance.elements import ISOTOPE_TABLE, parse_formula, parse_isotope

__all__ = ["Resolution", "CorrectionResult", "correction_matrix", "correct", "correct_mid"]

_FWHM = {
    "orbitrap": lambda mz, r, at: mz ** 1.5 / (r * np.sqrt(at)),
    "ft-icr": lambda mz, r, at: mz ** 2 / (r * at),
    "constant": lambda mz, r, at: mz / r,
}
#: Resolving limit in FWHM (AccuCor, IsoCor).
_LIMIT_FACTOR = 1.66
#: Smallest resolving limit used (u), as IsoCor: 1000 machine epsilons.
_MIN_LIMIT = 1e3 * np.finfo(float).eps
#: Masses closer than this (u) are merged into one isotopologue peak.
_MERGE = 1e-9


@dataclass(frozen=True)
class Resolution:
    """Resolving power of a high-resolution mass spectrometer.

    Parameters
    ----------
    resolving_power
        ``m/FWHM`` (dimensionless) measured at ``at_mz``, e.g. ``70000``.
    at_mz
        m/z (Th) at which ``resolving_power`` is given (e.g. 200 for an
        Orbitrap); not the m/z of the fragment.
    instrument
        How the resolving power changes with m/z: ``"orbitrap"``,
        ``"ft-icr"`` or ``"constant"`` (e.g. time-of-flight).
    charge
        Charge of the measured ion (sign ignored), not 0.
    """

    resolving_power: float
    at_mz: float
    instrument: str = "orbitrap"
    charge: int = 1

    def __post_init__(self) -> None:
        if self.instrument not in _FWHM:
            raise FluxasnInputError(f"unknown instrument {self.instrument!r}; expected one of {sorted(_FWHM)}",
                                    identifier=str(self.instrument))
        for name in ("resolving_power", "at_mz"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float, np.number)) and np.isfinite(value) and value > 0):
                raise FluxasnInputError(f"{name} must be a positive number, got {value!r}", identifier=name)
        if isinstance(self.charge, bool) or not isinstance(self.charge, (int, np.integer)) or self.charge == 0:
            raise FluxasnInputError(f"charge must be a non-zero whole number, got {self.charge!r}",
                                    identifier="charge")

    def limit(self, mass: float) -> float:
        """Smallest mass difference (u) resolved for an ion of monoisotopic ``mass`` (u)."""
        z = abs(int(self.charge))
        fwhm = _FWHM[self.instrument](mass / z, float(self.resolving_power), float(self.at_mz))
        return max(_LIMIT_FACTOR * fwhm * z, _MIN_LIMIT)


@dataclass(frozen=True)
class CorrectionResult:
    """A corrected isotopologue distribution.

    Attributes
    ----------
    fractions
        Corrected isotopologue fractions (sum 1): index ``k`` = ``k``
        tracer-derived atoms for one tracer; an array of shape
        ``(n_1 + 1, n_2 + 1, ...)`` indexed by the count of each tracer element
        (in the order of ``tracer``) for several.
    corrected
        The same before normalisation (units of the measured intensities).
    residuum
        ``(measured - matrix @ corrected) / sum(measured)``, shaped as the
        measurement.
    mean_enrichment
        Tracer isotope -> mean fraction of the traced atoms that carry it,
        ``sum_t t_e * fractions[t] / n_e``.
    matrix
        The correction matrix (measured peaks x isotopologues, both flattened
        in C order for several tracers).
    """

    fractions: np.ndarray
    corrected: np.ndarray
    residuum: np.ndarray
    mean_enrichment: Dict[str, float]
    matrix: np.ndarray


class _Spectrum:
    """Isotopologue peaks: nominal shift, exact mass shift (u), probability."""

    __slots__ = ("nominal", "mass", "prob")

    def __init__(self, nominal, mass, prob) -> None:
        self.nominal = np.asarray(nominal, dtype=np.int64)
        self.mass = np.asarray(mass, dtype=float)
        self.prob = np.asarray(prob, dtype=float)


_ONE = _Spectrum([0], [0.0], [1.0])


class _Builder:
    """Combines spectra, dropping peaks beyond the last measured peak and merging equal ones."""

    def __init__(self, high: bool, max_nominal: int, max_mass: float) -> None:
        self.high, self.max_nominal, self.max_mass = high, max_nominal, max_mass

    def combine(self, a: _Spectrum, b: _Spectrum) -> _Spectrum:
        nominal = (a.nominal[:, None] + b.nominal[None, :]).ravel()
        mass = (a.mass[:, None] + b.mass[None, :]).ravel()
        prob = (a.prob[:, None] * b.prob[None, :]).ravel()
        keep = (mass <= self.max_mass) if self.high else (nominal <= self.max_nominal)
        nominal, mass, prob = nominal[keep], mass[keep], prob[keep]
        key = np.round(mass / _MERGE).astype(np.int64) if self.high else nominal
        uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
        merged_prob = np.bincount(inv.ravel(), weights=prob, minlength=uniq.size)
        return _Spectrum(nominal[first], mass[first], merged_prob)

    def atoms(self, element: str, n: int, probs: Optional[Sequence[float]] = None) -> List[_Spectrum]:
        """Spectra of 0..n atoms of ``element`` with isotope probabilities ``probs`` (default natural)."""
        isos = ISOTOPE_TABLE[element]
        p = [iso.abundance for iso in isos] if probs is None else list(probs)
        use = [i for i, q in enumerate(p) if q > 0]
        one = _Spectrum([isos[i].mass_number - isos[0].mass_number for i in use],
                        [isos[i].mass - isos[0].mass for i in use], [p[i] for i in use])
        out = [_ONE]
        for _ in range(n):
            out.append(self.combine(out[-1], one))
        return out


def _tracer_list(tracer) -> List[str]:
    items = [tracer] if isinstance(tracer, str) else list(tracer)
    if not items:
        raise FluxasnInputError("no tracer isotope given; expected e.g. '13C' or ('13C', '15N')",
                                identifier="tracer")
    return items


def _per_tracer(value, tracers: Sequence[str], what: str, name: str) -> list:
    """One value per tracer from a scalar/vector, a sequence aligned with ``tracers`` or a mapping."""
    if isinstance(value, Mapping):
        keys = {}
        for t in tracers:
            el = parse_isotope(t)[0]
            keys[t] = value[t] if t in value else value.get(el)
        unknown = set(value) - set(tracers) - {parse_isotope(t)[0] for t in tracers}
        if unknown:
            raise FluxasnInputError(f"{what} names {sorted(unknown)}, which are not tracers "
                                    f"({list(tracers)})", identifier=name)
        return [keys[t] for t in tracers]
    if len(tracers) == 1:
        return [value]
    if value is None or np.isscalar(value):
        return [value] * len(tracers)
    value = list(value)
    if len(value) != len(tracers):
        raise FluxasnInputError(f"{what} has {len(value)} entries for {len(tracers)} tracers {list(tracers)}",
                                identifier=name)
    return value


def _purity_vector(purity, element: str, index: int, tracer: str, name: str) -> np.ndarray:
    """Isotope probabilities of a labelled atom (IsoCor's ``tracer_purity``)."""
    k = len(ISOTOPE_TABLE[element])
    if purity is None:
        vec = np.zeros(k)
        vec[index] = 1.0
        return vec
    arr = np.asarray(purity, dtype=float)
    if arr.ndim == 0:
        if not (0.0 < float(arr) <= 1.0):
            raise FluxasnInputError(f"purity of {tracer} must lie in (0, 1], got {float(arr)}", identifier=name)
        vec = np.zeros(k)
        vec[index], vec[0] = float(arr), 1.0 - float(arr)
        return vec
    if arr.shape != (k,) or np.any(arr < 0) or abs(arr.sum() - 1.0) > 1e-9 or arr[index] <= 0:
        isos = [f"{iso.mass_number}{element}" for iso in ISOTOPE_TABLE[element]]
        raise FluxasnInputError(f"purity of {tracer} must be one probability or {k} non-negative fractions "
                                f"summing to 1 (for {isos}), with {tracer} > 0; got {arr.tolist()}",
                                identifier=name)
    return arr


def _setup(formula: str, n_traced, tracer, purity, tracer_na: bool, resolution: Optional[Resolution],
           n_rows: Optional[int], name: str):
    """Build the correction matrix; returns (matrix, tracers, counts, row shape)."""
    tracers = _tracer_list(tracer)
    parsed = [parse_isotope(t) for t in tracers]
    elements = [el for el, _ in parsed]
    if len(set(elements)) != len(elements):
        raise FluxasnInputError(f"tracers {tracers} name one element twice", identifier=name)
    counts = parse_formula(formula)
    ns = []
    for t, el, n in zip(tracers, elements, _per_tracer(n_traced, tracers, "n_traced", name)):
        n = counts.get(el, 0) if n is None else n
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise FluxasnInputError(f"the number of traced {el} atoms must be a whole number >= 1, got {n!r}",
                                    identifier=name)
        if counts.get(el, 0) < n:
            raise FluxasnInputError(f"formula {formula} has fewer than {n} {el} atoms to trace with {t}",
                                    identifier=name)
        ns.append(int(n))
    if len(tracers) > 1 and purity is not None and not np.isscalar(purity) and not isinstance(purity, Mapping):
        raise FluxasnInputError(f"purity of several tracers must be one probability for all or a mapping by "
                                f"tracer, e.g. {{'13C': 0.99, '15N': 0.98}}; got {purity!r}", identifier=name)
    purities = [_purity_vector(p, el, i, t, name)
                for p, (el, i), t in zip(_per_tracer(purity, tracers, "purity", name), parsed, tracers)]
    background = dict(counts)
    for el, n in zip(elements, ns):
        background[el] -= n
    # measured peaks: nominal and exact shift above the monoisotopic ion
    steps_nom = [ISOTOPE_TABLE[el][i].mass_number - ISOTOPE_TABLE[el][0].mass_number for el, i in parsed]
    steps = [ISOTOPE_TABLE[el][i].mass - ISOTOPE_TABLE[el][0].mass for el, i in parsed]
    if len(tracers) == 1:
        rows = [(k,) for k in range(ns[0] + 1 if n_rows is None else n_rows)]
        shape: Tuple[int, ...] = (len(rows),)
    else:
        rows = list(itertools.product(*[range(n + 1) for n in ns]))
        shape = tuple(n + 1 for n in ns)
    row_nom = np.array([sum(k * s for k, s in zip(r, steps_nom)) for r in rows])
    row_mass = np.array([sum(k * s for k, s in zip(r, steps)) for r in rows])
    high = resolution is not None
    limit = 0.0
    if high:
        mono = sum(n * ISOTOPE_TABLE[el][0].mass for el, n in counts.items())
        limit = resolution.limit(mono)
        if limit >= 0.5:
            raise FluxasnInputError(f"at resolving power {resolution.resolving_power:g} (at m/z "
                                    f"{resolution.at_mz:g}) peaks closer than {limit:.3g} u are not resolved "
                                    f"at m/z {mono / abs(resolution.charge):.4g}, not even one mass unit apart; "
                                    "use resolution=None (nominal mass)", identifier=name)
        order = np.sort(row_mass)
        gap = np.diff(order).min() if order.size > 1 else np.inf
        if gap <= limit:
            raise FluxasnInputError(f"the isotopologues of {'+'.join(tracers)} lie {gap:.4g} u apart, within the "
                                    f"resolving limit {limit:.4g} u at resolving power "
                                    f"{resolution.resolving_power:g}: they are not resolved, so the "
                                    "correction is underdetermined; expected a higher resolving power",
                                    identifier=name)
    elif len(set(row_nom.tolist())) < len(rows):
        raise FluxasnInputError(f"{'+'.join(tracers)} isotopologues share nominal masses: {len(rows)} "
                                f"isotopologues cannot be told apart from {len(set(row_nom.tolist()))} nominal "
                                "masses (underdetermined); give a resolution that resolves them",
                                identifier=name)
    build = _Builder(high, int(row_nom.max()), float(row_mass.max()) + limit + 1e-6)
    base = _ONE
    for el in sorted(background):
        if background[el] > 0:
            base = build.combine(base, build.atoms(el, background[el])[-1])
    # traced atoms of each tracer element, t of them labelled: (labelled t) x (unlabelled n - t)
    traced = []
    for (el, _), n, pur in zip(parsed, ns, purities):
        lab = build.atoms(el, n, pur)
        unl = build.atoms(el, n) if tracer_na else [_ONE] * (n + 1)
        traced.append([build.combine(lab[t], unl[n - t]) for t in range(n + 1)])
    # the first tracer combined with the background once per count, the others per column
    first = [build.combine(base, spec) for spec in traced[0]]
    columns = list(itertools.product(*[range(n + 1) for n in ns]))
    matrix = np.zeros((len(rows), len(columns)))
    row_order = np.argsort(row_mass, kind="stable")
    sorted_mass = row_mass[row_order]
    for j, col in enumerate(columns):
        spec = first[col[0]]
        for e, t in enumerate(col[1:], start=1):
            spec = build.combine(spec, traced[e][t])
        if high:  # nearest measured peak, if within the resolving limit
            pos = np.clip(np.searchsorted(sorted_mass, spec.mass), 1, max(sorted_mass.size - 1, 1))
            lower = np.clip(pos - 1, 0, sorted_mass.size - 1)
            upper = np.clip(pos, 0, sorted_mass.size - 1)
            take_upper = np.abs(sorted_mass[upper] - spec.mass) < np.abs(spec.mass - sorted_mass[lower])
            near = np.where(take_upper, upper, lower)
            ok = np.abs(sorted_mass[near] - spec.mass) <= limit
            matrix[:, j] = np.bincount(row_order[near[ok]], weights=spec.prob[ok], minlength=len(rows))
        else:
            lookup = {int(v): i for i, v in enumerate(row_nom)}
            for nom, p in zip(spec.nominal, spec.prob):
                i = lookup.get(int(nom))
                if i is not None:
                    matrix[i, j] += p
    return matrix, tracers, ns, shape


def correction_matrix(formula: str, n_traced: Union[int, Sequence[int], Mapping[str, int], None] = None,
                      n_masses: Optional[int] = None, *, tracer: Union[str, Sequence[str]] = "13C",
                      purity=None, tracer_na: bool = True, resolution: Optional[Resolution] = None,
                      name: Optional[str] = None) -> np.ndarray:
    """Matrix mapping a tracer-derived isotopologue distribution to the measured peaks.

    Parameters
    ----------
    formula
        Formula of the measured ion (derivatised fragment: metabolite atoms
        plus derivative atoms), e.g. from
        :func:`~fluxasn.isotope.natural_abundance.derivative_formula`.
    n_traced
        Traced atoms of the tracer element (the EMU size); default all atoms
        of that element in ``formula``. For several tracers: one per tracer
        (sequence aligned with ``tracer``, or a mapping by isotope or element).
    n_masses
        Measured peaks for one tracer (default ``n_traced + 1``); peak ``k``
        lies ``k`` tracer mass shifts above the monoisotopic ion. Several
        tracers: every combination ``(k_1, k_2, ...)``, in C order.
    tracer
        Tracer isotope (``"13C"``, ``"15N"``, ``"2H"``, ``"18O"`` ...) or
        several (``("13C", "15N")``).
    purity
        Isotope probabilities of a labelled atom: one probability of the
        tracer isotope (the rest is the lightest isotope), or one fraction per
        isotope of the element (IsoCor's ``tracer_purity``); for several
        tracers one probability for all or a mapping by tracer
        (``{"13C": 0.99, "15N": 0.98}``). Default 1 (pure).
    tracer_na
        Unlabelled traced atoms carry natural abundance (True, default: the
        simulation convention ``Experiment(natural_13c=0)``, see
        :mod:`fluxasn.isotope.natural_abundance`) or are pure light isotope
        (False: IsoCor's default ``correct_NA_tracer=False``).
    resolution
        None: peaks pooled by nominal mass. A :class:`Resolution`: exact
        masses, isotopologues resolved from the measured peaks left out.
    name
        Fragment or metabolite id, named in errors.

    Returns
    -------
    numpy.ndarray
        ``(peaks, prod(n_e + 1))``: column ``t`` is the measured spectrum of
        an ion with ``t`` tracer-derived atoms.
    """
    label = name if name is not None else formula
    if n_masses is not None and not isinstance(tracer, str) and len(_tracer_list(tracer)) > 1:
        raise FluxasnInputError("n_masses applies to one tracer; several tracers are measured on every "
                                "isotopologue peak", identifier=label)
    if n_masses is not None and (isinstance(n_masses, bool) or not isinstance(n_masses, (int, np.integer))
                                 or n_masses < 1):
        raise FluxasnInputError(f"n_masses must be a whole number >= 1, got {n_masses!r}", identifier=label)
    matrix, _, _, _ = _setup(formula, n_traced, tracer, purity, tracer_na, resolution, n_masses, label)
    return matrix


def correct(measured, *, formula: str, n_traced: Union[int, Sequence[int], Mapping[str, int], None] = None,
            tracer: Union[str, Sequence[str]] = "13C", purity=None, tracer_na: bool = True,
            resolution: Optional[Resolution] = None, name: Optional[str] = None) -> CorrectionResult:
    """Correct measured isotopologue intensities for natural abundance and tracer purity.

    Solves ``matrix @ x = measured`` for ``x >= 0`` by non-negative least
    squares (the problem IsoCor solves) and normalises ``x``.

    Parameters
    ----------
    measured
        Intensities (areas or fractions, >= 0) of the peaks ``M+0, M+1, ...``
        (one tracer: at least ``n_traced + 1`` of them; more are used as
        well), or for several tracers an array of shape ``(n_1 + 1, n_2 +
        1, ...)`` of the resolved isotopologue peaks.
    formula, n_traced, tracer, purity, tracer_na, resolution, name
        As in :func:`correction_matrix`.

    Returns
    -------
    CorrectionResult

    Raises
    ------
    FluxasnInputError
        Fewer measured peaks than isotopologues, a measurement of the wrong
        shape, negative or non-finite intensities, unresolved isotopologues,
        or a singular matrix; the message names ``name`` (or the formula).
    """
    label = name if name is not None else formula
    values = np.asarray(measured, dtype=float)
    tracers = _tracer_list(tracer)
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise FluxasnInputError(f"measured intensities must be finite numbers, got {values.tolist()}",
                                identifier=label)
    if np.any(values < 0):
        raise FluxasnInputError(f"measured intensities must be >= 0, got {values.tolist()} (set negative "
                                "baseline-subtracted values to 0 explicitly)", identifier=label)
    if values.sum() <= 0:
        raise FluxasnInputError("measured intensities sum to 0; nothing to correct", identifier=label)
    if len(tracers) == 1:
        if values.ndim != 1:
            raise FluxasnInputError(f"measured intensities of one tracer must be a vector, got shape "
                                    f"{values.shape}", identifier=label)
        matrix, tracers, ns, shape = _setup(formula, n_traced, tracer, purity, tracer_na, resolution,
                                            values.size, label)
        if values.size < ns[0] + 1:
            el = parse_isotope(tracers[0])[0]
            raise FluxasnInputError(f"{values.size} measured masses for {ns[0]} traced {el} atoms: expected at "
                                    f"least {ns[0] + 1} (M+0..M+{ns[0]}); the correction would be "
                                    "underdetermined", identifier=label)
    else:
        matrix, tracers, ns, shape = _setup(formula, n_traced, tracer, purity, tracer_na, resolution, None, label)
        if values.shape != shape:
            raise FluxasnInputError(f"measured intensities have shape {values.shape}; expected {shape} "
                                    f"(one peak per count of {', '.join(tracers)})", identifier=label)
    sv = np.linalg.svd(matrix, compute_uv=False)
    if sv.min() <= 1e-12 * sv.max():
        raise FluxasnInputError("the correction matrix is singular (a tracer purity without the tracer "
                                "isotope?); the isotopologues cannot be separated", identifier=label)
    vec = values.ravel()
    x, _ = nnls(matrix, vec)
    total, measured_total = x.sum(), vec.sum()
    if total <= 0:
        raise FluxasnInputError("the corrected intensities are all 0", identifier=label)
    col_shape = tuple(n + 1 for n in ns)
    fractions = (x / total).reshape(col_shape)
    residuum = ((vec - matrix @ x) / measured_total).reshape(values.shape)
    enrichment = {}
    for e, (t, n) in enumerate(zip(tracers, ns)):
        counts_e = np.arange(n + 1).reshape([-1 if i == e else 1 for i in range(len(ns))])
        enrichment[t] = float(np.sum(counts_e * fractions) / n)
    return CorrectionResult(fractions=fractions, corrected=x.reshape(col_shape), residuum=residuum,
                            mean_enrichment=enrichment, matrix=matrix)


def correct_mid(measured, formula: str, n_traced: Union[int, Sequence[int], Mapping[str, int], None] = None,
                *, tracer: Union[str, Sequence[str]] = "13C", purity=None, tracer_na: bool = True,
                resolution: Optional[Resolution] = None, name: Optional[str] = None) -> np.ndarray:
    """Corrected isotopologue fractions of a measured fragment (:func:`correct`, fractions only).

    With the defaults, the result is on the simulation's convention
    (``Experiment(natural_13c=0)``, tracers of purity 1 when ``purity`` is
    given here): fit it directly. See :func:`correct` for the parameters.
    """
    return correct(measured, formula=formula, n_traced=n_traced, tracer=tracer, purity=purity,
                   tracer_na=tracer_na, resolution=resolution, name=name).fractions
