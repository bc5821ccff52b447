"""find_biomass: each rule on a tiny hand-built model with a known answer, then the genome-scale models (#15).

The genome-scale expectations were checked by reading each model: its
objective, the bounds, names and metabolites of its biomass-like reactions
(see ../shared/models/extra/README.md).
"""
from __future__ import annotations

from typing import Dict, Sequence

import cobra
import pytest

import fluxasn
from fluxasn.core.biomass import BiomassChoice, find_biomass, is_biomass_metabolite
from fluxasn.core.roles import find_roles


PRECURSORS = ("ala", "gly", "ser", "atp", "gtp", "ctp", "utp", "datp", "lipid", "glycogen")


def _network(model_id: str = "tiny") -> cobra.Model:
    """Precursors taken up from the medium (one exchange each); ATP maintenance; no biomass yet."""
    model = cobra.Model(model_id)
    for name in PRECURSORS + ("adp", "pi", "h"):
        met = cobra.Metabolite(f"{name}_c", name=name, compartment="c")
        ex = cobra.Reaction(f"EX_{name}", lower_bound=-10, upper_bound=1000)
        ex.add_metabolites({met: -1})
        model.add_reactions([ex])
    atpm = cobra.Reaction("ATPM", name="ATP maintenance", lower_bound=0, upper_bound=1000)
    atpm.add_metabolites({_met(model, "atp"): -1, _met(model, "adp"): 1, _met(model, "pi"): 1})
    model.add_reactions([atpm])
    return model


def _met(model: cobra.Model, name: str) -> cobra.Metabolite:
    return model.metabolites.get_by_id(f"{name}_c")


def _biomass(model: cobra.Model, reaction_id: str, reactants: Sequence[str], *, name: str = "biomass",
             bounds=(0, 1000), products: Dict[cobra.Metabolite, float] = None) -> cobra.Reaction:
    reaction = cobra.Reaction(reaction_id, name=name, lower_bound=bounds[0], upper_bound=bounds[1])
    stoichiometry = {(_met(model, r) if isinstance(r, str) else r): -1.0 for r in reactants}
    stoichiometry.update(products or {})
    reaction.add_metabolites(stoichiometry)
    model.add_reactions([reaction])
    return reaction


def _choice(model: cobra.Model) -> BiomassChoice:
    choice = find_biomass(model)
    roles = find_roles(model, roles=["biomass"])  # the role says the same
    assert roles.reactions("biomass") == choice.reactions
    assert roles.status("biomass") == choice.status
    return choice


# --- each rule on a tiny model ---------------------------------------------------------


def test_closed_biomass_variants_give_way_to_the_open_one():
    model = _network()
    for i in range(3):
        _biomass(model, f"BIOMASS_closed{i}", PRECURSORS, name="Generic biomass reaction", bounds=(0, 0))
    _biomass(model, "BIOMASS_open", PRECURSORS[:8], name="biomass of this cell type")
    model.objective = "ATPM"
    choice = _choice(model)
    assert choice.reactions == ("BIOMASS_open",) and choice.status == "found"
    assert set(choice.candidates) == {"BIOMASS_open", "BIOMASS_closed0", "BIOMASS_closed1", "BIOMASS_closed2"}
    assert all(choice.reasons[f"BIOMASS_closed{i}"].startswith("closed") for i in range(3))
    assert "objective ATPM is not the biomass reaction" in choice.method


def test_three_closed_ones_and_nothing_open_stay_ambiguous():
    model = _network()
    for i in range(3):
        _biomass(model, f"BIOMASS_closed{i}", PRECURSORS[: 8 + i % 2], bounds=(0, 0))
    choice = _choice(model)
    assert choice.status == "multiple" and len(choice.reactions) == 3


