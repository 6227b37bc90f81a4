"""Where a sweep's fixed start-up goes: a real ``sahel-sim -m`` sweep traced in every one of its processes.

    python benchmarks/sweep_startup.py [--runs 6] [--workers 2] [--rounds 1] [--json FILE]
    python benchmarks/sweep_startup.py --task-start [--rounds 3]   # one SLURM array task's start, without SLURM

It runs ``sahel-sim -m replicate=range(0,RUNS) hydra/launcher=joblib hydra.launcher.n_jobs=WORKERS`` in a fresh
folder with a ``sitecustomize`` module on ``PYTHONPATH`` (written into a temporary folder for the benchmark, never
installed) that every Python process of the sweep imports at start: the main process and the joblib (loky)
workers. It records, in wall-clock time shared by the processes, when each process started (from
``/proc/<pid>/stat``), when ``sahel_sim.faces.cli`` finished importing, and the start and end of the steps that
make up a sweep (Hydra's compositions, the sweeper, ``joblib.Parallel``, each job's composition, each run, the
map's build, the tables, the collection). Nothing in the sweep is changed: the wrappers only read the clock.

The report is the sweep's critical path: the main process's own steps until the workers are asked to run, the
first worker's start until its first run begins, the runs, the wait for the last worker, the collection and the
process's exit. ``--task-start`` times what a SLURM array task does before its runs, in the same way, with the
launcher's own code path: ``python -m submitit.core._submit FOLDER`` unpickling a job pickled by
``hydra/launcher=submitit_local`` (which runs the same ``_submit`` module as ``submitit_slurm``).

The machine's load average is printed beside every figure: other processes on the same cores stretch everything.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: --profile FOLDER: each traced process also writes a cProfile of its start until its first run (main: all of it)
PROFILE: Path | None = None

#: what the traced processes wrap: module -> (attribute path, label)
TRACED = {
    "sahel_sim.faces.cli": [("main", "main"), ("precheck", "precheck")],
    "sahel_sim.analysis.schema": [("register_schema", "register_schema")],
    "hydra._internal.hydra": [("Hydra.compose_config", "hydra compose_config"),
                              ("Hydra.multirun", "hydra multirun")],
    "hydra._internal.utils": [("create_config_search_path", "hydra search path"),
                              ("_run_hydra", "hydra _run_hydra")],
    "hydra._internal.callbacks": [("Callbacks.on_multirun_start", "on_multirun_start"),
                                  ("Callbacks.on_multirun_end", "on_multirun_end (collect)")],
    "hydra.core.plugins": [("Plugins.instantiate_sweeper", "instantiate sweeper and launcher")],
    "hydra._internal.core_plugins.basic_sweeper": [("BasicSweeper.sweep", "sweeper sweep")],
    "joblib.parallel": [("Parallel.__call__", "joblib Parallel")],
    "sahel_sim.analysis.workers": [("warm", "warm-up"), ("await_started", "await warm-up")],
    "hydra._internal.config_loader_impl": [("ConfigLoaderImpl.load_sweep_config", "job composition")],
    "hydra_plugins.hydra_joblib_launcher._core": [("execute_job", "job")],
    "sahel_sim.analysis.batch": [("ChunkTask.__call__", "chunk"),
                                 # a job's config: set from a kept one, made from the master config, or composed
                                 ("SweepConfigLoader.load_sweep_config", "job config")],
    "sahel_sim.runner.run": [("run", "run")],
    "sahel_sim.core.geography": [("World.__init__", "map build")],
    "sahel_sim.core.model": [("SahelModel.__init__", "model construction"), ("SahelModel.run", "model steps")],
    "sahel_sim.runner.outputs": [("write_run", "write run"), ("build_tables", "build tables"),
                                 ("summarise", "summarise")],
    "sahel_sim.analysis.sweep": [("collect", "collect")],
    "mesa": [],  # when (and in which process) Mesa is imported
    "submitit.core.submission": [("process_job", "submitit process_job")],
    "submitit.core.utils": [("DelayedSubmission.result", "submitit job")],
}

SITECUSTOMIZE = '''
"""Benchmark-only: records when this process started and when the traced steps ran (sweep_startup.py)."""
import functools, importlib.abc, json, os, sys, time

_DIR = os.environ.get("SAHEL_STARTUP_TRACE")
_TRACED = json.loads(os.environ.get("SAHEL_STARTUP_TRACED", "{}"))


def _process_start():
    # the process's start in clock ticks since boot, turned into wall-clock time through the boot clock
    with open(f"/proc/{os.getpid()}/stat") as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    since_start = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    return time.time() - since_start


if _DIR:
    _file = open(os.path.join(_DIR, f"{os.getpid()}.jsonl"), "a", buffering=1)

    def _event(name, t0, t1, c0=0.0, c1=None):
        c1 = time.process_time() if c1 is None else c1
        _file.write(json.dumps({"pid": os.getpid(), "name": name, "t0": t0, "t1": t1, "c0": c0, "c1": c1}) + "\\n")

    _event("process start", _process_start(), time.time())
    _profile = None
    if os.environ.get("SAHEL_STARTUP_PROFILE"):  # a profile of each process until its first run ends (or main's)
        import cProfile
        _profile = cProfile.Profile()
        _profile.enable()

    def _dump_profile():
        global _profile
        if _profile is not None:
            _profile.disable()
            _profile.dump_stats(os.path.join(_DIR, f"{os.getpid()}.prof"))
            _profile = None

    def _wrap(owner, attr, label):
        original = getattr(owner, attr)

        @functools.wraps(original)
        def traced(*args, **kwargs):
            t0, c0 = time.time(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                _event(label, t0, time.time(), c0)
                if label in ("run", "main"):
                    _dump_profile()

        setattr(owner, attr, traced)

    class _Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name not in _TRACED:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            loader = spec.loader
            original = loader.exec_module

            def exec_module(module):
                t0, c0 = time.time(), time.process_time()
                original(module)
                _event("import " + name, t0, time.time(), c0)
                for dotted, label in _TRACED[name]:
                    owner = module
                    *parents, attr = dotted.split(".")
                    for part in parents:
                        owner = getattr(owner, part)
                    _wrap(owner, attr, label)

            loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, _Finder())
'''


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _environment(trace: Path) -> dict:
    site = trace / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH", "")) if p)
    env["SAHEL_STARTUP_TRACE"] = str(trace)
    env["SAHEL_STARTUP_TRACED"] = json.dumps(TRACED)
    if PROFILE:
        env["SAHEL_STARTUP_PROFILE"] = "1"
    return env


def _events(trace: Path) -> list[dict]:
    events = []
    for path in trace.glob("*.jsonl"):
        events += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return events


def traced_sweep(runs: int, workers: int, workdir: Path) -> dict:
    """Run one traced sweep and return its critical path, in seconds."""
    trace = workdir / f"trace_{time.monotonic_ns()}"
    trace.mkdir()
    sweep_dir = trace / "sweep"
    cmd = [sys.executable, "-m", "sahel_sim", "-m", f"replicate=range(0,{runs})", "output.quiet=true",
           f"hydra.sweep.dir={sweep_dir}", "hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}"]
    load = _load()
    t_start = time.time()
    proc = subprocess.run(cmd, cwd=workdir, env=_environment(trace), capture_output=True, text=True)
    t_end = time.time()
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    if PROFILE:
        PROFILE.mkdir(parents=True, exist_ok=True)
        for prof in trace.glob("*.prof"):
            prof.rename(PROFILE / prof.name)
    return breakdown(_events(trace), t_start, t_end, runs) | {"load_avg_before": load, "load_avg_after": _load()}


def _first(events: list[dict], name: str, pid: int | None = None) -> dict | None:
    found = [e for e in events if e["name"] == name and (pid is None or e["pid"] == pid)]
    return min(found, key=lambda e: e["t0"]) if found else None


def _span(e: dict | None) -> float:
    return e["t1"] - e["t0"] if e else 0.0


def _point(e: dict, end: str) -> tuple[float, float | None]:
    """Wall-clock time and the process's CPU time at the start (``"0"``) or end (``"1"``) of an event."""
    return e["t" + end], e["c" + end]


