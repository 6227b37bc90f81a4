"""Sweep throughput of the Hydra launchers on this machine: runs per minute and per-run overhead.

    python benchmarks/sweep_throughput.py [--runs 12] [--quick] [--sweeper basic]

For each launcher (basic, joblib) it runs one sweep of the default 2012-2017 scenario over replicates in a fresh
folder, and reports runs per minute of wall time and the per-run overhead: the wall time per run (per worker)
beyond the model's own run time (``run.json: wall_time_s``), over that model time. Process start-up (imports,
~2-3 s) is paid once per sweep and included. ``--sweeper basic`` measures Hydra's own sweeper instead of the default
one (``hydra/sweeper=sahel``). Results go to ``benchmarks/sweep_latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sweep(launcher: str, runs: int, workdir: Path, sweeper: str | None = None) -> dict:
    sweep_dir = workdir / launcher
    cmd = [sys.executable, "-m", "sahel_sim", "-m", f"replicate=range(0,{runs})", "output.quiet=true",
           f"hydra.sweep.dir={sweep_dir}", f"hydra/launcher={launcher}",
           *([f"hydra/sweeper={sweeper}"] if sweeper else [])]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    model = [json.loads(f.read_text())["wall_time_s"] for f in sweep_dir.glob("*/run.json")]
    workers = os.cpu_count() if launcher == "joblib" else 1
    per_run = wall * workers / runs
    mean_model = statistics.mean(model)
    return {"launcher": launcher, "sweeper": sweeper or "default", "runs": runs, "workers": workers,
            "wall_s": round(wall, 2), "runs_per_minute": round(60 * runs / wall, 1),
            "model_s_per_run": round(mean_model, 3), "overhead_frac": round((per_run - mean_model) / mean_model, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="6 runs per launcher")
    parser.add_argument("--sweeper", help="a Hydra sweeper other than the default, e.g. basic (Hydra's own)")
    args = parser.parse_args()
    runs = 6 if args.quick else args.runs
    with tempfile.TemporaryDirectory() as tmp:
        rows = [sweep(launcher, runs, Path(tmp), args.sweeper) for launcher in ("basic", "joblib")]
    print(f"sweeper: {args.sweeper or 'default'}")
    print(f"{'launcher':10} {'runs':>5} {'wall s':>8} {'runs/min':>9} {'model s/run':>12} {'overhead':>9}")
    for r in rows:
        print(f"{r['launcher']:10} {r['runs']:>5} {r['wall_s']:>8} {r['runs_per_minute']:>9} "
              f"{r['model_s_per_run']:>12} {r['overhead_frac']:>9.0%}")
    (HERE / "sweep_latest.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
