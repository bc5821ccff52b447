"""Electron vents (:func:`fluxasn.electron_vents`): NADH reoxidation without respiration.

Hand-solved network (compartments ``e``, ``c``): S uptake <= 1, Q uptake <= 2,
O2 uptake <= 5.

* GLY  ``s + nad -> p + nadh + h``  (S -> P makes NADH)
* LDH  ``p + nadh + h -> l + nad``  (L secreted)
* RED  ``q + nadh + h -> l2 + nad`` (a reduced product from an acceptor, L2 secreted)
* RESP ``nadh + h + 0.5 o2 -> nad + h2o`` (respiration)
* BIO  ``p ->``

Extra NADH that the network can reoxidise: without O2 only RED, held by
Q's uptake: 2 mmol/gDW/h (S -> P -> L is NADH-neutral, S -> P -> BIO makes
NADH). With O2, RESP adds 2 x 5: 12. A cycle ``a + nadh + h -> b + nad``,
``b -> a`` reoxidises NADH for nothing: the load reaches the cap.
"""
from __future__ import annotations

import cobra
import pytest

import fluxasn
from fluxasn.analysis.readouts.electrons import LOAD_PREFIX
from fluxasn.exceptions import FluxasnInputError


def vent_network(cycle: bool = False, half_reactions: bool = False) -> cobra.Model:
    model = cobra.Model("vents")
    mets = {}

    def met(mid, formula="", charge=0):
        base, comp = mid.rsplit("_", 1)
        mets[mid] = mets.get(mid) or cobra.Metabolite(mid, formula=formula, charge=charge, compartment=comp,
                                                      name=base)
        return mets[mid]

    met("h_c", "H", 1), met("h_e", "H", 1), met("nad_c", "C21H26N7O14P2", -1), met("nadh_c", "C21H27N7O14P2", -2)
    met("o2_c", "O2"), met("o2_e", "O2"), met("h2o_c", "H2O"), met("h2o_e", "H2O")

    def add(rid, stoich, lb=0.0, ub=1000.0):
        r = cobra.Reaction(rid, name=rid, lower_bound=lb, upper_bound=ub)
        r.add_metabolites({met(k): v for k, v in stoich.items()})
        model.add_reactions([r])
        return r

    for x, uptake in (("s", 1.0), ("q", 2.0), ("l", 0.0), ("l2", 0.0), ("o2", 5.0), ("h", 1000.0), ("h2o", 1000.0)):
        add(f"EX_{x}_e", {f"{x}_e": -1}, -uptake, 1000.0)
        add(f"T_{x}", {f"{x}_e": -1, f"{x}_c": 1}, -1000.0, 1000.0)
    add("GLY", {"s_c": -1, "nad_c": -1, "p_c": 1, "nadh_c": 1, "h_c": 1})
    add("LDH", {"p_c": -1, "nadh_c": -1, "h_c": -1, "l_c": 1, "nad_c": 1})
    add("RED", {"q_c": -1, "nadh_c": -1, "h_c": -1, "l2_c": 1, "nad_c": 1})
    add("RESP", {"nadh_c": -1, "h_c": -1, "o2_c": -0.5, "nad_c": 1, "h2o_c": 1})
    add("BIO", {"p_c": -1})
    if half_reactions:  # Human-GEM's urate radical / monodehydroascorbate pair, formulas and charges as there
        met("asc_c", "C6H7O6", -1), met("dha_c", "C6H5O6", -1), met("mdha_c", "C6H6O6", -1)
        met("urate_c", "C5H4N4O3", 0), met("urrad_c", "C5H3N4O3", 0)
        add("DHAR", {"dha_c": -1, "nadh_c": -1, "h_c": -1, "asc_c": 1, "nad_c": 1})
        add("URR", {"asc_c": -1, "urrad_c": -1, "mdha_c": 1, "urate_c": 1}, -1000.0)
        add("URATE_RAD", {"urate_c": -1, "h_c": 1, "urrad_c": 1})  # charge 0 -> +1: an electron vanishes
        add("MDHA_DISP", {"mdha_c": -1, "dha_c": 1, "h_c": 1})  # charge -1 -> 0: an electron vanishes
    if cycle:
        add("CYC1", {"a_c": -1, "nadh_c": -1, "h_c": -1, "b_c": 1, "nad_c": 1})
        add("CYC2", {"b_c": -1, "a_c": 1})
    model.objective = "BIO"
    return model


