"""Packaging: the wheel installs into a fresh environment and runs from outside the repository (packaged configs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    import importlib.util

    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]  # offline if we can
    _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", *isolation, "-w", dist], cwd=tmp_path)
    (wheel,) = dist.glob("sahel_sim-*.whl")

    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "sahel_sim/configs/config.yaml" in names
    assert any(n.startswith("experiments/") for n in names)
    # the default sweeper, in Hydra's plugin namespace (a namespace package: no hydra_plugins/__init__.py)
    assert "hydra_plugins/sahel_sim_sweeper/sahel_sim_sweeper.py" in names
    assert "hydra_plugins/__init__.py" not in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    _run([bin_dir / "python", "-m", "pip", "install", "--quiet", wheel], cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run_dir = elsewhere / "run"
    _run([bin_dir / "sahel-sim", "calendar.end=2012-06-25",
          "output.figure=false", f"hydra.run.dir={run_dir}"], cwd=elsewhere, timeout=600)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["weeks"] > 0

    # a sweep runs with the packaged default sweeper, next to the installed launcher plugins
    sweep_dir = elsewhere / "sweep"
    _run([bin_dir / "sahel-sim", "-m", "seed=1,2", "intervention=none,barkhane", "calendar.end=2012-06-25",
          "output.quiet=true", f"hydra.sweep.dir={sweep_dir}"], cwd=elsewhere, timeout=600)
    assert len(list(sweep_dir.glob("*/summary.json"))) == 4 and (sweep_dir / "metrics.parquet").exists()
    assert "SahelSweeper" in next(sweep_dir.glob("*/.hydra/hydra.yaml")).read_text()
    _run([bin_dir / "sahel-sim", "-m", "seed=1,2", "calendar.end=2012-06-25",
          "output.quiet=true", f"hydra.sweep.dir={elsewhere / 'joblib'}", "hydra/launcher=joblib"], cwd=elsewhere,
         timeout=600)
    assert len(list((elsewhere / "joblib").glob("*/summary.json"))) == 2

    # the installed package's configs are the packaged ones, not this repository's
    proc = _run([bin_dir / "python", "-c", "import sahel_sim.faces.api as a; print(a.config_dir())"], cwd=elsewhere)
    assert str(env_dir) in proc.stdout and str(ROOT / "configs") not in proc.stdout
