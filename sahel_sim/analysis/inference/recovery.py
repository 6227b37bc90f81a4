"""Proof that the inference works (issue 19, item 4): parameter recovery with simulation-based calibration, and
model recovery.

**Parameter recovery.** Draw "true" parameters from the prior, simulate a synthetic record from them (the same
summaries the real record gives), and run the same ABC-SMC on that record as on the real one. Over many synthetic
records, a posterior's 50% (90%) central interval should hold the truth in about 50% (90%) of them: the coverage of
each parameter (Talts et al. 2018, "Validating Bayesian inference algorithms with simulation-based calibration",
arXiv:1804.06788). A parameter whose coverage falls far below is over-confident (the method cannot be trusted on
it); one far above, or whose interval is as wide as the prior, is not identified by the summaries.

**Model recovery.** Records simulated in each world (both, global only, local only, neither) are given to the
model selection; the share attributed to the world that made them is the rate at which the headline answer could
tell the worlds apart if the model were true.

Each synthetic record's inference keeps its own pyabc database (``OUT/records/<id>/abc.db``), so an interrupted
recovery resumes record by record; the truths and their records are drawn from a seed, so the same command gives
the same records. Outputs: ``recovery.csv`` (record, world, parameter, true, lo50, hi50, lo90, hi90),
``coverage.csv`` (parameter, records, cover50, cover90, width90_over_prior), ``model_recovery.csv`` (record,
true_world, attributed_world, probability of each world).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .abc import (
    Simulator,
    add_engine_arguments,
    calibration_names,
    derived_seed,
    engine_from_arguments,
    inferred_priors,
    posterior_table,
    run_abc,
    seed_argument,
    world_shares,
    worlds_argument,
)
from .summaries import SUMMARY_SETS
from .worlds import ALL_WORLDS

#: the central intervals whose coverage is checked
LEVELS = (0.5, 0.9)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Quantiles of a weighted sample (the particles of a population): the inverse of the weighted empirical
    distribution function, taken at the midpoints of the cumulated weights (the Hazen rule)."""
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    if len(values) == 0 or weights.sum() <= 0:
        return np.full(len(qs), np.nan)
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order] / weights.sum()
    cum = np.cumsum(w) - w / 2
    return np.interp(qs, cum, v)


