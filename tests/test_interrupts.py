"""A run or a sweep interrupted mid-way (SIGINT, SIGTERM) leaves no half-written table and says so."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

LONG = ["calendar.end=2099-12-28", "output.figure=false"]


def _default_sigint() -> None:
    # a shell running this suite in the background starts it with SIGINT ignored, and children inherit that;
    # the child should see Ctrl-C as a user's terminal would deliver it
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sahel_sim", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)


def wait_for_model(proc: subprocess.Popen, seconds: float, run_dir: Path | None = None) -> None:
    """Let the process get past its start-up (imports, Hydra) into the run: with ``run_dir``, until Hydra has
    written the job's ``.hydra/config.yaml`` (the task, hence the model, starts right after), then ``seconds``
    more; without it, ``seconds``. Waiting for the file, not a fixed time, keeps this right on a loaded machine
    where start-up takes longer."""
    if run_dir is not None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not (run_dir / ".hydra" / "config.yaml").is_file():
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
    time.sleep(seconds)
    assert proc.poll() is None, proc.communicate()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_no_table_and_says_so(tmp_path, sig):
    run_dir = tmp_path / "run"
    proc = start([*LONG, f"hydra.run.dir={run_dir}"], tmp_path)
    wait_for_model(proc, 1.0, run_dir)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    left = {p.name for p in run_dir.iterdir()} if run_dir.exists() else set()
    assert not [n for n in left if n.endswith((".parquet", ".tmp")) or n in ("summary.json",)], left
    assert not [n for n in left if n.startswith(".staging")], left


def test_an_interrupted_sweep_resumes_without_loss_or_duplicates(tmp_path):
    # runs long enough (to 2016, ~0.7 s each on a quiet machine) that the sweep is still running when the signal
    # comes: with runs to 2013 (~0.3 s) a fast machine finished all three between two polls (seen on a clean clone)
    sweep = ["-m", "seed=1,2,3,4", "calendar.end=2016-12-26", "output.quiet=true",
             f"hydra.sweep.dir={tmp_path / 'sweep'}"]
    proc = start(sweep, tmp_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((tmp_path / "sweep").glob("*/summary.json")):
        time.sleep(0.05)  # interrupt once the first run has finished
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    done_before = len(list((tmp_path / "sweep").glob("*/summary.json")))
    assert 1 <= done_before < 4
    again = subprocess.run([sys.executable, "-m", "sahel_sim", *sweep], cwd=tmp_path, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    m = pd.read_parquet(tmp_path / "sweep" / "metrics.parquet")
    assert sorted(m["seed"].unique()) == [1, 2, 3, 4]
    assert not m.duplicated(["run", "metric"]).any()



def test_an_interrupt_while_the_config_is_composed_says_so_and_writes_nothing(tmp_path, monkeypatch, capsys):
    """Ctrl-C during start-up (the config being composed and checked, before the run) is an interrupt with its
    exit code and one line, not a traceback (on a loaded machine start-up takes seconds)."""
    from sahel_sim.faces import cli

    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "precheck", interrupted)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["sahel-sim", "seed=3"])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 130
    assert "interrupted before the run started; nothing was written" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


class _BrokenPipe:
    """A stderr whose reader has gone (``sahel-sim -m ... 2>&1 | head -1``): every write raises."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_an_interrupt_stops_a_sweep_even_when_stderr_is_a_closed_pipe(tmp_path, monkeypatch):
    """The interrupt's message cannot be written to a closed pipe; the interrupt must still stop the sweep (it
    used to become a BrokenPipeError, which the sweep recorded as a failed run and stepped over)."""
    from sahel_sim.analysis import sweep
    from tests.conftest import make_config

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sahel_sim.runner.run.run", interrupted)  # the one run function a sweep job calls
    monkeypatch.setattr(sys, "stderr", _BrokenPipe())
    cfg = make_config("seed=3")
    from omegaconf import OmegaConf

    with pytest.raises(KeyboardInterrupt):
        sweep.run_job(OmegaConf.structured(cfg), tmp_path / "run", ["seed=3"])
    assert not (tmp_path / "run" / sweep.FAILED).exists()
