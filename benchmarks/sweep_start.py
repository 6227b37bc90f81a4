"""How long a sweep takes to start its first run: the time the master spends before launching.

    python benchmarks/sweep_start.py [--runs 320] [--launcher joblib] [--sweeper basic]

It starts ``sahel-sim -m replicate=range(0,RUNS)`` in a fresh folder, waits until the first run's folder appears
(Hydra creates it as the run starts), reports the time since the command started, and stops the sweep (SIGTERM
to its process group). Process start-up (imports, ~2-3 s) is included.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_to_first_run(runs: int, launcher: str, sweeper: str | None, workdir: Path, limit_s: float = 1800) -> float:
    """Seconds from starting the sweep command to the first run folder."""
    sweep_dir = workdir / "sweep"
    cmd = [sys.executable, "-m", "sahel_sim", "-m", f"replicate=range(0,{runs})", "output.quiet=true",
           f"hydra.sweep.dir={sweep_dir}", f"hydra/launcher={launcher}",
           *([f"hydra/sweeper={sweeper}"] if sweeper else [])]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        while not (sweep_dir.is_dir() and any(p.is_dir() for p in sweep_dir.iterdir())):
            if proc.poll() is not None:
                raise RuntimeError(f"the sweep ended (exit {proc.returncode}) before a run started")
            if time.perf_counter() - t0 > limit_s:
                raise RuntimeError(f"no run started within {limit_s} s")
            time.sleep(0.05)
        return time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=320)
    parser.add_argument("--launcher", default="joblib")
    parser.add_argument("--sweeper", help="a Hydra sweeper other than the default, e.g. basic (Hydra's own)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seconds = time_to_first_run(args.runs, args.launcher, args.sweeper, Path(tmp))
    print(f"{args.runs} runs, launcher {args.launcher}, sweeper {args.sweeper or 'default'}: "
          f"first run started after {seconds:.1f} s")


if __name__ == "__main__":
    main()
