"""Unit conversions against hand-computed values."""
from __future__ import annotations

import pytest

from fluxasn.core import units
from fluxasn.exceptions import FluxasnInputError


def test_anchor_volume_route():
    # shared/bio/quantitative_anchors.md: 400 fmol/cell/h at 2.2 pL with 4.3 mL/gDW -> 0.78 mmol/gDW/h
    # by hand: 400 * 4.3 / 2.2 * 1e-3 = 0.781818...
    value = units.fmol_per_cell_h_to_mmol_per_gdw_h(400, cell_volume_pL=2.2)
    assert value == pytest.approx(0.7818181818, rel=1e-9)
    assert round(value, 2) == 0.78


def test_dry_mass_route():
    # 283 fmol/cell/h (PC-3 glucose) at 500 pg dry mass: 283e-15 mol / 500e-12 g = 5.66e-4 mol/g = 0.566 mmol/g
    assert units.fmol_per_cell_h_to_mmol_per_gdw_h(283, dry_mass_pg=500) == pytest.approx(0.566)
    # equivalent dry mass of 2.2 pL at 4.3 mL/gDW: 2.2e-12 L / 4.3e-3 L/g = 5.116e-10 g = 511.6 pg
    assert units.dry_mass_from_volume(2.2) == pytest.approx(511.6279, rel=1e-6)
    assert units.mmol_per_gdw_h_to_fmol_per_cell_h(0.566, dry_mass_pg=500) == pytest.approx(283)


def test_nmol_per_million_cells():
    # 1 nmol / 1e6 cells = 1e-15 mol/cell = 1 fmol/cell
    assert units.nmol_per_million_cells_h_to_fmol_per_cell_h(96.5) == pytest.approx(96.5)
    assert units.fmol_per_cell_h_to_nmol_per_million_cells_h(3.8) == pytest.approx(3.8)
    # 100 nmol/1e6 cells/h at 250 pg/cell: 100 fmol/cell/h / 250 pg = 0.4 mmol/gDW/h
    assert units.convert_rate(100, "nmol/10^6 cells/h", dry_mass_pg=250) == pytest.approx(0.4)
    assert units.convert_rate(0.4, "mmol/gDW/h", to="nmol/1e6 cells/h", dry_mass_pg=250) == pytest.approx(100)


def test_unit_spellings_and_errors():
    assert units.canonical_unit(" mmol / gDW / h ") == units.MMOL_GDW_H
    assert units.canonical_unit("h-1") == units.PER_HOUR
    assert units.canonical_unit("mol/cell/day") is None
    assert units.convert_rate(0.03, "1/h", to="1/h") == 0.03
    with pytest.raises(FluxasnInputError, match="mol/L"):
        units.convert_rate(1, "mol/L")
    with pytest.raises(FluxasnInputError, match="dry_mass_pg"):
        units.convert_rate(1, "fmol/cell/h")
    with pytest.raises(FluxasnInputError, match="dry_mass_pg"):
        units.fmol_per_cell_h_to_mmol_per_gdw_h(1, dry_mass_pg=300, cell_volume_pL=2)
    with pytest.raises(FluxasnInputError, match="> 0"):
        units.fmol_per_cell_h_to_mmol_per_gdw_h(1, dry_mass_pg=0)
    with pytest.raises(FluxasnInputError):
        units.convert_rate(1, "1/h", to="mmol/gDW/h")
