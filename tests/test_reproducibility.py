"""Reproducibility: the same config and seed give byte-identical files, whatever ran before; a new seed differs.

The five Parquet tables, ``summary.json`` and ``config.yaml`` written by ``sahel_sim.run(..., out_dir=...)`` are
compared byte for byte: between two runs in this process, with another config run in between, and against a run
in a fresh Python process (other hash seed, nothing imported before).

A stored regression snapshot guards the model's headline numbers against unintended changes:
``tests/snapshots/short_default_seed1.json`` holds the run it describes (``overrides`` and ``seed``: the short
default run, 2012-01-02 to 2014-06-30, seed 1) and that run's ``summary.json``. When the model is changed on
purpose (calibration, a new mechanism), regenerate it deliberately, and review and commit the diff::

    .venv/bin/python tests/snapshots/update_snapshots.py

The snapshot test then passes again; nothing in the test suite ever rewrites the file by itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sahel_sim import run
from sahel_sim.runner.outputs import TABLES

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "snapshots" / "short_default_seed1.json"
FILES = [*(f"{name}.parquet" for name in TABLES), "summary.json", "config.yaml"]
#: a short run (about 18 months) with every mechanism on, fast enough to repeat
SHORT = ["calendar.end=2013-06-30"]
#: a different run to have happened in between: other seed, strengths, switches, calendar and map
OTHER = ["calendar.end=2012-09-30", "mechanisms.rivalry.strength=2.5",
         "mechanisms.minusma.enabled=false", "map.resolution=0.5", "max_groups=16"]


def written(out_dir: Path) -> dict[str, bytes]:
    return {name: (out_dir / name).read_bytes() for name in FILES}


def run_to(out_dir: Path, overrides: list[str], seed: int) -> dict[str, bytes]:
    run(overrides, seed=seed, out_dir=out_dir, figure=False)
    return written(out_dir)


def differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return [name for name in FILES if a[name] != b[name]]


def explain(a: dict[str, bytes], b: dict[str, bytes]) -> str:
    """The files that differ, with a diff of the text ones."""
    import difflib

    out = []
    for name in differing(a, b):
        out.append(name)
        if not name.endswith(".parquet"):
            diff = difflib.unified_diff(a[name].decode().splitlines(), b[name].decode().splitlines(), lineterm="")
            out.extend(list(diff)[:40])
    return "\n".join(out)


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> dict[str, bytes]:
    """The files of SHORT, seed 3, run first in this module."""
    return run_to(tmp_path_factory.mktemp("first") / "run", SHORT, seed=3)


def test_the_same_config_and_seed_give_byte_identical_files(first, tmp_path):
    again = run_to(tmp_path / "again", SHORT, seed=3)
    assert not differing(first, again), explain(first, again)


def test_what_ran_before_in_the_process_does_not_matter(first, tmp_path):
    run_to(tmp_path / "other", OTHER, seed=11)
    again = run_to(tmp_path / "after_other", SHORT, seed=3)
    assert not differing(first, again), explain(first, again)


def test_a_fresh_process_gives_the_same_bytes(first, tmp_path):
    """Nothing imported or run before, another PYTHONHASHSEED: still the same files."""
    out = tmp_path / "fresh"
    code = (f"import sahel_sim; sahel_sim.run({SHORT!r}, seed=3, out_dir={str(out)!r}, figure=False)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr
    fresh = written(out)
    assert not differing(first, fresh), explain(first, fresh)


def test_a_different_seed_gives_different_output(first, tmp_path):
    other = run_to(tmp_path / "seed4", SHORT, seed=4)
    assert {"attacks.parquet", "factions.parquet", "summary.json"} <= set(differing(first, other))
    assert json.loads(other["summary.json"])["seed"] == 4


def test_the_headline_numbers_match_the_stored_snapshot():
    """A change here is a change of the model's behaviour: if it is intended, regenerate the snapshot with
    ``.venv/bin/python tests/snapshots/update_snapshots.py`` and commit the reviewed diff (see the module doc)."""
    stored = json.loads(SNAPSHOT.read_text())
    summary = json.loads(json.dumps(run(stored["overrides"], seed=stored["seed"]).summary))  # as written
    changed = {k: (stored["summary"].get(k), summary.get(k)) for k in sorted({*stored["summary"], *summary})
               if not _same(stored["summary"].get(k), summary.get(k))}
    assert not changed, (
        "headline numbers differ from tests/snapshots/short_default_seed1.json (stored, now): "
        f"{json.dumps(changed, indent=1)[:3000]}\nIf the change is intended, run "
        ".venv/bin/python tests/snapshots/update_snapshots.py and commit the diff.")


def _same(a, b) -> bool:
    """Equal, with floats compared to 1e-9 relative (the last digits of a float may differ across platforms)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == pytest.approx(b, rel=1e-9)
    return a == b
