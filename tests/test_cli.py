"""The ``sahel-sim`` command: a run writes its files; bad input is refused with one line and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SHORT = ["calendar.end=2013-03-25", "scenario.clip_to_calendar=true"]


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
    ("calendar.end=2014-12-29", "scenario.events"),
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
