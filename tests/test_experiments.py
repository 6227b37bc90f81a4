"""Every experiment's smoke size runs end to end: sweep, collection, statistics, figures, findings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXPERIMENTS = sorted(p.stem for p in (Path(__file__).parents[1] / "configs" / "experiment").glob("*.yaml")
                     if p.stem != "none")


def run_smoke(name: str, cwd: Path) -> Path:
    p = subprocess.run([sys.executable, "-m", "sahel_sim", f"experiment={name}", "scale=smoke"], cwd=cwd,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    return cwd / "outputs" / "experiments" / name / "smoke"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("experiments")


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_smoke_experiment_writes_figures_tables_and_findings(name, workdir):
    out = run_smoke(name, workdir)
    pngs = list(out.glob("*.png"))
    assert pngs and all(p.stat().st_size > 20_000 for p in pngs)
    assert all(p.with_suffix(".pdf").exists() for p in pngs)
    tables = list(out.glob("*.csv"))
    assert tables
    for t in tables:
        df = pd.read_csv(t)
        assert len(df) > 0
        numeric = df.select_dtypes("number")
        assert numeric.notna().any().any()
    findings = (out / "findings.md").read_text()
    assert f"sahel-sim experiment={name}" in findings
    assert "95% CI" in findings or "no interval" in findings


def test_rebuilding_an_experiment_reuses_its_runs_and_gives_the_same_table(workdir):
    out = workdir / "outputs" / "experiments" / "rivalry_dose_response" / "smoke"
    if not out.exists():
        run_smoke("rivalry_dose_response", workdir)
    before = pd.read_csv(out / "dose_response.csv")
    stamps = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*/summary.json")}
    run_smoke("rivalry_dose_response", workdir)
    pd.testing.assert_frame_equal(pd.read_csv(out / "dose_response.csv"), before)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_dose_response_table_is_sane(workdir):
    out = workdir / "outputs" / "experiments" / "rivalry_dose_response" / "smoke"
    if not out.exists():
        run_smoke("rivalry_dose_response", workdir)
    t = pd.read_csv(out / "dose_response.csv")
    assert set(t["camp"]) == {"AQ", "IS"}
    assert (t["ci_low"] <= t["mean"] + 1e-9).all() and (t["mean"] <= t["ci_high"] + 1e-9).all()
    assert (t["mean"] >= 0).all() and (t["mean"] < 20).all()
