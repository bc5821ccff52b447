"""Coverage of 13C-MFA flux intervals on networks with known true fluxes.

For each replicate: MIDs and measured fluxes are simulated at the true fluxes,
normal noise with the stated sds is added (seed = replicate number), the fit
is run (``fit_13c``: random starts plus the truth as one start), and every
net and exchange flux's 95 % interval (linearised; profile likelihood where
asked) is checked for containing the truth. Printed: coverage per method and
kind (net, exchange), the SSR against chi2(dof) (KS test), how many profile
points failed to converge, how many converged points a refit from their own
solution lowers by more than 0.02, and time per fit and per profile.

Networks
--------
* small: the INCA tutorial network (``read_c13("simple-network")``, both
  experiments; 3 free fluxes, dof 4); truth = INCA's exp1 fit
  (``shared/c13/antoniewicz2006_simple_network/reference_results.tsv``).
* large: MCF-7 (mfapy Example 3, Araki 2018; 69 net fluxes, 16 reversible
  pairs, 24 free fluxes; needs ``../shared/c13/mcf7_mfapy_araki2018``);
  truth = mfapy 0.6.3's fitted fluxes (``mfapy_0.6.3_example3_fit_output.csv``).

Usage::

    python scripts/coverage_13c.py --replicates 200 --large-replicates 20 --large-profiles 2 --jobs 2

Last run (2026-12-07, 2 shared cores, loaded): small network, 200 replicates:
95 % coverage linearized net 94.8 % (1000 intervals), exchange 93.0 % (200);
profile net 94.4 %, exchange 94.5 %; Monte Carlo 89.2 % (250) / 90.0 % (50);
SSR KS vs chi2(4) p = 0.23; 0 profile points unconverged, 0 of 1044 converged
points lowered by a refit; median 0.26 s per fit, 0.50 s per profile.
MCF-7, 20 replicates (profile refits up to 400 iterations): linearized net
91.4 % (780), exchange 96.9 % (320); profiles of the 16 exchange fluxes of 2
replicates 100 % (32), 44 points unconverged (reported); SSR KS vs chi2(49)
p = 0.0006 but vs chi2(55) p = 0.20 (6-7 directions per replicate the data do
not determine take no residual degree of freedom); median 4.1 s per fit
(starts + statistics), 1.7 s per profile (max 21 s).
"""
from __future__ import annotations

import argparse
import copy
import csv
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats as sps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

SMALL_TRUTH = {"R1": 10.0, "R2.f": 6.084230 + 6.620853, "R2.b": 6.620853, "R3": 1.957885, "R4": 1.957885,
               "R5": 8.042115}


def small_problem():
    from fluxasn.isotope import read_c13

    return read_c13("simple-network").problem(), SMALL_TRUTH


def large_problem():
    from _c13_examples import mcf7_araki2018

    folder = REPO.parent / "shared" / "c13" / "mcf7_mfapy_araki2018"
    problem = mcf7_araki2018(folder).problem()
    rows = list(csv.reader(open(folder / "mfapy_0.6.3_example3_fit_output.csv")))
    truth = {r[0]: float(r[3]) for r in rows if len(r) > 9 and r[0].startswith("r")}
    return problem, {f: truth[f] for f in problem.network.flux_ids}


def replicate(base, v_true, rng):
    """``base`` with its data replaced by a simulation at ``v_true`` plus noise of the stated sds."""
    problem = copy.copy(base)
    layout = []
    for (ei, m, sl, (n, row)), s in zip(base.layout, base.fragment_mids(v_true)):
        noisy = copy.copy(m)
        noisy.mid = s + rng.normal(size=s.size) * m.sd
        layout.append((ei, noisy, sl, (n, row)))
    problem.layout = layout
    problem.f_val = base.F @ v_true + rng.normal(size=base.f_val.size) * base.f_sd
    return problem


_STATE = {}
_MC_N = 100


def _init(which, n_starts, profile_names, check_points, mc=0):
    base, truth = small_problem() if which == "small" else large_problem()
    _STATE.update(base=base, truth=truth, n_starts=n_starts, profile=profile_names, check=check_points, mc=mc)


