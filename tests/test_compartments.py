"""find_compartments / compartment_id, and the readouts on a model whose compartments are not c/m/e (#15).

Reference for the readouts: the same bundled core model with its compartments
``c``/``m``/``e`` renamed to ``C_c``/``C_m``/``C_e`` (named Cytosol,
Mitochondrion, External) must give the same numbers as the original.
"""
from __future__ import annotations

import cobra
import pandas as pd
import pytest

import fluxasn
from fluxasn.analysis import readouts as R
from fluxasn.analysis.redox import forced_directions
from fluxasn.core.compartments import COMPARTMENT_KINDS, Compartments, compartment_id, find_compartments
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, RoleError

RENAME = {"c": ("C_c", "Cytosol"), "m": ("C_m", "Mitochondrion"), "e": ("C_e", "External")}


def _tiny(compartments, exchange_in=None) -> cobra.Model:
    """One metabolite per compartment (id -> name), a transport chain, exchanges in ``exchange_in``."""
    model = cobra.Model("tiny_compartments")
    mets = {cid: cobra.Metabolite(f"a_{cid}", name="A", compartment=cid) for cid in compartments}
    ids = list(compartments)
    for left, right in zip(ids, ids[1:]):
        t = cobra.Reaction(f"T_{left}_{right}", lower_bound=-1000, upper_bound=1000)
        t.add_metabolites({mets[left]: -1, mets[right]: 1})
        model.add_reactions([t])
    if exchange_in is not None:
        for i in range(3):
            extra = cobra.Metabolite(f"b{i}_{exchange_in}", name=f"B{i}", compartment=exchange_in)
            ex = cobra.Reaction(f"EX_b{i}", lower_bound=-1, upper_bound=1000)
            ex.add_metabolites({extra: -1})
            model.add_reactions([ex])
    model.compartments = dict(compartments)
    return model


def test_names_find_the_kinds_whatever_the_ids():
    model = _tiny({"C_c": "Cytosol", "C_m": "Mitochondrion", "C_e": "External", "C_i": "Inner mitochondria"})
    found = find_compartments(model)
    assert isinstance(found, Compartments)
    assert (found.cytosol, found.mitochondrion, found.extracellular) == ("C_c", "C_m", "C_e")
    assert found.methods["cytosol"] == "name 'Cytosol'"
    assert found["mitochondrion"] == "C_m"
    assert list(found.to_frame()["kind"]) == list(COMPARTMENT_KINDS)
    assert compartment_id(model, "cytosol") == "C_c"
    assert compartment_id(model, "c") == "C_c"  # a usual letter the model does not use is read as its kind
    assert compartment_id(model, "mitochondria") == "C_m"
    assert compartment_id(model, "C_i") == "C_i"  # an id of the model is returned as is


def test_whole_word_ids_and_extracellular_from_the_boundary_reactions():
    words = _tiny({"Cytosol": "", "Mitochondria": "", "Extracellular": ""})
    found = find_compartments(words)
    assert (found.cytosol, found.mitochondrion, found.extracellular) == ("Cytosol", "Mitochondria", "Extracellular")
    assert found.methods["cytosol"] == "id 'Cytosol'"
    letters = _tiny({"q": "", "w": "", "z": ""}, exchange_in="z")
    found = find_compartments(letters)
    assert found.extracellular == "z" and found.methods["extracellular"].startswith("where the boundary reactions are")
    assert found.cytosol is None and "no compartment named or labelled cytosol" in found.methods["cytosol"]


def test_missing_kinds_raise_role_errors_naming_the_model_compartments():
    model = _tiny({"q": "Golgi", "w": "Nucleus"})
    found = find_compartments(model)
    with pytest.raises(RoleError, match="no compartment recognised as mitochondrion"):
        found["mitochondrion"]
    with pytest.raises(RoleError, match="q \\(Golgi\\)"):
        compartment_id(model, "cytosol")
    with pytest.raises(RoleError, match="no compartment 'vacuole'"):
        compartment_id(model, "vacuole")
    with pytest.raises(FluxasnInputError):
        found["nucleus"]


def test_overrides_win_and_are_checked():
    model = _tiny({"q": "", "w": "", "e": "extracellular"})
    found = find_compartments(model, overrides={"cytosol": "q", "mitochondrion": "w"})
    assert (found.cytosol, found.mitochondrion, found.extracellular) == ("q", "w", "e")
    assert found.methods["cytosol"] == "override"
    with pytest.raises(FluxasnInputError):
        find_compartments(model, overrides={"cytosol": "nope"})
    with pytest.raises(FluxasnInputError):
        find_compartments(model, overrides={"golgi": "q"})


