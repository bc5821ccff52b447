"""load_model / read_model_file: formats and the errors a bad file gives."""
from __future__ import annotations

import gzip

import cobra
import pytest

import fluxasn
from fluxasn.exceptions import FluxasnInputError, ModelLoadError


@pytest.fixture()
def mini(textbook):
    return textbook


@pytest.mark.parametrize("suffix", [".xml", ".xml.gz", ".json", ".json.gz", ".mat", ".yml"])
def test_every_format_round_trips(tmp_path, mini, suffix):
    path = tmp_path / f"model{suffix}"
    if suffix.startswith(".xml"):
        cobra.io.write_sbml_model(mini, str(tmp_path / "model.xml"))
    elif suffix.startswith(".json"):
        cobra.io.save_json_model(mini, str(tmp_path / "model.json"))
    elif suffix == ".mat":
        cobra.io.save_matlab_model(mini, str(path))
    else:
        cobra.io.save_yaml_model(mini, str(path))
    if suffix.endswith(".gz"):
        raw = (tmp_path / suffix[:-3].join(["model", ""])).read_bytes()
        path.write_bytes(gzip.compress(raw))
    model = fluxasn.load_model(path)
    assert len(model.reactions) == len(mini.reactions)
    assert model.slim_optimize() == pytest.approx(mini.slim_optimize(), abs=1e-6)
    # a model file is left as shipped unless a medium is asked for
    assert model.reactions.EX_glc__D_e.bounds == mini.reactions.EX_glc__D_e.bounds


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "nope.xml"
    with pytest.raises(ModelLoadError, match="nope.xml: file not found") as info:
        fluxasn.load_model(path)
    assert info.value.source == str(path)


def test_unknown_format_names_file_and_expected_formats(tmp_path):
    path = tmp_path / "model.txt"
    path.write_text("not a model")
    with pytest.raises(ModelLoadError, match=r"model.txt: unknown model format '.txt'; expected one of .json"):
        fluxasn.load_model(path)


def test_unknown_bundled_name():
    with pytest.raises(ModelLoadError, match="'cor': neither a bundled model"):
        fluxasn.load_model("cor")


def test_malformed_sbml_names_file_and_line(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text('<?xml version="1.0"?>\n<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core">\n<model id="m">\n')
    with pytest.raises(ModelLoadError, match=r"broken.xml, line \d+: malformed SBML") as info:
        fluxasn.load_model(path)
    assert info.value.line is not None


def test_sbml_without_reactions_is_rejected(tmp_path):
    path = tmp_path / "empty.xml"
    cobra.io.write_sbml_model(cobra.Model("empty"), str(path))
    with pytest.raises(ModelLoadError, match="empty.xml: the SBML file holds no reactions"):
        fluxasn.load_model(path)


def test_malformed_json_and_gzip(tmp_path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"reactions": [')
    with pytest.raises(ModelLoadError, match="bad.json: malformed JSON model"):
        fluxasn.load_model(bad_json)
    fake_gz = tmp_path / "fake.json.gz"
    fake_gz.write_text("plain text, not gzip")
    with pytest.raises(ModelLoadError, match="fake.json.gz: cannot read file"):
        fluxasn.load_model(fake_gz)


def test_malformed_mat(tmp_path):
    path = tmp_path / "bad.mat"
    path.write_bytes(b"MATLAB 5.0 MAT-file garbage" + bytes(200))
    with pytest.raises(ModelLoadError, match="bad.mat: malformed MAT model"):
        fluxasn.load_model(path)


def test_errors_are_value_errors():
    # scripts may catch ValueError for any bad input
    assert issubclass(ModelLoadError, FluxasnInputError)
    assert issubclass(ModelLoadError, ValueError)


def _mat_with_confidence(tmp_path, model, values):
    """A COBRA MAT file of ``model`` whose rxnConfidenceScores are stored as text cells (Recon 2.04 style)."""
    import numpy as np
    from scipy.io import loadmat, savemat

    path = tmp_path / "model.mat"
    cobra.io.save_matlab_model(model, str(path))
    data = loadmat(str(path))
    name = next(k for k in data if not k.startswith("__"))
    struct = data[name]
    fields = list(struct.dtype.names) + (["rxnConfidenceScores"] if "rxnConfidenceScores" not in
                                         struct.dtype.names else [])
    new = np.zeros((1, 1), dtype=[(f, object) for f in fields])
    for f in struct.dtype.names:
        new[f][0, 0] = struct[f][0, 0]
    cells = np.empty((len(values), 1), dtype=object)
    for i, value in enumerate(values):
        cells[i, 0] = np.array([value])
    new["rxnConfidenceScores"][0, 0] = cells
    savemat(str(path), {name: new})
    return path


def test_mat_confidence_scores_stored_as_text(tmp_path, mini):
    path = _mat_with_confidence(tmp_path, mini, ["2"] * len(mini.reactions))
    model = fluxasn.read_model_file(path)
    assert len(model.reactions) == len(mini.reactions)
    bad = _mat_with_confidence(tmp_path, mini, ["high"] + ["2"] * (len(mini.reactions) - 1))
    with pytest.raises(ModelLoadError, match="rxnConfidenceScores.*'high'.*expected a number") as error:
        fluxasn.read_model_file(bad)
    assert "model.mat" in str(error.value)