def run_replicate(rep):
    from fluxasn.isotope.fit import fit_13c
    from fluxasn.isotope.optimize import local_fit

    base, truth = _STATE["base"], _STATE["truth"]
    net = base.network
    v_true = np.array([truth[f] for f in net.flux_ids])
    u_true = np.linalg.lstsq(base.N, v_true - base.vp, rcond=None)[0]
    problem = replicate(base, v_true, np.random.default_rng(rep))
    t0 = time.perf_counter()
    result = fit_13c(problem, n_starts=_STATE["n_starts"], seed=rep, initial=[u_true])
    fit_s = time.perf_counter() - t0
    random_best = min((r.ssr for r in result.runs[1:]), default=np.inf)
    frame = result.to_frame()
    out = {"ssr": result.ssr, "dof": result.dof, "fit_s": fit_s,
           "undetermined": int(result.subspace.undetermined.shape[1]),
           "random_reached": bool(random_best <= result.ssr + 0.5 * sps.chi2.ppf(0.95, 1)),
           "lin": {}, "prof": {}, "mc": {}, "prof_s": [], "mc_s": [], "unconverged": 0, "points": 0, "bad_points": 0}
    fixed = set()
    for name, kind in net.reported_fluxes():
        t = float(net.flux_vector(name) @ v_true)
        row = frame.loc[name]
        if row["upper"] - row["lower"] <= 1e-9 * max(1.0, abs(t)) and result.linearized[name].fixed:
            fixed.add(name)
            continue
        out["lin"][name] = (kind, bool(row["lower"] - 1e-9 <= t <= row["upper"] + 1e-9), bool(row["identifiable"]))
    if _STATE["mc"]:
        from fluxasn.isotope.montecarlo import monte_carlo_intervals

        names = [n for n in out["lin"]]
        t0 = time.perf_counter()
        mc = monte_carlo_intervals(problem, result.u, names, n=_STATE["mc"], seed=rep)
        out["mc_s"].append(time.perf_counter() - t0)
        for name in names:
            kind = out["lin"][name][0]
            t = float(net.flux_vector(name) @ v_true)
            lin = result.linearized[name]
            lo, hi = mc.interval(name) if lin.determined else (lin.lower, lin.upper)
            out["mc"][name] = (kind, bool(lo - 1e-9 <= t <= hi + 1e-9), lin.determined)
    for name in _STATE["profile"]:
        if name in fixed:
            continue
        kind = dict(net.reported_fluxes())[name]
        t = float(net.flux_vector(name) @ v_true)
        t0 = time.perf_counter()
        prof = result.profile(name)
        out["prof_s"].append(time.perf_counter() - t0)
        out["prof"][name] = (kind, bool(prof.lower - 1e-9 <= t <= prof.upper + 1e-9), prof.identifiable)
        out["unconverged"] += len(prof.unconverged)
        if _STATE["check"]:
            a = net.flux_vector(name) @ problem.N
            off = float(net.flux_vector(name) @ problem.vp)
            for p in prof.points:
                if not p.converged or p.value == prof.value:
                    continue
                _, f2, _, _ = local_fit(problem, p.u, extra_eq=(a[None, :], np.array([p.value - off])))
                out["points"] += 1
                out["bad_points"] += int(f2 < p.ssr - 0.02)
    return out


