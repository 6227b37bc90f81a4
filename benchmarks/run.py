"""Performance benchmarks of sahel_sim: one command, one table, ``benchmarks/latest.json``.

    .venv/bin/python benchmarks/run.py            # the full set (about 1.5 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # fewer repeats (about 40 s)

Measured in this process unless said otherwise (medians over repeats; the machine is shared and noisy, so the
ratios measured side by side are the figures that count):

* ``default_run_s``: model time of the default run (2012-2017, 313 weekly steps): ``SahelModel(config)`` plus
  ``run()``; imports and config composition excluded. ``default_run_cpu_s`` is the same in CPU time.
* ``process_s``: the whole ``sahel-sim`` command (imports, config, run, tables, figure), as a subprocess with a
  temporary ``hydra.run.dir``; ``peak_rss_mb`` is that process's peak resident memory. The command inherits this
  process's environment, so ``PYTHONPATH=<checkout>`` chooses whose code both measure (``sahel_sim`` in the
  results names it): e.g. a worktree's code with the main checkout's virtualenv.
* ``cell_steps_per_s`` (cells x steps / model time of the default run) against Mesa's own
  ``mesa.examples.advanced.epstein_civil_violence`` model (40 x 40 default), timed in turns with it:
  ``epstein_cell_steps_per_s`` and ``ratio_vs_epstein``.
* ``scaling``: seconds per step (construction excluded, reported apart) at 1x, 4x and 16x the default number of
  cells (``map.resolution`` 0.25, 0.125, 0.0625), the cost per cell-step and its ratio to the default map's, the
  marginal cost of a cell between neighbouring sizes, and a line fit: fixed seconds per step + ns per cell-step;
  ``scaling.band``: the fixed part of a step against the most the +-30 % band allows it (``band_analysis``);
  ``unit_scaling``: seconds per step with every group's fighters and units multiplied by 1, 2, 4, 8, against
  the mean number of units alive, with the elasticity d log(time) / d log(units) (1 = linear).
* ``sweep_overhead_frac``: per-run overhead inside a sweep: ``sahel_sim.faces.api.run(config=..., out_dir=tmp,
  figure=False)`` repeated in this process (imports paid once, the first run left out), minus the model time,
  over the model time; ``sweep_overhead_parts_s`` splits it (tables, summary, writing the files).
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: map resolutions of the cell-scaling benchmark (1x, 4x, 16x the default number of cells)
RESOLUTIONS = (0.25, 0.125, 0.0625)


def median(xs):
    return statistics.median(xs)


def timed_model(config, steps: int | None = None, count_units: bool = False) -> dict:
    """Build and run a SahelModel; construction and steps timed apart (wall and CPU)."""
    from sahel_sim.core.model import SahelModel

    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    model = SahelModel(config)
    t1 = time.perf_counter()
    units = []
    n = 0
    while model.running and (steps is None or n < steps):
        model.step()
        n += 1
        if count_units:
            units.append(sum(len(g.units) for g in model.groups()))
    t2, c2 = time.perf_counter(), time.process_time()
    w = model.world
    return {"construct_s": t1 - t0, "steps_s": t2 - t1, "total_s": t2 - t0, "cpu_s": (c2 - c0), "steps": n,
            "cells": w.nx * w.ny, "mean_units": statistics.fmean(units) if units else float("nan")}


def epstein_steps(n: int) -> float:
    """Seconds per step of Mesa's Epstein civil-violence example at its defaults (40 x 40)."""
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    model = EpsteinCivilViolence()
    model.step()  # warm-up
    t = time.perf_counter()
    for _ in range(n):
        model.step()
    return (time.perf_counter() - t) / n


def bench_default_and_epstein(config, repeats: int, epstein_n: int) -> dict:
    """The default run and the Epstein model, timed in turns so that both see the same load."""
    timed_model(copy.deepcopy(config))  # warm-up: first-call costs (imports inside functions, caches)
    runs, ep = [], []
    for _ in range(repeats):
        runs.append(timed_model(copy.deepcopy(config)))
        ep.append(epstein_steps(epstein_n))
    cells, steps = runs[0]["cells"], runs[0]["steps"]
    model_s = median([r["total_s"] for r in runs])
    rate = cells * steps / model_s
    ep_rate = 40 * 40 / median(ep)
    paired = [cells * steps / r["total_s"] / (1600 / e) for r, e in zip(runs, ep, strict=True)]
    return {
        "default_run_s": round(model_s, 4),
        "default_run_cpu_s": round(median([r["cpu_s"] for r in runs]), 4),
        "default_construct_s": round(median([r["construct_s"] for r in runs]), 4),
        "default_run_all_s": [round(r["total_s"], 4) for r in runs],
        "cells": cells, "steps": steps,
        "cell_steps_per_s": round(rate),
        "epstein_s_per_step": round(median(ep), 5),
        "epstein_cell_steps_per_s": round(ep_rate),
        "ratio_vs_epstein": round(rate / ep_rate, 1),
        "ratio_vs_epstein_paired_median": round(median(paired), 1),
    }


