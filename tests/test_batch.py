"""Chunked sweeps (``sahel_sim/analysis/batch.py``): many runs per Hydra job, each written exactly as a job of its
own."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from sahel_sim import run
from sahel_sim.analysis.batch import chunk_count, launcher_workers, plan_chunks
from sahel_sim.analysis.sweep import expected_runs, job_dirname
from tests.test_sweep import sahel_sim

#: a swept config group (composed in full inside a chunk), a swept value and seeds: 8 runs
POINTS = ["seed=1,2", "intervention=none,barkhane", "mechanisms.rivalry.strength=0,2.5"]
QUICK = ["calendar.end=2012-09-24", "output.quiet=true"]
TABLES = ("factions.parquet", "world.parquet", "attacks.parquet", "claims.parquet", "events.parquet",
          "summary.json", "config.yaml")
HYDRA_RECORD = (".hydra/config.yaml", ".hydra/overrides.yaml")


def _sweep(cwd: Path, name: str, *extra: str):
    folder = cwd / name
    p = sahel_sim("-m", *POINTS, *QUICK, f"hydra.sweep.dir={folder}", *extra, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return folder, p


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """The same 8 runs as one chunk (the basic launcher's default: one job) and as Hydra's own sweeper makes them:
    one Hydra job per run, each composed in full."""
    cwd = tmp_path_factory.mktemp("chunks")
    chunked, p = _sweep(cwd, "chunked")
    alone, _ = _sweep(cwd, "alone", "hydra/sweeper=basic")
    return cwd, chunked, alone, p


def _runs(folder: Path) -> list[str]:
    return sorted(d.name for d in folder.iterdir() if (d / "summary.json").exists())


def test_a_chunk_writes_every_run_as_a_hydra_job_of_its_own_would(sweeps):
    _, chunked, alone, p = sweeps
    runs = _runs(chunked)
    assert len(runs) == 8 and runs == _runs(alone)
    assert runs == sorted(job_dirname(job) for job in expected_runs([*POINTS, *QUICK]))
    for name in runs:
        for f in (*TABLES, *HYDRA_RECORD, "fingerprint.txt"):
            assert (chunked / name / f).read_bytes() == (alone / name / f).read_bytes(), (name, f)
    pd.testing.assert_frame_equal(pd.read_parquet(chunked / "metrics.parquet"),
                                  pd.read_parquet(alone / "metrics.parquet"))
    assert "8/8 runs complete, 0 failed" in p.stderr


def test_a_joblib_sweep_in_workers_started_ahead_writes_what_hydras_own_jobs_write(tmp_path):
    """``hydra/launcher=joblib`` over plain values: the workers start with the command (sahel_sim/faces/prestart.py),
    each job's first run is made from the master config (SweepConfigs.from_master), its further runs are set from
    it; every run's tables, config and Hydra record are those of Hydra's own sweeper (one job per run, each composed
    in full), byte for byte."""
    plain = ["seed=1,2,3", "intervention=none", "mechanisms.rivalry.strength=0,2.5", *QUICK]
    runs = {}
    for name, extra in (("joblib", ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]),
                        ("alone", ["hydra/sweeper=basic"])):
        p = sahel_sim("-m", *plain, f"hydra.sweep.dir={tmp_path / name}", *extra, cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        runs[name] = _runs(tmp_path / name)
    assert len(runs["joblib"]) == 6 and runs["joblib"] == runs["alone"]
    for name in runs["joblib"]:
        for f in (*TABLES, *HYDRA_RECORD, "fingerprint.txt"):
            assert (tmp_path / "joblib" / name / f).read_bytes() == (tmp_path / "alone" / name / f).read_bytes(), \
                (name, f)


def test_jobs_set_from_a_config_an_earlier_chunk_kept_write_what_hydras_own_jobs_write(sweeps):
    """Four jobs of two runs in one process (the basic launcher): each job after the first gets its first run's
    config set from one an earlier chunk kept (SweepConfigLoader) where its config group matches; every file of
    every run is the one Hydra's own sweeper writes."""
    cwd, _, alone, _ = sweeps
    pairs, _ = _sweep(cwd, "pairs", "hydra.sweeper.chunk_size=2")
    assert _runs(pairs) == _runs(alone)
    for name in _runs(pairs):
        for f in (*TABLES, *HYDRA_RECORD, "fingerprint.txt"):
            assert (pairs / name / f).read_bytes() == (alone / name / f).read_bytes(), (name, f)


def test_a_chunked_sweeps_runs_are_byte_identical_to_the_same_runs_made_alone(sweeps, tmp_path):
    """Each run of a chunk, set from another run's composed config, is the run ``sahel_sim.run`` makes alone."""
    _, chunked, _, _ = sweeps
    for job in expected_runs([*POINTS, *QUICK])[::3]:
        name = job_dirname(job)
        run(job, out_dir=tmp_path / name, figure=False)
        for f in TABLES:
            assert (tmp_path / name / f).read_bytes() == (chunked / name / f).read_bytes(), (name, f)


def test_a_partly_finished_chunked_sweep_runs_only_what_is_missing(sweeps, tmp_path):
    import shutil

    cwd, chunked, _, _ = sweeps
    folder = tmp_path / "resumed"
    shutil.copytree(chunked, folder)
    runs = _runs(folder)
    (folder / runs[1] / "summary.json").unlink()  # as a run killed before its end
    shutil.rmtree(folder / runs[6])  # as a run never started
    stamps = {r: (folder / r / "summary.json").stat().st_mtime_ns for r in runs if r not in (runs[1], runs[6])}
    p = sahel_sim("-m", *POINTS, *QUICK, f"hydra.sweep.dir={folder}", "hydra/launcher=joblib", cwd=cwd)
    assert p.returncode == 0, p.stderr
    assert "reusing 6 finished runs, launching 2" in p.stderr
    assert {r: (folder / r / "summary.json").stat().st_mtime_ns for r in stamps} == stamps  # not redone
    assert _runs(folder) == runs
    for name in (runs[1], runs[6]):
        for f in TABLES:
            assert (folder / name / f).read_bytes() == (chunked / name / f).read_bytes(), (name, f)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "metrics.parquet"),
                                  pd.read_parquet(chunked / "metrics.parquet"))


