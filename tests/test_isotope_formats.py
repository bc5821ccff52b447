"""Published formats read as they are: FluxML (13CFLUX2), mfapy text, FreeFlux, INCA csv."""
import numpy as np
import pytest

from _shared import require_shared
from fluxasn.isotope.emu import parse_emu
from fluxasn.isotope.formats import read_fluxml, read_mfapy


def glu_reference():
    path = require_shared("c13", "antoniewicz2007_tca_toy", "reference_results.tsv")
    row = next(l.split("\t") for l in path.read_text().splitlines() if l.startswith("simulated_MDV\tGlu_12345"))
    return np.array([float(x) for x in row[2].split(",")])


def test_fluxml_toy_simulates_the_reference():
    data = read_fluxml(require_shared("c13", "antoniewicz2007_tca_toy", "jqmm", "13CFLUX2", "TCAexample.fml"))
    net = data.network
    assert net.sources == {"AcCoa0", "Asp"}
    exp = data.experiments[0]
    assert [(t.positions, t.fraction) for t in exp.tracers] == [((2,), 0.25), ((1, 2), 0.25)]
    assert exp.mids[0].emu == ("Glu", (0, 1, 2, 3, 4)) and exp.mids[0].scale
    assert {f.id for f in data.fluxes} == {"AcCoaIn", "CO2out", "r8", "r3"}
    pb = data.problem()
    # the reference fluxes; FluxML splits the symmetric steps into a/b halves
    gross = {"AcCoaIn.f": 100, "r1.f": 100, "r2.f": 100, "r3.f": 50, "r4a.f": 25, "r4b.f": 25, "r5a.f": 25,
             "r5b.f": 25, "r6a.f": 62.5, "r6b.f": 62.5, "r7a.f": 37.5, "r7b.f": 37.5, "r8.f": 50,
             "CO2out": 150, "Gluout": 50}
    v = np.zeros(len(net.fluxes))
    for k, x in gross.items():
        v[net.flux_index(k)] = x
    S, _ = net.stoichiometric_matrix()
    assert np.abs(S @ v).max() < 1e-9
    X, _ = pb.emu.simulate(v, pb.src[0])
    np.testing.assert_allclose(pb.emu.mid(X, parse_emu("Glu_12345")), glu_reference(), atol=1e-4)


def test_mfapy_toy_model_simulates_the_reference():
    folder = require_shared("c13", "antoniewicz2007_tca_toy", "mfapy")
    data = read_mfapy(folder / "Example_0_toymodel_model.txt", folder / "Example_0_toymodel_status.csv", {})
    net = data.network
    assert net.symmetric == {"Suc", "Fum"} and net.sources == {"AcCoA", "Asp"}
    assert "FUM" in net.pairs and net.pairs["FUM"].backward == "v7"
    from fluxasn.isotope.emu import EMUSystem
    from fluxasn.isotope.tracers import Tracer, source_mids

    system = EMUSystem(net.transitions(), [parse_emu("Glu_12345")], net.sources)
    src = source_mids(system.source_emus, [Tracer("AcCoA", (2,), 0.25), Tracer("AcCoA", (1, 2), 0.25)],
                      carbons=net.carbons)
    v = np.array([{"v6": 125, "v7": 75}.get(f, 100 if f in ("v1", "v2") else 50) for f in net.flux_ids], float)
    X, _ = system.simulate(v, src)
    np.testing.assert_allclose(system.mid(X, parse_emu("Glu_12345")), glu_reference(), atol=1e-4)


def test_mfapy_stoichiometry_with_coefficients():
    folder = require_shared("c13", "mcf7_mfapy_araki2018")
    with pytest.warns(UserWarning, match="ignored"):
        data = read_mfapy(folder / "Example_3_MCF7_model.txt", folder / "Example_3_MCF7_status.csv", {})
    f = data.network.fluxes[data.network.flux_index("r102_PGA_ex")]
    assert f.stoichiometry == {"PGA": -1.0, "PGAEx": 1.0, "NADH": 1.0, "NADPH": 4.0}
    assert f.transition is None  # 'nd' atom map: mass balance only
    assert data.network.fluxes[data.network.flux_index("r3_pgi")].lower == 300.0  # status bound


def test_fluxml_constraints_and_x3cflux_loss():
    """With the file's net/xch constraints, the SSR at zero free exchange equals x3cflux's loss."""
    path = require_shared("c13", "antoniewicz2007_tca_toy", "reference_results.tsv")
    row = next(l.split("\t") for l in path.read_text().splitlines() if l.startswith("x3cflux_loss"))
    x3cflux = float(row[2].split()[0])
    data = read_fluxml(require_shared("c13", "antoniewicz2007_tca_toy", "jqmm", "13CFLUX2", "TCAexample.fml"))
    assert ({"r4a": 1.0, "r4b": -1.0}, 0.0, 0.0) in data.constraints
    assert ({"r1.exch": 1.0}, 0.0, 0.0) in data.constraints
    pb = data.problem()
    net = data.network
    gross = {"AcCoaIn.f": 100, "r1.f": 100, "r2.f": 100, "r3.f": 50, "r4a.f": 25, "r4b.f": 25, "r5a.f": 25,
             "r5b.f": 25, "r6a.f": 62.5, "r6b.f": 62.5, "r7a.f": 37.5, "r7b.f": 37.5, "r8.f": 50,
             "CO2out": 150, "Gluout": 50}
    v = np.zeros(len(net.fluxes))
    for k, x in gross.items():
        v[net.flux_index(k)] = x
    u = np.linalg.lstsq(pb.N, v - pb.vp, rcond=None)[0]
    np.testing.assert_allclose(pb.fluxes(u), v, atol=1e-9)  # the point satisfies every constraint
    assert pb.ssr(u) == pytest.approx(x3cflux, rel=1e-8)


def test_fluxml_bad_constraint(tmp_path):
    src = require_shared("c13", "antoniewicz2007_tca_toy", "jqmm", "13CFLUX2", "TCAexample.fml")
    bad = tmp_path / "bad.fml"
    bad.write_text(src.read_text().replace("r8 = 50.0", "r8 == fifty"))
    from fluxasn.exceptions import FluxasnInputError

    with pytest.raises(FluxasnInputError, match="cannot read FluxML constraint"):
        read_fluxml(bad)


def test_inca_csv_errors_name_the_true_line_after_comments_and_ragged_rows(tmp_path):
    """One row reader for every delimited 13C table: '#' and blank lines do not shift line numbers."""
    import shutil

    from fluxasn.core.paths import bundled_data_path
    from fluxasn.exceptions import FluxasnInputError
    from fluxasn.isotope.formats.inca import read_inca_csv

    folder = tmp_path / "net"
    shutil.copytree(bundled_data_path("c13", "simple_network"), folder)
    path = folder / "reactions.csv"
    lines = path.read_text().splitlines()
    bad = lines[:1] + ["# a comment", ""] + lines[1:2] + ["simple_model,R_bad,A (abc) -> ? (abc)"] + lines[2:]
    path.write_text("\n".join(bad) + "\n")
    with pytest.raises(FluxasnInputError) as info:
        read_inca_csv(folder)
    assert info.value.line == 5 and "reactions.csv" in str(info.value)
    path.write_text("\n".join(lines[:1] + ["# a comment", lines[1] + ",extra"] + lines[2:]) + "\n")
    with pytest.raises(FluxasnInputError, match="expected 3 cells, found 4") as info:
        read_inca_csv(folder)
    assert info.value.line == 3