def bench_cell_scaling(repeats: int) -> dict:
    from sahel_sim.faces.api import load_config

    rows = []
    for res in RESOLUTIONS:
        config = load_config([f"map.resolution={res}"])
        runs = [timed_model(copy.deepcopy(config)) for _ in range(repeats)]
        per_step = median([r["steps_s"] / r["steps"] for r in runs])
        rows.append({"resolution": res, "cells": runs[0]["cells"], "s_per_step": round(per_step, 6),
                     "construct_s": round(median([r["construct_s"] for r in runs]), 4),
                     "ns_per_cell_step": round(1e9 * per_step / runs[0]["cells"], 1)})
    base = rows[0]["ns_per_cell_step"]
    for r in rows:
        r["cost_per_cell_step_vs_default"] = round(r["ns_per_cell_step"] / base, 3)
    # marginal cost of a cell between neighbouring map sizes: constant if the cost is linear in cells
    for a, b in zip(rows, rows[1:], strict=False):
        b["marginal_ns_per_cell_step"] = round(1e9 * (b["s_per_step"] - a["s_per_step"]) / (b["cells"] - a["cells"]), 1)
    # a line through the points: seconds per step = fixed + per_cell * cells (the part of a step's cost that
    # does not grow with the map: units, attacks, organisations)
    xs, ys = [r["cells"] for r in rows], [r["s_per_step"] for r in rows]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    fixed = my - slope * mx
    return {"rows": rows, "fit_fixed_s_per_step": round(fixed, 6), "fit_ns_per_cell_step": round(1e9 * slope, 1),
            "fit_max_rel_error": round(max(abs(fixed + slope * x - y) / y for x, y in zip(xs, ys, strict=True)), 3),
            "band": band_analysis(rows)}


def band_analysis(rows: list[dict], low: float = 0.7) -> dict:
    """What the +-30 % band on the cost per cell-step asks of a step ``fixed + cells x per_cell``.

    From the default map (``rows[0]``, N cells) to the largest (k N cells), the cost per cell-step falls to
    ``(F + k P) / (k (F + P))`` of the default's, where F is the fixed part of a step and P its per-cell part on
    the default map: that stays >= ``low`` only while ``F <= P (1 - low) k / (low k - 1)`` (0.47 P at k = 16).
    F and P are read off the two end points, so the line goes through both. The property the band stands for,
    cost linear and not faster in the cells, is the marginal cost of a cell staying the same between sizes:
    ``marginal_cost_ratio`` is the marginal ns per cell-step of the last interval over that of the first.
    """
    a, b = rows[0], rows[-1]
    k = b["cells"] / a["cells"]
    per_cell = (b["s_per_step"] - a["s_per_step"]) / (k - 1)  # P: the per-cell part on the default map
    fixed = a["s_per_step"] - per_cell
    budget = per_cell * (1 - low) * k / (low * k - 1)
    return {"cells_ratio": round(k, 1), "fixed_ms": round(1e3 * fixed, 4),
            "per_cell_part_ms_default_map": round(1e3 * per_cell, 4),
            "fixed_budget_ms": round(1e3 * budget, 4), "fixed_over_budget": round(fixed / budget, 2),
            "marginal_cost_ratio": round(rows[-1]["marginal_ns_per_cell_step"] / rows[1]["marginal_ns_per_cell_step"],
                                         3)}