def draw_truths(n: int, seed: int, priors: dict[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """``n`` parameter sets drawn uniformly from the priors (one row each, columns the config paths)."""
    priors = priors or inferred_priors()
    rng = np.random.default_rng(seed)
    return pd.DataFrame({name: rng.uniform(lo, hi, size=n) for name, (lo, hi) in priors.items()})


def synthetic_record(world: str, truth: dict[str, float], record_id: int, summaries: str = "first"
                     ) -> dict[str, float]:
    """The summaries of the set ``summaries`` of one run of ``world`` at ``truth``: a record the inference is given
    as if it were the real one. Its run's seed differs from any particle's (the record's number enters it)."""
    simulator = Simulator(world, salt=f"synthetic-record-{record_id}", summaries=summaries)
    return simulator({k.replace(".", "__"): v for k, v in truth.items()})


def intervals(posterior: pd.DataFrame, world: str, truth: dict[str, float]) -> pd.DataFrame:
    """Each parameter's 50% and 90% central posterior intervals in ``world`` beside its true value."""
    sel = posterior[posterior["world"] == world]
    rows = []
    for name, true in truth.items():
        if name not in sel or sel.empty:
            lo50 = hi50 = lo90 = hi90 = np.nan
        else:
            lo90, lo50, hi50, hi90 = weighted_quantiles(sel[name].to_numpy(), sel["weight"].to_numpy(),
                                                        (0.05, 0.25, 0.75, 0.95))
        rows.append({"parameter": name, "true": float(true), "lo50": lo50, "hi50": hi50, "lo90": lo90, "hi90": hi90})
    return pd.DataFrame(rows)


def coverage(recovery: pd.DataFrame, priors: dict[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """Per parameter: how many records, the share whose 50% and 90% intervals hold the truth, and the mean width of
    the 90% interval over the prior's (1: the data taught nothing; near 0: sharply identified)."""
    priors = priors or inferred_priors()
    rows = []
    for name, g in recovery.dropna(subset=["lo90"]).groupby("parameter", sort=False):
        lo, hi = priors[name]
        rows.append({"parameter": name, "records": len(g),
                     "cover50": float(((g["true"] >= g["lo50"]) & (g["true"] <= g["hi50"])).mean()),
                     "cover90": float(((g["true"] >= g["lo90"]) & (g["true"] <= g["hi90"])).mean()),
                     "width90_over_prior": float(((g["hi90"] - g["lo90"]) / (hi - lo)).mean())})
    return pd.DataFrame(rows)


def check_set(out_dir: Path, summaries: str) -> None:
    """Refuse (ValueError naming ``summaries`` and what is allowed) an unknown set, or a folder whose stored
    synthetic records (``out_dir/records/*/record.json``) are of another set; a record written before the sets were
    an option (no ``summary_set``) is of the first."""
    calibration_names(summaries=summaries)
    found = {json.loads(f.read_text()).get("summary_set", "first")
             for f in sorted(Path(out_dir).glob("records/*/record.json"))}
    if found - {summaries}:
        raise ValueError(f"summaries: {summaries!r}, but the recovery stored in {out_dir} has "
                         f"{', '.join(repr(f) for f in sorted(found))}; allowed: the stored records' set to resume "
                         "it, or another folder")


def recover(out_dir: Path, records: int = 20, worlds: list[str] | None = None, population: int = 50,
            generations: int = 4, seed: int = 0, sampler=None, summaries: str = "first") -> dict[str, Path]:
    """Parameter and model recovery: ``records`` synthetic records per world of ``worlds`` (default: both, for
    parameter recovery alone), each made of the summaries of the set ``summaries`` and inferred with ABC-SMC on
    them over all the worlds given, its draws seeded from ``seed`` and the record's number. Resumes record by
    record; a folder whose records are of another set is refused (ValueError) before anything is written. Returns
    the paths of the three tables."""
    worlds = list(worlds or ["both"])
    for w in worlds:
        if w not in ALL_WORLDS:
            raise ValueError(f"worlds: {w!r} is not a world; allowed: {', '.join(ALL_WORLDS)}")
    if records < 1:
        raise ValueError(f"records: {records}; allowed: an integer >= 1")
    out_dir = Path(out_dir)
    check_set(out_dir, summaries)
    truths = draw_truths(records * len(worlds), seed)
    recovery_rows, model_rows = [], []
    for i, truth in enumerate(truths.to_dict("records")):
        world = worlds[i // records]
        folder = out_dir / "records" / f"{i:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        record_file = folder / "record.json"
        if record_file.is_file():
            record = json.loads(record_file.read_text())["summaries"]
        else:
            record = synthetic_record(world, truth, i, summaries)
            stored = {"world": world, "truth": truth, "summaries": record}
            if summaries != "first":  # a first-set record's file is as before the sets were an option
                stored["summary_set"] = summaries
            record_file.write_text(json.dumps(stored, indent=1))
        history = run_abc(folder, record, worlds=worlds, population=population, generations=generations,
                          sampler=sampler, seed=derived_seed(seed, i), summaries=summaries)
        posterior = posterior_table(history, worlds)
        table = intervals(posterior, world, truth)
        table.insert(0, "world", world)
        table.insert(0, "record", i)
        recovery_rows.append(table)
        probs = world_shares(posterior, worlds)
        model_rows.append({"record": i, "true_world": world, "attributed_world": max(probs, key=probs.get),
                           **{f"p_{w}": p for w, p in probs.items()}})
    recovery = pd.concat(recovery_rows, ignore_index=True)
    paths = {"recovery": out_dir / "recovery.csv", "coverage": out_dir / "coverage.csv",
             "model_recovery": out_dir / "model_recovery.csv"}
    recovery.to_csv(paths["recovery"], index=False)
    coverage(recovery).to_csv(paths["coverage"], index=False)
    pd.DataFrame(model_rows).to_csv(paths["model_recovery"], index=False)
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m sahel_sim.analysis.inference.recovery OUT [--records 20] [--worlds both,neither]
    [--population 50] [--generations 4] [--seed 0] [--summaries first|second|third] [--cores C | --scheduler
    ADDRESS]``: parameter recovery (coverage of 50% and 90% intervals) and model recovery; run again with the same
    OUT to resume."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m sahel_sim.analysis.inference.recovery", description=main.__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--records", type=int, default=20, help="synthetic records per world")
    ap.add_argument("--worlds", default="both", help="comma-separated worlds the records come from")
    add_engine_arguments(ap)
    ap.add_argument("--seed", type=int, default=0, help="seeds the true parameters and each record's ABC-SMC "
                    "(reproducible with --cores 1 only); an integer >= 0")
    ap.add_argument("--summaries", choices=SUMMARY_SETS, default="first", help="the pre-registered set of summaries "
                    "the synthetic records are made of and fitted on (as the inference command's --summaries); a "
                    "resumed run must give the stored records' set")
    args = ap.parse_args(argv)
    seed_argument(ap, args)
    if args.records < 1:
        ap.error(f"--records: {args.records}; allowed: an integer >= 1")
    worlds = worlds_argument(ap, args.worlds)
    try:
        check_set(args.out, args.summaries)
    except ValueError as exc:
        ap.error(f"--{exc}")
    sampler = engine_from_arguments(ap, args)
    paths = recover(args.out, args.records, worlds, args.population, args.generations, args.seed, sampler,
                    args.summaries)
    print(pd.read_csv(paths["coverage"]).to_string(index=False))
    mr = pd.read_csv(paths["model_recovery"])
    print(f"model recovery: {(mr['attributed_world'] == mr['true_world']).mean():.0%} of {len(mr)} records "
          f"attributed to the world that made them; outputs in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
