"""Media on Human-GEM and Recon3D: growth on RPMI-1640 + FBS, ASNS knockout with and without Asn."""
from __future__ import annotations

import pytest

from fluxasn.core.media import UptakeRule, apply_medium
from fluxasn.core.roles import find_roles

pytestmark = pytest.mark.genome_scale


def _asn_checks(model):
    """Growth on RPMI-1640 (+10% FBS), with ASNS knocked out, and on RPMI-1640 -Asn with ASNS knocked out."""
    roles = find_roles(model, roles=["ASNS", "biomass"])
    asns, biomass = roles["ASNS"], roles["biomass"]
    out = {}
    with model:
        model.objective = biomass
        result = apply_medium(model, "RPMI-1640")
        out["unmatched"] = result.unmatched
        out["growth"] = model.slim_optimize(error_value=0.0)
        model.reactions.get_by_id(asns).knock_out()
        out["asns_ko"] = model.slim_optimize(error_value=0.0)
    with model:
        model.objective = biomass
        apply_medium(model, "RPMI-1640 -Asn")
        out["asn_free"] = model.slim_optimize(error_value=0.0)
        model.reactions.get_by_id(asns).knock_out()
        out["asn_free_asns_ko"] = model.slim_optimize(error_value=0.0)
    with model:
        model.objective = biomass
        apply_medium(model, "RPMI-1640", rule=UptakeRule(minimum=0))
        out["pure_rule"] = model.slim_optimize(error_value=0.0)
    with model:
        model.objective = biomass
        apply_medium(model, "RPMI-1640", serum=None)
        out["no_serum"] = model.slim_optimize(error_value=0.0)
    return out


def _assert_asn_logic(out):
    assert out["growth"] > 1e-3
    # Asn in the medium covers the demand: knocking out ASNS changes nothing
    assert out["asns_ko"] == pytest.approx(out["growth"], rel=1e-6)
    # without Asn the cell must make it: growth stays without the knockout, is zero with it
    assert out["asn_free"] == pytest.approx(out["growth"], rel=1e-6)
    assert out["asn_free_asns_ko"] == pytest.approx(0.0, abs=1e-9)
    # every exchange closed but the medium's: no uptake of peptides or anything else
    assert out["pure_rule"] > 0


def test_human_gem(_human_gem_session):
    out = _asn_checks(_human_gem_session)
    _assert_asn_logic(out)
    # strict RPMI-1640 lacks what Human-GEM's biomass needs from serum (retinol, tocopherols,
    # lipoate, linoleate, linolenate, iron)
    assert out["no_serum"] == pytest.approx(0.0, abs=1e-9)
    assert "4abz" in out["unmatched"]  # reported, not ignored: Human-GEM has no 4-aminobenzoate exchange


def test_recon3d(_recon3d_session):
    out = _asn_checks(_recon3d_session)
    _assert_asn_logic(out)
    # Recon3D's biomass needs an essential fatty acid (linoleate or linolenate) from serum
    assert out["no_serum"] == pytest.approx(0.0, abs=1e-9)
    assert {"ca2", "mg2", "cl"} <= set(out["unmatched"])  # Recon3D has no Ca2+, Mg2+, Cl- exchanges


def test_human_gem_open_model_does_not_need_asns(_human_gem_session):
    # the pitfall the medium fixes: as shipped every exchange is open, so ASNS KO without Asn keeps growth
    model = _human_gem_session
    with model:
        model.reactions.MAR09062.bounds = (0.0, 1000.0)  # no free Asn
        model.reactions.MAR03903.knock_out()
        assert model.slim_optimize(error_value=0.0) > 1.0  # peptides and everything else still open