def test_runs_to_do_and_runs_to_check_are_spread_evenly_over_the_chunks():
    jobs = [[f"seed={i}"] for i in range(10)]
    finished = [i < 6 for i in range(10)]  # a resumed sweep: six runs done, four to do
    plan = plan_chunks(jobs, finished, 4)
    assert sorted(j for chunk in plan for j in map(tuple, chunk)) == sorted(map(tuple, jobs))  # each job once
    to_do = [sum(1 for j in chunk if not finished[int(j[0].split("=")[1])]) for chunk in plan]
    assert to_do == [1, 1, 1, 1]  # every worker gets work, none gets only checks
    assert max(map(len, plan)) - min(map(len, plan)) <= 1
    assert plan_chunks(jobs[:3], [False] * 3, 8) == [[j] for j in jobs[:3]]  # never an empty chunk


def test_a_thousand_run_slurm_sweep_is_at_most_fifty_array_tasks_unless_asked_otherwise():
    slurm = {"_target_": "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher",
             "array_parallelism": 256}
    assert chunk_count(1000, launcher_workers(slurm)) == 50
    assert chunk_count(1000, launcher_workers({**slurm, "array_parallelism": 4})) == 8  # two per array slot
    assert chunk_count(1000, launcher_workers(slurm), max_jobs=20) == 20
    assert chunk_count(1000, launcher_workers(slurm), chunk_size=100) == 10
    assert chunk_count(30, launcher_workers({"_target_": "x.JoblibLauncher", "n_jobs": 2})) == 4
    assert chunk_count(30, launcher_workers({"_target_": "x.BasicLauncher"})) == 1
    assert chunk_count(3, 64) == 3  # never more jobs than runs