def _state(model):
    return ({r.id: r.bounds for r in model.reactions}, len(model.reactions), str(model.objective.expression))


def test_without_oxygen_only_the_acceptor_route_reoxidises_nadh():
    model = vent_network()
    before = _state(model)
    result = fluxasn.electron_vents(model)
    assert _state(model) == before  # nothing left behind, O2 bound restored
    row = result.to_frame().set_index("compartment").loc["c"]
    assert row["status"] == "optimal" and not row["free_vent"]
    assert row["max_oxidation"] == pytest.approx(2.0, abs=1e-9)
    assert row["limited_by"].startswith("uptake of q")
    routes = result.routes.set_index("reaction")
    assert routes.loc["RED", "oxidised"] == pytest.approx(2.0, abs=1e-6)  # route at 1 - 1e-9 of the maximum
    assert "RESP" not in routes.index
    assert routes.loc["EX_l2_e", "flux"] == pytest.approx(2.0, abs=1e-6)
    assert result.free == [] and "WARNING" not in str(result)


def test_with_the_models_oxygen_bound_respiration_adds_two_per_o2():
    result = fluxasn.electron_vents(vent_network(), oxygen=None)
    assert result.to_frame().loc[0, "max_oxidation"] == pytest.approx(12.0, abs=1e-9)
    half = fluxasn.electron_vents(vent_network(), oxygen=1.0)
    assert half.to_frame().loc[0, "max_oxidation"] == pytest.approx(4.0, abs=1e-9)


def test_a_cycle_is_a_free_vent_named_with_its_reactions():
    result = fluxasn.electron_vents(vent_network(cycle=True), cap=50.0)
    row = result.to_frame().loc[0]
    assert row["free_vent"] and row["max_oxidation"] == pytest.approx(50.0)
    assert result.free == ["c"]
    routes = result.routes.set_index("reaction")
    # the parsimonious route is the cycle alone (RED would add uptake and secretion flux); CYC2 closes it
    assert routes.loc["CYC1", "oxidised"] == pytest.approx(50.0, abs=1e-6) and "RED" not in routes.index
    assert routes.loc["CYC2", "kind"] == "route" and routes.loc["CYC2", "flux"] == pytest.approx(
        routes.loc["CYC1", "flux"], abs=1e-9)
    assert "WARNING: free electron vent in c" in str(result)
    assert "<table" in result._repr_html_()


def test_measured_bound_is_named_as_such():
    result = fluxasn.electron_vents(vent_network(), measured=["EX_q_e"])
    assert result.to_frame().loc[0, "limited_by"].startswith("measured uptake of q")


def test_bad_input_is_named():
    model = vent_network()
    with pytest.raises(FluxasnInputError) as info:
        fluxasn.electron_vents(model, cofactor="fadh2")
    assert info.value.identifier == "cofactor"
    with pytest.raises(FluxasnInputError) as info:
        fluxasn.electron_vents(model, cap=-1)
    assert info.value.identifier == "cap"
    with pytest.raises(FluxasnInputError) as info:
        fluxasn.electron_vents(model, cofactor="nadph", compartments=["c"])
    assert info.value.identifier == "c"
    assert fluxasn.electron_vents(model, cofactor="nadph").to_frame().empty  # no NADP pair: nothing to audit