def report(title, outs):
    dof = outs[0]["dof"]
    ssr = np.array([o["ssr"] for o in outs])
    print(f"\n{title}: {len(outs)} replicates, dof {dof}")
    for method in ("lin", "prof", "mc"):
        for kind in ("net", "exchange"):
            hits = [c for o in outs for k, c, _ in o[method].values() if k == kind]
            ident = [i for o in outs for k, _, i in o[method].values() if k == kind]
            if hits:
                label = {"lin": "linearized", "prof": "profile", "mc": "monte-carlo"}[method]
                print(f"  {label:10s} {kind:8s} coverage {np.mean(hits):6.1%} of {len(hits)} intervals "
                      f"({np.mean(ident):.0%} flagged identifiable)")
    ks = sps.kstest(ssr, sps.chi2(dof).cdf)
    print(f"  SSR mean {ssr.mean():.3f} (chi2 mean {dof}); KS vs chi2({dof}): D={ks.statistic:.3f}, "
          f"p={ks.pvalue:.3g}")
    undet = sorted({o["undetermined"] for o in outs})
    if undet != [0]:  # directions the data do not determine take no residual degree of freedom
        eff = dof + int(np.median([o["undetermined"] for o in outs]))
        ks = sps.kstest(ssr, sps.chi2(eff).cdf)
        print(f"  undetermined directions per replicate {undet}; KS vs chi2({eff}) (dof + undetermined "
              f"directions): D={ks.statistic:.3f}, p={ks.pvalue:.3g}")
    print(f"  random starts reached the best SSR (within 1.92) in {np.mean([o['random_reached'] for o in outs]):.0%}"
          " of replicates (the truth is always one start)")
    fit_s = np.array([o["fit_s"] for o in outs])
    print(f"  time per fit (starts + linearised stats): median {np.median(fit_s):.3f} s, max {fit_s.max():.3f} s")
    mc_s = np.array([s for o in outs for s in o["mc_s"]])
    if mc_s.size:
        print(f"  time per Monte Carlo set ({_MC_N} refits, in-process): median {np.median(mc_s):.3f} s")
    prof_s = np.array([s for o in outs for s in o["prof_s"]])
    if prof_s.size:
        print(f"  time per profile: median {np.median(prof_s):.3f} s, max {prof_s.max():.3f} s "
              f"({prof_s.size} profiles)")
        print(f"  profile points not converged: {sum(o['unconverged'] for o in outs)}; converged points a "
              f"refit from their own solution lowers by > 0.02: {sum(o['bad_points'] for o in outs)} "
              f"of {sum(o['points'] for o in outs)} checked")


def main(argv=None):
    from fluxasn._parallel import map_in_pool

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--profile-replicates", type=int, default=200,
                    help="small network: replicates whose fluxes are all profiled")
    ap.add_argument("--large-replicates", type=int, default=20)
    ap.add_argument("--large-profiles", type=int, default=0,
                    help="large network: profile the exchange fluxes of this many replicates")
    ap.add_argument("--check-replicates", type=int, default=20,
                    help="replicates whose converged profile points are refitted from their own solution")
    ap.add_argument("--mc-replicates", type=int, default=50,
                    help="small network: replicates also given Monte Carlo intervals (100 refits each)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)

    base, _ = small_problem()
    names = [n for n, _ in base.network.reported_fluxes()]
    n_p = min(args.profile_replicates, args.replicates)
    n_c = min(args.check_replicates, n_p)
    n_m = min(args.mc_replicates, args.replicates)
    outs = []
    cuts = sorted({0, n_c, n_p, n_m, args.replicates})
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        prof = names if lo < n_p else []
        outs += map_in_pool(run_replicate, range(lo, hi), processes=args.jobs, initializer=_init,
                            initargs=("small", 2, prof, lo < n_c, _MC_N if lo < n_m else 0))
    if outs:
        report("INCA simple network (3 free fluxes)", outs)
    if args.jobs > 1 and outs:  # Monte Carlo results do not depend on the number of processes
        from fluxasn.isotope.fit import fit_13c
        from fluxasn.isotope.montecarlo import monte_carlo_intervals

        result = fit_13c(base, n_starts=2, seed=0)
        t0 = time.perf_counter()
        one = monte_carlo_intervals(base, result.u, names, n=200, seed=7, processes=1)
        t1 = time.perf_counter()
        many = monte_carlo_intervals(base, result.u, names, n=200, seed=7, processes=args.jobs)
        t2 = time.perf_counter()
        print(f"  Monte Carlo, 200 refits of the published data: in-process {t1 - t0:.2f} s, "
              f"{args.jobs} processes {t2 - t1:.2f} s (incl. start-up); identical samples: "
              f"{bool(np.array_equal(one.samples, many.samples))}")

    if args.large_replicates:
        try:
            big, _ = large_problem()
        except FileNotFoundError as err:
            print(f"\nMCF-7 skipped: {err}")
            return
        exch = [n for n, k in big.network.reported_fluxes() if k == "exchange"]
        n_lp = min(args.large_profiles, args.large_replicates)
        outs = []
        for reps, prof in ((range(n_lp), exch), (range(n_lp, args.large_replicates), [])):
            if len(reps):
                outs += map_in_pool(run_replicate, reps, processes=args.jobs, initializer=_init,
                                    initargs=("large", 4, prof, False))
        report(f"MCF-7 mfapy ({big.p} free fluxes)", outs)


if __name__ == "__main__":
    main()
