"""Natural isotopes of measured ions: correction of MS data, or matrices carried in the fit.

A measured ion contains its traced atoms plus atoms that are not traced (H, N,
O, Si, S, untraced and derivative carbons). Their natural heavy isotopes, the
natural abundance of the traced atoms themselves and an impure tracer shift
the measured distribution. Two ways to handle it:

* correct the data (:func:`correct`, :func:`correct_mid`; a whole table of
  samples and fragments: :func:`correct_table`), then fit the corrected
  distribution;
* carry it in the simulation: ``measured = C @ emu_mid`` with
  :func:`correction_matrix` (``MIDMeasurement(correction=C)``).

Both handle low-resolution data (peaks pooled by nominal mass) and
high-resolution data (:class:`Resolution`: isotopologues the instrument
resolves from the tracer peaks are left out), any tracer isotope (13C, 15N,
2H, 18O ...) and several tracers at once (13C + 15N: the result is indexed by
the number of tracer-derived C and N atoms).

**One convention for the correction and the simulation.** fluxasn's
simulation (:class:`~fluxasn.isotope.measurements.Experiment`, default
``natural_13c=0``) gives the distribution of tracer-derived atoms:
unlabelled source positions are pure light isotope. The corrections here
default to the same quantity (``tracer_na=True``): the natural abundance of
the unlabelled traced atoms is removed along with that of every other atom.
Give the tracer purity to the correction (``purity=``) and simulate with pure
tracers (``Tracer(purity=1)``), or give it to the tracers and not to the
correction: only the first is exact (the second also adds natural 13C to
the impure positions of the tracer; on the test network of
``tests/test_isotope_correction.py`` that errs by 1.1e-4 at purity 0.99 and
5.2e-4 at 0.95, about ``(1 - purity) * 0.0107``).

Then a fragment measured on real material, corrected with the defaults, equals
the default simulation at the true fluxes (tested by simulating, applying
natural isotopes forward, correcting and refitting). The other exact pairing
is IsoCor's default: ``tracer_na=False`` with
``Experiment(natural_13c=NATURAL_13C)`` and the purity on the tracers. Mixing
the two (``tracer_na=False`` with ``natural_13c=0``) biases each fraction by up
to about ``n * 0.0107``.

Isotope masses and abundances, and their sources: :mod:`.elements`.
"""
from fluxasn.isotope.natural_abundance.correction import (
    CorrectionResult,
    Resolution,
    correct,
    correct_mid,
    correction_matrix,
)
from fluxasn.isotope.natural_abundance.table import correct_table
from fluxasn.isotope.natural_abundance.elements import (
    ISOTOPE_TABLE,
    ISOTOPES,
    Isotope,
    derivative_formula,
    format_formula,
    isotope_distribution,
    parse_formula,
    parse_isotope,
)

__all__ = ["ISOTOPE_TABLE", "ISOTOPES", "Isotope", "parse_formula", "format_formula", "parse_isotope",
           "isotope_distribution", "derivative_formula", "Resolution", "CorrectionResult",
           "correction_matrix", "correct", "correct_mid", "correct_table"]