def test_core_model_has_no_free_vent_and_closing_transhydrogenation_only_removes_routes(core_model):
    from fluxasn.analysis.redox import block_transhydrogenation

    plain = fluxasn.electron_vents(core_model).to_frame().set_index("compartment")
    assert set(plain.index) == {"c", "m"}
    assert (plain["status"] == "optimal").all() and not plain["free_vent"].any()
    assert (plain["max_oxidation"] > 0).all()
    with core_model:
        block_transhydrogenation(core_model)
        blocked = fluxasn.electron_vents(core_model).to_frame().set_index("compartment")
    assert (blocked["max_oxidation"] <= plain["max_oxidation"] + 1e-9).all()
    assert blocked.loc["m", "max_oxidation"] < plain.loc["m", "max_oxidation"] - 1e-3  # GDHm/MTHFD2m reverse closed
    assert not any(r.id.startswith(LOAD_PREFIX) for r in core_model.reactions)


def test_close_free_vents_closes_electron_half_reactions_only():
    from fluxasn.analysis.readouts.electrons import close_free_vents

    model = vent_network(half_reactions=True)
    assert fluxasn.electron_vents(model).free == ["c"]
    with model:
        closed = close_free_vents(model)
        assert set(closed.loc[closed.status == "closed", "reaction"]) == {"URATE_RAD", "MDHA_DISP"}
        assert set(closed["charge_created"].dropna()) == {1.0}
        assert (closed["status"] != "unresolved").all()
        after = fluxasn.electron_vents(model).to_frame().loc[0]
        assert not after["free_vent"] and after["max_oxidation"] == pytest.approx(2.0, abs=1e-9)
        assert model.reactions.DHAR.bounds == (0.0, 1000.0)  # balanced reactions stay open
    assert model.reactions.URATE_RAD.bounds == (0.0, 1000.0)  # undone on leaving the block
    # a cycle of reactions without formulas is never closed: reported unresolved
    with vent_network(cycle=True) as other:
        result = close_free_vents(other)
    assert list(result["status"]) == ["unresolved"] and list(result["compartment"]) == ["c"]


def test_flux_summary_warns_of_a_free_vent_and_keeps_the_audit():
    """The flux report names a free vent in a warning (respiration loss would cost nothing)."""
    from fluxasn.report import summarize

    free = summarize(vent_network(cycle=True), roles={"biomass": "BIO"}, fva=False)
    assert any("free electron vent" in w and "compartment(s) c" in w for w in free.warnings)
    assert free.vents.free == ["c"] and len(free.vents.routes) == 0  # the audit alone, no route LPs
    assert free.to_dict()["electron_vents"][0]["free_vent"] is True
    bounded = summarize(vent_network(), roles={"biomass": "BIO"}, fva=False)
    assert not any("electron vent" in w for w in bounded.warnings)
    assert bounded.vents.to_frame().loc[0, "max_oxidation"] == pytest.approx(2.0, abs=1e-9)
    skipped = summarize(vent_network(cycle=True), roles={"biomass": "BIO"}, fva=False, vents=False)
    assert skipped.vents is None and not any("electron vent" in w for w in skipped.warnings)


def test_cli_vents_prints_the_audit_and_fails_on_a_free_vent(tmp_path):
    import json

    from click.testing import CliRunner

    from fluxasn.cli import cli
    from fluxasn.cli.app import Problems

    runner = CliRunner()
    done = runner.invoke(cli, ["vents", "--json", "--no-routes"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["free"] == [] and {r["compartment"] for r in data["compartments"]} == {"c", "m"}
    path = tmp_path / "vents.json"
    cobra.io.save_json_model(vent_network(cycle=True), str(path))
    found = runner.invoke(cli, ["vents", "--model", str(path), "--medium", "none"])
    assert isinstance(found.exception, Problems)  # main() exits with EXIT_PROBLEMS (3) for it
    assert "CYC1" in found.stdout and "WARNING: free electron vent in c" in found.stdout
