"""A sweep's efficiency: the marginal wall time of one more run of a real ``sahel-sim -m`` sweep against the model's
own time per run, and the sweep's fixed start-up.

    python benchmarks/sweep_efficiency.py [--rounds 2] [--small 6] [--large 30] [--workers 2] [--chunk-size N]
    python benchmarks/sweep_efficiency.py --slurm [--start-cluster] ...   # the same through SLURM (slurm_site)

Each round times, in this order, the model's own run (``SahelModel(config).run()`` of the default 2012-2017
scenario, three replicates, in this process), then two real sweeps of ``replicate=range(0,N)`` with the joblib
launcher and ``WORKERS`` workers, each in a fresh folder, N = SMALL and LARGE. From the least time of each over
the rounds (other processes on the machine can only add time; the medians are recorded too):

* marginal wall time per run m = (T_large - T_small) / (LARGE - SMALL): what one more run costs the sweep;
* efficiency = model time per run / (m x workers): 1 when the workers spend all their time in the model;
* fixed start-up = T_small - SMALL x m: process start, imports, composition, workers, collection.

The model is also timed in WORKERS processes at once (``model_s_per_run_busy``, ``efficiency_busy``): on a machine
whose cores a sweep fills, each model may run slower than one alone, a cost of the machine, not of the sweep.
The model time is also read from the large sweep's own ``run.json`` files (the model timed inside the workers,
beside each other): ``efficiency_in_sweep`` uses it. On a machine whose speed drifts between the two sweeps, both
can be off; ``efficiency_in_chunks`` needs one sweep only: within each chunk (one worker, ``hydra.job.num``), the
model time of each run after the first over the time from the previous run's end to its own end
(``summary.json``), i.e. what a run costs a worker that is already running, measured beside the model itself.
The machine's load average is recorded before and after, since other processes on the same cores slow everything
down. ``--chunk-size 1`` gives one Hydra job per run (as before sweeps were chunked). Results go to the
``sweep_efficiency`` section of ``benchmarks/latest.json``.

With ``--slurm`` the sweeps are SLURM job arrays (``hydra/launcher=slurm_site``, ``array_parallelism`` = WORKERS,
the tasks a node of WORKERS CPUs runs at once); ``--start-cluster`` starts the single-node cluster of the tests
(``tests/slurm_cluster.py``, as root) for the benchmark and stops it after. The overhead per run is then
``1 / efficiency - 1``: the time a worker spends per run beyond the model's own. Results go to the
``sweep_efficiency_slurm`` section.
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
    from sahel_sim.core.model import SahelModel
    from sahel_sim.faces.api import load_config

    times = []
    for replicate in range(runs):
        config = load_config([f"replicate={replicate}"])
        t0 = time.perf_counter()
        SahelModel(config).run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _model_time_warm(runs: int) -> float:
    """:func:`model_time` after one untimed run (imports, caches), in a process of :func:`model_time_busy`."""
    model_time(1)
    return model_time(runs)


def model_time_busy(workers: int, runs: int = 3) -> float:
    """Median seconds of the model's own run while ``workers`` processes run it at once (each times its own
    replicates after one untimed run): the model's time on a machine whose worker cores are all busy, as they are
    in a sweep. Two models at once may each run slower than one alone (shared caches and memory and, where the
    CPUs are hyperthreads of one core, the core itself), which no sweep can avoid; on this 2-CPU machine no such
    slowdown showed beyond the machine's drift (docs/performance.md, Session 12)."""
    import concurrent.futures
    import multiprocessing

    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        times = list(pool.map(_model_time_warm, [runs] * workers))
    return statistics.median(times)


#: the launcher settings of a SLURM sweep of the benchmark (the site template, as many tasks at once as CPUs)
SLURM = ["hydra/launcher=slurm_site", "hydra.launcher.timeout_min=30", "hydra.launcher.mem_gb=1"]


def sweep(runs: int, workers: int, workdir: Path, chunk_size: int | None,
          slurm: bool = False) -> tuple[float, list[float], dict]:
    """Wall seconds of ``sahel-sim -m replicate=range(0,RUNS)`` (joblib), the runs' model seconds, and the
    efficiency within its chunks."""
    sweep_dir = workdir / f"sweep_{runs}_{time.monotonic_ns()}"
    cmd = [sys.executable, "-m", "sahel_sim", "-m", f"replicate=range(0,{runs})", "output.quiet=true",
           f"hydra.sweep.dir={sweep_dir}",
           *([*SLURM, f"hydra.launcher.array_parallelism={workers}"] if slurm else
             ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}"]),
           *([f"hydra.sweeper.chunk_size={chunk_size}"] if chunk_size else [])]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    model = [json.loads(f.read_text())["wall_time_s"] for f in sweep_dir.glob("*/run.json")]
    if len(model) != runs:
        raise RuntimeError(f"{len(model)} of {runs} runs finished")
    return wall, model, chunk_efficiency(sweep_dir)


