"""Units of measured exchange rates and their conversion to mmol/gDW/h.

Every conversion is a named function with its derivation:

* fmol/cell/h -> mmol/gDW/h through the cell dry mass ``m`` (pg/cell)::

      x fmol/cell/h = x * 1e-12 mmol/cell/h
      1 cell        = m * 1e-12 gDW
      v = x * 1e-12 / (m * 1e-12) = x / m  mmol/gDW/h

* fmol/cell/h -> mmol/gDW/h through the cell volume ``V`` (pL/cell) and the
  specific cell volume ``s`` (mL of cell volume per gDW; 4.3 mL/gDW by default,
  the value used with the NCI-60 CORE data)::

      cells per gDW = s * 1e-3 L / (V * 1e-12 L) = s / V * 1e9
      v = x * 1e-12 * s / V * 1e9 = x * s / V * 1e-3  mmol/gDW/h

  (400 fmol/cell/h at 2.2 pL -> 0.782 mmol/gDW/h); the equivalent dry mass is
  ``V / s * 1e3`` pg/cell.

* nmol/10^6 cells/h -> fmol/cell/h: 1 nmol / 1e6 cells = 1e-9 / 1e6 mol/cell =
  1e-15 mol/cell = 1 fmol/cell, so the two units are numerically equal.

Growth rates are in 1/h and are not converted.
"""
from __future__ import annotations

import math
import re
from typing import Optional

from fluxasn.exceptions import FluxasnInputError

__all__ = [
    "MMOL_GDW_H",
    "FMOL_CELL_H",
    "NMOL_MCELLS_H",
    "PER_HOUR",
    "FLUX_UNIT",
    "GROWTH_UNIT",
    "UNITS",
    "DEFAULT_SPECIFIC_VOLUME",
    "canonical_unit",
    "fmol_per_cell_h_to_mmol_per_gdw_h",
    "mmol_per_gdw_h_to_fmol_per_cell_h",
    "nmol_per_million_cells_h_to_fmol_per_cell_h",
    "fmol_per_cell_h_to_nmol_per_million_cells_h",
    "dry_mass_from_volume",
    "convert_rate",
]

MMOL_GDW_H = "mmol/gDW/h"
FMOL_CELL_H = "fmol/cell/h"
NMOL_MCELLS_H = "nmol/10^6 cells/h"
PER_HOUR = "1/h"

#: Unit of every flux inside a model (the name used in tables and reports).
FLUX_UNIT = MMOL_GDW_H
#: Unit of growth rates.
GROWTH_UNIT = PER_HOUR

#: Canonical units understood by the measurement reader.
UNITS = (MMOL_GDW_H, FMOL_CELL_H, NMOL_MCELLS_H, PER_HOUR)

#: Specific cell volume (mL of cell volume per gDW) used with the NCI-60 CORE data.
DEFAULT_SPECIFIC_VOLUME = 4.3

_ALIASES = {
    "mmol/gdw/h": MMOL_GDW_H,
    "mmol/gdwh": MMOL_GDW_H,
    "mmol/g/h": MMOL_GDW_H,
    "mmolgdw-1h-1": MMOL_GDW_H,
    "mmol/gdw/hr": MMOL_GDW_H,
    "fmol/cell/h": FMOL_CELL_H,
    "fmol/cell/hr": FMOL_CELL_H,
    "fmolcell-1h-1": FMOL_CELL_H,
    "nmol/10^6cells/h": NMOL_MCELLS_H,
    "nmol/1e6cells/h": NMOL_MCELLS_H,
    "nmol/10^6cell/h": NMOL_MCELLS_H,
    "nmol/1e6cell/h": NMOL_MCELLS_H,
    "nmol/millioncells/h": NMOL_MCELLS_H,
    "nmol/10^6cells/hr": NMOL_MCELLS_H,
    "1/h": PER_HOUR,
    "h-1": PER_HOUR,
    "h^-1": PER_HOUR,
    "/h": PER_HOUR,
}


def canonical_unit(unit: str) -> Optional[str]:
    """The canonical spelling of ``unit`` (case and spaces ignored), or ``None``."""
    key = re.sub(r"\s+", "", str(unit)).lower().replace("µ", "u")
    return _ALIASES.get(key)


