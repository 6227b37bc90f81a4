"""Workers started ahead (sahel_sim/faces/prestart.py, sahel_sim/analysis/workers.py): a joblib sweep's workers
start with the command, with the arguments Hydra's launcher passes to joblib, and its jobs then run in them; a
command that is no joblib sweep starts none; a sweep that stops on bad input stops them; the runs are the same."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sahel_sim.analysis import workers
from sahel_sim.faces.prestart import WARM_MODULES, joblib_settings


def hydras_joblib_arguments(*overrides: str) -> dict:
    """What Hydra's joblib launcher passes to ``joblib.Parallel`` for these overrides: the launcher instantiated
    from the composed config, and its arguments treated as ``hydra_joblib_launcher._core.launch`` treats them."""
    from hydra import compose, initialize_config_dir
    from hydra.utils import instantiate
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg

    from sahel_sim.faces.api import config_dir, register_schema

    register_schema()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose("config", overrides=["hydra/launcher=joblib", *overrides], return_hydra_config=True)
    launcher = instantiate(cfg.hydra.launcher)
    arguments = dict(launcher.joblib)
    arguments["backend"] = "loky"
    process_joblib_cfg(arguments)
    return arguments


@pytest.mark.parametrize("overrides", [[], ["hydra.launcher.n_jobs=2"],
                                       ["hydra.launcher.n_jobs=3", "hydra.launcher.verbose=5",
                                        "hydra.launcher.max_nbytes=1M", "hydra.launcher.batch_size=2",
                                        "hydra.launcher.timeout=null"]])
def test_the_workers_are_asked_for_with_the_arguments_hydras_launcher_passes(overrides):
    found = joblib_settings(["-m", "seed=1,2", "hydra/launcher=joblib", *overrides])
    if not overrides and (os.cpu_count() or 1) == 1:  # all CPUs of a one-CPU machine: joblib runs in-process
        assert found is None
        return
    assert found is not None
    settings, count = found
    assert settings == hydras_joblib_arguments(*overrides)
    n_jobs = settings["n_jobs"]
    assert count == (n_jobs if n_jobs > 0 else os.cpu_count() + 1 + n_jobs)


@pytest.mark.parametrize("argv", [
    ["seed=1,2", "hydra/launcher=joblib"],  # no multirun
    ["-m", "seed=1,2"],  # the basic launcher
    ["-m", "seed=1,2", "hydra/launcher=submitit_local"],
    ["-m", "seed=1,2", "hydra/launcher=joblib", "--cfg", "job"],  # Hydra only prints
    ["-m", "seed=1,2", "hydra/launcher=joblib", "--config-dir", "elsewhere"],  # another config may set it
    ["-m", "seed=1,2", "hydra/launcher=joblib", "hydra.launcher.n_jobs=1,2"],  # a swept launcher setting
    ["-m", "seed=1,2", "hydra/launcher=joblib", "hydra.launcher.n_jobs=many"],  # Hydra will refuse it
    ["-m", "seed=1,2", "hydra/launcher=joblib", "hydra.launcher.n_jobs=1"],  # joblib runs it in this process
])
def test_no_workers_are_started_ahead_for_other_command_lines(argv):
    assert joblib_settings(argv) is None


def test_joblib_hands_the_workers_started_ahead_to_the_launchers_parallel_call():
    """The reuse the saving rests on: joblib's next Parallel with the launcher's arguments runs in the very
    processes started ahead (no new process), which have imported what a job needs."""
    from joblib import Parallel, delayed

    settings, count = joblib_settings(["-m", "seed=1,2", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"])
    workers.start(settings, count, ["json"])
    assert workers.started()
    warm = workers.await_started()
    assert not workers.started()
    started = set(_children(os.getpid()))
    assert warm and set(warm) <= started and os.getpid() not in warm
    ran = Parallel(**hydras_joblib_arguments("hydra.launcher.n_jobs=2"))(delayed(os.getpid)() for _ in range(6))
    assert set(ran) <= started
    assert set(_children(os.getpid())) == started  # none started anew


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (but not the ``ps`` that lists them)."""
    out = subprocess.run(["ps", "-o", "pid=,comm=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if line.split()[1:] != ["ps"]]


def test_workers_started_ahead_import_what_a_job_needs():
    assert "sahel_sim.faces.cli" in WARM_MODULES and "sahel_sim.core.model" in WARM_MODULES
    assert workers.warm(["json", "sahel_sim.core.params"]) == os.getpid()


def _marked_processes(mark: str) -> list[int]:
    """Processes other than this one whose environment holds ``SAHEL_TEST_MARK=mark`` (a command and its children,
    which inherit it, even after they are re-parented)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if f"SAHEL_TEST_MARK={mark}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_a_sweep_refused_as_bad_input_stops_its_workers_at_once(tmp_path):
    """Bad input found after the workers were asked for: the command still fails in one line with exit code 2,
    writes nothing, and leaves no worker behind."""
    import uuid

    mark = uuid.uuid4().hex
    p = subprocess.Popen([sys.executable, "-m", "sahel_sim", "-m", "seed=1,2", "hydra/launcher=joblib",
                          "hydra.launcher.n_jobs=2", "mechanisms.rivalry.strength=-5",
                          f"hydra.sweep.dir={tmp_path / 'sweep'}"], cwd=tmp_path, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env={**os.environ, "SAHEL_TEST_MARK": mark})
    seen = 0
    while p.poll() is None:  # the command and its workers, while it runs
        seen = max(seen, len(_marked_processes(mark)))
        time.sleep(0.05)
    err = p.stderr.read()
    assert p.returncode == 2, err
    assert "mechanisms.rivalry.strength" in err and "Traceback" not in err
    assert not (tmp_path / "sweep").exists()
    assert seen >= 3  # the command and the two workers it started ahead
    deadline = time.monotonic() + 10
    while _marked_processes(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _marked_processes(mark) == []