def bench_cell_scaling_one_blas_thread(repeats: int) -> dict:
    """The cell scaling again in a fresh process with one BLAS thread (OPENBLAS_NUM_THREADS=1): numpy's matrix
    products (``tensordot`` in the territory and recruitment mechanisms) use two OpenBLAS threads by default,
    which on a busy two-core machine can wait for each other far longer than they compute."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--cell-scaling-only", str(repeats)],
                       capture_output=True, text=True, env=env, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    return json.loads(p.stdout.strip().splitlines()[-1])


def bench_unit_scaling(factors: list[int], repeats: int) -> dict:
    from sahel_sim.faces.api import load_config

    base = load_config([])
    groups = {n: f for n, f in base.factions.items() if f.kind == "jihadist" and f.fighters > 0}
    rows = []
    for k in factors:
        overrides = [o for n, f in groups.items()
                     for o in (f"factions.{n}.fighters={f.fighters * k}", f"factions.{n}.units={f.units * k}")]
        config = load_config(overrides)
        runs = [timed_model(copy.deepcopy(config), count_units=True) for _ in range(repeats)]
        rows.append({"factor": k, "mean_units": round(runs[0]["mean_units"], 1),
                     "s_per_step": round(median([r["steps_s"] / r["steps"] for r in runs]), 6)})
    for r in rows:
        r["us_per_unit_step"] = round(1e6 * r["s_per_step"] / r["mean_units"], 2)
    first, last = rows[0], rows[-1]
    elasticity = (math.log(last["s_per_step"] / first["s_per_step"])
                  / math.log(last["mean_units"] / first["mean_units"]))
    return {"rows": rows, "elasticity": round(elasticity, 3)}


#: runs the command given in argv and prints its wall time and peak RSS. A small launcher, because Linux counts a
#: process's memory before exec in its peak: a command started straight from this (large) process would report
#: this process's peak, not its own.
_LAUNCHER = """
import json, os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(json.dumps({"wall_s": time.perf_counter() - t, "code": os.waitstatus_to_exitcode(status),
                  "maxrss_kb": usage.ru_maxrss}))