def _part(name: str, a: tuple[float, float | None], b: tuple[float, float | None]) -> tuple[str, float, float | None]:
    """A part from point a to point b: wall seconds, and CPU seconds when both points are in one process."""
    cpu = b[1] - a[1] if a[1] is not None and b[1] is not None else None
    return name, round(b[0] - a[0], 3), None if cpu is None else round(cpu, 3)


def breakdown(events: list[dict], t_start: float, t_end: float, runs: int) -> dict:
    """The sweep's wall time cut into consecutive parts (they add up to the whole), each with the CPU time its
    process spent in it (none for a part that spans two processes)."""
    main_pid = next(e["pid"] for e in events if e["name"] == "main")
    m = {e["name"]: e for e in sorted((e for e in events if e["pid"] == main_pid), key=lambda e: -e["t0"])}
    # Hydra's own compositions (the pre-check's, through Hydra's compose API, is inside "precheck")
    composes = sorted((e for e in events if e["pid"] == main_pid and e["name"] == "hydra compose_config"
                       and e["t0"] >= m["precheck"]["t1"]), key=lambda e: e["t0"])
    workers = sorted({e["pid"] for e in events if e["name"] == "job"})
    first_jobs = {pid: _first(events, "job", pid) for pid in workers}
    w = min(workers, key=lambda pid: first_jobs[pid]["t0"])  # the worker whose job started first
    wk = {e["name"]: e for e in sorted((e for e in events if e["pid"] == w), key=lambda e: -e["t0"])}
    runs_all = sorted((e for e in events if e["name"] == "run"), key=lambda e: e["t0"])
    last = max(runs_all, key=lambda e: e["t1"])
    outside = (t_start, None), (t_end, None)
    # the launcher's joblib.Parallel is main's last; an earlier one started the workers ahead (faces/prestart.py)
    parallels = sorted((e for e in events if e["pid"] == main_pid and e["name"] == "joblib Parallel"),
                       key=lambda e: e["t0"])
    launch = parallels[-1]
    ahead = wk["process start"]["t0"] < launch["t0"]
    if ahead:  # the worker started with the command: its start and imports ran beside main's own work
        worker_parts = [_part("workers started ahead: from the launch until the first job starts (their warm-up's "
                              "end, dispatch)", _point(launch, "0"), _point(first_jobs[w], "0"))]
    else:
        worker_parts = [
            _part("workers: loky starts the process", _point(launch, "0"), (wk["process start"]["t0"], None)),
            _part("worker: interpreter start", (wk["process start"]["t0"], 0.0), _point(wk["process start"], "1")),
            _part("worker: imports (unpickling the task imports sahel_sim.faces.cli)",
                  _point(wk["process start"], "1"), _point(wk["import sahel_sim.faces.cli"], "1")),
            _part("worker: rest of unpickling, loky set-up until the job starts",
                  _point(wk["import sahel_sim.faces.cli"], "1"), _point(first_jobs[w], "0"))]
    parts = [
        _part("python start, until sitecustomize runs", outside[0], (m["process start"]["t1"], None)),
        _part("main: imports (sahel_sim.faces.cli and all it imports)", _point(m["process start"], "1"),
              _point(m["import sahel_sim.faces.cli"], "1")),
        _part("main: register_schema, argument handling", _point(m["import sahel_sim.faces.cli"], "1"),
              _point(m["precheck"], "0")),
        _part("main: sahel-sim's pre-check (one composition)", _point(m["precheck"], "0"), _point(m["precheck"], "1")),
        _part("main: Hydra set-up, search path, plugins", _point(m["precheck"], "1"), _point(composes[0], "0")),
        _part("main: Hydra's composition for get_mode", _point(composes[0], "0"), _point(composes[0], "1")),
        _part("main: Hydra's multirun composition", _point(composes[0], "1"), _point(composes[-1], "1")),
        _part("main: on_multirun_start, sweeper and launcher set-up, planning", _point(composes[-1], "1"),
              _point(launch, "0")),
        *worker_parts,
        *_run_parts(wk, job="worker: ", run="first run: ", which="first "),
        _part("later runs and the wait for the last worker", (wk["run"]["t1"], None), (last["t1"], None)),
        _part("main: from the last run's end to the collection", (last["t1"], None),
              _point(m["on_multirun_end (collect)"], "0")),
        _part("main: collection (sahel-sim-collect's tables) and report", _point(m["on_multirun_end (collect)"], "0"),
              _point(m["on_multirun_end (collect)"], "1")),
        _part("main: return from main", _point(m["on_multirun_end (collect)"], "1"), _point(m["main"], "1")),
        _part("exit of the main process", (m["main"]["t1"], None), outside[1]),
    ]
    _without_map(parts, "first run: ")

    later = _later_runs(events, workers)

    def spans(name: str) -> list[float]:
        return [round(_span(e), 3) for e in sorted(events, key=lambda e: e["t0"]) if e["name"] == name]

    return {
        "wall_s": round(t_end - t_start, 3),
        "parts": parts,
        "sum_of_parts_s": round(sum(p[1] for p in parts), 3),
        "runs": runs, "workers": len(workers),
        "jobs": len(first_jobs) and len(spans("job")),
        "compose_config_calls_main": len(composes),
        "compose_config_s_main": [round(_span(e), 3) for e in composes],
        "compositions_workers": len(spans("job composition")),
        "job_composition_s": spans("job composition"),
        "map_builds": len(spans("map build")),
        "model_steps_s": spans("model steps"),
        "run_s": spans("run"),
        "write_run_s": spans("write run"),
        "later_run_parts": later,
        "workers_started_ahead": ahead,
        # when each worker was ready for jobs, from the sweep's start: its warm-up's end, or its first job's start
        "worker_ready_s": [round((_first(events, "warm-up", pid) or first_jobs[pid])["t1" if _first(
            events, "warm-up", pid) else "t0"] - t_start, 3) for pid in workers],
        "launch_s": round(launch["t0"] - t_start, 3),
        "main_imports_mesa": any(e["name"] == "import mesa" and e["pid"] == main_pid for e in events),
        "worker_imports_s": [round(_first(events, "import sahel_sim.faces.cli", pid)["t1"]
                                   - _first(events, "process start", pid)["t1"], 3) for pid in workers],
    }


