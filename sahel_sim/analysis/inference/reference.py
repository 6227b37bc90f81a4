"""A reference table and what it makes affordable: amortised checks of the inference (issue 19, items 3-5).

**The table.** Parameter sets drawn uniformly from the inferred priors (:func:`.abc.inferred_priors`), the same
number in each world, each simulated once to the end of 2016 with every summary of :mod:`.summaries` kept: the
calibration and held-out summaries of 2012-2016, and (prefixed ``w2014_``) the calibration summaries a fit on the
record's 2012-2014 only would see. One table serves many records: inferring a record is then a look-up, not new
simulations.

**Rejection ABC on the table** (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002): each summary is scaled by
its median absolute deviation over the table, the distance is the root mean square of the scaled differences (a
summary one side lacks counts as 3 scales, as in :func:`.summaries.distance`), the ``accept`` share of rows nearest
the record is kept with Epanechnikov weights, and a world's posterior probability is its share of that weight
(equal prior: equal rows per world). A parameter's posterior in a world is the weighted accepted rows of that world.
The local-linear regression adjustment of Beaumont et al. (2002) (on the logit of the prior's range, so that an
adjusted value stays inside it) is available but off by default: on a toy table with the real columns
(``tests/test_reference.py``) it fits the noise summaries' spurious slopes over a few dozen accepted rows, and its
90% intervals held the truth in 0.74 of records (0.67 for a parameter the summaries say nothing about), where plain
rejection held it in 0.87-0.96 (conservative where a parameter is identified, as a positive tolerance makes it).

**What it checks** (:func:`table_recovery`): rows of the table are synthetic records with known parameters; each is
inferred from the other rows. Over many such records, the share whose 50% and 90% posterior intervals hold the truth
is each parameter's coverage (simulation-based calibration, Talts et al. 2018), and the share attributed to the world
that made them is the model recovery rate. These check **rejection ABC on this table**, an amortised stand-in for
the ABC-SMC the record is inferred with (:mod:`.abc`), at the cost of the table alone; the ABC-SMC's own recovery
(:mod:`.recovery`) runs one inference per record and is a cluster job. The outputs have the columns of
:mod:`.recovery`'s, so that the report (``experiment.gather.recovery``) reads either.

**Simulating it** uses joblib's processes on this machine, or, given a dask scheduler's address, joblib's Dask
backend on that cluster's workers (the engines of the sweep layer); the table is written chunk by chunk
(``OUT/chunks/NNNN.parquet``, each written whole under a temporary name), so a killed run resumes at the next chunk,
and the same command gives the same rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .abc import INTEGER, Simulator, prior_ranges, worlds_argument
from .recovery import LEVELS, coverage, weighted_quantiles
from .summaries import (
    SECOND_SET_NAMES,
    SUMMARIES,
    SUMMARY_SETS,
    run_summaries,
    set_names,
    training_years,
    window_names,
)
from .worlds import ALL_WORLDS, CHANNEL_COMPARISON, WORLDS

#: the prefix of the summaries a fit on the record's 2012-2014 would see (computed from the same run)
WINDOW = "w2014_"
#: rows simulated and written together (a killed table loses at most one chunk)
CHUNK = 40
#: the central quantiles of :data:`.recovery.LEVELS`
_QUANTILES = tuple(q for level in sorted(LEVELS, reverse=True) for q in ((1 - level) / 2, (1 + level) / 2))


def draw_rows(per_world: int, worlds: list[str] | None = None, seed: int = 0,
              priors: dict[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """The table's design: ``per_world`` parameter sets per world, drawn uniformly from the priors' ranges (the same
    sets in every world, so that the worlds differ by their switches alone), integers rounded as a run rounds
    them. Columns: ``row``, ``world``, then the parameters (config paths)."""
    worlds = list(worlds or WORLDS)
    ranges = prior_ranges(priors)
    rng = np.random.default_rng(seed)
    draws = pd.DataFrame({name: rng.uniform(lo, hi, size=per_world) for name, (lo, hi) in ranges.items()})
    for name in INTEGER & set(draws):
        draws[name] = draws[name].round()
    frames = [draws.assign(world=w) for w in worlds]
    table = pd.concat(frames, ignore_index=True)
    table.insert(0, "row", np.arange(len(table)))
    return table[["row", "world", *ranges]]


_SIMULATORS: dict[str, Simulator] = {}


def simulate_row(world: str, params: dict[str, float], row: int) -> dict[str, float]:
    """Every summary of one run of ``world`` at ``params`` to the end of 2016 (the record's summaries of 2012-2016,
    and those a 2012-2014 fit sees, prefixed :data:`WINDOW`). The run's seed is the particle's seed salted with the
    row's number, so no row shares a seed with an inference's particle."""
    sim = _SIMULATORS.get(world)
    if sim is None:  # one per world and process: it composes the world's config once
        sim = _SIMULATORS[world] = Simulator(world)
    sim.salt = f"reference-row-{row}"
    tables = sim.tables({k.replace(".", "__"): v for k, v in params.items()})
    full = run_summaries(tables["world"], tables["attacks"], tables["events"])
    window = run_summaries(tables["world"], tables["attacks"], tables["events"], training_years(2014))
    out = {s.name: float(full[s.name]) for s in SUMMARIES}
    out.update({WINDOW + name: float(window[name]) for name in window_names(2014)})
    return out


def _simulate_chunk(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        params = {k: v for k, v in r.items() if k not in ("row", "world")}
        out.append({"row": r["row"], "world": r["world"], **params, **simulate_row(r["world"], params, r["row"])})
    return out


def build_table(out_dir: Path, per_world: int, worlds: list[str] | None = None, seed: int = 0, cores: int = 1,
                scheduler: str = "", progress: bool = True, reuse: pd.DataFrame | None = None) -> Path:
    """Simulate the table into ``out_dir/table.parquet`` (resuming at the first chunk not yet written); returns its
    path. ``design.json`` records what was asked; a folder holding another design is refused. A chunk whose every
    row ``reuse`` (another table) holds with the same row number, world and parameters is taken from it instead of
    simulated: a row's run depends on nothing else (the same row gives the same summaries, tested)."""
    from joblib import Parallel, delayed, parallel_config

    out_dir = Path(out_dir)
    (out_dir / "chunks").mkdir(parents=True, exist_ok=True)
    design = draw_rows(per_world, worlds, seed)
    asked = {"per_world": per_world, "worlds": list(worlds or WORLDS), "seed": seed,
             "parameters": [c for c in design.columns if c not in ("row", "world")]}
    stored = out_dir / "design.json"
    if stored.is_file() and json.loads(stored.read_text()) != asked:
        raise ValueError(f"out: {out_dir} holds a table of another design ({stored}); allowed: the same "
                         "per_world, worlds and seed to resume it, or another folder")
    stored.write_text(json.dumps(asked, indent=1) + "\n")
    whole = out_dir / "table.parquet"
    if whole.is_file() and len(pd.read_parquet(whole, columns=["row"])) == len(design):
        return whole  # finished before (or shipped without its chunks, as in the gallery): nothing to simulate
    records = design.to_dict("records")
    chunks = [records[i:i + CHUNK] for i in range(0, len(records), CHUNK)]
    todo = [k for k in range(len(chunks)) if not (out_dir / "chunks" / f"{k:04d}.parquet").is_file()]
    client = None
    if scheduler:
        from distributed import Client

        client = Client(scheduler, timeout=30)
    if reuse is not None and len(todo):
        todo = [k for k in todo if not _reused(out_dir / "chunks" / f"{k:04d}.parquet", chunks[k], reuse)]
    backend = {"backend": "dask"} if client else {"backend": "loky", "n_jobs": cores}
    bar = _bar(len(chunks), len(chunks) - len(todo), progress)
    try:
        with parallel_config(**backend):
            runner = Parallel(return_as="generator_unordered")
            for index, result in runner(delayed(_chunk_job)(k, chunks[k]) for k in todo):
                _write_chunk(out_dir / "chunks" / f"{index:04d}.parquet", pd.DataFrame(result))
                bar.update(1)
    finally:
        bar.close()
        if client is not None:
            client.close()
    table = pd.concat([pd.read_parquet(out_dir / "chunks" / f"{k:04d}.parquet") for k in range(len(chunks))],
                      ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    _write_chunk(out_dir / "table.parquet", table)
    return out_dir / "table.parquet"


def _reused(path: Path, rows: list[dict], reuse: pd.DataFrame) -> bool:
    """Write the chunk of ``rows`` from ``reuse`` when it holds every one of them (same row number, world and
    parameters, and every summary column of a simulated row); True if it did."""
    wanted = pd.DataFrame(rows)
    found = reuse[reuse["row"].isin(wanted["row"])].set_index("row").reindex(wanted["row"])
    params = [c for c in wanted.columns if c not in ("row", "world")]
    summaries = [s.name for s in SUMMARIES] + [WINDOW + n for n in window_names(2014)]
    if (found["world"].isna().any() or list(found["world"]) != list(wanted["world"])
            or any(c not in found for c in summaries)
            or not np.array_equal(found[params].to_numpy(float), wanted[params].to_numpy(float))):
        return False
    _write_chunk(path, found.reset_index()[list(wanted.columns) + summaries])
    return True


def _chunk_job(index: int, rows: list[dict]) -> tuple[int, list[dict]]:
    return index, _simulate_chunk(rows)


def _write_chunk(path: Path, frame: pd.DataFrame) -> None:
    """A table written whole under a temporary name and renamed into place (a killed run leaves none half-written):
    the runs' own :func:`~sahel_sim.runner.outputs._atomic_write`."""
    from ...runner.outputs import _atomic_write

    _atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def _bar(total: int, done: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="chunk", desc="reference table", disable=not show)


# --- rejection ABC on the table ------------------------------------------------------------------------------------


def calibration_columns(window: bool = False, summary_set: str = "first") -> list[str]:
    """The table's columns a fit sees: the calibration summaries of 2012-2016, or (``window``) of 2012-2014; with
    ``summary_set="second"``, the second set (:data:`.summaries.SECOND_SET_NAMES`, 2012-2016 only: its events fall
    in 2015-2016); ``"third"``, the third (:data:`.summaries.THIRD_SET_NAMES`, likewise). The names are
    :func:`.summaries.set_names`' (the ABC-SMC's for the same set), the window's prefixed :data:`WINDOW`."""
    if window:
        return [WINDOW + n for n in set_names(summary_set, 2014)]
    return set_names(summary_set)


def check_columns(table: pd.DataFrame, columns: list[str]) -> None:
    """Refuse a table without the summaries a fit needs (one simulated before they were defined), naming them."""
    missing = [c for c in columns if c not in table]
    if missing:
        raise ValueError(f"summaries: the table has no column {', '.join(missing)}; allowed: a table simulated with "
                         "them (simulate it again into a new folder)")


def scales(table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Each summary's scale: its median absolute deviation over the table (1.4826 x MAD: the standard deviation of
    a normal sample), or its standard deviation where the MAD is 0, or 1."""
    x = table[columns].to_numpy(float)
    med = np.nanmedian(x, axis=0)
    mad = 1.4826 * np.nanmedian(np.abs(x - med), axis=0)
    sd = np.nanstd(x, axis=0)
    return np.where(mad > 0, mad, np.where(sd > 0, sd, 1.0))


def distances(table: pd.DataFrame, observed: dict[str, float], columns: list[str], scale: np.ndarray) -> np.ndarray:
    """Each row's distance to ``observed``: the root mean square of the scaled differences, a summary missing on
    either side counting as 3 scales."""
    x = table[columns].to_numpy(float)
    obs = np.array([observed[c] for c in columns], dtype=float)
    diff = (x - obs) / scale
    diff = np.where(np.isfinite(diff), diff, 3.0)
    return np.sqrt(np.mean(diff ** 2, axis=1))


def rejection(table: pd.DataFrame, observed: dict[str, float], columns: list[str], accept: float = 0.05,
              scale: np.ndarray | None = None) -> pd.DataFrame:
    """The accepted rows (the ``accept`` share nearest ``observed``) with their Epanechnikov weights (``weight``,
    summing to one) and distances (``distance``)."""
    if not 0 < accept <= 1:
        raise ValueError(f"accept: {accept}; allowed: a share in (0, 1]")
    scale = scales(table, columns) if scale is None else scale
    d = distances(table, observed, columns, scale)
    k = max(2, int(round(accept * len(table))))
    idx = np.argsort(d, kind="stable")[:k]
    h = d[idx].max()
    w = 1.0 - (d[idx] / h) ** 2 if h > 0 else np.ones(len(idx))
    w = np.where(w > 0, w, 1e-12)
    kept = table.iloc[idx].copy()
    kept["distance"] = d[idx]
    kept["weight"] = w / w.sum()
    return kept


def adjusted(kept: pd.DataFrame, observed: dict[str, float], columns: list[str], scale: np.ndarray,
             ranges: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Beaumont et al.'s (2002) local-linear adjustment of the accepted parameters: on the logit of each prior's
    range, the weighted regression of the parameter on the scaled summaries, and each value moved along it to the
    observed summaries. Too few rows for the regression: the values unadjusted."""
    out = kept.copy()
    x = (kept[columns].to_numpy(float) - np.array([observed[c] for c in columns])) / scale
    x = np.where(np.isfinite(x), x, 0.0)
    w = kept["weight"].to_numpy(float)
    if len(kept) <= len(columns) + 2:
        return out
    design = np.column_stack([np.ones(len(x)), x])
    sw = np.sqrt(w)[:, None]
    for name, (lo, hi) in ranges.items():
        if name not in kept or hi <= lo:
            continue
        p = np.clip((kept[name].to_numpy(float) - lo) / (hi - lo), 1e-6, 1 - 1e-6)
        y = np.log(p / (1 - p))
        beta, *_ = np.linalg.lstsq(design * sw, y * sw[:, 0], rcond=None)
        y_adj = y - x @ beta[1:]
        out[name] = lo + (hi - lo) / (1 + np.exp(-y_adj))
    return out


def infer(table: pd.DataFrame, observed: dict[str, float], window: bool = False, accept: float = 0.05,
          ranges: dict[str, tuple[float, float]] | None = None, scale: np.ndarray | None = None,
          adjust: bool = False, summary_set: str = "first") -> tuple[pd.DataFrame, dict[str, float]]:
    """Rejection ABC of ``observed`` on ``table``: the accepted rows with their weights (a posterior in the format
    of ``posterior.parquet``: world, parameters, weight; with ``adjust``, each world's values regression-adjusted
    on their own), and each world's posterior probability."""
    columns = calibration_columns(window, summary_set)
    scale = scales(table, columns) if scale is None else scale
    ranges = ranges or prior_ranges()
    kept = rejection(table, observed, columns, accept, scale)
    worlds = list(dict.fromkeys(table["world"]))
    probs = {w: float(kept.loc[kept["world"] == w, "weight"].sum()) for w in worlds}
    parts = []
    for w in worlds:
        part = kept[kept["world"] == w]
        if len(part):
            part = part.assign(weight=part["weight"] / part["weight"].sum())
            if adjust:
                part = adjusted(part, observed, columns, scale, ranges)
            parts.append(part.assign(weight=part["weight"] * probs[w]))
    posterior = pd.concat(parts, ignore_index=True)[["world", *ranges, "weight"]]
    return posterior, probs


def table_recovery(table: pd.DataFrame, out_dir: Path, records: int = 100, accept: float = 0.05, seed: int = 0,
                   window: bool = False, adjust: bool = False, summary_set: str = "first") -> dict[str, Path]:
    """Parameter and model recovery on the table: ``records`` rows of each world, drawn at random, each inferred
    from the table without it (:func:`infer`); the parameter intervals of its own world beside its truth, and the
    world it is attributed to. Writes ``recovery.csv``, ``coverage.csv``, ``model_recovery.csv`` (the columns of
    :mod:`.recovery`) and ``recovery.json`` (the method, for the report)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ranges = prior_ranges()
    columns = calibration_columns(window, summary_set)
    check_columns(table, columns)
    scale = scales(table, columns)
    rng = np.random.default_rng(seed)
    worlds = list(dict.fromkeys(table["world"]))
    chosen = np.concatenate([rng.choice(np.flatnonzero(table["world"].to_numpy() == w),
                                        size=min(records, int((table["world"] == w).sum())), replace=False)
                             for w in worlds])
    switched = {w: {o.split("=", 1)[0] for o in ALL_WORLDS[w]} for w in worlds}
    rec_rows, model_rows = [], []
    for i in chosen.tolist():
        truth_row = table.iloc[i]
        world = str(truth_row["world"])
        observed = {c: float(truth_row[c]) for c in columns}
        posterior, probs = infer(table.drop(index=table.index[i]), observed, window, accept, ranges, scale, adjust,
                                 summary_set)
        own = posterior[posterior["world"] == world]
        for name in ranges:
            if name in switched[world]:  # the world sets it: its truth is not what made the record
                continue
            if len(own):
                lo90, hi90, lo50, hi50 = weighted_quantiles(own[name].to_numpy(), own["weight"].to_numpy(),
                                                            _QUANTILES)
            else:
                lo90 = hi90 = lo50 = hi50 = np.nan
            rec_rows.append({"record": int(truth_row["row"]), "world": world, "parameter": name,
                             "true": float(truth_row[name]), "lo50": lo50, "hi50": hi50, "lo90": lo90, "hi90": hi90})
        model_rows.append({"record": int(truth_row["row"]), "true_world": world,
                           "attributed_world": max(probs, key=probs.get), **{f"p_{w}": p for w, p in probs.items()}})
    recovery = pd.DataFrame(rec_rows)
    paths = {"recovery": out_dir / "recovery.csv", "coverage": out_dir / "coverage.csv",
             "model_recovery": out_dir / "model_recovery.csv", "method": out_dir / "recovery.json"}
    recovery.to_csv(paths["recovery"], index=False)
    coverage(recovery, ranges).to_csv(paths["coverage"], index=False)
    pd.DataFrame(model_rows).to_csv(paths["model_recovery"], index=False)
    paths["method"].write_text(json.dumps({
        "method": f"rejection ABC on a reference table of {len(table)} simulations ({len(worlds)} worlds; the "
                  f"nearest {accept:.0%} accepted{', local-linear adjustment' if adjust else ''}), each record "
                  "inferred from the table without it: an amortised check of the method, not of the ABC-SMC run on "
                  "the record",
        "records_per_world": int(min(records, len(table) // max(len(worlds), 1))), "accept": accept,
        "window": "2012-2014" if window else "2012-2016", "table_rows": len(table), "adjust": adjust,
        "summary_set": summary_set, "summaries": columns},
        indent=1) + "\n")
    return paths


def against(first: Path, second: Path) -> pd.DataFrame:
    """The second set's recovery beside the first's, on the same records (``OUT/recovery`` and
    ``OUT/recovery_second``): per parameter, the 90% coverage and the 90% width as a share of the prior under each
    set, and the change in width; a last row ``(model recovery)`` holds each set's share of records attributed to
    the world that made them."""
    cov = {name: pd.read_csv(Path(folder) / "coverage.csv").set_index("parameter")
           for name, folder in (("first", first), ("second", second))}
    out = pd.DataFrame({"cover90_first": cov["first"]["cover90"], "cover90_second": cov["second"]["cover90"],
                        "width90_first": cov["first"]["width90_over_prior"],
                        "width90_second": cov["second"]["width90_over_prior"]})
    out["width_change"] = out["width90_second"] - out["width90_first"]
    out = out.sort_values("width90_second")
    recovered = {}
    for name, folder in (("first", first), ("second", second)):
        mr = pd.read_csv(Path(folder) / "model_recovery.csv")
        recovered[name] = float((mr["attributed_world"] == mr["true_world"]).mean())
    out.loc["(model recovery)"] = [np.nan, np.nan, recovered["first"], recovered["second"],
                                   recovered["second"] - recovered["first"]]
    return out.rename_axis("parameter").reset_index()


def leave_one_out(table: pd.DataFrame, observed: dict[str, float], columns: list[str],
                  accept: float = 0.05) -> pd.DataFrame:
    """Which summary carries the record's world probabilities: the probabilities with all ``columns``, then with
    each one left out in turn (one row each, ``left_out`` empty for all). **Exploratory**: not part of the
    analysis fixed before the second set's run; written after its results were seen, to explain them."""
    rows = []
    for drop in ["", *columns]:
        cols = [c for c in columns if c != drop]
        kept = rejection(table, {c: observed[c] for c in cols}, cols, accept)
        probs = kept.groupby("world")["weight"].sum()
        rows.append({"left_out": drop, **{w: float(probs.get(w, 0.0)) for w in dict.fromkeys(table["world"])}})
    return pd.DataFrame(rows)


def by_world(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """What each world's rows of the table make of ``columns``: the median, and for the year summaries
    (``CENSORED_YEAR`` = did not happen by the end of 2016) the share of rows where the event happened."""
    from .summaries import CENSORED_YEAR

    rows = []
    for world, part in table.groupby("world", sort=False):
        row = {"world": world}
        for c in columns:
            row[f"{c}_median"] = float(part[c].median())
            if part[c].max() == CENSORED_YEAR:
                row[f"{c}_happened"] = float((part[c] < CENSORED_YEAR).mean())
        rows.append(row)
    return pd.DataFrame(rows)


#: the acceptance shares of the record's sensitivity check (pre-registered with the second set, docs/inference.md)
SENSITIVITY_ACCEPT = (0.025, 0.05, 0.10)


#: the channel comparison's worlds where the global rivalry acts on attack choice (the others keep it as context)
RIVALRY_ACTS = ("both", "global_only")


def pair_accuracy(model_recovery: pd.DataFrame) -> dict[str, float]:
    """Of the channel comparison's records, the share put on the right side of "the rivalry acts on attacks"
    (:data:`RIVALRY_ACTS` against the channel worlds), pooled and for each true world (the third set's criterion 3,
    docs/inference.md); chance is 0.5."""
    acts_true = model_recovery["true_world"].isin(RIVALRY_ACTS)
    right = acts_true == model_recovery["attributed_world"].isin(RIVALRY_ACTS)
    out = {"pooled": float(right.mean())}
    out.update({str(w): float(right[model_recovery["true_world"] == w].mean())
                for w in dict.fromkeys(model_recovery["true_world"])})
    return out


def record_sensitivity(table: pd.DataFrame, observed: dict[str, float], summary_set: str = "first") -> pd.DataFrame:
    """The record's world probabilities under the settings the analysis fixed beforehand: each acceptance share of
    :data:`SENSITIVITY_ACCEPT` with equal world priors, and, at 5%, a prior of 0.5 on each world in turn (the
    others 1/6 each: Bayes' rule on the equal-prior probabilities). One row per setting, one column per world."""
    worlds = list(dict.fromkeys(table["world"]))
    rows = []
    for accept in SENSITIVITY_ACCEPT:
        _, probs = infer(table, observed, accept=accept, summary_set=summary_set)
        rows.append({"setting": f"accept {accept:.1%}, equal world priors", **probs})
        if accept == 0.05:
            for favoured in worlds:
                prior = {w: 0.5 if w == favoured else 0.5 / (len(worlds) - 1) for w in worlds}
                odds = {w: probs[w] * prior[w] * len(worlds) for w in worlds}
                total = sum(odds.values())
                rows.append({"setting": f"accept 5.0%, prior 0.5 on {favoured}",
                             **{w: odds[w] / total for w in worlds}})
    return pd.DataFrame(rows)


def write_posterior(folder: Path, posterior: pd.DataFrame, meta: dict, worlds: list[str]) -> dict[str, Path]:
    """A table inference's outputs in the inference's format: ``posterior.parquet``, ``model_probabilities.csv``
    (with the Monte Carlo interval of :func:`.abc.model_probabilities`) and ``inference.json`` (what the report and
    the forecast read: the method, the window's last year, the summaries, the priors)."""
    from .abc import model_probabilities

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"posterior": folder / "posterior.parquet", "model_probabilities": folder / "model_probabilities.csv",
             "inference": folder / "inference.json"}
    posterior.to_parquet(paths["posterior"], index=False)
    model_probabilities(posterior, worlds).to_csv(paths["model_probabilities"], index=False)
    paths["inference"].write_text(json.dumps(meta, indent=1) + "\n")
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m sahel_sim.analysis.inference.reference OUT [--per-world N] [--cores C | --scheduler ADDRESS]
    [--records R] [--accept A]``: simulate the reference table (resumable), then recover ``R`` of its rows per
    world from the others (``OUT/recovery``), and infer the record from it (``OUT/record``: the rejection-ABC
    posterior and world probabilities, a cross-check of the ABC-SMC's)."""
    import argparse

    from .summaries import record_summaries

    ap = argparse.ArgumentParser(prog="python -m sahel_sim.analysis.inference.reference", description=main.__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-world", type=int, default=1000, help="simulations per world")
    ap.add_argument("--cores", type=int, default=1, help="processes on this machine")
    ap.add_argument("--scheduler", default="", help="address of a dask scheduler: simulate on its workers")
    ap.add_argument("--records", type=int, default=100, help="rows per world recovered from the others")
    ap.add_argument("--accept", type=float, default=0.05, help="share of the table accepted (0 to 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--adjust", action="store_true", help="Beaumont et al.'s local-linear adjustment (off by "
                    "default: it under-covers with these summaries, see the module's docstring)")
    ap.add_argument("--worlds", default=",".join(WORLDS),
                    help="comma-separated worlds of the table (default: the four of the question; the channel "
                         f"comparison: {','.join(CHANNEL_COMPARISON)})")
    ap.add_argument("--reuse", type=Path, help="a table.parquet whose rows of the same design are taken instead of "
                                               "simulated again (e.g. the four worlds' table for the channel "
                                               "comparison's `both` and `global_only`)")
    ap.add_argument("--summaries", choices=SUMMARY_SETS, default="first",
                    help="the calibration summaries: the first set, the second (pre-registered after the first's "
                         "identification check) or the third (pre-registered after the channel comparison; "
                         "docs/inference.md); outputs go to recovery_SET/ and record_SET/ for the second and third")
    args = ap.parse_args(argv)
    for name in ("per_world", "cores", "records"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')}: {getattr(args, name)}; allowed: an integer >= 1")
    if not 0 < args.accept <= 1:
        ap.error(f"--accept: {args.accept}; allowed: a share in (0, 1]")
    if args.scheduler and args.cores > 1:
        ap.error("--cores and --scheduler: give one; allowed: --cores N on this machine, or --scheduler ADDRESS")
    worlds = worlds_argument(ap, args.worlds)
    if args.reuse is not None and not args.reuse.is_file():
        ap.error(f"--reuse: {args.reuse} is not a file; allowed: a table.parquet of a reference table")
    try:
        path = build_table(args.out, args.per_world, worlds, seed=args.seed, cores=args.cores,
                           scheduler=args.scheduler,
                           reuse=pd.read_parquet(args.reuse) if args.reuse is not None else None)
    except ValueError as exc:
        ap.error(f"--{exc}")
    table = pd.read_parquet(path)
    second = args.summaries == "second"
    suffix = "" if args.summaries == "first" else f"_{args.summaries}"
    try:
        check_columns(table, calibration_columns(summary_set=args.summaries))
    except ValueError as exc:
        ap.error(f"--{exc}")
    paths = table_recovery(table, args.out / f"recovery{suffix}", args.records, args.accept, args.seed,
                           adjust=args.adjust, summary_set=args.summaries)
    print(pd.read_csv(paths["coverage"]).to_string(index=False))
    mr = pd.read_csv(paths["model_recovery"])
    print(f"model recovery: {(mr['attributed_world'] == mr['true_world']).mean():.1%} of {len(mr)} records")
    if set(worlds) == set(CHANNEL_COMPARISON):  # records on the right side of "the rivalry acts on attacks"
        sides = pair_accuracy(mr)
        (paths["model_recovery"].parent / "pair_accuracy.json").write_text(json.dumps(sides, indent=1) + "\n")
        print("pair accuracy (rivalry acts on attacks or not): " + ", ".join(f"{k} {v:.3f}" for k, v in sides.items()))
    if second and (args.out / "recovery" / "coverage.csv").is_file():  # the first set's, on the same records
        both = against(args.out / "recovery", args.out / "recovery_second")
        both.to_csv(args.out / "recovery_second" / "against_first.csv", index=False)
        print(both.round(3).to_string(index=False))
    record = record_summaries(training_years(2016))
    observed = {c: float(record[c]) for c in calibration_columns(summary_set=args.summaries)}
    sensitivity = record_sensitivity(table, observed, args.summaries)
    (args.out / f"record{suffix}").mkdir(parents=True, exist_ok=True)
    sensitivity.to_csv(args.out / f"record{suffix}" / "sensitivity.csv", index=False)
    print(sensitivity.round(3).to_string(index=False))
    if second:  # exploratory, written after the second set's results were seen (docs/inference.md)
        added = [c for c in SECOND_SET_NAMES if c not in calibration_columns()]
        leave_one_out(table, observed, list(SECOND_SET_NAMES), args.accept).to_csv(
            args.out / "record_second" / "exploratory_leave_one_out.csv", index=False)
        by_world(table, added).to_csv(args.out / "record_second" / "table_by_world.csv", index=False)
    for window in ((False,) if args.summaries != "first" else (False, True)):
        record = record_summaries(training_years(2014) if window else training_years(2016))
        columns = calibration_columns(window, args.summaries)
        observed = {c: float(record[c.removeprefix(WINDOW)]) for c in columns}
        posterior, probs = infer(table, observed, window, args.accept, adjust=args.adjust,
                                 summary_set=args.summaries)
        folder = args.out / ("record_2012_2014" if window else f"record{suffix}")
        write_posterior(folder, posterior, {"method": "rejection ABC on the reference table", "accept": args.accept,
                                            "table_rows": len(table), "train_end": 2014 if window else 2016,
                                            "summary_set": args.summaries,
                                            "summaries": [c.removeprefix(WINDOW) for c in columns],
                                            "priors": {k: list(v) for k, v in prior_ranges().items()}},
                        list(dict.fromkeys(table["world"])))
        print(f"{folder.name}: " + ", ".join(f"{w} {p:.2f}" for w, p in probs.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
