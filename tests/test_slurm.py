"""A sweep on a real (single-node) SLURM cluster through hydra-submitit-launcher, then collected.

Opt-in (``pytest -m slurm``): it starts munged, slurmctld and slurmd on this machine and stops them after.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from tests.slurm_cluster import SlurmCluster, available

pytestmark = pytest.mark.slurm


@pytest.fixture(scope="module")
def cluster():
    reason = available()
    if reason:
        pytest.skip(reason)
    c = SlurmCluster()
    c.start()
    yield c
    c.stop()


def test_a_sweep_runs_as_a_slurm_array_and_is_collected(cluster, tmp_path):
    sweep = tmp_path / "sweep"
    p = subprocess.run([sys.executable, "-m", "sahel_sim", "-m", "hydra/launcher=slurm_site",
                        "hydra.launcher.timeout_min=10", "hydra.launcher.mem_gb=1", "seed=1,2",
                        "calendar.end=2012-09-24", f"hydra.sweep.dir={sweep}"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "2/2 runs complete" in p.stderr
    assert list(sweep.glob(".submitit/*"))  # the jobs went through sbatch
    m = pd.read_parquet(sweep / "metrics.parquet")
    assert set(m["seed"]) == {1, 2}
    collected = subprocess.run([sys.executable, "-c", "import sys; from sahel_sim.analysis.sweep import collect_main; "
                                f"sys.exit(collect_main([{str(sweep)!r}]))"], capture_output=True, text=True)
    assert collected.returncode == 0 and "2/2 runs complete" in collected.stdout
