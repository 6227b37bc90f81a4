"""Sweeps through Hydra's multirun: one folder per run, resumable, fault-tolerant, collected into one table.

* Each run of ``sahel-sim -m ...`` writes into ``<sweep dir>/<its overrides>`` (``hydra.job.override_dirname``),
  and the sweep folder itself is named from the sweep command (:func:`sweep_name`), so re-running the same
  command lands in the same folders: finished runs (``summary.json`` present) are skipped, failed or missing ones
  run again. Nothing in memory is trusted: a run's status is what its folder holds.
* A run that raises leaves ``error.json`` (its overrides and traceback) and the sweep goes on.
* :func:`collect` gathers every run of a sweep folder into ``metrics.parquet`` (one row per run and metric, the
  overridden parameters and the seed as columns) and ``runs.parquet`` (one row per run and its status). It runs
  at the end of a sweep (:class:`SweepCallback`) and as ``sahel-sim-collect SWEEP_DIR``, since a cluster sweep is
  collected later and Hydra's end-of-sweep callback does not run when a job was killed.
* :class:`SweepCallback` also shows progress (runs done / total, failures, time left), counted from the folders.

Launchers are Hydra's: the basic one (default), ``hydra/launcher=joblib`` (local cores), ``submitit_local`` and
``submitit_slurm`` (SLURM clusters; a site template is ``configs/hydra/launcher/slurm_site.yaml``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

FINISHED = "summary.json"
FAILED = "error.json"
#: overrides left out of run folder names and parameter columns: those that do not change a run's results, and
#: a sensitivity design's file (a path, the same for every run of its sweep; the row is what varies)
OUTPUT_KEYS = ("output.figure", "output.quiet", "output.sweep_figures", "output.dir")
NEUTRAL_KEYS = (*OUTPUT_KEYS, "design.file")
#: environment hook for fault-injection tests: "fail:KEY=VALUE" raises in that run, "kill:KEY=VALUE" kills it
FAULT_ENV = "SAHEL_SIM_FAULT"


def derive_seed(base_seed: int, replicate: int) -> int:
    """The seed of replicate ``replicate`` of a sweep with ``base_seed``: independent streams (SeedSequence)."""
    return int(np.random.SeedSequence([int(base_seed), int(replicate)]).generate_state(1, dtype=np.uint32)[0])


def sweep_name(task_overrides: Any) -> str:
    """A folder name for a sweep, from its command-line overrides: the same command, the same folder."""
    items = sorted(str(o) for o in (task_overrides or []) if not str(o).startswith(OUTPUT_KEYS))
    text = "__".join(items) or "default"
    safe = "".join(c if c.isalnum() or c in "=,.-_+" else "_" for c in text)
    if len(safe) > 100:
        safe = f"{safe[:80]}__{hashlib.sha1(text.encode()).hexdigest()[:10]}"
    return safe


def with_sweep_dir(argv: list[str]) -> list[str]:
    """A multirun command line with its sweep folder named from its overrides (unless the user chose one)."""
    if not ({"-m", "--multirun"} & set(argv)) or any(a.startswith("hydra.sweep.dir=") for a in argv):
        return argv
    overrides, value_of_flag = [], False
    for a in argv:  # the value after a flag such as --config-path DIR is no override
        if not value_of_flag and not a.startswith("-") and not a.startswith("hydra"):
            overrides.append(a)
        value_of_flag = a in _FLAGS_WITH_VALUE
    return [*argv, f"hydra.sweep.dir='multirun/{sweep_name(overrides)}'"]


#: Hydra's flags that choose the config tree, and the name precheck gives each (they take a value)
CONFIG_FLAGS = {"--config-dir": "config_dir", "-cd": "config_dir", "--config-name": "config_name",
                "-cn": "config_name", "--config-path": "config_path", "-cp": "config_path"}
#: Hydra's flags that take their value as the next argument
_FLAGS_WITH_VALUE = {*CONFIG_FLAGS, "--package", "-p", "--experimental-rerun"}


# --- one run of a sweep ---------------------------------------------------------------------------------------


def _atomic_json(path: Path, payload: dict) -> None:
    from .outputs import _atomic_write

    _atomic_write(path, lambda p: p.write_text(json.dumps(payload, indent=2, default=str) + "\n"))


def tell(message: str) -> None:
    """A line on stderr that can never stop what is under way: a stderr that is a closed pipe (``... | head``) or a
    vanished terminal drops the line, so that an interrupt still stops the sweep instead of turning into a failed
    run that the sweep steps over.

    The line starts at the beginning of its line (a carriage return; on a terminal it also clears what was there), so
    that a worker's line is not glued to the end of the sweep's progress bar, which redraws itself below it."""
    with contextlib.suppress(OSError, ValueError):  # a broken pipe is an OSError; ValueError: stderr closed
        isatty = getattr(sys.stderr, "isatty", None)  # a stand-in for stderr may have none
        clear = "\r\033[K" if isatty is not None and isatty() else "\r"
        print(clear + message, file=sys.stderr, flush=True)


def inject_fault(overrides: list[str]) -> None:
    """Fault injection for tests of resilience (see ``FAULT_ENV``); does nothing unless the variable is set."""
    spec = os.environ.get(FAULT_ENV, "")
    if not spec or ":" not in spec:
        return
    action, target = spec.split(":", 1)
    if target in overrides:
        if action == "kill":
            os._exit(137)
        raise RuntimeError(f"fault injected by {FAULT_ENV}={spec}")


def run_job(cfg, out_dir: Path, overrides: list[str]) -> str:
    """One run of a sweep: skip it if finished, otherwise run it; a failure leaves error.json. Returns status."""
    from .api import run, to_sim_config
    from .outputs import _atomic_write
    from .provenance import FINGERPRINT_FILE, code_fingerprint, made_by_current_code

    if (out_dir / FINISHED).exists():
        if not made_by_current_code(out_dir):
            # made by other code or configs (or its record was cut short): it would not come out the same today
            tell(f"sahel-sim: run {out_dir.name} was made by another version of the model or its configs: running "
                 "it again")
        elif not _same_config(out_dir, cfg):
            # the same name, another config: e.g. a design row whose values changed when the design was redrawn
            tell(f"sahel-sim: run {out_dir.name} was made with other parameter values (its config.yaml differs): "
                 "running it again")
        else:
            return "skipped"
        (out_dir / FINISHED).unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / FAILED).unlink(missing_ok=True)
    try:
        inject_fault(overrides)
        sim_config = to_sim_config(cfg)
        figure = bool(cfg.output.figure and cfg.output.sweep_figures)
        run(config=sim_config, out_dir=out_dir, figure=figure)
        _atomic_write(out_dir / FINGERPRINT_FILE, lambda p: p.write_text(code_fingerprint() + "\n"))
        return "complete"
    except KeyboardInterrupt:
        tell(f"sahel-sim: sweep interrupted in run {out_dir.name}: finished runs are kept, this one left no "
             "table; run the same command again to go on")
        raise
    except Exception as exc:  # noqa: BLE001 - a sweep contains every failure of its runs
        _atomic_json(out_dir / FAILED, {"overrides": overrides, "error": f"{type(exc).__name__}: {exc}",
                                        "traceback": traceback.format_exc()})
        tell(f"sahel-sim: run {out_dir.name} failed: {type(exc).__name__}: {exc} (see {out_dir / FAILED})")
        return "failed"


def _same_config(out_dir: Path, cfg) -> bool:
    """Whether the finished run in ``out_dir`` was made with the config this job resolves to (a config that no
    longer resolves is not the same: the job runs, and fails with its own error)."""
    from .api import to_sim_config
    from .params import ConfigError
    from .provenance import same_config

    try:
        return same_config(out_dir, to_sim_config(cfg))
    except ConfigError:
        return False


def reusable_runs(sweep_dir: Path, jobs: list[list[str]]) -> int:
    """How many of a sweep's runs are finished and were made by today's code and configs (their jobs skip them;
    a finished run whose config.yaml differs from its job's is still run again by the job)."""
    from .provenance import made_by_current_code

    folders = [sweep_dir / job_dirname(job) for job in jobs]
    return sum(1 for f in folders if (f / FINISHED).exists() and made_by_current_code(f))


# --- expected runs of a sweep command -------------------------------------------------------------------------


def job_dirname(overrides: list[str], exclude: tuple[str, ...] = NEUTRAL_KEYS) -> str:
    """The folder name Hydra gives a job (``hydra.job.override_dirname`` with our excluded keys)."""
    items = sorted((o.split("=", 1)[0], o.split("=", 1)[1]) for o in overrides if "=" in o)
    return ",".join(f"{k}={v}" for k, v in items if not k.startswith(exclude) and not k.startswith("hydra"))


def expected_runs(task_overrides: list[str]) -> list[list[str]]:
    """Every job's overrides for a multirun command line (the cartesian product of its sweeps)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides([o for o in task_overrides if not o.startswith("hydra.")])
    axes: dict[str, list[str]] = {}  # as Hydra's BasicSweeper: a later override of a key wins
    for o in parsed:
        key = o.get_key_element()
        if o.is_sweep_override():
            axes[key] = [f"{key}={v}" for v in o.sweep_string_iterator()]
        else:
            axes[key] = [f"{key}={o.get_value_element_as_str()}"]
    return [list(combo) for combo in itertools.product(*axes.values())]


# --- collection -------------------------------------------------------------------------------------------------


@dataclass
class Collection:
    """What a sweep folder holds: runs by status, and the tidy tables built from them."""

    sweep_dir: Path
    complete: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)  # started but neither finished nor failed (killed)
    missing: list[str] = field(default_factory=list)  # expected by the sweep command, never started
    stray: list[str] = field(default_factory=list)  # in the folder, but not a run of its (latest) sweep command
    metrics: pd.DataFrame | None = None
    runs: pd.DataFrame | None = None

    def write_tables(self) -> None:
        """Write ``metrics.parquet`` and ``runs.parquet`` into the sweep folder (atomically)."""
        from .outputs import _atomic_write

        for tname, table in (("metrics", self.metrics), ("runs", self.runs)):
            _atomic_write(self.sweep_dir / f"{tname}.parquet", lambda p, t=table: _to_parquet(t, p))

    def report(self) -> str:
        total = len(self.complete) + len(self.failed) + len(self.unfinished) + len(self.missing)
        lines = [f"sweep {self.sweep_dir}: {len(self.complete)}/{total} runs complete, {len(self.failed)} failed, "
                 f"{len(self.unfinished)} unfinished, {len(self.missing)} missing"]
        if self.metrics is not None:
            lines.append(f"  table: {self.sweep_dir / 'metrics.parquet'} ({len(self.metrics)} rows), "
                         f"{self.sweep_dir / 'runs.parquet'}")
        for name in self.failed[:10]:
            lines.append(f"  failed: {self.sweep_dir / name / FAILED}")
        if self.failed or self.unfinished or self.missing:
            lines.append("  re-run the same sweep command to run only the failed, unfinished and missing runs")
        return "\n".join(lines)


def flatten(summary: dict, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a summary as ``a.b.c -> value`` (booleans as 0/1)."""
    out: dict[str, float] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, (bool, int, float)):
            out[name] = float(value)
    return out