def chunk_efficiency(sweep_dir: Path) -> dict:
    """Model time over worker time of the runs after the first of each chunk of a finished sweep (see above)."""
    import re

    by_chunk: dict[int, list[tuple[float, float]]] = {}
    for summary in sweep_dir.glob("*/summary.json"):
        run = summary.parent
        num = int(re.search(r"^    num: (\d+)$", (run / ".hydra" / "hydra.yaml").read_text(), re.M).group(1))
        model = json.loads((run / "run.json").read_text())["wall_time_s"]
        by_chunk.setdefault(num, []).append((summary.stat().st_mtime, model))
    model_s = worker_s = 0.0
    for runs in by_chunk.values():
        runs.sort()
        for (end_before, _), (end, model) in zip(runs, runs[1:], strict=False):
            model_s += model
            worker_s += end - end_before
    return {"chunks": len(by_chunk), "efficiency_in_chunks": round(model_s / worker_s, 3) if worker_s else None,
            "worker_s_per_run_in_chunks": round(worker_s / max(1, sum(len(r) - 1 for r in by_chunk.values())), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--small", type=int, default=6)
    parser.add_argument("--large", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, help="runs per Hydra job (default: the sweeper's automatic)")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write latest.json")
    parser.add_argument("--slurm", action="store_true", help="SLURM job arrays instead of joblib")
    parser.add_argument("--start-cluster", action="store_true", help="start (and stop) the tests' one-node cluster")
    args = parser.parse_args()
    cluster = None
    if args.start_cluster:
        sys.path.insert(0, str(HERE.parent))
        from tests.slurm_cluster import SlurmCluster, available

        if available():
            raise SystemExit(f"cannot start the SLURM cluster: {available()}")
        cluster = SlurmCluster()
        cluster.start()
    try:
        measure(args)
    finally:
        if cluster is not None:
            cluster.stop()


def measure(args: argparse.Namespace) -> None:
    """The rounds of timings, and their record."""
    load_start = os.getloadavg()
    model, busy, small, large, in_sweep, in_chunks = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            model.append(model_time())
            busy.append(model_time_busy(args.workers))
            small.append(sweep(args.small, args.workers, Path(tmp), args.chunk_size, args.slurm)[0])
            wall, runs, chunks = sweep(args.large, args.workers, Path(tmp), args.chunk_size, args.slurm)
            large.append(wall)
            in_chunks.append(chunks)
            in_sweep.append(statistics.mean(runs))
    model_s, t_small, t_large = min(model), min(small), min(large)
    medians = efficiency(statistics.median(small), args.small, statistics.median(large), args.large,
                         statistics.median(model), args.workers)
    result = {"runs": [args.small, args.large], "workers": args.workers, "rounds": args.rounds,
              "chunk_size": args.chunk_size or "auto", "model_s_per_run": round(model_s, 4),
              "model_s_per_run_in_sweep": round(min(in_sweep), 4),
              "wall_s_small": round(t_small, 2), "wall_s_large": round(t_large, 2),
              "wall_s_small_all": [round(t, 2) for t in small], "wall_s_large_all": [round(t, 2) for t in large],
              "model_s_all": [round(t, 4) for t in model],
              **efficiency(t_small, args.small, t_large, args.large, model_s, args.workers)}
    marginal = result["marginal_s_per_run"]
    result["efficiency_in_sweep"] = round(result["model_s_per_run_in_sweep"] / (marginal * args.workers), 3)
    result["model_s_per_run_busy"] = round(min(busy), 4)
    result["model_s_per_run_busy_all"] = [round(t, 4) for t in busy]
    result["efficiency_busy"] = round(result["model_s_per_run_busy"] / (marginal * args.workers), 3)
    result["medians"] = medians
    result["efficiency_in_chunks_all"] = [c["efficiency_in_chunks"] for c in in_chunks]
    result["efficiency_in_chunks"] = round(statistics.median(result["efficiency_in_chunks_all"]), 3)
    result["chunks_large"] = in_chunks[0]["chunks"]
    result["model_s_per_run_in_sweep_all"] = [round(t, 4) for t in in_sweep]
    result["load_avg_start"] = [round(x, 2) for x in load_start]
    result["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["cpus"] = os.cpu_count()
    result["launcher"] = "slurm_site" if args.slurm else "joblib"
    if args.slurm:
        result["overhead_per_run_in_chunks"] = round(1 / result["efficiency_in_chunks"] - 1, 3)
        result["overhead_per_run"] = round(1 / result["efficiency"] - 1, 3)
        result["overhead_per_run_busy"] = round(1 / result["efficiency_busy"] - 1, 3)
    result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(json.dumps(result, indent=2))
    if not args.dry_run:
        latest = json.loads(LATEST.read_text()) if LATEST.exists() else {}
        latest[f"{SECTION}_slurm" if args.slurm else SECTION] = result
        LATEST.write_text(json.dumps(latest, indent=2) + "\n")


if __name__ == "__main__":
    main()