def _run_parts(ev: dict, job: str, run: str, which: str) -> list:
    """The eight parts of one run inside its process, from its job's composition to its files, from that process's
    events ``ev``: labelled with ``job`` and ``run`` prefixes (a worker's first run, or an array task's run)."""
    return [
        _part(f"{job}the job's config (composed, or made from the master config)", _point(ev["job config"], "0"),
              _point(ev["job config"], "1")),
        _part(f"{job}Hydra run_job set-up until the {which}run", _point(ev["job config"], "1"),
              _point(ev["run"], "0")),
        _part(f"{run}until the model's construction (imports the model and Mesa)", _point(ev["run"], "0"),
              _point(ev["model construction"], "0")),
        _part(f"{run}map build", _point(ev["map build"], "0"), _point(ev["map build"], "1")),
        _part(f"{run}model construction without the map", _point(ev["model construction"], "0"),
              _point(ev["model construction"], "1")),
        _part(f"{run}model steps", _point(ev["model steps"], "0"), _point(ev["model steps"], "1")),
        _part(f"{run}tables and summary", _point(ev["model steps"], "1"), _point(ev["write run"], "0")),
        _part(f"{run}files", _point(ev["write run"], "0"), _point(ev["run"], "1")),
    ]


def _without_map(parts: list, prefix: str) -> None:
    """The model's construction part without the map's build inside it (in place)."""
    names = [p[0] for p in parts]
    construction = names.index(prefix + "model construction without the map")
    build = parts[names.index(prefix + "map build")]
    name, wall, cpu = parts[construction]
    parts[construction] = (name, round(wall - build[1], 3), None if cpu is None else round(cpu - build[2], 3))


