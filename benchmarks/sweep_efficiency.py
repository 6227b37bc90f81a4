"""A sweep's efficiency: the marginal wall time of one more run of a real ``sahel-sim -m`` sweep against the model's
own time per run, and the sweep's fixed start-up.

    python benchmarks/sweep_efficiency.py [--rounds 2] [--small 6] [--large 30] [--workers 2] [--chunk-size N]

Each round times, in this order, the model's own run (``SahelModel(config).run()`` of the default 2012-2017
scenario, three replicates, in this process), then two real sweeps of ``replicate=range(0,N)`` with the joblib
launcher and ``WORKERS`` workers, each in a fresh folder, N = SMALL and LARGE. From the medians over rounds:

* marginal wall time per run m = (T_large - T_small) / (LARGE - SMALL): what one more run costs the sweep;
* efficiency = model time per run / (m x workers): 1 when the workers spend all their time in the model;
* fixed start-up = T_small - SMALL x m: process start, imports, composition, workers, collection.

The model time is also read from the large sweep's own ``run.json`` files (the model timed inside the workers,
beside each other): ``efficiency_in_sweep`` uses it. The machine's load average is recorded before and after,
since other processes on the same cores slow everything down. ``--chunk-size 1`` gives one Hydra job per run
(as before sweeps were chunked). Results go to the ``sweep_efficiency`` section of ``benchmarks/latest.json``.
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
LATEST = HERE / "latest.json"
SECTION = "sweep_efficiency"


def efficiency(t_small: float, n_small: int, t_large: float, n_large: int, model_s: float, workers: int) -> dict:
    """Marginal wall time per run, efficiency and fixed start-up of a sweep timed at two sizes (``T = S + n m``)."""
    if n_large <= n_small:
        raise ValueError("the large sweep must have more runs than the small one")
    marginal = (t_large - t_small) / (n_large - n_small)
    return {"marginal_s_per_run": round(marginal, 4),
            "efficiency": round(model_s / (marginal * workers), 3) if marginal > 0 else float("inf"),
            "fixed_startup_s": round(t_small - n_small * marginal, 2)}


def model_time(runs: int = 3) -> float:
    """Median seconds of the model's own run of the default scenario (construction included), in this process."""
    from sahel_sim.api import load_config
    from sahel_sim.model import SahelModel

    times = []
    for replicate in range(runs):
        config = load_config([f"replicate={replicate}"])
        t0 = time.perf_counter()
        SahelModel(config).run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sweep(runs: int, workers: int, workdir: Path, chunk_size: int | None) -> tuple[float, list[float]]:
    """Wall seconds of ``sahel-sim -m replicate=range(0,RUNS)`` (joblib), and the runs' model seconds."""
    sweep_dir = workdir / f"sweep_{runs}_{time.monotonic_ns()}"
    cmd = [sys.executable, "-m", "sahel_sim", "-m", f"replicate=range(0,{runs})", "output.quiet=true",
           f"hydra.sweep.dir={sweep_dir}", "hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}",
           *([f"hydra.sweeper.chunk_size={chunk_size}"] if chunk_size else [])]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    model = [json.loads(f.read_text())["wall_time_s"] for f in sweep_dir.glob("*/run.json")]
    if len(model) != runs:
        raise RuntimeError(f"{len(model)} of {runs} runs finished")
    return wall, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--small", type=int, default=6)
    parser.add_argument("--large", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, help="runs per Hydra job (default: the sweeper's automatic)")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write latest.json")
    args = parser.parse_args()
    load_start = os.getloadavg()
    model, small, large, in_sweep = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            model.append(model_time())
            small.append(sweep(args.small, args.workers, Path(tmp), args.chunk_size)[0])
            wall, runs = sweep(args.large, args.workers, Path(tmp), args.chunk_size)
            large.append(wall)
            in_sweep.append(statistics.mean(runs))
    model_s, t_small, t_large = statistics.median(model), statistics.median(small), statistics.median(large)
    result = {"runs": [args.small, args.large], "workers": args.workers, "rounds": args.rounds,
              "chunk_size": args.chunk_size or "auto", "model_s_per_run": round(model_s, 4),
              "model_s_per_run_in_sweep": round(statistics.median(in_sweep), 4),
              "wall_s_small": round(t_small, 2), "wall_s_large": round(t_large, 2),
              "wall_s_small_all": [round(t, 2) for t in small], "wall_s_large_all": [round(t, 2) for t in large],
              "model_s_all": [round(t, 4) for t in model],
              **efficiency(t_small, args.small, t_large, args.large, model_s, args.workers)}
    marginal = result["marginal_s_per_run"]
    result["efficiency_in_sweep"] = round(result["model_s_per_run_in_sweep"] / (marginal * args.workers), 3)
    result["load_avg_start"] = [round(x, 2) for x in load_start]
    result["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["cpus"] = os.cpu_count()
    result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(json.dumps(result, indent=2))
    if not args.dry_run:
        latest = json.loads(LATEST.read_text()) if LATEST.exists() else {}
        latest[SECTION] = result
        LATEST.write_text(json.dumps(latest, indent=2) + "\n")


if __name__ == "__main__":
    main()
