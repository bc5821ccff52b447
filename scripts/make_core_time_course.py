#!/usr/bin/env python
"""Generate the core-model INST-MFA example ``data/c13/core_time_course`` (issue 14).

1. Generating fluxes: pFBA (cobra.flux_analysis.pfba) of the fluxasn core
   model on its default medium (RPMI-1640 + 10 % FBS), biomass objective, with
   glucose uptake fixed at the medium's bound (EX_glc__D_e = -1.18012
   mmol/gDW/h) and the NADP-glutamate dehydrogenase GLUDym closed (same carbon
   map as GDHm: only their sum would be identifiable from labelling).
2. Network: the reactions in ``REACTIONS`` with their carbon maps copied from
   ``models/fluxasn_core/reactions.tsv``, each in the direction it runs in
   the pFBA solution (``backward`` when its flux is negative); no exchange
   fluxes (assumed). Every balanced metabolite whose inflow exceeds its
   outflow in the subnetwork gets a drain ``OUT_<met>`` carrying the excess
   (biomass and the reactions left out); a metabolite with a deficit is an
   error (its input would need labelling the network does not model).
3. Pools: ``POOLS`` (nmol/gDW; assumed, see the README); F6P, FBP, citrate and
   malate are "measured" with 20 % sd (value drawn once with that noise),
   the others fixed at their value.
4. MIDs: [U-13C6]glucose (100 %, purity 1) from t = 0; MIDs of F6P, FBP,
   cit_m and mal_m (all carbons) at 0, 1, 4, 8 and 24 h, natural isotopes
   absent (corrected MIDs), from fluxasn's INST simulator (tol 1e-10); noise
   of sd 0.01 per mass, constrained to sum to 0 so each MID still sums to 1
   (``e = (z - mean(z)) * 0.01 / sqrt(1 - 1/n)``, ``z ~ N(0, I_n)``, seed 14). The
   noise-free fractions are kept in the column ``simulated``.
5. Measured fluxes: glucose uptake GLCt1, lactate production LDH_L (backward,
   negative; lactate leaves through the free drain OUT_lac__L_c) and glutamine
   uptake GLNt_SLC1A5 with 5 % sd. Fixed: TKT1, PRPPS, G3PD1ir (not resolved
   by [U-13C6]glucose) and every drain but lactate's. Draw order of the one
   generator: measured fluxes, measured pools, then the MIDs.

Usage: python scripts/make_core_time_course.py [--out data/c13/core_time_course] [--check]
(--check regenerates into a temporary folder and compares with the bundled files).
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Reactions of the example network (core-model ids).
REACTIONS = [
    # glycolysis and lactate
    "GLCt1", "HEX1", "PGI", "PFK", "FBA", "TPI", "GAPD", "PGK", "PGM", "ENO", "PYK", "LDH_L",
    "G3PD1ir",
    # pentose phosphate pathway
    "G6PDH2r", "PGL", "GND", "RPI", "RPE", "TKT1", "TKT2", "TALA", "PRPPS",
    # pyruvate into mitochondria, PDH, PC, TCA cycle
    "PYRt2m", "PDHm", "PCm", "CSm", "ACONTm", "ICDHxm", "AKGDm", "SUCOASm", "r0509", "FUMm", "MDHm",
    # citrate export and ATP-citrate lyase, malic enzyme, cytosolic fumarase (fum_c from purine
    # synthesis has no carbon map in the core model: it enters as an unlabelled input)
    "CITtam", "ACITL", "ME2", "FUM",
    # malate-aspartate shuttle (GOT1/GOT2, AGC), malate carrier
    "MDH", "ASPTA", "ASPTAm", "ASPGLUm", "MALtm",
    # glutamine anaplerosis, glutamate dehydrogenase, alanine transaminase
    "GLNt_SLC1A5", "GLNtm", "GLUNm", "GLUt2m", "GDHm", "ALATA_L",
]
EXPERIMENT = "glc_u13c"
TIMES_H = [0.0, 1.0, 4.0, 8.0, 24.0]
MEASURED = [("F6P", "f6p_c"), ("FBP", "fdp_c"), ("Cit", "cit_m"), ("Mal", "mal__L_m")]
MID_SD = 0.01
POOL_CV = 0.20
FLUX_CV = 0.05
SEED = 14
FLUX_MEASURED = ["GLCt1", "LDH_L", "GLNt_SLC1A5"]
#: Held at their generating value: fluxes [U-13C6]glucose cannot resolve (every hexose, triose and
#: pentose is fully labelled, so the PPP and the glycerol-3-phosphate branch leave no trace in the MIDs).
FIXED_BRANCHES = ["TKT1", "PRPPS", "G3PD1ir"]
#: Drains left free (measured instead): lactate leaves through OUT_lac__L_c, measured as LDH_L.
FREE_DRAINS = ["lac__L_c"]
#: Pool sizes in nmol/gDW (assumed; README: mM x 5 uL/mgDW, orders of magnitude of mammalian cells).
POOLS = {
    "glc__D_c": 2500, "g6p_c": 1000, "f6p_c": 300, "fdp_c": 2500, "dhap_c": 1000, "g3p_c": 100,
    "13dpg_c": 20, "3pg_c": 1000, "2pg_c": 100, "pep_c": 250, "pyr_c": 1000, "lac__L_c": 25000,
    "6pgl_c": 50, "6pgc_c": 250, "ru5p__D_c": 100, "xu5p__D_c": 100, "r5p_c": 100, "s7p_c": 500,
    "e4p_c": 50, "pyr_m": 250, "accoa_m": 250, "oaa_m": 25, "cit_m": 2500, "icit_m": 100, "akg_m": 500,
    "succoa_m": 100, "succ_m": 1000, "fum_m": 500, "mal__L_m": 2500, "cit_c": 2500, "oaa_c": 25,
    "mal__L_c": 5000, "akg_c": 500, "asp__L_c": 25000, "asp__L_m": 10000, "glu__L_c": 100000,
    "glu__L_m": 25000, "gln__L_c": 25000, "gln__L_m": 10000, "ala__L_c": 10000,
}


def generating_fluxes():
    """pFBA fluxes of the core model (mmol/gDW/h) under the stated constraints."""
    import cobra

    from fluxasn.core.model import load_model

    model = load_model("core")
    model.reactions.EX_glc__D_e.bounds = (-1.18012, -1.18012)
    model.reactions.GLUDym.bounds = (0.0, 0.0)
    sol = cobra.flux_analysis.pfba(model)
    if sol.status != "optimal":
        raise RuntimeError(f"pFBA: {sol.status}")
    return model, {r.id: float(sol.fluxes[r.id]) for r in model.reactions}


def _to_inca(text: str) -> str:
    """Core notation ``a(abc) -> b(abc)`` in INCA spacing ``a (abc) -> b (abc)``."""
    return text.replace("(", " (")


def build(model, flux):
    """Tables of the example (name -> list of rows) and the truth."""
    from fluxasn.isotope.network import LabelingNetwork

    reactions, net_flux = [], {}
    for rid in REACTIONS:
        rxn = model.reactions.get_by_id(rid)
        v = flux[rid]
        direction = "backward" if v < -1e-12 else "forward"
        text = rxn.notes["carbon_transitions"]
        reactions.append({"rxn_id": rid, "rxn_eqn": _to_inca(text), "direction": direction,
                          "core_equation": rxn.reaction})
        net_flux[rid] = v if abs(v) > 1e-12 else 0.0
    net = LabelingNetwork("core")
    for r in reactions:
        net.add_reaction(r["rxn_id"], r["rxn_eqn"], reversible=r["direction"] != "forward")
    balance = {}
    for rid in REACTIONS:
        rxn = model.reactions.get_by_id(rid)
        for met, coef in rxn.metabolites.items():
            if met.id in net.carbons:
                balance[met.id] = balance.get(met.id, 0.0) + coef * net_flux[rid]
    drains = {}
    for met in sorted(net.balanced):
        b = balance[met]
        if b < -1e-9:
            raise RuntimeError(f"{met}: the subnetwork consumes {-b:.3g} more than it makes")
        if b > 1e-9:
            drains[met] = b
    for met, b in drains.items():
        n = net.carbons[met]
        letters = "abcdefghij"[:n]
        reactions.append({"rxn_id": f"OUT_{met}", "rxn_eqn": f"{met} ({letters}) -> {met}_out ({letters})",
                          "direction": "forward", "core_equation": "drain: biomass and reactions outside the network"})
        net_flux[f"OUT_{met}"] = b
    return reactions, net_flux, drains


def write_csv(path: Path, rows, columns, comments=()):
    buf = io.StringIO()
    for c in comments:
        buf.write(f"# {c}\n")
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    text = buf.getvalue()
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text


def _fmt(x: float) -> str:
    return repr(float(x))


def generate(out: Path):
    """Write every file of the example into ``out`` and return the texts by file name."""
    from fluxasn.isotope.emu import parse_emu
    from fluxasn.isotope.inst import INSTSystem
    from fluxasn.isotope.inst.folder import read_time_course_folder

    out.mkdir(parents=True, exist_ok=True)
    model, flux = generating_fluxes()
    reactions, net_flux, drains = build(model, flux)
    rng = np.random.default_rng(SEED)
    texts = {}
    texts["reactions.csv"] = write_csv(out / "reactions.csv", reactions,
                                       ["rxn_id", "rxn_eqn", "direction", "core_equation"],
                                       ["Core-model reactions (models/fluxasn_core/reactions.tsv) with their carbon "
                                        "maps; OUT_* drains hold biomass and reactions outside the network.",
                                        "Written by scripts/make_core_time_course.py; see README.md."])
    texts["tracers.csv"] = write_csv(out / "tracers.csv", [{
        "experiment_id": EXPERIMENT, "met_id": "glc__D_e", "tracer_id": "[U-13C6]glucose",
        "atom_ids": "[1,2,3,4,5,6]", "ratio": "1.0", "atom_mdv": "[0,1]"}],
        ["experiment_id", "met_id", "tracer_id", "atom_ids", "ratio", "atom_mdv"])
    fixed_rows = [{"rxn_id": rid, "flux": _fmt(net_flux[rid]), "note": "not resolved by [U-13C6]glucose"}
                  for rid in FIXED_BRANCHES]
    fixed_rows += [{"rxn_id": f"OUT_{m}", "flux": _fmt(b), "note": "drain (biomass, reactions outside the network)"}
                   for m, b in drains.items() if m not in FREE_DRAINS]
    texts["fixed_fluxes.csv"] = write_csv(out / "fixed_fluxes.csv", fixed_rows, ["rxn_id", "flux", "note"],
                                          ["Fluxes held at their generating value (mmol/gDW/h); README.md."])
    measured_flux = []
    for rid in FLUX_MEASURED:
        v = net_flux[rid]
        sd = FLUX_CV * abs(v)
        measured_flux.append({"experiment_id": EXPERIMENT, "rxn_id": rid, "flux": _fmt(v + sd * rng.standard_normal()),
                              "flux_std_error": _fmt(sd)})
    texts["flux_measurements.csv"] = write_csv(out / "flux_measurements.csv", measured_flux,
                                               ["experiment_id", "rxn_id", "flux", "flux_std_error"])
    # which pools does the simulation of the measured fragments need?
    from fluxasn.isotope.network import LabelingNetwork

    net = LabelingNetwork("core")
    for r in reactions:
        net.add_reaction(r["rxn_id"], r["rxn_eqn"], reversible=r["direction"] != "forward")
    targets = [parse_emu((met, list(range(1, net.carbons[met] + 1))), carbons=net.carbons) for _, met in MEASURED]
    needed = INSTSystem(net.transitions(), targets, net.sources).pool_ids
    missing = sorted(set(needed) - set(POOLS))
    if missing:
        raise RuntimeError(f"no pool size for {missing}")
    measured_mets = {met for _, met in MEASURED}
    pool_rows = []
    for pid in needed:
        if pid in measured_mets:
            value = POOLS[pid] * float(np.exp(POOL_CV * rng.standard_normal()))
            pool_rows.append({"pool_id": pid, "value": _fmt(value), "sd": _fmt(POOL_CV * value),
                              "status": "measured", "unit": "nmol/gDW", "true_value": _fmt(POOLS[pid])})
        else:
            pool_rows.append({"pool_id": pid, "value": _fmt(POOLS[pid]), "sd": "", "status": "fixed",
                              "unit": "nmol/gDW", "true_value": _fmt(POOLS[pid])})
    texts["pool_sizes.csv"] = write_csv(out / "pool_sizes.csv", pool_rows,
                                        ["pool_id", "value", "sd", "status", "unit", "true_value"],
                                        ["Pool sizes in nmol/gDW, assumed (README.md); measured pools carry "
                                         "20 % log-normal noise, true_value is the generating size."])
    texts["generating_fluxes.csv"] = write_csv(out / "generating_fluxes.csv", [
        {"rxn_id": rid, "net_flux": _fmt(v), "unit": "mmol/gDW/h"} for rid, v in net_flux.items()],
        ["rxn_id", "net_flux", "unit"],
        ["Net fluxes (mmol/gDW/h) that generated the data: pFBA of the core model (README.md)."])
    # MIDs: a placeholder table to compile the problem, then the simulated values
    ms_rows = []
    for t in TIMES_H:
        for fid, met in MEASURED:
            n = net.carbons[met]
            for k in range(n + 1):
                ms_rows.append({"experiment_id": EXPERIMENT, "met_id": met, "ms_id": fid,
                                "labelled_atom_ids": "[" + ",".join(str(i) for i in range(1, n + 1)) + "]",
                                "mass_isotope": k, "intensity": 1.0 / (n + 1), "intensity_std_error": MID_SD,
                                "time": t, "simulated": ""})
    ms_columns = ["experiment_id", "met_id", "ms_id", "labelled_atom_ids", "mass_isotope", "intensity",
                  "intensity_std_error", "time", "simulated"]
    write_csv(out / "ms_measurements.csv", ms_rows, ms_columns)
    sim = simulate_truth(read_time_course_folder(out), net_flux, {r["pool_id"]: float(r["true_value"])
                                                                    for r in pool_rows})
    for t in TIMES_H:
        for fid, _ in MEASURED:
            rows = [r for r in ms_rows if r["ms_id"] == fid and r["time"] == t]
            x = sim[(fid, t)]
            z = rng.standard_normal(x.size)  # noise of sd MID_SD per mass, summing to 0
            noisy = x + (z - z.mean()) * MID_SD / np.sqrt(1.0 - 1.0 / x.size)
            for row in rows:
                row["simulated"] = _fmt(x[row["mass_isotope"]])
                row["intensity"] = _fmt(noisy[row["mass_isotope"]])
    texts["ms_measurements.csv"] = write_csv(
        out / "ms_measurements.csv", ms_rows, ms_columns,
        [f"[U-13C6]glucose time course; intensity = simulated + noise of sd {MID_SD} per mass summing to 0 "
         f"(seed {SEED}); "
         "simulated = noise-free fraction from fluxasn's INST simulator (tol 1e-10). Time in h."])
    return texts


def truth_theta(problem, net_flux, pool_values):
    """Parameters ``theta`` of ``problem`` at the generating net fluxes and pool sizes."""
    net = problem.network
    v = np.zeros(len(net.fluxes))
    for rid, x in net_flux.items():
        pair = net.pairs[rid]
        if pair.backward is None:
            v[net.flux_index(pair.forward)] = x
        else:
            v[net.flux_index(pair.forward)] = max(x, 0.0)
            v[net.flux_index(pair.backward)] = max(-x, 0.0)
    u, *_ = np.linalg.lstsq(problem.N, v - problem.vp, rcond=None)
    err = float(np.max(np.abs(problem.vp + problem.N @ u - v)))
    if err > 1e-9:
        raise RuntimeError(f"the generating fluxes are not a steady state of the network (residual {err:.3g})")
    q = [pool_values[problem.pools[i].id] for i in problem.free_pools]
    return np.concatenate([u, q])


def simulate_truth(data, net_flux, pool_values, *, tol=1e-10):
    """Noise-free MIDs ``{(fragment, time): mid}`` at the generating fluxes and pools."""
    problem = data.problem(tol=tol)
    theta = truth_theta(problem, net_flux, pool_values)
    (mids, _), = problem.simulate(theta)
    out = {}
    for ei, ti, m, _ in problem.layout:
        out[(m.id, float(problem.times[ei][ti]))] = mids[m.emu][ti]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "c13" / "core_time_course")
    ap.add_argument("--check", action="store_true", help="regenerate in a temporary folder and compare")
    args = ap.parse_args(argv)
    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            texts = generate(Path(tmp))
        same = {name: (args.out / name).read_text(encoding="utf-8") == text for name, text in texts.items()}
        for name, ok in same.items():
            print(f"{name}: {'identical' if ok else 'DIFFERS'}")
        return 0 if all(same.values()) else 1
    texts = generate(args.out)
    print(f"wrote {', '.join(texts)} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
