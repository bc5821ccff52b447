"""13C metabolic flux analysis (EMU framework).

Atom-transition notation (:mod:`.atommap`), EMU decomposition and simulation
(:mod:`.emu`), tracers (:mod:`.tracers`), natural isotopes
(:mod:`.natural_abundance`), measurements, the fitting problem
(:mod:`.problem`), the optimiser (:mod:`.optimize`), multi-start fits
(:mod:`.fit`), statistics (:mod:`.stats`), results, readers of published
formats (:mod:`.formats`) and the bridge to COBRA models (:mod:`.bridge`).
Layers inside the package point down: data (atommap, emu, tracers,
measurements, network) -> problem -> formats -> optimize -> stats -> results
-> fit -> bridge.
"""
from fluxasn.isotope.atommap import AtomTransition, format_transition, parse_transition
from fluxasn.isotope.bridge import add_13c_constraints, flux_scale, read_flux_mapping
from fluxasn.isotope.emu import EMUSystem, parse_emu
from fluxasn.isotope.fit import fit_13c
from fluxasn.isotope.inst import INSTProblem, INSTResult, fit_inst, fluxml_units, inst_problem_from_fluxml
from fluxasn.isotope.problem import MFAProblem
from fluxasn.isotope.formats import (
    C13_EXAMPLES,
    MFAInput,
    c13_example_path,
    network_from_cobra,
    read_c13,
    read_fluxml,
    read_ftbl,
    read_freeflux,
    read_inca_csv,
    read_mfapy,
)
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.results import MFAResult
from fluxasn.isotope.tracers import NATURAL_13C, Tracer

__all__ = [
    "AtomTransition", "parse_transition", "format_transition",
    "EMUSystem", "parse_emu", "simulate_mids",
    "Tracer", "NATURAL_13C",
    "Experiment", "MIDMeasurement", "FluxMeasurement",
    "LabelingNetwork", "MFAInput", "MFAProblem", "MFAResult",
    "fit_13c", "add_13c_constraints", "flux_scale", "read_flux_mapping",
    "read_c13", "C13_EXAMPLES", "c13_example_path", "read_inca_csv", "read_mfapy", "read_freeflux", "read_fluxml", "network_from_cobra",
    "read_ftbl",
    "INSTProblem", "INSTResult", "fit_inst", "inst_problem_from_fluxml", "fluxml_units",
]


def simulate_mids(problem: MFAProblem, fluxes):
    """Simulated MIDs of every measured fragment at given fluxes.

    Parameters
    ----------
    problem
        A compiled :class:`MFAProblem`.
    fluxes
        Gross fluxes (array in ``problem.network.flux_ids`` order, or a
        mapping id -> value; missing ids are 0).

    Returns
    -------
    pandas.DataFrame
        experiment, fragment, emu, mass, simulated (after any correction matrix).
    """
    import numpy as np
    import pandas as pd

    from fluxasn.isotope.emu import emu_name

    net = problem.network
    if hasattr(fluxes, "items"):
        v = np.zeros(len(net.fluxes))
        for k, x in fluxes.items():
            v[net.flux_index(k)] = float(x)
    else:
        v = np.asarray(fluxes, dtype=float)
    rows = []
    for (ei, m, _, _), s in zip(problem.layout, problem.fragment_mids(v)):
        for k in range(m.mid.size):
            rows.append({"experiment": problem.experiments[ei].name, "fragment": m.id,
                         "emu": emu_name(m.emu), "mass": f"M+{k}", "simulated": float(s[k])})
    return pd.DataFrame(rows)
