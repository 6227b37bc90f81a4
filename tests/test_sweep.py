"""Sweeps: launchers agree, failures are contained, re-running resumes, one tidy table, designs, seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahel_sim.analysis.sensitivity import analyse, apply_design_row, make_design
from sahel_sim.analysis.sweep import collect, derive_seed, expected_runs, job_dirname
from tests.conftest import make_config

SWEEP = ["-m", "seed=1,2", "mechanisms.rivalry.strength=0,2", "calendar.end=2012-09-24", "output.quiet=true"]


def sahel_sim(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sahel_sim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})


def only_sweep_dir(cwd: Path) -> Path:
    (sweep,) = [p for p in (cwd / "multirun").iterdir() if (p / "multirun.yaml").exists()]
    return sweep


def values(sweep: Path) -> pd.DataFrame:
    m = pd.read_parquet(sweep / "metrics.parquet")
    keys = ["seed", "mechanisms.rivalry.strength", "metric"]
    return m.sort_values(keys).reset_index(drop=True)[keys + ["value"]]


@pytest.fixture(scope="module")
def basic_sweep(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("basic")
    p = sahel_sim(*SWEEP, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return cwd, p


def test_a_sweep_writes_one_folder_per_run_named_from_its_overrides(basic_sweep):
    cwd, p = basic_sweep
    sweep = only_sweep_dir(cwd)
    runs = sorted(d.name for d in sweep.iterdir() if d.is_dir())
    assert len(runs) == 4 and all("seed=" in r and "mechanisms.rivalry.strength=" in r for r in runs)
    assert all((sweep / r / "summary.json").exists() and not (sweep / r / "overview.png").exists() for r in runs)
    assert "4/4 runs complete, 0 failed" in p.stderr


def test_a_sweep_prints_one_line_and_a_bar_and_a_rerun_says_what_it_reuses(basic_sweep):
    """Hydra's own launch lines ("Launching 4 jobs locally", one per job) would interleave with the progress bar
    and announce runs a rerun then skips (issue 21, item 9): the sweep says in one line what it launches."""
    cwd, p = basic_sweep
    out = p.stdout + p.stderr
    assert "Launching" not in out and "#0 :" not in out and "[HYDRA]" not in out
    assert "sweep of 4 runs" in p.stderr and "launching 4" in p.stderr
    again = sahel_sim(*SWEEP, cwd=cwd)
    assert again.returncode == 0, again.stderr
    assert "reusing 4 finished runs, launching 0" in again.stderr
    assert "Launching" not in again.stdout + again.stderr


def test_the_collected_table_is_tidy(basic_sweep):
    m = pd.read_parquet(only_sweep_dir(basic_sweep[0]) / "metrics.parquet")
    assert {"run", "seed", "mechanisms.rivalry.strength", "metric", "value"} <= set(m.columns)
    assert m.groupby(["run", "metric"]).size().max() == 1
    assert set(m["seed"]) == {1, 2} and set(m["mechanisms.rivalry.strength"]) == {0, 2}
    assert "spectacular_attacks" in set(m["metric"])


@pytest.mark.parametrize("launcher", ["joblib", pytest.param("submitit_local", marks=pytest.mark.slow)])  # ~20 s
def test_launchers_give_the_same_table(basic_sweep, tmp_path, launcher):
    p = sahel_sim(*SWEEP, f"hydra/launcher={launcher}", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    pd.testing.assert_frame_equal(values(only_sweep_dir(tmp_path)), values(only_sweep_dir(basic_sweep[0])))
    # and every run's files are byte-identical to the basic launcher's (no process-wide state leaks in)
    ours, basic = only_sweep_dir(tmp_path), only_sweep_dir(basic_sweep[0])
    runs = sorted(d.name for d in basic.iterdir() if (d / "summary.json").exists())
    assert len(runs) == 4
    for run in runs:
        for name in ("factions.parquet", "world.parquet", "attacks.parquet", "claims.parquet", "events.parquet",
                     "summary.json", "config.yaml"):
            assert (ours / run / name).read_bytes() == (basic / run / name).read_bytes(), (launcher, run, name)


def test_failed_runs_are_contained_and_rerun_resumes(basic_sweep, tmp_path):
    p = sahel_sim(*SWEEP, cwd=tmp_path, env={"SAHEL_SIM_FAULT": "fail:seed=2"})
    assert p.returncode == 1
    assert "2/4 runs complete, 2 failed" in p.stderr and "error.json" in p.stderr
    sweep = only_sweep_dir(tmp_path)
    errors = list(sweep.glob("*/error.json"))
    assert len(errors) == 2
    record = json.loads(errors[0].read_text())
    assert "seed=2" in record["overrides"] and "Traceback" in record["traceback"]
    done = {f: f.stat().st_mtime_ns for f in sweep.glob("*/summary.json")}
    p = sahel_sim(*SWEEP, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert {f: f.stat().st_mtime_ns for f in done} == done  # finished runs were skipped, not redone
    assert not list(sweep.glob("*/error.json"))
    pd.testing.assert_frame_equal(values(sweep), values(only_sweep_dir(basic_sweep[0])))


@pytest.mark.slow  # killed mid-run and rerun (~15 s); tests/test_interrupts.py resumes an interrupted sweep
def test_a_killed_sweep_is_completed_by_rerunning_it(basic_sweep, tmp_path):
    p = sahel_sim(*SWEEP, cwd=tmp_path, env={"SAHEL_SIM_FAULT": "kill:seed=2"})
    assert p.returncode != 0
    sweep = only_sweep_dir(tmp_path)
    report = collect(sweep)
    assert len(report.complete) < 4 and (report.missing or report.unfinished)
    assert sahel_sim(*SWEEP, cwd=tmp_path).returncode == 0
    final = values(sweep)
    assert not final.duplicated(["seed", "mechanisms.rivalry.strength", "metric"]).any()
    pd.testing.assert_frame_equal(final, values(only_sweep_dir(basic_sweep[0])))


def test_collect_command_reports_missing_runs(basic_sweep, tmp_path):
    import shutil

    sweep = tmp_path / "copy"
    shutil.copytree(only_sweep_dir(basic_sweep[0]), sweep)
    victim = next(d for d in sweep.iterdir() if d.is_dir())
    shutil.rmtree(victim)
    p = subprocess.run([sys.executable, "-c", "import sys; from sahel_sim.analysis.sweep import collect_main; "
                        f"sys.exit(collect_main([{str(sweep)!r}]))"], capture_output=True, text=True)
    assert p.returncode == 0 and "3/4 runs complete" in p.stdout and "1 missing" in p.stdout
    assert len(pd.read_parquet(sweep / "runs.parquet")) == 3


def test_expected_runs_expand_like_hydra():
    jobs = expected_runs(["seed=1,2", "mechanisms.rivalry.strength=range(0,3)", "calendar.end=2013-01-07"])
    assert len(jobs) == 6
    assert job_dirname(jobs[0]) == "calendar.end=2013-01-07,mechanisms.rivalry.strength=0,seed=1"


def test_replicate_seeds_are_reproducible_and_distinct():
    seeds = [derive_seed(42, r) for r in range(50)]
    assert len(set(seeds)) == 50 and seeds == [derive_seed(42, r) for r in range(50)]
    assert derive_seed(43, 0) != seeds[0]
    assert make_config("replicate=3", "base_seed=42").seed == derive_seed(42, 3)


def test_a_design_row_sets_its_parameters(tmp_path):
    design = tmp_path / "d.csv"
    table = make_design("morris", {"mechanisms.rivalry.strength": (0.0, 3.0),
                                   "mechanisms.attacks.max_per_week": (1.0, 10.0)}, 4, 1, design)
    cfg = make_config(f"design.file={design}", "design.row=5")
    assert cfg.mechanisms.rivalry.strength == pytest.approx(table.loc[5, "mechanisms.rivalry.strength"])
    assert cfg.mechanisms.attacks.max_per_week == round(table.loc[5, "mechanisms.attacks.max_per_week"])
    cfg.design.row = 10**6
    with pytest.raises(Exception, match="design.row"):
        apply_design_row(cfg)


def test_sobol_analysis_ranks_parameters_by_their_influence(tmp_path):
    """On a known function, y = 4 a + b + 0 c, the indices come out in that order."""
    design = tmp_path / "s.csv"
    table = make_design("sobol", {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}, 256, 3, design)
    y = 4 * table["a"] + table["b"]
    rows = [{"run": str(i), "design.row": i, "seed": s, "metric": "y", "value": v + 0.0 * s}
            for i, v in zip(table["row"], y, strict=True) for s in (1, 2)]
    indices = analyse(design, pd.DataFrame(rows), "y").set_index("parameter")
    assert indices.loc["a", "S1"] == pytest.approx(16 / 17, abs=0.05)
    assert indices.loc["b", "S1"] == pytest.approx(1 / 17, abs=0.05)
    assert abs(indices.loc["c", "ST"]) < 0.02
    assert np.isfinite(indices[["S1_conf", "ST_conf"]].to_numpy()).all()


def test_a_finished_run_of_other_code_or_configs_is_run_again(basic_sweep, tmp_path):
    """Resuming must not keep runs an older model made: a run whose recorded fingerprint (code, data, configs)
    is not the current one is run again, the others are reused."""
    import shutil

    from sahel_sim.runner.provenance import FINGERPRINT_FILE, code_fingerprint

    src = basic_sweep[0] / "multirun"
    shutil.copytree(src, tmp_path / "multirun")
    sweep = only_sweep_dir(tmp_path)
    runs = sorted(d for d in sweep.iterdir() if (d / "summary.json").exists())
    assert all((r / FINGERPRINT_FILE).read_text().strip() == code_fingerprint() for r in runs)
    stale = runs[0]
    (stale / FINGERPRINT_FILE).write_text("made-by-an-older-model\n")
    stamps = {r: (r / "summary.json").stat().st_mtime_ns for r in runs}
    p = sahel_sim(*SWEEP, cwd=tmp_path)  # the same command: the same sweep folder
    assert p.returncode == 0, p.stderr
    assert f"run {stale.name} was made by another version" in p.stderr
    assert (stale / "summary.json").stat().st_mtime_ns != stamps[stale]
    assert (stale / FINGERPRINT_FILE).read_text().strip() == code_fingerprint()
    assert all((r / "summary.json").stat().st_mtime_ns == stamps[r] for r in runs[1:])
    pd.testing.assert_frame_equal(values(sweep), values(only_sweep_dir(basic_sweep[0])))


@pytest.mark.slow  # three sweeps of a design (~15 s)
def test_a_design_row_whose_values_changed_is_run_again(tmp_path):
    """Run folders of a design are named by row number: when the design is drawn again with other values, a
    resumed sweep must run the changed rows again (their config.yaml differs) and reuse the unchanged ones."""
    from sahel_sim.analysis.experiment import _finished
    from sahel_sim.analysis.sensitivity import run_has_design_values

    design = tmp_path / "d.csv"
    table = pd.DataFrame({"row": [0, 1], "mechanisms.rivalry.strength": [0.5, 1.5]})
    table.to_csv(design, index=False)
    cmd = ["-m", f"design.file={design}", "design.row=0,1", "seed=3", "calendar.end=2012-06-25",
           "output.quiet=true", "hydra.sweep.dir=sw"]
    p = sahel_sim(*cmd, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    sweep = tmp_path / "sw"
    runs = {row: next(d for d in sweep.iterdir() if f"design.row={row}" in d.name) for row in (0, 1)}
    stamps = {row: (d / "summary.json").stat().st_mtime_ns for row, d in runs.items()}
    python_cmd = [sys.executable, "-m", "sahel_sim", *cmd[:-1]]
    assert _finished(python_cmd, sweep) is not None  # the same design: nothing to do
    assert all(run_has_design_values(d, table) for d in runs.values())

    table.loc[1, "mechanisms.rivalry.strength"] = 2.5  # row 1 drawn again with another value
    table.to_csv(design, index=False)
    assert run_has_design_values(runs[0], table) and not run_has_design_values(runs[1], table)
    assert _finished(python_cmd, sweep) is None
    p = sahel_sim(*cmd, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert f"run {runs[1].name} was made with other parameter values" in p.stderr
    assert (runs[0] / "summary.json").stat().st_mtime_ns == stamps[0]
    assert (runs[1] / "summary.json").stat().st_mtime_ns != stamps[1]
    assert "strength: 2.5" in (runs[1] / "config.yaml").read_text()
    assert _finished(python_cmd, sweep) is not None


def test_the_sweep_folder_is_named_from_the_overrides_only():
    """A flag's value (``--config-path DIR``) is no override: it stays out of the sweep folder's name."""
    from sahel_sim.analysis.sweep import with_sweep_dir

    plain = with_sweep_dir(["-m", "seed=1,2"])
    flagged = with_sweep_dir(["-m", "--config-path", "/some/dir", "seed=1,2", "-cn", "other"])
    assert plain[-1] == flagged[-1] == "hydra.sweep.dir='multirun/seed=1,2'"
    assert with_sweep_dir(["seed=1"]) == ["seed=1"]  # a single run: no sweep folder
