"""``hydra/sweeper=sahel``: Hydra's basic sweeper, checking a batch in a handful of compositions instead of one per job.

Before launching a batch, Hydra's ``BasicSweeper`` composes the full config of every job in the master process
(about a third of a second each for sahel_sim), only to find composition errors early: a 1,280-run design waits
about seven minutes before its first run starts. This sweeper generates, batches and launches jobs exactly like
``BasicSweeper`` (same job list, same order, same folders) and refuses the same bad sweeps before any job runs,
but checks a batch with far fewer compositions:

* the batch's first job is composed in full (the defaults list, every config file, every override);
* a swept key that names a config group (``intervention=none,barkhane``), or whose value could change what is
  composed (``+key``/``~key``, ``key@package``, ``hydra.searchpath``), is composed once per distinct value, the
  other keys at the first job's values;
* every other swept key (``seed=range(0,1000)``, ``mechanisms.rivalry.strength=0,1,2``) only sets a value after
  the config is composed, so each distinct value is applied to the first job's composed config with Hydra's own
  override code: the same unknown-key and wrong-type errors as a full composition, for microseconds each.

Each config checked is one of the sweep's own jobs. A failure arising only from a combination of two non-first
values (none can in sahel_sim's typed schema) is found when the launcher composes that job. Hydra's own sweeper
remains available as ``hydra/sweeper=basic``.

It then launches a batch in chunks (``sahel_sim/analysis/batch.py``): one Hydra job (one SLURM array task) runs many of
the batch's runs, each in its own run folder as if it were a job of its own; ``hydra.sweeper.chunk_size`` sets the
runs per job (default: two jobs per parallel worker of the launcher, at most ``hydra.sweeper.max_jobs``, 50).
"""

# no ``from __future__ import annotations``: Hydra's plugin scanner runs this module before it is in sys.modules,
# where ``dataclass`` looks up string annotations
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig

from sahel_sim.analysis.batch import (
    MAX_JOBS,
    ChunkTask,
    SweepConfigLoader,
    chunk_count,
    composes,
    launcher_workers,
    looks_finished,
    plan_chunks,
    prechecked,
    sweep_default_leaves,
)
from sahel_sim.analysis.workers import await_started

log = logging.getLogger(__name__)


@dataclass
class SahelSweeperConf(BasicSweeperConf):
    """The sweeper's settings: those of Hydra's basic sweeper (``max_batch_size``, ``params``), and how a batch is
    cut into Hydra jobs: ``chunk_size`` runs per job (null: automatic, two jobs per parallel worker of the launcher)
    and at most ``max_jobs`` jobs (SLURM array tasks) per batch when automatic."""

    _target_: str = "hydra_plugins.sahel_sim_sweeper.sahel_sim_sweeper.SahelSweeper"
    chunk_size: int | None = None
    max_jobs: int = MAX_JOBS


ConfigStore.instance().store(group="hydra/sweeper", name="sahel", node=SahelSweeperConf, provider="sahel_sim")