def _later_runs(events: list[dict], workers: list[int]) -> list[tuple[str, float, float]]:
    """What a run after a worker's first costs (medians over those runs: wall and CPU seconds): the model, and what
    the run pays beyond it (the gap since the worker's previous run: a job's composition or the chunk's config
    set from it, the ``.hydra`` record, the fingerprint of the previous run)."""
    import statistics

    rows: dict[str, list[tuple[float, float]]] = {}
    for pid in workers:
        mine = sorted((e for e in events if e["pid"] == pid), key=lambda e: e["t0"])
        runs = [e for e in mine if e["name"] == "run"]
        for before, run in zip(runs, runs[1:], strict=False):
            inside = {e["name"]: e for e in mine if run["t0"] <= e["t0"] and e["t1"] <= run["t1"]}
            new_job = any(e["name"] == "job config" and before["t1"] <= e["t0"] <= run["t0"] for e in mine)
            gap = ("between runs, a new job: its config, Hydra's job record, the fingerprint" if new_job else
                   "between runs of a chunk: the config set from the last, Hydra's job record, the fingerprint")
            parts = [(gap, before["t1"], before["c1"], run["t0"], run["c0"]),
                     ("model construction", *_both(inside["model construction"])),
                     ("model steps", *_both(inside["model steps"])),
                     ("tables and summary", inside["model steps"]["t1"], inside["model steps"]["c1"],
                      inside["write run"]["t0"], inside["write run"]["c0"]),
                     ("files", inside["write run"]["t0"], inside["write run"]["c0"], run["t1"], run["c1"])]
            for name, t0, c0, t1, c1 in parts:
                rows.setdefault(name, []).append((t1 - t0, c1 - c0))
    return [(name, round(statistics.median(w for w, _ in v), 3), round(statistics.median(c for _, c in v), 3))
            for name, v in sorted(rows.items(), key=lambda item: item[0].startswith("between runs, a new"))]


def _both(e: dict) -> tuple[float, float, float, float]:
    return e["t0"], e["c0"], e["t1"], e["c1"]