def test_the_sweeper_hands_a_slurm_launcher_fifty_jobs_for_a_thousand_runs(tmp_path, monkeypatch):
    """Through Hydra itself (the launcher's launch replaced by a counter): 1,000 runs, 50 array tasks, and every
    run in exactly one of them."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.plugins import Plugins

    from sahel_sim.faces.api import config_dir, register_schema

    Plugins.instance()
    from hydra_plugins.hydra_submitit_launcher.submitit_launcher import BaseSubmititLauncher

    launched: list[int] = []
    monkeypatch.setattr(BaseSubmititLauncher, "launch",
                        lambda self, jobs, initial_job_idx: launched.append(len(jobs)) or [])
    register_schema()
    GlobalHydra.instance().clear()
    hydra = Hydra.create_main_hydra2("sahel_sim", create_config_search_path(str(config_dir())))
    try:
        for extra, jobs in (([], 50), (["hydra.sweeper.chunk_size=40"], 25)):
            launched.clear()
            hydra.multirun("config", lambda cfg: None, ["seed=range(0,1000)", *QUICK, "hydra/launcher=slurm_site",
                                                         f"hydra.sweep.dir={tmp_path}", "~hydra.callbacks.sweep",
                                                         *extra])
            assert launched == [jobs]
    finally:
        GlobalHydra.instance().clear()


def test_a_failed_runs_line_stands_on_its_own_beside_the_progress_bar(tmp_path):
    """A worker's line (a failed run) used to be glued to the end of the bar's line (issue 21, item 9)."""
    p = sahel_sim("-m", "seed=1,2,3", "calendar.end=2012-09-24", cwd=tmp_path,
                  env={"SAHEL_SIM_FAULT": "fail:seed=2"})
    assert p.returncode == 1
    shown = [line.split("\r")[-1] for line in p.stderr.split("\n")]  # what a log shows of each line
    failed = [line for line in shown if "fault injected" in line]
    assert len(failed) == 1
    assert failed[0].startswith("sahel-sim: run calendar.end=2012-09-24,seed=2 failed: RuntimeError")
    assert any(line.startswith("sweep:") for line in p.stderr.replace("\r", "\n").split("\n"))  # the bar
    assert "Launching" not in p.stderr and "[HYDRA]" not in p.stderr


@pytest.mark.parametrize("value", ["0", "-2"])
def test_a_chunk_size_below_one_is_refused_in_one_line_before_any_run(value, tmp_path):
    p = sahel_sim("-m", "seed=1,2", *QUICK, f"hydra.sweeper.chunk_size={value}", cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [
        f"sahel-sim: error: hydra.sweeper.chunk_size: '{value}' is not allowed; allowed: an integer >= 1 (runs per "
        "Hydra job), or null (automatic: two jobs per worker, at most max_jobs)"]
    assert not (tmp_path / "multirun").exists()


def _bench():
    spec = importlib.util.spec_from_file_location(
        "sweep_efficiency", Path(__file__).parents[1] / "benchmarks" / "sweep_efficiency.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_reads_marginal_cost_efficiency_and_start_up_off_two_sweep_sizes():
    # a sweep costing 4 s to start and 0.3 s of wall time a run, with two workers and 0.5 s of model a run
    result = _bench().efficiency(4 + 6 * 0.3, 6, 4 + 30 * 0.3, 30, model_s=0.5, workers=2)
    assert result["marginal_s_per_run"] == pytest.approx(0.3)
    assert result["efficiency"] == pytest.approx(0.5 / 0.6, abs=1e-3)
    assert result["fixed_startup_s"] == pytest.approx(4.0)
    with pytest.raises(ValueError):
        _bench().efficiency(10, 30, 5, 6, 0.5, 2)



def _main_hydra():
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra

    from sahel_sim.faces.api import config_dir, register_schema

    register_schema()
    GlobalHydra.instance().clear()
    return Hydra.create_main_hydra2("sahel_sim", create_config_search_path(str(config_dir())))


@pytest.mark.parametrize("overrides, holds_default", [
    (["replicate=range(0,3)", "output.quiet=true"], True),
    (["seed=1,2", "mechanisms.rivalry.enabled=false,true", "output.figure=false"], True),
    (["seed=1,2", "mechanisms.rivalry.enabled=false"], False),  # a fixed value the summaries compare
    (["seed=1,2", "intervention=none"], False),  # a fixed config group
    (["seed=1,2", "experiment=none"], False),  # a config group, even of a key left out of the comparison
    (["seed=1,2", "hydra.searchpath=[pkg://sahel_sim]"], False),  # another search path
])
def test_a_sweeps_workers_get_the_default_configs_leaves_from_its_master_config(overrides, holds_default):
    """The leaves the workers compare each run with (``differs_from_default``) are those of the default config
    composed on its own, whenever the sweep's master config holds the default; otherwise the workers compose it."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    from sahel_sim.analysis.batch import sweep_default_leaves
    from sahel_sim.analysis.schema import SahelConfig
    from sahel_sim.runner.compose import compose
    from sahel_sim.runner.defaults import leaves_of

    hydra = _main_hydra()
    try:
        master = hydra.compose_config("config", overrides, run_mode=RunMode.MULTIRUN)
        shipped = sweep_default_leaves(master, hydra.config_loader)
    finally:
        GlobalHydra.instance().clear()
    if holds_default:
        assert shipped == leaves_of(compose(SahelConfig, []), SahelConfig)
        assert len(shipped) > 500 and not any(k.startswith(("output.", "seed", "replicate")) for k in shipped)
    else:
        assert shipped is None


