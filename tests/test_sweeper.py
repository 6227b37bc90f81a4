"""The default sweeper (``hydra/sweeper=sahel``): few compositions in the master, the same refusals and results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hydra._internal.config_loader_impl import ConfigLoaderImpl

from sahel_sim.faces.api import config_dir, register_schema
from tests.test_sweep import only_sweep_dir, sahel_sim

QUICK = ["calendar.end=2012-09-24", "output.quiet=true"]


def master_compositions(overrides: list[str], tmp_path: Path, monkeypatch) -> list[int]:
    """Run ``sahel-sim -m OVERRIDES`` in this process up to its launches, which run nothing, and return, for each
    batch, how many configs the master had composed when the launcher got it."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.plugins import Plugins

    Plugins.instance()  # its first scan re-executes the plugin modules: patch the classes it registered, after it
    from hydra._internal.core_plugins.basic_launcher import BasicLauncher

    calls: list[int] = []
    at_launch: list[int] = []
    compose = ConfigLoaderImpl.load_sweep_config

    def counted(self, *args, **kwargs):
        calls.append(1)
        return compose(self, *args, **kwargs)

    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config", counted)
    monkeypatch.setattr(BasicLauncher, "launch", lambda self, batch, initial_job_idx: at_launch.append(len(calls))
                        or [])
    register_schema()
    GlobalHydra.instance().clear()
    hydra = Hydra.create_main_hydra2("sahel_sim", create_config_search_path(str(config_dir())))
    try:
        hydra.multirun("config", lambda cfg: None, [*overrides, f"hydra.sweep.dir={tmp_path}",
                                                     "~hydra.callbacks.sweep"])
    finally:
        GlobalHydra.instance().clear()
    return at_launch


def test_a_large_sweep_composes_one_config_per_group_value_not_per_job(tmp_path, monkeypatch):
    # 60 jobs; one swept config group with three options: the first job, then the two other options
    sweep = ["-m", "seed=range(0,20)", "intervention=none,barkhane,barkhane_minusma", *QUICK]
    assert master_compositions(sweep[1:], tmp_path, monkeypatch) == [3]
    # batches are checked one by one, each from its own first job
    assert master_compositions([*sweep[1:], "hydra.sweeper.max_batch_size=30"], tmp_path, monkeypatch) == [3, 6]


def test_hydras_own_sweeper_composes_every_job(tmp_path, monkeypatch):
    # the counting above counts what Hydra's basic sweeper does: one composition per job
    assert master_compositions(["seed=range(0,4)", "hydra/sweeper=basic", *QUICK], tmp_path, monkeypatch) == [4]


@pytest.mark.parametrize("bad", ["intervention=none,nowhere", "seed=1,abc", "mechanisms.rivalry.enabled=true,maybe"])
def test_a_bad_value_is_refused_before_any_run_as_hydra_refuses_it(bad, tmp_path):
    # --config-path makes the command's own precheck step aside: the sweeper is the only check left
    args = ["--config-path", str(config_dir()), "-m", bad, *QUICK]
    for cwd in ("sahel", "basic"):
        (tmp_path / cwd).mkdir()
    ours = sahel_sim(*args, cwd=tmp_path / "sahel")
    hydras = sahel_sim(*args, "hydra/sweeper=basic", cwd=tmp_path / "basic")
    assert ours.returncode == hydras.returncode == 2
    assert bad.split("=")[-1].split(",")[-1] in ours.stderr
    assert ours.stderr == hydras.stderr
    for cwd in ("sahel", "basic"):
        assert (tmp_path / cwd / "multirun").is_dir()  # the sweep had started
        assert not [p for p in (tmp_path / cwd).glob("multirun/*/*") if p.is_dir()]  # no run started


@pytest.mark.slow  # two sweeps of the same runs (~20 s)
def test_the_default_sweeper_gives_the_same_runs_as_hydras(tmp_path):
    sweep = ["-m", "seed=1,2", "intervention=none,barkhane", *QUICK]
    for name, extra in (("sahel", []), ("basic", ["hydra/sweeper=basic"])):
        (tmp_path / name).mkdir()
        p = sahel_sim(*sweep, *extra, cwd=tmp_path / name)
        assert p.returncode == 0, p.stderr
    ours, hydras = only_sweep_dir(tmp_path / "sahel"), only_sweep_dir(tmp_path / "basic")
    runs = sorted(d.name for d in ours.iterdir() if d.is_dir())
    assert len(runs) == 4 and runs == sorted(d.name for d in hydras.iterdir() if d.is_dir())
    pd.testing.assert_frame_equal(pd.read_parquet(ours / "metrics.parquet"),
                                  pd.read_parquet(hydras / "metrics.parquet"))
    for run in runs:
        assert (ours / run / "summary.json").read_bytes() == (hydras / run / "summary.json").read_bytes()
        assert (ours / run / "config.yaml").read_bytes() == (hydras / run / "config.yaml").read_bytes()
    recorded = yaml.safe_load((ours / runs[0] / ".hydra" / "hydra.yaml").read_text())["hydra"]
    assert recorded["runtime"]["choices"]["hydra/sweeper"] == "sahel"
    assert recorded["sweeper"]["_target_"].endswith("SahelSweeper")