def _parse_value(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def run_folders(sweep_dir: Path) -> list[Path]:
    """Run folders of a sweep: those with Hydra's ``.hydra/overrides.yaml`` (any depth below the sweep)."""
    return sorted(p.parent.parent for p in sweep_dir.glob("**/.hydra/overrides.yaml") if p.parent.parent != sweep_dir)


def collect(sweep_dir: str | Path, write: bool = True) -> Collection:
    """Gather every run of a sweep folder into ``metrics.parquet`` and ``runs.parquet``; report what is missing."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(f"no sweep folder {sweep_dir}")
    result = Collection(sweep_dir)
    rows, run_rows, seen, jobs = [], [], set(), {}
    for folder in run_folders(sweep_dir):
        name = str(folder.relative_to(sweep_dir))
        overrides = yaml.safe_load((folder / ".hydra" / "overrides.yaml").read_text()) or []
        jobs[name] = job_dirname(overrides)
        seen.add(jobs[name])
        params = {k: _parse_value(v) for k, v in (o.split("=", 1) for o in overrides if "=" in o)
                  if not k.startswith(NEUTRAL_KEYS) and not k.startswith("hydra")}
        status, seed, error = "unfinished", None, ""
        if (folder / FINISHED).exists():
            status = "complete"
            summary = json.loads((folder / FINISHED).read_text())
            seed = summary.get("seed")
            for metric, value in flatten(summary).items():
                rows.append({"run": name, **params, "seed": seed, "metric": metric, "value": value})
        elif (folder / FAILED).exists():
            status = "failed"
            error = json.loads((folder / FAILED).read_text()).get("error", "")
        getattr(result, status).append(name)
        run_rows.append({"run": name, "status": status, **params, "seed": seed, "error": error})
    task = sweep_task(sweep_dir)
    if task is not None:
        expected = {job_dirname(job) for job in expected_runs(task)}
        result.missing = sorted(expected - seen)
        result.stray = [name for name, job in jobs.items() if job not in expected]
    result.metrics = pd.DataFrame(rows, columns=None if rows else ["run", "seed", "metric", "value"])
    result.runs = pd.DataFrame(run_rows, columns=None if run_rows else ["run", "status", "seed", "error"])
    if write:
        result.write_tables()
    return result


def sweep_task(sweep_dir: Path) -> list[str] | None:
    """The overrides of the sweep command that made ``sweep_dir`` (Hydra's ``multirun.yaml``), None without one."""
    multirun = Path(sweep_dir) / "multirun.yaml"
    if not multirun.exists():
        return None
    return list((yaml.safe_load(multirun.read_text()) or {}).get("hydra", {}).get("overrides", {}).get("task", []))


def _to_parquet(table: pd.DataFrame, path: Path) -> None:
    # parameter columns can mix types across runs (e.g. 1 and 1.5): store them as the narrowest common type
    table = table.copy()
    for col in table.columns:
        if table[col].dtype == object and col not in ("run", "status", "metric", "error"):
            values = table[col].dropna()
            if values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all():
                table[col] = pd.to_numeric(table[col])
            else:
                table[col] = table[col].map(lambda v: v if v is None else str(v))
    table.to_parquet(path, index=False)


def collect_main(argv: list[str] | None = None) -> int:
    """``sahel-sim-collect SWEEP_DIR``: collect a sweep folder (e.g. after a cluster sweep) and report."""
    parser = argparse.ArgumentParser(prog="sahel-sim-collect", description=collect_main.__doc__)
    parser.add_argument("sweep_dir", help="a folder written by sahel-sim -m (holds multirun.yaml)")
    args = parser.parse_args(argv)
    try:
        result = collect(args.sweep_dir)
    except FileNotFoundError as exc:
        print(f"sahel-sim-collect: error: {exc}", file=sys.stderr)
        return 2
    print(result.report())
    return 1 if result.failed else 0


# --- progress and end-of-sweep collection --------------------------------------------------------------------


class _Progress(threading.Thread):
    """Counts finished and failed run folders of a sweep and shows a progress bar (runs, failures, time left)."""

    def __init__(self, sweep_dir: Path, jobs: list[list[str]]):
        super().__init__(daemon=True)
        self.sweep_dir = sweep_dir
        self.names = [job_dirname(j) for j in jobs]
        self.stop = threading.Event()

    def counts(self) -> tuple[int, int]:
        done = failed = 0
        for name in self.names:
            folder = self.sweep_dir / name
            if (folder / FINISHED).exists():
                done += 1
            elif (folder / FAILED).exists():
                failed += 1
        return done, failed

    def run(self) -> None:
        from tqdm import tqdm

        done0, _ = self.counts()
        bar = tqdm(total=len(self.names), initial=done0, desc="sweep", unit="run", file=sys.stderr,
                   dynamic_ncols=True, mininterval=1.0)
        while True:
            done, failed = self.counts()
            bar.n = done + failed
            bar.set_postfix(failed=failed, refresh=False)
            bar.refresh()
            if self.stop.wait(1.0):
                done, failed = self.counts()
                bar.n = done + failed
                bar.set_postfix(failed=failed, refresh=False)
                bar.close()
                return


try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra is a dependency
    Callback = object  # type: ignore[assignment,misc]


class SweepCallback(Callback):
    """Hydra callback: a progress bar during a multirun, then collection and a report at its end."""

    def __init__(self) -> None:
        self._progress: _Progress | None = None
        self._t0 = 0.0

    def __getstate__(self) -> dict:
        # launchers that pickle the Hydra context (submitit) get the callback without its progress thread
        return {"_progress": None, "_t0": self._t0}

    def on_multirun_start(self, config, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        jobs = expected_runs(list(config.hydra.overrides.task))
        self._t0 = time.perf_counter()
        reused = reusable_runs(sweep_dir, jobs)
        what = f"reusing {reused} finished runs, launching {len(jobs) - reused}" if reused else \
            f"launching {len(jobs)}"
        print(f"sahel-sim: sweep of {len(jobs)} runs into {sweep_dir}: {what}", file=sys.stderr)
        if not config.output.quiet and len(jobs) > 1:
            self._progress = _Progress(sweep_dir, jobs)
            self._progress.start()

    def on_multirun_end(self, config, **kwargs) -> None:
        if self._progress is not None:
            self._progress.stop.set()
            self._progress.join(timeout=5)
        result = collect(Path(config.hydra.sweep.dir))
        print(result.report() + f"\n  wall time {time.perf_counter() - self._t0:.1f} s", file=sys.stderr)
        if result.failed:
            sys.exit(1)  # the other runs finished and are collected; the exit code tells scripts to look
