"""The Python API: a run written to a folder loads back unchanged; a sweep folder loads; the plotting helpers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sahel_sim
from sahel_sim.faces.api import RunResult, SweepResult
from sahel_sim.runner.outputs import TABLES

SHORT = ["calendar.end=2013-06-24"]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[RunResult, Path]:
    out = tmp_path_factory.mktemp("api") / "run"
    return sahel_sim.run(SHORT, seed=5, out_dir=out, figure=False), out


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("api_sweep") / "sweep"
    proc = subprocess.run([sys.executable, "-m", "sahel_sim", "-m", "seed=1,2", "calendar.end=2012-09-24",
                           "output.quiet=true", f"hydra.sweep.dir={d}"],
                          cwd=d.parent, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return d


def test_load_run_gives_back_the_same_result(written):
    result, out = written
    loaded = sahel_sim.load(out)
    assert isinstance(loaded, RunResult)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(result, name), obj=name)
    assert loaded.summary == result.summary
    assert loaded.config == result.config
    assert loaded.config.seed == 5
    assert loaded.out_dir == out
    assert loaded.wall_time_s > 0


def test_loaded_config_runs_again_identically(written):
    result, out = written
    again = sahel_sim.run(config=sahel_sim.load(out).config)
    assert again.summary == result.summary


def test_load_refuses_what_is_not_a_run_or_sweep(tmp_path):
    with pytest.raises(FileNotFoundError, match="no run or sweep folder"):
        sahel_sim.load(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="neither a finished run"):
        sahel_sim.load(tmp_path)


def test_load_sweep(sweep_dir):
    sweep = sahel_sim.load(sweep_dir)
    assert isinstance(sweep, SweepResult)
    assert sweep.sweep_dir == sweep_dir
    assert sorted(sweep.runs["status"]) == ["complete", "complete"]
    spectacular = sweep.metric("spectacular_attacks")
    assert sorted(spectacular["seed"]) == [1, 2]
    name = sweep.runs["run"].iloc[0]
    one = sweep.run(name)
    assert isinstance(one, RunResult)
    assert one.summary["seed"] == int(sweep.runs["seed"].iloc[0])
    assert one.summary["spectacular_attacks"] == spectacular.set_index("run").loc[name, "value"]


def test_plots(written):
    from matplotlib.figure import Figure

    from sahel_sim.runner.plotting import attacks_by_year, plot_attacks_by_year, plot_overview

    result, _ = written
    fig = plot_overview(result)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert isinstance(result.plot_attacks_by_year(), Figure)
    assert isinstance(plot_attacks_by_year(result), Figure)
    table = attacks_by_year(result)
    assert list(table.index) == [2012, 2013]
    assert int(table.xs("all", axis=1, level=0).to_numpy().sum()) == len(result.attacks)
    assert int(table.xs("spectacular", axis=1, level=0).to_numpy().sum()) == result.summary["spectacular_attacks"]


def test_a_sweep_from_python_is_the_command_lines_sweep(tmp_path):
    import sahel_sim

    result = sahel_sim.run_sweep(["seed=1,2", "calendar.end=2012-06-25"],
                             sweep_dir=tmp_path / "sw")
    assert set(result.runs["status"]) == {"complete"} and set(result.metrics["seed"]) == {1, 2}
    with pytest.raises(sahel_sim.ConfigError, match="mechanisms.rivalry.strength"):
        sahel_sim.run_sweep(["mechanisms.rivalry.strength=1,99"], sweep_dir=tmp_path / "bad")


def test_an_experiment_from_python(tmp_path):
    import sahel_sim

    out = sahel_sim.run_experiment("history", scale="smoke", root=tmp_path, overrides=["calendar.end=2012-06-25"])
    assert (out / "findings.md").exists() and (out / "history.png").exists()


def test_attacks_by_year_has_a_spectacular_column_for_every_camp_even_at_zero():
    from types import SimpleNamespace

    from sahel_sim.runner.plotting import attacks_by_year

    dates = pd.to_datetime(["2012-03-05", "2013-06-03", "2013-07-01"])
    attacks = pd.DataFrame({"date": dates, "camp": ["AQ", "AQ", "IS"], "spectacular": [False, True, False]})
    world = pd.DataFrame({"date": pd.to_datetime(["2012-01-02", "2013-12-30", "2014-06-30"])})
    table = attacks_by_year(SimpleNamespace(attacks=attacks, world=world))
    assert list(table.columns) == [("all", "AQ"), ("all", "IS"), ("spectacular", "AQ"), ("spectacular", "IS")]
    assert table.loc[2013].tolist() == [1, 1, 1, 0] and table.loc[2014].tolist() == [0, 0, 0, 0]
    quiet = attacks.assign(spectacular=False)
    assert int(attacks_by_year(SimpleNamespace(attacks=quiet, world=world))["spectacular"].to_numpy().sum()) == 0


def test_a_sweep_from_python_without_a_folder_lands_in_multirun_named_from_its_overrides(tmp_path, monkeypatch):
    """The README's ``sahel_sim.run_sweep([...])``: the default folder's name holds '=' and ','."""
    import sahel_sim

    monkeypatch.chdir(tmp_path)
    result = sahel_sim.run_sweep(["seed=1,2", "calendar.end=2012-03-26"])
    assert result.sweep_dir == Path("multirun") / "calendar.end=2012-03-26__seed=1,2"
    assert (tmp_path / result.sweep_dir / "metrics.parquet").is_file()
    assert set(result.runs["status"]) == {"complete"} and len(result.runs) == 2


def test_a_run_result_prints_as_one_short_line(written):
    result, out = written
    text = repr(result)
    assert "\n" not in text and len(text) < 400
    s = result.summary
    for part in (f"scenario='{s['scenario']}'", "seed=5", f"weeks={s['weeks']}", f"attacks={s['attacks']}",
                 f"spectacular={s['spectacular_attacks']}", f"out_dir={out}", "changed=[calendar.end=2013-06-24]"):
        assert part in text, (part, text)
    assert "mechanisms" not in text and "factions" not in text  # not the whole config
    assert "out_dir=not written" in repr(sahel_sim.run(SHORT, seed=5))