"""


def bench_process(repeats: int) -> dict:
    """The whole sahel-sim command in a subprocess: wall time and peak RSS."""
    exe = Path(sys.executable).parent / "sahel-sim"
    walls, rss = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            p = subprocess.run([sys.executable, "-c", _LAUNCHER, str(exe), f"hydra.run.dir={tmp}/run{i}"], cwd=tmp,
                               capture_output=True, text=True)
            out = json.loads(p.stdout.strip().splitlines()[-1])
            if out["code"] != 0:
                raise RuntimeError(f"sahel-sim failed ({out['code']}): {p.stderr[-2000:]}")
            walls.append(out["wall_s"])
            rss.append(out["maxrss_kb"] / 1024)
    return {"process_s": round(median(walls), 3), "process_all_s": [round(w, 3) for w in walls],
            "peak_rss_mb": round(max(rss), 1)}


def bench_sweep_overhead(config, repeats: int) -> dict:
    """Per-run overhead of sahel_sim.faces.api.run inside one process (as a sweep worker runs it), figure off."""
    import sahel_sim.runner.outputs as outputs
    from sahel_sim.faces import api

    parts: dict[str, float] = {}
    originals = {name: getattr(outputs, name) for name in ("build_tables", "summarise", "write_run")}

    def timing(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    fracs, model_s, totals = [], [], []
    try:
        for name, fn in originals.items():
            setattr(outputs, name, timing(name, fn))
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(repeats + 1):
                if i == 1:
                    parts.clear()  # the first run pays one-off imports (pyarrow, ...): left out
                run_config = copy.deepcopy(config)  # the benchmark's own copy: not part of the run's time
                gc.collect()
                t = time.perf_counter()
                result = api.run(config=run_config, seed=1000 + i, out_dir=Path(tmp) / f"run{i}", figure=False)
                total = time.perf_counter() - t
                if i:
                    fracs.append((total - result.wall_time_s) / result.wall_time_s)
                    model_s.append(result.wall_time_s)
                    totals.append(total)
    finally:
        for name, fn in originals.items():
            setattr(outputs, name, fn)
    # a part of write_run: the resolved config as YAML (sahel_sim/runner/outputs.py: config_yaml)
    yaml_s = []
    for _ in range(3):
        t = time.perf_counter()
        outputs.config_yaml(config)
        yaml_s.append(time.perf_counter() - t)
    return {"sweep_overhead_frac": round(median(fracs), 3),
            "sweep_model_s": round(median(model_s), 4), "sweep_run_s": round(median(totals), 4),
            "sweep_overhead_parts_s": {k: round(v / repeats, 4) for k, v in parts.items()},
            "sweep_config_yaml_s": round(median(yaml_s), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats: well under 2 minutes")
    parser.add_argument("--out", type=Path, default=HERE / "latest.json")
    parser.add_argument("--cell-scaling-only", type=int, metavar="REPEATS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell_scaling_only:
        import logging

        logging.getLogger("MESA").setLevel(logging.WARNING)
        print(json.dumps(bench_cell_scaling(args.cell_scaling_only)))
        return
    quick = args.quick
    t_start = time.perf_counter()
    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)
    from sahel_sim.faces.api import load_config

    config = load_config([])
    import sahel_sim

    # whose code was measured: this checkout's package (a path relative to it), or another one (its folder's name)
    package = Path(sahel_sim.__file__).resolve().parent
    measured = os.path.relpath(package, ROOT) if package.is_relative_to(ROOT) else f"<elsewhere>/{package.name}"
    results: dict = {"quick": quick, "sahel_sim": measured,
                     "python": platform.python_version(), "machine": platform.machine(),
                     "cpus": os.cpu_count(), "load_avg_start": [round(x, 2) for x in os.getloadavg()]}
    steps = [
        ("default and epstein", lambda: bench_default_and_epstein(config, 3 if quick else 7, 10 if quick else 20)),
        ("cell scaling", lambda: {"scaling": bench_cell_scaling(2 if quick else 3)}),
        ("cell scaling, one BLAS thread",
         lambda: {"scaling_one_blas_thread": bench_cell_scaling_one_blas_thread(1 if quick else 3)}),
        ("unit scaling", lambda: {"unit_scaling": bench_unit_scaling([1, 4] if quick else [1, 2, 4, 8],
                                                                     1 if quick else 2)}),
        ("sweep overhead", lambda: bench_sweep_overhead(config, 3 if quick else 8)),
        ("process", lambda: bench_process(2 if quick else 5)),
    ]
    for name, fn in steps:
        t = time.perf_counter()
        results.update(fn())
        print(f"  {name}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    results["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["benchmark_s"] = round(time.perf_counter() - t_start, 1)
    scaling = results["scaling"]
    results["scaling_cells_to_s_per_step"] = {str(r["cells"]): r["s_per_step"] for r in scaling["rows"]}

    rows = [
        ("default run, model time (s)", results["default_run_s"], "<= 0.5"),
        ("default run, model CPU time (s)", results["default_run_cpu_s"], ""),
        ("sahel-sim process (s)", results["process_s"], "<= 4"),
        ("peak RSS of sahel-sim (MB)", results["peak_rss_mb"], "<= 300"),
        ("cell-steps per s, sahel_sim", results["cell_steps_per_s"], ""),
        ("cell-steps per s, Epstein (Mesa)", results["epstein_cell_steps_per_s"], ""),
        ("ratio vs Epstein", results["ratio_vs_epstein"], ">= 20"),
        *[(f"s per step, {r['cells']} cells ({r['resolution']} deg)", r["s_per_step"], "") for r in scaling["rows"]],
        *[(f"cost per cell-step vs default, {r['cells']} cells", r["cost_per_cell_step_vs_default"], "0.7-1.3")
          for r in scaling["rows"][1:]],
        *[(f"marginal ns per cell-step, {a['cells']} -> {b['cells']} cells", b["marginal_ns_per_cell_step"], "")
          for a, b in zip(scaling["rows"], scaling["rows"][1:], strict=False)],
        ("fit: fixed s per step / ns per cell-step",
         f"{scaling['fit_fixed_s_per_step']:.6f} / {scaling['fit_ns_per_cell_step']}", ""),
        ("band: fixed ms per step / most the band allows",
         f"{scaling['band']['fixed_ms']} / {scaling['band']['fixed_budget_ms']}", ""),
        ("band: marginal cost per cell, largest interval / first", scaling["band"]["marginal_cost_ratio"],
         "(0.7-1.3: linear)"),
        *[(f"one BLAS thread: s per step, {r['cells']} cells", r["s_per_step"], "")
          for r in results["scaling_one_blas_thread"]["rows"]],
        *[(f"one BLAS thread: cost per cell-step vs default, {r['cells']} cells",
           r["cost_per_cell_step_vs_default"], "0.7-1.3") for r in results["scaling_one_blas_thread"]["rows"][1:]],
        *[(f"one BLAS thread: marginal ns per cell-step, {a['cells']} -> {b['cells']}",
           b["marginal_ns_per_cell_step"], "")
          for a, b in zip(results["scaling_one_blas_thread"]["rows"], results["scaling_one_blas_thread"]["rows"][1:],
                          strict=False)],
        *[(f"s per step, units x{r['factor']} ({r['mean_units']} units)", r["s_per_step"], "")
          for r in results["unit_scaling"]["rows"]],
        ("elasticity of time in units", results["unit_scaling"]["elasticity"], "<= 1"),
        ("sweep overhead (fraction of model time)", results["sweep_overhead_frac"], "<= 0.10"),
        *[(f"  of which {k} (s per run)", v, "") for k, v in results["sweep_overhead_parts_s"].items()],
        ("  of which config.yaml (s)", results["sweep_config_yaml_s"], ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':{width}}  {'value':>22}  target")
    for label, value, target in rows:
        print(f"{label:{width}}  {value!s:>22}  {target}")
    print(f"(load average {results['load_avg_start']} -> {results['load_avg_end']}; {results['benchmark_s']} s)")
    if args.out.is_file():  # keep the sections other benchmarks write into the same file (sweep_efficiency*)
        kept = {k: v for k, v in json.loads(args.out.read_text()).items() if k.startswith("sweep_efficiency")}
        results.update({k: v for k, v in kept.items() if k not in results})
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