def _positive(name: str, value) -> float:
    if value is None or isinstance(value, bool):
        raise FluxasnInputError(f"{name} is required for this conversion", identifier=name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FluxasnInputError(f"{name} must be a number, got {value!r}", identifier=name) from None
    if not math.isfinite(number) or number <= 0:
        raise FluxasnInputError(f"{name} must be a finite number > 0, got {value!r}", identifier=name)
    return number


def dry_mass_from_volume(cell_volume_pL: float, specific_volume: float = DEFAULT_SPECIFIC_VOLUME) -> float:
    """Cell dry mass (pg/cell) equivalent to a cell volume (pL) at ``specific_volume`` mL/gDW."""
    volume = _positive("cell_volume_pL", cell_volume_pL)
    specific = _positive("specific_volume", specific_volume)
    return volume / specific * 1e3


def fmol_per_cell_h_to_mmol_per_gdw_h(
    value: float,
    *,
    dry_mass_pg: Optional[float] = None,
    cell_volume_pL: Optional[float] = None,
    specific_volume: float = DEFAULT_SPECIFIC_VOLUME,
) -> float:
    """Convert fmol/cell/h to mmol/gDW/h through the dry mass or the cell volume.

    Parameters
    ----------
    value
        Rate in fmol/cell/h.
    dry_mass_pg
        Cell dry mass in pg/cell (``v = x / m``).
    cell_volume_pL
        Cell volume in pL/cell, used with ``specific_volume`` (mL/gDW) when no
        dry mass is given (``v = x * s / V * 1e-3``).
    specific_volume
        Specific cell volume, mL per gDW (default 4.3).

    Raises
    ------
    FluxasnInputError
        Neither (or both) of dry mass and volume given, or a non-positive one.
    """
    if (dry_mass_pg is None) == (cell_volume_pL is None):
        raise FluxasnInputError(
            "converting fmol/cell/h to mmol/gDW/h needs exactly one of dry_mass_pg (pg/cell) "
            "or cell_volume_pL (pL/cell)",
            identifier="dry_mass_pg",
        )
    mass = (
        _positive("dry_mass_pg", dry_mass_pg)
        if dry_mass_pg is not None
        else dry_mass_from_volume(cell_volume_pL, specific_volume)
    )
    return float(value) / mass


def mmol_per_gdw_h_to_fmol_per_cell_h(
    value: float,
    *,
    dry_mass_pg: Optional[float] = None,
    cell_volume_pL: Optional[float] = None,
    specific_volume: float = DEFAULT_SPECIFIC_VOLUME,
) -> float:
    """Inverse of :func:`fmol_per_cell_h_to_mmol_per_gdw_h` (``x = v * m``)."""
    if (dry_mass_pg is None) == (cell_volume_pL is None):
        raise FluxasnInputError(
            "needs exactly one of dry_mass_pg or cell_volume_pL", identifier="dry_mass_pg"
        )
    mass = (
        _positive("dry_mass_pg", dry_mass_pg)
        if dry_mass_pg is not None
        else dry_mass_from_volume(cell_volume_pL, specific_volume)
    )
    return float(value) * mass


def nmol_per_million_cells_h_to_fmol_per_cell_h(value: float) -> float:
    """nmol/10^6 cells/h -> fmol/cell/h (numerically equal: 1e-9 mol / 1e6 cells = 1e-15 mol/cell)."""
    return float(value) * 1e-9 / 1e6 / 1e-15


def fmol_per_cell_h_to_nmol_per_million_cells_h(value: float) -> float:
    """fmol/cell/h -> nmol/10^6 cells/h (numerically equal)."""
    return float(value) * 1e-15 * 1e6 / 1e-9


def convert_rate(
    value: float,
    unit: str,
    *,
    to: str = MMOL_GDW_H,
    dry_mass_pg: Optional[float] = None,
    cell_volume_pL: Optional[float] = None,
    specific_volume: float = DEFAULT_SPECIFIC_VOLUME,
) -> float:
    """Convert a rate between the units of :data:`UNITS`.

    Per-cell units need ``dry_mass_pg`` or ``cell_volume_pL`` to go to or from
    mmol/gDW/h; ``1/h`` converts only to itself.

    Raises
    ------
    FluxasnInputError
        An unknown unit, or a conversion that needs a missing cell parameter.
    """
    source = canonical_unit(unit)
    target = canonical_unit(to)
    for given, canonical in ((unit, source), (to, target)):
        if canonical is None:
            raise FluxasnInputError(
                "unknown unit; expected one of " + ", ".join(UNITS), identifier=str(given)
            )
    if source == target:
        return float(value)
    if PER_HOUR in (source, target):
        raise FluxasnInputError(f"cannot convert {source} to {target}", identifier=str(unit))
    cells = dict(dry_mass_pg=dry_mass_pg, cell_volume_pL=cell_volume_pL, specific_volume=specific_volume)
    # go through fmol/cell/h
    if source == NMOL_MCELLS_H:
        per_cell = nmol_per_million_cells_h_to_fmol_per_cell_h(value)
    elif source == FMOL_CELL_H:
        per_cell = float(value)
    else:
        per_cell = mmol_per_gdw_h_to_fmol_per_cell_h(value, **cells)
    if target == FMOL_CELL_H:
        return per_cell
    if target == NMOL_MCELLS_H:
        return fmol_per_cell_h_to_nmol_per_million_cells_h(per_cell)
    return fmol_per_cell_h_to_mmol_per_gdw_h(per_cell, **cells)
