"""The Python entry points: compose a config from the same Hydra configs as the CLI, run it, write its outputs.

    >>> import sahel_sim
    >>> result = sahel_sim.run(["mechanisms.rivalry.enabled=false"], seed=3)
    >>> result.attacks.groupby("camp").spectacular.sum()

The CLI (:mod:`sahel_sim.faces.cli`) is built on these functions, so the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis.schema import SahelConfig, compose, load_config, register_schema, to_sim_config
from ..core.params import ConfigError
from ..runner.compose import config_dir, config_error
from ..runner.run import RunResult, read_run
from ..runner.run import run as run_config

__all__ = ["RunResult", "SweepResult", "compose", "config_dir", "config_error", "load", "load_config",
           "register_schema", "run", "run_experiment", "run_sweep", "to_sim_config"]


def run(overrides: list[str] | None = None, seed: int | None = None, out_dir: str | Path | None = None,
        config: SahelConfig | None = None, figure: bool | None = None) -> RunResult:
    """Run one simulation and return its tables; with ``out_dir``, also write them there. The config is composed
    from ``overrides`` (and ``seed``) as the command line does, unless a validated ``config`` is given."""
    sim_config = config if config is not None else load_config(overrides, seed)
    if config is not None and seed is not None:
        sim_config.seed = seed
    return run_config(sim_config, out_dir=out_dir, figure=figure)


# --- reading finished runs and sweeps back --------------------------------------------------------------------


@dataclass
class SweepResult:
    """A sweep folder read back: its metrics (one row per run and metric) and runs (status per run) tables."""

    sweep_dir: Path
    metrics: pd.DataFrame
    runs: pd.DataFrame

    def run(self, name: str) -> RunResult:
        """Load one run of the sweep by its folder name (a value of ``runs["run"]``)."""
        return load(self.sweep_dir / name)

    def metric(self, name: str) -> pd.DataFrame:
        """The rows of one metric (e.g. ``"spectacular_attacks"``): one per run, parameters and seed as columns."""
        return self.metrics[self.metrics["metric"] == name].drop(columns="metric").reset_index(drop=True)


def load(path: str | Path) -> RunResult | SweepResult:
    """Read a finished run folder back into a :class:`RunResult`, or a sweep folder into a :class:`SweepResult`.

    A run folder holds ``summary.json`` (written last, the mark of a finished run), the tables and
    ``config.yaml``; a sweep folder holds Hydra's ``multirun.yaml`` (or run folders below it).
    """
    from ..runner.outputs import FINISHED_MARKER

    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"no run or sweep folder {path}")
    if (path / FINISHED_MARKER).is_file():
        return read_run(path, SahelConfig)
    from ..analysis.sweep import collect, run_folders

    if (path / "multirun.yaml").is_file() or run_folders(path):
        collection = collect(path, write=False)
        return SweepResult(path, collection.metrics, collection.runs)
    raise FileNotFoundError(f"{path} is neither a finished run (no {FINISHED_MARKER}) nor a sweep (no multirun.yaml)")


def run_sweep(overrides: list[str], sweep_dir: str | Path | None = None, launcher: str = "basic",
          cwd: str | Path | None = None) -> SweepResult:
    """Run a sweep exactly as ``sahel-sim -m OVERRIDES`` does (Hydra multirun, any launcher), and load it.

    The sweep runs in a child process, so that Hydra's launchers, resumption (re-running the same sweep skips
    finished runs), error records and collection are the command line's own. Bad input raises ConfigError.
    """
    import subprocess
    import sys

    from ..analysis.sweep import sweep_name

    target = Path(sweep_dir) if sweep_dir is not None else Path(cwd or ".") / "multirun" / sweep_name(overrides)
    cmd = [sys.executable, "-m", "sahel_sim", "-m", *overrides, "output.quiet=true", f"hydra/launcher={launcher}",
           f"hydra.sweep.dir={hydra_quoted(target.resolve())}"]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode == 2:
        line = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "bad input"
        field, _, message = line.removeprefix("sahel-sim: error: ").partition(": ")
        raise ConfigError(field, message)
    if not (target / "multirun.yaml").exists():
        raise RuntimeError(f"the sweep did not start (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return load(target)  # a sweep with failed runs still loads; see result.runs["status"]


def hydra_quoted(path: str | Path) -> str:
    """A path as one value of a Hydra override, quoted: a sweep's folder name holds '=' and ',' (and may hold
    spaces or quotes), which Hydra's grammar would otherwise read as more overrides or sweep values."""
    text = str(path).replace("'", "\\'")  # Hydra: a backslash escapes a quote; elsewhere it is itself
    return f"'{text}'"


def run_experiment(name: str, scale: str = "full", root: str | Path = "outputs/experiments",
                   overrides: list[str] | None = None) -> Path:
    """Run (or resume) an experiment as ``sahel-sim experiment=NAME scale=SCALE`` does; returns its folder."""
    from ..analysis.experiment import run_experiment as drive

    cfg = load_config([f"experiment={name}", f"scale={scale}"])
    if not cfg.experiment.name:
        raise ConfigError("experiment", f"{name!r} is not an experiment")
    return drive(cfg.experiment, cfg.scale, Path(root), list(overrides or []))
