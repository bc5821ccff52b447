"""Bad input: each raises FluxasnInputError naming what was wrong."""
import pytest

from _shared import require_shared
from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.problem import MFAProblem
from fluxasn.isotope.formats import read_inca_csv, read_mfapy
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import Tracer, parse_tracer, source_mids


def small_network():
    net = LabelingNetwork("simple")
    net.add_reaction("R1", "A(abc) -> B(abc)")
    net.add_reaction("R2", "B(abc) <-> D(abc)")
    net.add_reaction("R3", "B(abc) -> C(bc) + E(a)")
    net.add_reaction("R4", "B(abc) + C(de) -> D(bcd) + E(a) + E(e)")
    net.add_reaction("R5", "D(abc) -> F(abc)")
    return net


def test_unbalanced_atom_map_in_network():
    net = LabelingNetwork()
    with pytest.raises(FluxasnInputError, match="do not balance"):
        net.add_reaction("R3", "B(abc) -> C(bc)")


def test_atom_letter_used_twice_in_network():
    net = LabelingNetwork()
    with pytest.raises(FluxasnInputError, match="used twice"):
        net.add_reaction("R4", "B(abc) + C(ab) -> D(abc) + E(ab)")


def test_inconsistent_carbon_count_across_reactions():
    net = LabelingNetwork()
    net.add_reaction("R1", "A(abc) -> B(abc)")
    with pytest.raises(FluxasnInputError, match="traced atoms here but 3"):
        net.add_reaction("R2", "B(ab) -> D(ab)")


def test_unknown_metabolite_in_measurements():
    net = small_network()
    bad = MIDMeasurement("G1", ("G", (0, 1)), [0.5, 0.4, 0.1], 0.01)
    with pytest.raises(FluxasnInputError, match="does not carry") as err:
        MFAProblem(net, [Experiment("exp1", [Tracer("A", (2,))], [bad])])
    assert err.value.identifier == "G1"


def test_unknown_fragment_in_mfapy_mdv_file(tmp_path):
    folder = require_shared("c13", "mcf7_mfapy_araki2018")
    text = (folder / "Example_3_MCF7_mdv_1_13C_Glc.txt").read_text()
    bad = tmp_path / "mdv.txt"
    bad.write_text(text.replace("GC_Gly_246\tm0\t0", "GC_Gly_246\tm0\t1"))
    with pytest.warns(UserWarning):
        with pytest.raises(FluxasnInputError, match="not a target fragment") as err:
            read_mfapy(folder / "Example_3_MCF7_model.txt", folder / "Example_3_MCF7_status.csv",
                       {"ex1": (bad, [Tracer("SubsGlc", (1,))])})
    assert err.value.identifier == "GC_Gly_246" and err.value.line is not None
    assert "mdv.txt" in str(err.value)


def test_unknown_reaction_in_mfapy_status_raises_when_asked():
    folder = require_shared("c13", "mcf7_mfapy_araki2018")
    with pytest.raises(FluxasnInputError, match="not in the model") as err:
        read_mfapy(folder / "Example_3_MCF7_model.txt", folder / "Example_3_MCF7_status.csv", {},
                   unknown="raise")
    assert err.value.identifier == "r72_SubsLeu"


def test_mid_must_sum_to_one():
    with pytest.raises(FluxasnInputError, match="sums to 0.9"):
        MIDMeasurement("F1", ("F", (0, 1, 2)), [0.5, 0.3, 0.1, 0.0], 0.01)
    # a fitted scale factor (INCA convention) lifts the requirement
    MIDMeasurement("F1", ("F", (0, 1, 2)), [0.5, 0.3, 0.1, 0.0], 0.01, scale=True)


def test_negative_or_zero_sd():
    with pytest.raises(FluxasnInputError, match="positive"):
        MIDMeasurement("F1", ("F", (0, 1, 2)), [0.5, 0.3, 0.2, 0.0], [0.01, -0.01, 0.01, 0.01])
    with pytest.raises(FluxasnInputError, match="positive"):
        FluxMeasurement("R1", 10.0, -1.0)
    with pytest.raises(FluxasnInputError, match="positive"):
        FluxMeasurement("R1", 10.0, 0.0)


def test_tracer_fraction_above_one():
    with pytest.raises(FluxasnInputError, match=r"\[0, 1\]"):
        source_mids([("A", (0,))], [Tracer("A", (1,), 1.2)], carbons={"A": 3})
    with pytest.raises(FluxasnInputError, match="sum to 1.2"):
        source_mids([("A", (0,))], [Tracer("A", (1,), 0.6), Tracer("A", (2,), 0.6)], carbons={"A": 3})
    with pytest.raises(FluxasnInputError, match="purity"):
        source_mids([("A", (0,))], [Tracer("A", (1,), 0.5, 1.5)], carbons={"A": 3})
    with pytest.raises(FluxasnInputError, match="within 1..3"):
        source_mids([("A", (0,))], [Tracer("A", (4,), 0.5)], carbons={"A": 3})


def test_tracer_on_inner_metabolite_and_names():
    net = small_network()
    with pytest.raises(FluxasnInputError, match="produced inside the network"):
        MFAProblem(net, [Experiment("exp1", [Tracer("B", (1,))], [])])
    assert parse_tracer("[1,2-13C]Glc") == Tracer("Glc", (1, 2), 1.0)
    assert parse_tracer("[U-13C]Gln", carbons=5).positions == (1, 2, 3, 4, 5)
    with pytest.raises(FluxasnInputError, match="cannot read tracer"):
        parse_tracer("13C-glucose")


def test_unknown_measured_flux():
    with pytest.raises(FluxasnInputError, match="unknown flux"):
        small_network().flux_vector("R9")


def test_inca_csv_bad_row(tmp_path):
    src = require_shared("c13", "antoniewicz2006_simple_network", "incawrapper")
    for name in ["reactions.csv", "tracers.csv", "flux_measurements.csv"]:
        (tmp_path / name).write_text((src / name).read_text(encoding="utf-8-sig"))
    text = (src / "ms_measurements.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "ms_measurements.csv").write_text(text.replace("0.8008", "abc"))
    with pytest.raises(FluxasnInputError, match="expected a number") as err:
        read_inca_csv(tmp_path)
    assert err.value.line == 3 and "ms_measurements.csv" in str(err.value)


def test_inca_csv_unknown_measured_flux(tmp_path):
    src = require_shared("c13", "antoniewicz2006_simple_network", "incawrapper")
    for name in ["reactions.csv", "tracers.csv", "ms_measurements.csv"]:
        (tmp_path / name).write_text((src / name).read_text(encoding="utf-8-sig"))
    text = (src / "flux_measurements.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "flux_measurements.csv").write_text(text.replace('"R1"', '"R9"'))
    with pytest.raises(FluxasnInputError, match="names no reaction") as err:
        read_inca_csv(tmp_path)
    assert err.value.identifier == "R9" and err.value.line == 2