def test_an_objective_that_drains_a_biomass_metabolite_is_followed_to_its_maker():
    model = _network()
    biomass = cobra.Metabolite("m99999_c", name="cellular biomass", compartment="c")
    _biomass(model, "R_SYNTH", PRECURSORS, name="biomass synthesis", products={biomass: 1})
    drain = cobra.Reaction("R_DRAIN", name="biomass demand", lower_bound=0, upper_bound=1000)
    drain.add_metabolites({biomass: -1})
    model.add_reactions([drain])
    _biomass(model, "R_OTHER", PRECURSORS, name="another biomass")  # open, but not what the objective drains
    model.objective = "R_DRAIN"
    choice = _choice(model)
    assert choice.reactions == ("R_SYNTH",)
    assert choice.method == "objective drain R_DRAIN -> R_SYNTH"
    assert "drain" in choice.reasons["R_DRAIN"]
    assert is_biomass_metabolite(biomass)


def test_a_drain_objective_is_followed_through_a_transport_of_biomass():
    model = _network()
    inside = cobra.Metabolite("bm_c", name="biomass", compartment="c")
    outside = cobra.Metabolite("bm_e", name="biomass", compartment="e")
    _biomass(model, "R1", PRECURSORS, name="", products={inside: 1})  # no name: found by its product
    transport = cobra.Reaction("R2", lower_bound=0, upper_bound=1000)
    transport.add_metabolites({inside: -1, outside: 1})
    exchange = cobra.Reaction("R3", name="Exchange of biomass", lower_bound=-1000, upper_bound=1000)
    exchange.add_metabolites({outside: -1})
    model.add_reactions([transport, exchange])
    model.objective = "R3"
    choice = _choice(model)
    assert choice.reactions == ("R1",) and choice.method == "objective drain R3 -> R1"


def test_a_pool_feeding_the_biomass_is_a_component_not_growth():
    model = _network()
    pool = cobra.Metabolite("protein_pool_c", name="protein pool", compartment="c")
    # many reactants, no telling name: found as a component because its product is used only by the biomass
    _biomass(model, "R_ASSEMBLE", PRECURSORS[:3] + ("atp",), name="biomass precursor assembly",
             products={pool: 1, _met(model, "adp"): 1})
    _biomass(model, "R_POOLNAME", PRECURSORS[4:8], name="nucleotide pool for biomass")
    _biomass(model, "BIOMASS", [pool, _met(model, "lipid"), _met(model, "glycogen")], name="growth")
    choice = _choice(model)
    assert choice.reactions == ("BIOMASS",)
    assert choice.reasons["R_ASSEMBLE"] == "component of BIOMASS"
    assert "pool" in choice.reasons["R_POOLNAME"]
    assert "no objective" in choice.method


def test_objective_atp_maintenance_finds_the_biomass_by_name_and_says_so():
    model = _network()
    _biomass(model, "BIOMASS_X", PRECURSORS, name="biomass")
    model.objective = "ATPM"
    choice = _choice(model)
    assert choice.reactions == ("BIOMASS_X",)
    assert choice.method.startswith("name")
    assert "objective ATPM is not the biomass reaction" in choice.method


def test_sbo_term_alone_marks_a_candidate():
    model = _network()
    reaction = _biomass(model, "R_X", PRECURSORS, name="cell production")
    reaction.annotation["sbo"] = "SBO:0000629"
    choice = _choice(model)
    assert choice.reactions == ("R_X",) and choice.method.startswith("SBO:0000629")


def test_no_biomass_reaction_is_missing():
    model = _network()
    model.objective = "ATPM"
    choice = _choice(model)
    assert choice.reactions == () and choice.status == "missing"
    assert choice.method.startswith("no biomass reaction")


def test_two_similar_open_biomass_reactions_are_ambiguous():
    model = _network()
    _biomass(model, "BIOMASS_A", PRECURSORS, name="biomass A")
    _biomass(model, "BIOMASS_B", PRECURSORS[:8], name="biomass B")
    model.objective = "ATPM"
    choice = _choice(model)
    assert choice.status == "multiple" and set(choice.reactions) == {"BIOMASS_A", "BIOMASS_B"}
    roles = find_roles(model, roles=["biomass"])
    with pytest.raises(fluxasn.RoleError):
        roles["biomass"]