class SahelSweeper(BasicSweeper):
    """Hydra's ``BasicSweeper`` whose check of a batch composes the first job, plus one job per distinct value of
    each swept config group, instead of every job; and which launches a batch as chunks of runs, one Hydra job
    per chunk."""

    def __init__(self, max_batch_size: int | None, params: dict[str, str] | None = None,
                 chunk_size: int | None = None, max_jobs: int = MAX_JOBS) -> None:
        super().__init__(max_batch_size=max_batch_size, params=params)
        if chunk_size is not None and chunk_size < 1:
            raise ValueError(f"hydra.sweeper.chunk_size: {chunk_size} is not allowed; allowed: an integer >= 1 "
                             "(runs per Hydra job), or null (automatic)")
        if max_jobs < 1:
            raise ValueError(f"hydra.sweeper.max_jobs: {max_jobs} is not allowed; allowed: an integer >= 1")
        self.chunk_size = chunk_size
        self.max_jobs = max_jobs

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        """As Hydra's, but the launcher gets a task function that runs a chunk of runs per job."""
        # the default config's leaves go to the workers with the task, when the master config holds them
        defaults = sweep_default_leaves(config, hydra_context.config_loader)
        # a worker that runs several jobs of this sweep composes in full once (SweepConfigLoader)
        sweep_id = uuid.uuid4().hex
        hydra_context = HydraContext(config_loader=SweepConfigLoader(hydra_context.config_loader, sweep_id),
                                     callbacks=hydra_context.callbacks)
        task = ChunkTask(task_function, hydra_context, config, defaults, sweep_id)
        super().setup(hydra_context=hydra_context, task_function=task, config=config)
        self.launcher = _ChunkedLauncher(self.launcher, task, self)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Refuse the batch if one of its values cannot be composed (``ConfigCompositionException``, as Hydra)."""
        assert self.config is not None and self.hydra_context is not None
        jobs = [list(job) for job in batch]
        if not jobs:
            return
        if not self.params and prechecked(list(self.config.hydra.overrides.task)):
            log.debug(f"{len(jobs)} jobs: every value was checked by sahel-sim's pre-check")
            return
        first = jobs[0]
        if any(len(job) != len(first) for job in jobs):  # not a product of sweeps: check every job, as Hydra does
            super().validate_batch_is_legal(batch)
            return
        tic = time.perf_counter()
        loader = self.hydra_context.config_loader
        parser = OverridesParser.create(config_loader=loader)
        first_parsed = parser.parse_overrides(first)
        cfg = loader.load_sweep_config(master_config=self.config, sweep_overrides=first)
        compositions = 1
        groups = set(cfg.hydra.runtime.choices)
        for i, override in enumerate(first_parsed):
            others = [line for line in dict.fromkeys(job[i] for job in jobs) if line != first[i]]
            if not others:
                continue
            parsed = parser.parse_overrides(others)
            if any(o.get_key_element() != override.get_key_element() for o in parsed):  # keys differ by job
                super().validate_batch_is_legal(batch)
                return
            if self._composes(override, groups):
                for line in others:
                    loader.load_sweep_config(master_config=self.config,
                                             sweep_overrides=[*first[:i], line, *first[i + 1:]])
                    compositions += 1
            else:
                _apply_each(parsed, override, cfg)
        elapsed = time.perf_counter() - tic
        log.debug(f"Checked {len(jobs)} jobs in {elapsed:.2f} s, {compositions} of them composed in full")

    def _composes(self, override: Override, groups: set[str]) -> bool:
        """Whether a value of ``override``'s key can change what is composed (so each value is composed)."""
        assert self.hydra_context is not None
        return composes(override, self.hydra_context.config_loader, groups)

    def plan(self, batch: Sequence[Sequence[str]]) -> list[list[list[str]]]:
        """The batch's runs in chunks, one Hydra job each (``sahel_sim.analysis.batch.plan_chunks``)."""
        assert self.config is not None
        workers = launcher_workers(self.config.hydra.get("launcher"))
        chunks = chunk_count(len(batch), workers, self.chunk_size, self.max_jobs)
        finished = looks_finished(Path(str(self.config.hydra.sweep.dir)), batch)
        return plan_chunks(batch, finished, chunks)


class _ChunkedLauncher(Launcher):
    """The configured launcher, handed one job per chunk of a batch: the chunk's first run; the job runs the others
    (``ChunkTask``). Returns the chunk jobs' results."""

    def __init__(self, launcher: Launcher, task: ChunkTask, sweeper: SahelSweeper) -> None:
        self.launcher = launcher
        self.task = task
        self.sweeper = sweeper

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.launcher.setup(hydra_context=hydra_context, task_function=task_function, config=config)

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        chunks = self.sweeper.plan(job_overrides)
        # the launcher numbers its jobs initial_job_idx, initial_job_idx + 1, ...: the job numbered N runs chunk N
        self.task.chunks = {initial_job_idx + i: chunk for i, chunk in enumerate(chunks)}
        log.debug(f"{len(job_overrides)} runs in {len(chunks)} jobs")
        await_started()  # workers sahel-sim started ahead (sahel_sim.faces.prestart) have imported what jobs need
        return self.launcher.launch([chunk[0] for chunk in chunks], initial_job_idx=initial_job_idx)

    def __getattr__(self, name: str) -> Any:  # the wrapped launcher's own settings (n_jobs, params, ...)
        return getattr(self.launcher, name)


def _apply_each(values: list[Override], first: Override, cfg: DictConfig) -> None:
    """Apply each value of one config key to the composed ``cfg`` with Hydra's override code, then restore the
    first job's value (``key=value`` and ``++key=value`` overrides only: they set a value whatever was there)."""
    for value in values:
        ConfigLoaderImpl._apply_overrides_to_config([value], cfg)
    ConfigLoaderImpl._apply_overrides_to_config([first], cfg)
