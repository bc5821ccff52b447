"""The any-model matrix (issue 15): five public genome-scale models beyond Human-GEM and Recon3D.

For each model of ``shared/models/extra`` (sources and licences in its README):
load, roles (ASNS and biomass found, by which id), medium (RPMI-1640 + 10% FBS
matched / unmatched), growth of the biomass reaction, and the ASNS phenotype
wherever the model grows: ASNS loss costs nothing with medium asparagine and
is lethal without it (Krall 2016 Nat Commun 7:11457; Zhang 2014 Mol Cell
56:205; the same rule the literature suite checks on the core model).

Models that do not grow on RPMI-1640 + FBS, and why (measured):

* iHsa: its biomass needs ascorbate, in neither RPMI-1640 nor the FBS table
  (``test_media_any_model.test_ihsa_needs_ascorbate``); given 0.1 mM it grows;
* Recon 2.04: it cannot make phosphatidylcholine, -ethanolamine and -glycerol
  from the medium (``test_recon2_needs_phospholipids_not_sinks``); given small
  uptakes of the three it grows;
* mouse hybridoma L2 (no objective; biomass BIO028 found by name): growth 0
  on RPMI-1640; of the 44 uptakes the medium closes, only the antibody's
  (EX_C_MAB, made by the reversible BIO029) restores growth, i.e. the model
  then eats its own product; not a usable biomass, so no ASNS phenotype is
  asserted.

The ASNS phenotype is checked on every model that grows with the supplement
its own failure names (ascorbate for iHsa, the three phospholipids for
Recon 2.04), never by opening exchanges wholesale.
"""
from __future__ import annotations

import pytest

import fluxasn
from _cli_runner import run_cli
from _shared import EXTRA_MODELS, require_shared
from fluxasn.core.media import apply_medium, get_medium
from fluxasn.core.roles import find_roles

pytestmark = [pytest.mark.genome_scale, pytest.mark.shared_data]

#: key -> (biomass reaction, ASNS reaction, matched components at least, grows on RPMI-1640 + FBS)
EXPECTED = {
    "rat": ("MAR00021", "MAR03903", 57, True),
    "ihsa": ("RCR99998", "RCR10009", 52, False),
    "recon204": ("biomass_reaction", "ASNS1", 55, False),
    "mouse_sbml3": ("BIO028", "R00578", 26, True),
    "mouse_l2": ("BIO028", "R00578", 26, False),
}

#: The supplement a model's own failure names (see the module docstring); medium entries in mM
#: or, for exchanges the dictionary does not know, uptake bounds in mmol/gDW/h.
SUPPLEMENT_MEDIUM = {"ihsa": {"ascorbate": 0.1}}
SUPPLEMENT_BOUNDS = {"recon204": {"EX_pchol_hs(e)": -0.01, "EX_pe_hs(e)": -0.01, "EX_pglyc_hs(e)": -0.01}}


def _on_medium(model, key):
    medium = dict(get_medium("RPMI-1640").concentrations, **SUPPLEMENT_MEDIUM.get(key, {}))
    result = apply_medium(model, medium if key in SUPPLEMENT_MEDIUM else "RPMI-1640")
    for rid, lb in SUPPLEMENT_BOUNDS.get(key, {}).items():
        model.reactions.get_by_id(rid).lower_bound = lb
    return result


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_roles_medium_growth_and_asns(extra_model, key):
    biomass, asns, matched, grows = EXPECTED[key]
    model = extra_model(key)
    roles = find_roles(model).to_frame().set_index("role")
    assert roles.loc["biomass", "reactions"] == biomass
    assert roles.loc["ASNS", "reactions"] == asns and roles.loc["ASNS", "status"] == "found"
    model.objective = biomass
    with model:
        result = apply_medium(model, "RPMI-1640")
        assert len(result.matched) >= matched
        growth = model.slim_optimize(error_value=0.0)
        assert (growth > 1e-6) == grows, growth
    if key == "mouse_l2":
        return  # no usable biomass (module docstring)
    with model:
        _on_medium(model, key)
        control = model.slim_optimize(error_value=0.0)
        assert control > 1e-6
        with model:
            fluxasn.apply_scenario(model, "asns_ko")
            assert model.slim_optimize(error_value=0.0) == pytest.approx(control, rel=1e-6)
        with model:
            fluxasn.apply_scenario(model, "asn_free+asns_ko")
            assert model.slim_optimize(error_value=0.0) == pytest.approx(0.0, abs=1e-9)
        with model:
            fluxasn.apply_scenario(model, "asn_free")
            assert model.slim_optimize(error_value=0.0) > 1e-6  # ASNS makes it


@pytest.mark.parametrize("key", ["mouse_sbml3", "mouse_l2"])
def test_report_names_the_biomass_and_warns(key, tmp_path):
    """``fluxasn report --model FILE`` reports the biomass reaction, how it was found, and warns
    when the objective is something else (mouse L2 has none)."""
    path = require_shared("models", "extra", EXTRA_MODELS[key])
    result = run_cli(["report", "--model", str(path), "--no-fva"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"growth = flux of {EXPECTED[key][0]}" in result.stdout
    assert len(result.stderr.splitlines()) < 10, result.stderr[:2000]  # quiet loading, each message once
    if key == "mouse_l2":
        assert "6327 message(s) from the model reader" in result.stderr
        assert "WARNING: the model's objective (none) is not its biomass reaction" in result.stdout
    else:
        assert result.stderr.count("Could not identify an external compartment") <= 1
        assert "duplicate exchanges" in result.stderr


def test_readme_genome_scale_example_runs_as_printed(tmp_path):
    """The README's genome-scale example (Human-GEM with the default medium) prints what it shows;
    ``FLUXASN_UPDATE_README=1`` rewrites the shown output."""
    import os
    import shlex

    from _shared import HUMAN_GEM
    from test_readme import CONSOLE_BLOCK, README, normalise, section

    text = README.read_text(encoding="utf-8")
    body = section(text, "Your own genome-scale model")
    (block,) = CONSOLE_BLOCK.findall(body)
    command, *shown = block.splitlines()
    args = shlex.split(command[2:])
    assert args[:3] == ["fluxasn", "report", "--model"] and args[3] == HUMAN_GEM[-1]
    (tmp_path / args[3]).symlink_to(require_shared(*HUMAN_GEM))
    result = run_cli(args[1:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    output = normalise(result.stdout)
    assert output.splitlines()[0].startswith("ihuman on RPMI-1640: status optimal")
    assert "growth = flux of MAR13082" in output
    if os.environ.get("FLUXASN_UPDATE_README"):
        README.write_text(text.replace(body, body.replace(block, command + "\n" + output + "\n")),
                          encoding="utf-8")
        return
    assert output == normalise("\n".join(shown)), f"README output of '{command}' is stale:\n{output}"