def test_a_biomass_with_many_more_reactants_wins_over_a_one_precursor_transfer():
    model = _network()
    _biomass(model, "BIOMASS_big", PRECURSORS, name="biomass")
    lipid_bm = cobra.Metabolite("lipid_biomass", name="lipid_biomass", compartment="c")
    _biomass(model, "R_LIP", ["lipid"], name="lipid into biomass", products={lipid_bm: 1})
    dm = cobra.Reaction("EX_lipid_biomass", lower_bound=-1000, upper_bound=1000)
    dm.add_metabolites({lipid_bm: -1})
    model.add_reactions([dm])
    choice = _choice(model)
    assert choice.reactions == ("BIOMASS_big",)
    assert "most reactants (10 vs at most 1)" in choice.method


def test_the_bundled_core_model():
    model = fluxasn.load_model("core")
    choice = _choice(model)
    assert choice.reactions == ("BIOMASS_fluxasn",) and choice.method == "objective"


# --- genome-scale models ---------------------------------------------------------------

@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_human_gem_takes_its_objective_not_the_pools_or_closed_variants(_human_gem_session):
    choice = find_biomass(_human_gem_session)
    assert choice.reactions == ("MAR13082",) and choice.method == "objective"
    for pool in ("MAR10062", "MAR10063", "MAR10064", "MAR10065"):
        assert choice.reasons[pool] == "component of MAR13082"
    assert choice.reasons["MAR04413"].startswith("closed")


@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_recon3d_objective_is_maintenance_so_the_growth_biomass_is_taken(_recon3d_session):
    choice = find_biomass(_recon3d_session)
    assert choice.reactions == ("BIOMASS_reaction",)
    assert "objective BIOMASS_maintenance is not the biomass reaction" in choice.method


@pytest.mark.genome_scale
@pytest.mark.shared_data
@pytest.mark.parametrize("key, expected, method", [
    ("rat", "MAR00021", "objective"),
    ("ihsa", "RCR99998", "objective drain RCR99999 -> RCR99998"),
    ("recon204", "biomass_reaction", "objective"),
    ("mouse_sbml3", "BIO028", "objective"),
    ("mouse_l2", "BIO028", "name/biomass product (the model has no objective)"),
])
def test_extra_models(extra_model, key, expected, method):
    model = extra_model(key)
    choice = find_biomass(model)
    assert choice.reactions == (expected,)
    assert choice.method == method


def test_a_drain_objective_is_growth_without_a_warning_but_atp_maintenance_is_warned():
    from fluxasn.report.summary import growth_reaction

    model = _network()
    biomass = cobra.Metabolite("bm_c", name="biomass", compartment="c")
    _biomass(model, "R_SYNTH", PRECURSORS, name="biomass synthesis", products={biomass: 1})
    drain = cobra.Reaction("R_DRAIN", name="biomass demand", lower_bound=0, upper_bound=1000)
    drain.add_metabolites({biomass: -1})
    model.add_reactions([drain])
    model.objective = "R_DRAIN"
    chosen, how, warnings = growth_reaction(model)
    assert (chosen, how, warnings) == ("R_SYNTH", "objective drain R_DRAIN -> R_SYNTH", [])
    model.objective = "ATPM"
    chosen, how, warnings = growth_reaction(model)
    assert chosen == "R_SYNTH" and any("ATPM" in w and "not its biomass reaction" in w for w in warnings)


@pytest.mark.genome_scale
@pytest.mark.shared_data
@pytest.mark.parametrize("key, expected", [
    ("rat", ("c", "m", "e")),
    ("ihsa", ("c", "m", "s")),  # s "Extracellular"; no e
    ("recon204", ("c", "m", "e")),
    ("mouse_sbml3", ("Cytosol", "Mitochondria", None)),  # boundary reactions sit in the cytosol
    ("mouse_l2", ("Cytosol", "Mitochondria", "Extracellular")),
])
def test_extra_models_compartments(extra_model, key, expected):
    from fluxasn.core.compartments import find_compartments

    found = find_compartments(extra_model(key))
    assert (found.cytosol, found.mitochondrion, found.extracellular) == expected