def task_start(workdir: Path) -> dict:
    """What one array task does before and around its first run: a job pickled by ``submitit_local``, run again by
    ``python -m submitit.core._submit`` in a traced process (as a SLURM node runs it)."""
    trace = workdir / f"task_{time.monotonic_ns()}"
    trace.mkdir()
    sweep_dir = trace / "sweep"
    # one run, one job: submitit_local writes the job's pickle and runs it; the folder keeps the pickle
    cmd = [sys.executable, "-m", "sahel_sim", "-m", "replicate=range(0,1)", "output.quiet=true",
           f"hydra.sweep.dir={sweep_dir}", "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=10"]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    pickles = sorted(sweep_dir.glob(".submitit/*/*_submitted.pkl"))
    if not pickles:
        raise RuntimeError(f"no submitted job pickle under {sweep_dir / '.submitit'}")
    job_folder = pickles[0].parent
    job_id = pickles[0].name.split("_submitted")[0]
    (sweep_dir / "replicate=0" / "summary.json").unlink()  # so that the re-run runs instead of skipping
    env = _environment(trace) | {"SUBMITIT_EXECUTOR": "local", "SUBMITIT_LOCAL_JOB_ID": job_id,
                                 "SUBMITIT_LOCAL_NTASKS": "1", "SUBMITIT_LOCAL_GLOBAL_RANK": "0",
                                 "SUBMITIT_LOCAL_LOCAL_RANK": "0", "SUBMITIT_LOCAL_NODEID": "0",
                                 "SUBMITIT_LOCAL_JOB_NUM_NODES": "1"}
    for old in trace.glob("*.jsonl"):
        old.unlink()
    load = _load()
    t_start = time.time()
    proc = subprocess.run([sys.executable, "-u", "-m", "submitit.core._submit", str(job_folder)], cwd=workdir,
                          env=env, capture_output=True, text=True)
    t_end = time.time()
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    events = _events(trace)
    pid = min((e for e in events if e["name"] == "process start"), key=lambda e: e["t0"])["pid"]
    k = {e["name"]: e for e in sorted((e for e in events if e["pid"] == pid), key=lambda e: -e["t0"])}
    parts = [
        _part("python start, until sitecustomize runs", (t_start, None), (k["process start"]["t1"], None)),
        _part("imports until sahel_sim.faces.cli (submitit, unpickling the job)", _point(k["process start"], "1"),
              _point(k["import sahel_sim.faces.cli"], "1")),
        _part("rest of unpickling until the job starts", _point(k["import sahel_sim.faces.cli"], "1"),
              _point(k["submitit job"], "0")),
        *_run_parts(k, job="", run="", which=""),
        _part("after the run: submitit's result pickle, exit", (k["run"]["t1"], None), (t_end, None)),
    ]
    _without_map(parts, "")
    return {"wall_s": round(t_end - t_start, 3), "parts": parts,
            "load_avg_before": load, "load_avg_after": _load()}


def _table(results: list[dict]) -> str:
    names = [p[0] for p in results[0]["parts"]]
    lines = ["| part | " + " | ".join(f"round {i + 1}: wall (CPU) s" for i in range(len(results))) + " |",
             "|---|" + "---|" * len(results)]

    def cell(p: tuple) -> str:
        return f"{p[1]:.2f}" + ("" if p[2] is None else f" ({p[2]:.2f})")

    for i, name in enumerate(names):
        lines.append(f"| {name} | " + " | ".join(cell(r["parts"][i]) for r in results) + " |")
    lines.append("| **whole** | " + " | ".join(f"**{r['wall_s']:.2f}**" for r in results) + " |")
    lines.append("| load average before / after | " + " | ".join(
        f"{r['load_avg_before'][0]} / {r['load_avg_after'][0]}" for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--task-start", action="store_true", help="one SLURM array task's start (submitit)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--profile", type=Path, help="write a cProfile of each process into this folder")
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.profile
    with tempfile.TemporaryDirectory() as tmp:
        if args.task_start:
            results = [task_start(Path(tmp)) for _ in range(args.rounds)]
        else:
            results = [traced_sweep(args.runs, args.workers, Path(tmp)) for _ in range(args.rounds)]
    print(_table(results))
    if "later_run_parts" in results[0]:
        print("\n| a later run of a chunk (median) | " + " | ".join(
            f"round {i + 1}: wall (CPU) s" for i in range(len(results))) + " |\n|---|" + "---|" * len(results))
        for i, row in enumerate(results[0]["later_run_parts"]):
            print(f"| {row[0]} | " + " | ".join(
                f"{r['later_run_parts'][i][1]:.3f} ({r['later_run_parts'][i][2]:.3f})" for r in results) + " |")
    for r in results:
        print(json.dumps({k: v for k, v in r.items() if k != "parts"}))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
