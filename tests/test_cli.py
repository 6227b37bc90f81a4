"""The ``sahel-sim`` command: a run writes its files; bad input is refused with one line and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SHORT = ["calendar.end=2013-03-25"]


def sahel_sim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sahel_sim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_a_run_writes_tables_summary_config_and_figure(tmp_path):
    out = tmp_path / "run"
    p = sahel_sim(*SHORT, f"hydra.run.dir={out}", "seed=5", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "attacks" in p.stdout and str(out) in p.stdout
    for name in ("factions", "world", "attacks", "claims", "events"):
        assert len(pd.read_parquet(out / f"{name}.parquet").columns) > 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 5 and summary["weeks"] > 50
    assert "seed: 5" in (out / "config.yaml").read_text()
    assert json.loads((out / "run.json").read_text())["sahel_sim_version"]
    png = (out / "overview.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    assert not list(out.glob(".*.tmp"))


def test_a_finished_run_folder_is_never_overwritten(tmp_path):
    out = tmp_path / "run"
    assert sahel_sim(*SHORT, f"hydra.run.dir={out}", cwd=tmp_path).returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    p = sahel_sim(*SHORT, f"hydra.run.dir={out}", "seed=9", cwd=tmp_path)
    assert p.returncode == 2
    assert "already holds a finished run" in p.stderr and "Traceback" not in p.stderr
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file() and p.name in before}
    assert after == before


@pytest.mark.parametrize("override, field", [
    ("mechanisms.rivalry.strenght=2", "mechanisms.rivalry.strenght"),
    ("seed=abc", "seed"),
    ("seed=-1", "seed"),
    ("map=nowhere", "map"),
    ("mechanisms.attention.retention=1.5", "mechanisms.attention.retention"),
    ("mechanisms.barkhane.strikes_per_1000=-2", "mechanisms.barkhane.strikes_per_1000"),
    ("calendar.end=2011-06-06", "calendar.end"),
    ("calendar.start=not-a-date", "calendar.start"),
    ("map.resolution=20", "map.resolution"),
    ("factions.aqim.camp=ISIS", "factions.aqim.camp"),
    ("factions.aqim.home=[atlantis]", "factions.aqim.home"),
])
def test_bad_input_is_refused_with_one_line_naming_the_field(tmp_path, override, field):
    p = sahel_sim(override, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    lines = [line for line in p.stderr.strip().splitlines() if line]
    assert len(lines) == 1 and "Traceback" not in p.stderr
    assert field in lines[0] and ("allowed" in lines[0] or "could not be converted" in lines[0])
    assert not (tmp_path / "run").exists()


def test_version_flag(tmp_path):
    p = sahel_sim("--version", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith("sahel-sim ")


def test_main_freezes_the_imported_objects_once_per_process(monkeypatch, capsys):
    """``main()`` moves what the imports made out of the collector's way, once: a second call in the same
    process (as the tests make) leaves what the first one left to the collector."""
    import gc

    from sahel_sim.faces import cli

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(cli, "_imports_frozen", False)
    monkeypatch.setattr(cli, "_task_started", False)
    for _ in range(2):
        monkeypatch.setattr(sys, "argv", ["sahel-sim", "seed=-1"])
        with pytest.raises(SystemExit) as exc:
            cli.main()
        assert exc.value.code == 2
    assert frozen == [True]
    assert "seed" in capsys.readouterr().err


def test_a_shortened_calendar_runs_and_says_in_one_line_which_scenario_events_it_leaves_out(tmp_path):
    p = sahel_sim("calendar.end=2014-12-29", "output.figure=false", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    notes = [line for line in p.stderr.splitlines() if "scenario events" in line]
    assert len(notes) == 1 and "leaves out 6 scenario events" in notes[0] and "2015-06-20" in notes[0]
    assert "strict_calendar" in notes[0]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["scenario_events_left_out"] == 6 and summary["end"] == "2014-12-29"


def test_a_full_calendar_run_says_nothing_about_left_out_events(tmp_path):
    p = sahel_sim("calendar.end=2017-12-25", "calendar.start=2012-01-02", "output.figure=false",
                  f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "scenario events" not in p.stderr


@pytest.mark.parametrize("strict", ["scenario.strict_calendar=true", "scenario.clip_to_calendar=false"])
def test_a_strict_calendar_refuses_a_shortened_run_in_one_line(tmp_path, strict):
    p = sahel_sim("calendar.end=2014-12-29", strict, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    lines = [line for line in p.stderr.strip().splitlines() if line]
    assert len(lines) == 1 and "Traceback" not in p.stderr
    assert lines[0].startswith("sahel-sim: error: scenario.history[") and "2015-" in lines[0] and "allowed" in lines[0]
    assert strict.split("=")[0] in lines[0]
    assert not (tmp_path / "run").exists()


def test_the_former_clip_to_calendar_flag_still_runs(tmp_path):
    p = sahel_sim("calendar.end=2012-06-25", "scenario.clip_to_calendar=true", "output.figure=false",
                  f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "run" / "summary.json").is_file()


def test_a_run_folder_is_named_by_its_overrides_and_its_summary_lists_what_differs(tmp_path):
    """A counterfactual does not look like the default run: its folder says what was overridden (the seed aside,
    which the folder's own seed=N part says), and the summary lists what differs from the default config."""
    p = sahel_sim("counterfactual=no_peace_meetings", "calendar.end=2012-06-25", "seed=7", "output.figure=false",
                  cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    scenario = tmp_path / "outputs" / "history_2012_2017"
    (named,) = scenario.iterdir()
    assert named.name == "calendar.end=2012-06-25,counterfactual=no_peace_meetings"
    (run,) = named.iterdir()
    assert run.name.startswith("seed=7_")
    summary = json.loads((run / "summary.json").read_text())
    assert summary["differs_from_default"] == ["calendar.end=2012-06-25", "mechanisms.peace_process.at_sites=false"]
    assert "differs from the default: calendar.end=2012-06-25, mechanisms.peace_process.at_sites=false" in p.stdout
    assert str(run) in p.stdout


def test_a_default_run_lands_in_the_scenarios_seed_folder_and_says_nothing_differs(tmp_path):
    p = sahel_sim("output.figure=false", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    (run,) = (tmp_path / "outputs" / "history_2012_2017").iterdir()
    assert run.name.startswith("seed=42_") and (run / "summary.json").is_file()
    assert json.loads((run / "summary.json").read_text())["differs_from_default"] == []
    assert "differs from the default: nothing" in p.stdout


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_outputs_follow_the_umask(tmp_path, umask):
    """Colleagues on a shared cluster can read a run as any other file: 0644 under the usual umask 022."""
    import os

    out = tmp_path / "run"
    code = (f"import os, sys; os.umask({umask}); sys.argv[1:] = sys.argv[1:]; from sahel_sim.faces.cli import main; "
            "main()")
    p = subprocess.run([sys.executable, "-c", code, "calendar.end=2012-03-26", f"hydra.run.dir={out}"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    files = [f for f in out.iterdir() if f.is_file()]
    assert {f.name for f in files} >= {"summary.json", "attacks.parquet", "config.yaml", "overview.png"}
    modes = {f.name: oct(f.stat().st_mode & 0o777) for f in files}
    assert set(modes.values()) == {oct(0o666 & ~umask)}, modes
    assert not os.access(out, os.F_OK) or out.stat().st_mode & 0o777 == 0o777 & ~umask


def test_a_seed_only_run_takes_the_default_settings_from_its_own_config_and_composes_three_times(
        tmp_path, monkeypatch):
    """``sahel-sim seed=5`` holds the default config's compared settings: its summary says nothing differs
    without composing the default config a fourth time (the pre-check, Hydra's mode, the run)."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    from sahel_sim.analysis.schema import SahelConfig
    from sahel_sim.faces import cli
    from sahel_sim.runner import defaults
    from sahel_sim.runner.compose import compose

    compositions = []
    original = ConfigLoaderImpl._load_configuration_impl
    monkeypatch.setattr(ConfigLoaderImpl, "_load_configuration_impl",
                        lambda self, **kw: compositions.append(1) or original(self, **kw))
    monkeypatch.setattr(defaults, "_DEFAULT_LEAVES", {})
    monkeypatch.setattr(cli, "_task_started", False)
    monkeypatch.setattr(sys, "argv", ["sahel-sim", "seed=5", "calendar.end=2012-06-25", "output.figure=false",
                                      f"hydra.run.dir={tmp_path / 'short'}"])
    cli.main()  # a compared setting changed: the default is composed for the summary
    assert len(compositions) == 4
    assert json.loads((tmp_path / "short" / "summary.json").read_text())["differs_from_default"] == [
        "calendar.end=2012-06-25"]
    composed = defaults._DEFAULT_LEAVES.pop(SahelConfig)
    compositions.clear()
    monkeypatch.setattr(sys, "argv", ["sahel-sim", "seed=5", "output.figure=false",
                                      f"hydra.run.dir={tmp_path / 'seed'}"])
    cli.main()
    assert len(compositions) == 3
    assert defaults._DEFAULT_LEAVES[SahelConfig] == composed == defaults.leaves_of(compose(SahelConfig, []),
                                                                                     SahelConfig)
    assert json.loads((tmp_path / "seed" / "summary.json").read_text())["differs_from_default"] == []


def test_the_command_line_reads_and_checks_configs_without_importing_mesa():
    """A sweep's main process composes, checks and collects but runs no model: importing ``sahel-sim``'s command
    line and checking a config imports no Mesa (nor the networkx and scipy it brings, ~0.4 s of start-up)."""
    code = ("import sys; from sahel_sim.faces import cli; from sahel_sim.analysis.schema import load_config; "
            "load_config(['seed=3']); print(sorted({'mesa', 'networkx', 'scipy'} & set(sys.modules)))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"