def test_boundary_reactions_in_the_cytosol_give_no_extracellular():
    model = _tiny({"c": "cytosol", "m": "mitochondrion"}, exchange_in="c")
    found = find_compartments(model)
    assert found.extracellular is None and "the cytosol" in found.methods["extracellular"]


@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_human_gem_letters(_human_gem_session):
    found = find_compartments(_human_gem_session)
    assert (found.cytosol, found.mitochondrion, found.extracellular) == ("c", "m", "e")
    assert found.methods["mitochondrion"] == "name 'Mitochondria'"  # not "Inner mitochondria" (i)


# --- the readouts on renamed compartments ----------------------------------------------


def _renamed(model: cobra.Model, rename=RENAME) -> cobra.Model:
    for met in model.metabolites:
        met.compartment = rename[met.compartment][0]
    model.compartments = {new: name for new, name in rename.values()}
    return model


@pytest.fixture(scope="module")
def core_pair():
    original = fluxasn.load_model("core")
    return original, _renamed(original.copy())


def test_readouts_on_renamed_compartments_match_the_original(core_pair):
    original, renamed = core_pair
    found = find_compartments(renamed)
    assert (found.cytosol, found.mitochondrion, found.extracellular) == ("C_c", "C_m", "C_e")
    a = R.aspartate_sources(original)
    b = R.aspartate_sources(renamed)
    assert list(b["compartment"].unique()) == ["C_c", "C_m"]
    b = b.assign(compartment=b["compartment"].map({"C_c": "c", "C_m": "m"}))
    a, b = (t.assign(reactions=t["reactions"].map(lambda r: ";".join(sorted(r.split(";"))))) for t in (a, b))
    pd.testing.assert_frame_equal(a[["compartment", "metabolite", "source", "reactions"]],
                                  b[["compartment", "metabolite", "source", "reactions"]])
    assert b["flux"].to_numpy() == pytest.approx(a["flux"].to_numpy(), abs=1e-6)
    assert b["maximum"].to_numpy() == pytest.approx(a["maximum"].to_numpy(), abs=1e-6)
    assert "uptake" in set(b["source"]) or "uptake" not in set(a["source"])
    pa, pb = R.shadow_prices(original), R.shadow_prices(renamed)
    assert pb.drop("status").astype(float).to_numpy() == pytest.approx(pa.drop("status").astype(float).to_numpy(),
                                                                         abs=1e-6, nan_ok=True)
    na, nb = R.nucleotide_capacity(original), R.nucleotide_capacity(renamed)
    assert nb["purine_capacity"] == pytest.approx(na["purine_capacity"], abs=1e-6)
    assert nb["pyrimidine_capacity"] == pytest.approx(na["pyrimidine_capacity"], abs=1e-6)


def test_redox_directions_on_renamed_compartments_match_the_original(core_pair):
    original, renamed = core_pair
    a, b = forced_directions(original), forced_directions(renamed)
    pd.testing.assert_frame_equal(a, b)


def test_a_model_without_a_mitochondrion_reads_the_cytosol_and_a_missing_cytosol_is_a_role_error(core_pair):
    original, _ = core_pair
    model = original.copy()
    rename = {"c": ("C_c", "Cytosol"), "m": ("X1", "Organelle"), "e": ("C_e", "External")}
    _renamed(model, rename)
    table = R.aspartate_sources(model)
    assert set(table["compartment"]) == {"C_c"}
    assert R.aspartate_sources(model, compartments=("cytosol", "X1"))["compartment"].nunique() == 2
    hidden = original.copy()
    _renamed(hidden, {"c": ("X0", "Organelle 0"), "m": ("X1", "Organelle 1"), "e": ("C_e", "External")})
    resolver = ModelResolver(hidden)
    for call in (lambda: R.aspartate_sources(hidden, resolver=resolver),
                 lambda: R.shadow_prices(hidden, resolver=resolver),
                 lambda: R.nucleotide_capacity(hidden, resolver=resolver)):
        with pytest.raises(RoleError, match="cytosol"):
            call()
    # naming the compartment by hand makes it work
    fixed = ModelResolver(hidden, compartment_overrides={"cytosol": "X0", "mitochondrion": "X1"})
    assert R.nucleotide_capacity(hidden, resolver=fixed)["status"] == "optimal"