def test_the_start_up_benchmark_cuts_a_sweeps_wall_time_into_parts_that_add_up_to_it():
    """``benchmarks/sweep_startup.py`` on a made-up trace: a main process and one worker, one second a step."""
    spec = importlib.util.spec_from_file_location(
        "sweep_startup", Path(__file__).parents[1] / "benchmarks" / "sweep_startup.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    clock = iter(range(100))
    events = []

    def event(pid, name, inner=()):
        t0 = next(clock)
        for sub in inner:
            sub()
        t1 = next(clock)
        events.append({"pid": pid, "name": name, "t0": t0, "t1": t1, "c0": t0 / 2, "c1": t1 / 2})

    def step(pid, name, *inner):
        return lambda: event(pid, name, inner)

    start = next(clock)
    run = step(2, "run", step(2, "model construction", step(2, "map build")), step(2, "model steps"),
               step(2, "write run"))
    event(1, "main", [step(1, "process start"), step(1, "import sahel_sim.faces.cli"), step(1, "precheck"),
                      step(1, "hydra compose_config"), step(1, "hydra compose_config"),
                      step(1, "joblib Parallel", step(2, "process start"), step(2, "import sahel_sim.faces.cli"),
                           step(2, "job", step(2, "job config"), run, run)),
                      step(1, "on_multirun_end (collect)")])
    end = next(clock)
    for e in events:  # a process starts before its own record of it
        if e["name"] == "process start":
            e["t1"] = e["t0"]
    result = bench.breakdown(events, start, end, runs=2)
    assert result["wall_s"] == end - start
    assert all(part[1] >= 0 for part in result["parts"])
    assert result["sum_of_parts_s"] <= result["wall_s"] and result["sum_of_parts_s"] > 0.6 * result["wall_s"]
    assert dict((p[0], p[1]) for p in result["parts"])["main: Hydra's multirun composition"] == 2


def count_compositions(monkeypatch) -> list[list[str]]:
    """From now on, the overrides of every full composition of a job's config by Hydra's loader, in order."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    calls: list[list[str]] = []
    compose = ConfigLoaderImpl.load_sweep_config

    def counted(self, master_config, sweep_overrides):
        calls.append(list(sweep_overrides))
        return compose(self, master_config, sweep_overrides)

    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config", counted)
    return calls


def test_a_workers_later_jobs_get_configs_set_from_one_it_composed_equal_to_hydras_own(monkeypatch, tmp_path):
    """A joblib worker runs several Hydra jobs of a sweep: each job's first run is set from a config the worker's
    chunks kept (SweepConfigLoader) when only plain values differ, and composed in full otherwise; either way the
    config is the one Hydra composes for those overrides. A job composed in full is kept only by its chunk."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sahel_sim.analysis.batch import SweepConfigLoader, sweep_configs
    from sahel_sim.faces.api import config_dir, register_schema

    register_schema()
    GlobalHydra.instance().clear()
    hydra = Hydra.create_main_hydra2("sahel_sim", create_config_search_path(str(config_dir())))
    try:
        loader = hydra.config_loader
        master = loader.load_configuration("config", [*QUICK, f"hydra.sweep.dir={tmp_path}"], RunMode.MULTIRUN)
        full = [loader.load_sweep_config(master, job) for job in JOBS]  # Hydra's own, one per job
        calls = count_compositions(monkeypatch)
        cached = SweepConfigLoader(loader, "a sweep")
        cached.load_sweep_config(master, JOBS[0])
        cached.load_sweep_config(master, JOBS[1])
        assert calls == [JOBS[0], JOBS[1]]  # a job of one run keeps nothing: the next one is composed in full
        calls.clear()
        got = []
        for job in JOBS:  # each job a chunk with further runs, which keeps its first run's config (ChunkRunner)
            got.append(cached.load_sweep_config(master, job))
            sweep_configs("a sweep", loader, master).add(job, got[-1])
        # composed in full: the first job, and each job whose config group differs; the others are set
        assert calls == [JOBS[0], JOBS[2]]
        for job, ours, hydras in zip(JOBS, got, full, strict=True):
            assert OmegaConf.to_yaml(ours) == OmegaConf.to_yaml(hydras), job
        got[1].seed = 99  # Hydra may change what it is given: the next job is still its own
        again = cached.load_sweep_config(master, JOBS[1])
        assert OmegaConf.to_yaml(again) == OmegaConf.to_yaml(full[1])
        assert SweepConfigLoader(loader, "another sweep").load_sweep_config(master, JOBS[1]) is not None
        assert calls[-1] == JOBS[1]  # another sweep's id: nothing reused
    finally:
        GlobalHydra.instance().clear()


#: jobs of a sweep as a worker might get them: plain values, then a config group, then plain values again
JOBS = [["seed=1", "intervention=none", "mechanisms.rivalry.strength=0"],
        ["seed=2", "intervention=none", "mechanisms.rivalry.strength=2.5"],
        ["seed=1", "intervention=barkhane", "mechanisms.rivalry.strength=0"],
        ["seed=3", "intervention=barkhane", "mechanisms.rivalry.strength=2.5"],
        ["seed=4", "intervention=none", "mechanisms.rivalry.strength=0"]]


def test_a_jobs_config_made_from_the_sweeps_master_config_is_the_one_hydra_composes(monkeypatch, tmp_path):
    """A worker's first job of a sweep of plain values is not composed: its config is the master config Hydra
    composed from the command line, with the job's values set (SweepConfigs.from_master). It must be the config
    Hydra composes for that job, hydra node included, key for key and value for value (its YAML); a sweep over a
    config group, or a job whose keys are not the command line's, is composed in full."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sahel_sim.analysis.batch import SweepConfigLoader
    from sahel_sim.faces.api import config_dir, register_schema

    register_schema()
    GlobalHydra.instance().clear()
    hydra = Hydra.create_main_hydra2("sahel_sim", create_config_search_path(str(config_dir())))
    try:
        loader = hydra.config_loader
        command = ["seed=1,2", "intervention=none", "calendar.end=2012-09-24",
                   "mechanisms.rivalry.strength=0,2.5", "output.quiet=true"]
        master = loader.load_configuration("config", [*command, "hydra.mode=MULTIRUN",
                                                      f"hydra.sweep.dir={tmp_path}"], RunMode.MULTIRUN)
        # the jobs as the sweeper writes them (it writes every value anew: output.quiet=True)
        batches = BasicSweeper.split_arguments(OverridesParser.create().parse_overrides(command), None)
        jobs = [batch for batches_ in batches for batch in batches_][::3]
        assert len(jobs) == 2 and "output.quiet=True" in jobs[0]
        full = [loader.load_sweep_config(master, job) for job in jobs]  # Hydra's own
        before = OmegaConf.to_yaml(master)
        calls = count_compositions(monkeypatch)
        for i, (job, hydras) in enumerate(zip(jobs, full, strict=True)):
            ours = SweepConfigLoader(loader, f"sweep {i}").load_sweep_config(master, job)
            assert OmegaConf.to_yaml(ours) == OmegaConf.to_yaml(hydras), job
            assert ours.hydra.job.override_dirname == hydras.hydra.job.override_dirname != ""
        assert calls == []  # none composed
        assert OmegaConf.to_yaml(master) == before  # the master config is left as it was
        # a config group swept, or keys in another order: composed in full
        grouped = loader.load_configuration("config", ["seed=1", "intervention=none,barkhane"], RunMode.MULTIRUN)
        SweepConfigLoader(loader, "groups").load_sweep_config(grouped, ["seed=1", "intervention=barkhane"])
        SweepConfigLoader(loader, "order").load_sweep_config(master, [jobs[0][1], jobs[0][0], *jobs[0][2:]])
        assert calls == [["seed=1", "intervention=barkhane"], [jobs[0][1], jobs[0][0], *jobs[0][2:]]]
    finally:
        GlobalHydra.instance().clear()


def test_a_chunks_hydra_record_is_dumped_in_parts_as_omegaconf_dumps_it_whole(tmp_path):
    """A chunk's further runs write ``.hydra/config.yaml`` and ``hydra.yaml`` from YAML kept per section (the first
    run's file cut into its sections; Hydra's own settings dumped once): the same text as OmegaConf's dump of the
    whole config, run after run."""
    from hydra import compose, initialize_config_dir
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    from sahel_sim.analysis.batch import _Composed, _set_job_identity
    from sahel_sim.faces.api import config_dir, register_schema

    register_schema()
    parser = OverridesParser.create()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        full = compose("config", overrides=["seed=1", "mechanisms.rivalry.strength=0"], return_hydra_config=True)
    first = parser.parse_overrides(["seed=1", "mechanisms.rivalry.strength=0"])
    _set_job_identity(full, first)
    record = tmp_path / "config.yaml"
    task = OmegaConf.masked_copy(full, [k for k in full if k != "hydra"])
    record.write_text(OmegaConf.to_yaml(task))
    composed = _Composed(full, first)
    composed.read_task_yaml(record)
    assert composed.sections and "".join(composed.sections.values()) == record.read_text()
    assert OmegaConf.to_yaml(composed.full) == OmegaConf.to_yaml(full)  # the copy is the config
    for overrides in (["seed=2", "mechanisms.rivalry.strength=0"], ["seed=2", "mechanisms.rivalry.strength=2.5"],
                      ["seed=3", "mechanisms.rivalry.strength=0.5"]):
        composed.set_values(parser.parse_overrides(overrides))
        assert composed.task_yaml() == OmegaConf.to_yaml(composed.task), overrides
        assert "strength: " + overrides[1].split("=")[1] in composed.task_yaml()
        HydraConfig.instance().set_config(composed.full)
        hydra_cfg = HydraConfig.instance().cfg
        assert composed.hydra_yaml(hydra_cfg) == OmegaConf.to_yaml(hydra_cfg), overrides
        assert f"- {overrides[0]}" in composed.hydra_yaml(hydra_cfg)
    # a file that is not the config's dump is not taken
    other = _Composed(full, first)
    (tmp_path / "other.yaml").write_text("seed: 1\n")
    other.read_task_yaml(tmp_path / "other.yaml")
    assert other.sections == {}


def test_a_chunks_task_config_converted_section_by_section_is_the_one_converted_whole():
    """A chunk's further runs convert their task config to dataclasses incrementally (only the sections their
    values changed, sahel_sim.analysis.schema.track): the same SahelConfig as converting the whole config, run
    after run, and a value no section may hold is still refused in one line."""
    import copy

    from hydra import compose, initialize_config_dir
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sahel_sim.analysis import schema
    from sahel_sim.analysis.batch import _Composed
    from sahel_sim.core.params import ConfigError
    from sahel_sim.faces.api import config_dir, register_schema

    register_schema()
    parser = OverridesParser.create()
    keys = ["replicate=0", "mechanisms.rivalry.strength=0", "calendar.end=2013-01-07"]
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        full = compose("config", overrides=keys, return_hydra_config=True)
    composed = _Composed(full, parser.parse_overrides(keys))
    schema.track(composed.task)
    seen = set()
    for overrides in (keys, ["replicate=1", "mechanisms.rivalry.strength=0", "calendar.end=2013-01-07"],
                      ["replicate=1", "mechanisms.rivalry.strength=2.5", "calendar.end=2013-01-07"],
                      ["replicate=2", "mechanisms.rivalry.strength=0.5", "calendar.end=2014-01-06"]):
        composed.set_values(parser.parse_overrides(overrides))
        ours = schema.to_sim_config(composed.task)
        whole = schema.to_sim_config(copy.deepcopy(composed.task))  # another object: converted whole
        assert ours == whole, overrides
        seen.add((ours.seed, ours.mechanisms.rivalry.strength, str(ours.calendar.end)))
    assert len(seen) == 4  # every run's values came through
    composed.set_values(parser.parse_overrides(["replicate=2", "mechanisms.rivalry.strength=-3",
                                                "calendar.end=2014-01-06"]))
    with pytest.raises(ConfigError, match="mechanisms.rivalry.strength"):
        schema.to_sim_config(composed.task)
