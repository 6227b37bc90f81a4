"""Batched sweeps: many runs of a Hydra multirun per Hydra job (one SLURM array task, one joblib task).

A default run takes about half a second of model time; a Hydra job costs about as much again before its run
starts (Hydra composes the config again for every job: ~0.35 s; a SLURM array task also starts Python and imports
everything: ~2-3 s). So the sweeper (``hydra/sweeper=sahel``, ``hydra_plugins/sahel_sim_sweeper``) groups a
batch's runs into chunks and hands the launcher one job per chunk; the chunk's job, in its worker, runs its runs
one after the other:

* its first run is the Hydra job the launcher composed and started, exactly as without chunks;
* every further run's config is that composed config with only the swept keys set to the run's values, with
  Hydra's own override code (the same code a composition ends with), and runs through Hydra's own ``run_job``:
  the same run folder (``hydra.job.override_dirname``), the same ``.hydra/`` files, the same callbacks and the same
  task function, hence the same ``config.yaml``, fingerprint, ``summary.json`` or ``error.json`` as a job of its
  own. A swept key that can change what is composed (a config group, ``+key``, ``~key``, ``key@package``, a
  mapping, which Hydra merges) is composed in full, once per distinct combination in the chunk.

Which runs go together is planned by :func:`plan_chunks`: runs still to do are spread evenly over the chunks, and
so are the runs that look finished (their job only checks and skips them), so that a resumed sweep keeps every
worker busy. How many chunks (:func:`chunk_count`): ``hydra.sweeper.chunk_size`` runs each if set; otherwise
two per parallel worker of the launcher (joblib's ``n_jobs``, submitit's ``array_parallelism``, the CPUs for
``submitit_local``, one for the basic launcher), at most ``hydra.sweeper.max_jobs`` (50).
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: the most Hydra jobs (SLURM array tasks) a batch is split into unless ``chunk_size`` says otherwise
MAX_JOBS = 50
#: chunks per parallel worker when the chunk size is automatic: two, so that a worker that is done early takes
#: another chunk while one slower chunk finishes
CHUNKS_PER_WORKER = 2


# --- planning (in the sweeper's process) ----------------------------------------------------------------------


def launcher_workers(launcher: Any) -> int:
    """How many jobs a launcher runs at once, from its config node (``hydra.launcher``)."""
    target = str(launcher.get("_target_", "")) if launcher is not None else ""
    if target.endswith("JoblibLauncher"):
        return joblib_workers(int(launcher.get("n_jobs", -1) or -1))
    if target.endswith("SlurmLauncher"):
        return max(1, int(launcher.get("array_parallelism", 256) or 256))
    if target.endswith("LocalLauncher"):  # submitit_local starts every job at once, on this machine's CPUs
        return os.cpu_count() or 1
    if target.endswith("BasicLauncher"):
        return 1
    return MAX_JOBS  # another launcher: as many jobs as the cap allows


def joblib_workers(n_jobs: int) -> int:
    """How many processes joblib runs for ``n_jobs`` (its convention: -1 all CPUs, -2 all but one, ...)."""
    return max(1, n_jobs if n_jobs > 0 else (os.cpu_count() or 1) + 1 + n_jobs)


def chunk_count(runs: int, workers: int, chunk_size: int | None = None, max_jobs: int = MAX_JOBS) -> int:
    """How many Hydra jobs a batch of ``runs`` runs becomes: ``ceil(runs / chunk_size)`` when the chunk size is
    given; else two per worker (one for a launcher that runs one job at a time), at most ``max_jobs``."""
    if runs <= 0:
        return 0
    if chunk_size is not None:
        return math.ceil(runs / chunk_size)
    wanted = workers if workers <= 1 else CHUNKS_PER_WORKER * workers
    return max(1, min(runs, max_jobs, wanted))


#: the task overrides of the sweep command whose every value ``sahel-sim``'s pre-check composed or checked in this
#: process (``sahel_sim.faces.cli.precheck``): the sweeper need not compose them again before launching
_prechecked: tuple[str, ...] | None = None


def mark_prechecked(overrides: Sequence[str] | None) -> None:
    """Record that the command's pre-check has checked every value of these overrides (None: forget it)."""
    global _prechecked
    _prechecked = None if overrides is None else tuple(o for o in overrides if not o.startswith("hydra"))


def prechecked(task_overrides: Sequence[str]) -> bool:
    """Whether the sweep command with these task overrides (``hydra.overrides.task``) was pre-checked here."""
    return _prechecked is not None and tuple(task_overrides) == _prechecked


#: the sweeper's chunking settings, with the least value each allows
CHUNK_SETTINGS = {"hydra.sweeper.chunk_size": 1, "hydra.sweeper.max_jobs": 1}


def check_chunk_settings(values: dict[str, str]) -> None:
    """Refuse a chunk size or job cap that is not a whole number >= 1 (``null`` is allowed for the chunk size:
    automatic), with one line naming the setting, before the sweep starts."""
    from ..core.params import ConfigError

    for key, least in CHUNK_SETTINGS.items():
        text = values.get(key)
        if text is None or (key.endswith("chunk_size") and text in ("null", "None")):
            continue
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or number < least:
            allowed = "an integer >= 1 (runs per Hydra job), or null (automatic: two jobs per worker, at most " \
                "max_jobs)" if key.endswith("chunk_size") else "an integer >= 1 (Hydra jobs, SLURM array tasks)"
            raise ConfigError(key, f"{text!r} is not allowed; allowed: {allowed}")


def _split_evenly(items: list, parts: int) -> list[list]:
    """``items`` in ``parts`` consecutive pieces whose sizes differ by at most one."""
    size, extra = divmod(len(items), parts)
    pieces, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        pieces.append(items[start:end])
        start = end
    return pieces


def plan_chunks(jobs: Sequence[Sequence[str]], looks_finished: Sequence[bool], chunks: int) -> list[list[list[str]]]:
    """The batch's jobs in ``chunks`` chunks: the runs to do spread evenly (consecutive runs together, so that a
    chunk holds few distinct config-group values), then the runs that look finished spread evenly as well.
    Empty chunks are left out; every job is in exactly one chunk."""
    if not jobs:
        return []
    chunks = max(1, min(chunks, len(jobs)))
    todo = [list(j) for j, done in zip(jobs, looks_finished, strict=True) if not done]
    done = [list(j) for j, finished in zip(jobs, looks_finished, strict=True) if finished]
    plan = [a + b for a, b in zip(_split_evenly(todo, chunks), _split_evenly(done, chunks), strict=True)]
    return [chunk for chunk in plan if chunk]


def looks_finished(sweep_dir: Path, jobs: Sequence[Sequence[str]]) -> list[bool]:
    """Whether each job's run folder holds a finished run made by today's code (its job will check its config
    and skip it)."""
    from ..runner.provenance import made_by_current_code
    from .sweep import FINISHED, job_dirname

    folders = [sweep_dir / job_dirname(list(job)) for job in jobs]
    return [(f / FINISHED).exists() and made_by_current_code(f) for f in folders]


def only_values_of(overrides: Sequence[str], keys: Sequence[str], loader: Any, choices: Any = ()) -> bool:
    """Whether every override that is not a sweep sets a plain value (:func:`composes` says no) of a key under one
    of ``keys`` (top-level names)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create(config_loader=loader)
    return all(o.is_sweep_override() or (not composes(o, loader, choices) and o.key_or_group.split(".")[0] in keys)
               for o in parser.parse_overrides(list(overrides)))


def sweep_default_leaves(master_config: Any, loader: Any) -> dict[str, Any] | None:
    """The default config's leaves that a run's summary compares with (``differs_from_default``), read off the
    sweep's master config instead of composing the default again in every worker or array task (~0.3 s each).

    Hydra composes the master config from the primary config and the command's overrides that are not swept, so
    it holds the default config when the primary config is ``config``, no override moves the config search path,
    and every override that is not swept sets a plain value of a key the comparison leaves out (``output.*``,
    ``seed``, ``replicate``, ``design.file``, ...: ``sahel_sim.runner.defaults.UNCOMPARED_KEYS``; a design's row,
    swept, is applied in each run, never to these leaves, as when the default is composed). None otherwise (the
    workers compose the default as before), or if the master config does not convert."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from ..core.params import ConfigError
    from ..runner.defaults import UNCOMPARED_KEYS, compared_leaves
    from .schema import SahelConfig

    if str(master_config.hydra.job.get("config_name")) != "config":
        return None
    parser = OverridesParser.create(config_loader=loader)
    hydra_overrides = parser.parse_overrides(list(master_config.hydra.overrides.hydra))
    if any(o.key_or_group == "hydra.searchpath" for o in hydra_overrides):
        return None
    if not only_values_of(list(master_config.hydra.overrides.task), UNCOMPARED_KEYS, loader,
                          set(master_config.hydra.runtime.choices)):
        return None
    import dataclasses

    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    if OmegaConf.get_type(master_config) is not SahelConfig:
        return None
    try:  # section by section: each is composed onto its own dataclass already (no merge, unlike to_config)
        sections = {}
        for f in dataclasses.fields(SahelConfig):
            node = master_config._get_node(f.name)
            sections[f.name] = OmegaConf.to_object(node) if OmegaConf.is_config(node) else master_config[f.name]
        return compared_leaves(SahelConfig(**sections))
    except (ConfigError, OmegaConfBaseException):
        return None


# --- running a chunk (in the worker) --------------------------------------------------------------------------


def composes(override: Any, loader: Any, choices: Any = ()) -> bool:
    """Whether a value of ``override``'s key can change what Hydra composes, so that a config for it is composed
    in full rather than set on a composed one: a config group, ``+key``/``++key``/``~key``, ``key@package``, the
    config search path, a Hydra setting, or a mapping (Hydra merges a mapping into what is there)."""
    key = override.key_or_group
    if (override.package is not None or override.is_add() or override.is_force_add() or override.is_delete()
            or override.is_hydra_override() or key == "hydra.searchpath" or key in choices
            or loader.repository.group_exists(key)):
        return True
    return isinstance(override.value(), dict)


class _Composed:
    """One composed full config of a chunk (task and ``hydra`` node), set in place from run to run: the overrides
    it holds now, the task part Hydra hands the task function, and the YAML text of each top-level section of
    the task part (``.hydra/config.yaml`` is their concatenation; a run re-dumps only the sections it changes)."""

    def __init__(self, full: Any, parsed: list, task: Any = None):
        from omegaconf import OmegaConf, open_dict, read_write

        self.full = copy.deepcopy(full)
        OmegaConf.set_readonly(self.full.hydra, False)
        self.task = _copied(task) if task is not None else None
        if self.task is None:
            self.task = copy.deepcopy(self.full)
            with read_write(self.task), open_dict(self.task):
                del self.task["hydra"]
        self.parsed = parsed
        self.sections: dict[str, str] = {}
        #: the YAML of each entry of the ``hydra`` node that a run does not change (``.hydra/hydra.yaml``)
        self.hydra_sections: dict[str, str] = {}

    def read_task_yaml(self, path: Path) -> None:
        """Take the YAML of each top-level section from ``path``, the ``.hydra/config.yaml`` Hydra wrote for the
        config as it holds now (the chunk's first run), instead of dumping them again; taken only when the file
        cuts into the task part's sections, in order, exactly."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return
        keys = [str(k) for k in self.task]
        starts: list[int] = []
        for key in keys:  # each section starts at a line's start, after the one before it
            if not starts:
                at = 0 if text.startswith(f"{key}:") else -1
            else:
                found = text.find(f"\n{key}:", starts[-1])
                at = found + 1 if found >= 0 else -1
            if at < 0:
                return
            starts.append(at)
        if not keys:
            return
        pieces = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
        if "".join(pieces) == text and all(piece.endswith("\n") for piece in pieces):
            self.sections = dict(zip(keys, pieces, strict=True))

    def set_values(self, parsed: list) -> None:
        """Set the values in which ``parsed`` (the same keys) differs from what the config holds now."""
        from hydra._internal.config_loader_impl import ConfigLoaderImpl
        from omegaconf import OmegaConf

        from .schema import changed as schema_changed

        changed = [o for o, b in zip(parsed, self.parsed, strict=True) if o.input_line != b.input_line]
        if changed:
            OmegaConf.set_readonly(self.full.hydra, False)
            ConfigLoaderImpl._apply_overrides_to_config(changed, self.full)
            ConfigLoaderImpl._apply_overrides_to_config(changed, self.task)
            sections = {o.key_or_group.split(".")[0] for o in changed}
            for key in sections:
                self.sections.pop(key, None)
            schema_changed(self.task, sections)  # its conversion to dataclasses converts only these again
            _set_job_identity(self.full, parsed)
        self.parsed = parsed

    #: the entries of the ``hydra`` node a run changes (its job's identity, overrides and output folder); Hydra's
    #: own settings (launcher, sweeper, logging, ...) cannot be swept, so the others stay as composed
    RUN_HYDRA_KEYS = ("job", "overrides", "runtime")

    def hydra_yaml(self, hydra_cfg: Any) -> str:
        """``OmegaConf.to_yaml(hydra_cfg)`` of the ``hydra`` node as ``HydraConfig`` holds it, as Hydra writes
        ``.hydra/hydra.yaml`` (the same bytes): the entries a run changes are dumped anew, the others once."""
        from omegaconf import OmegaConf

        node = hydra_cfg.hydra
        if list(hydra_cfg) != ["hydra"] or not OmegaConf.is_dict(node):
            return OmegaConf.to_yaml(hydra_cfg)
        parts = ["hydra:\n"]
        for key in node:
            text = self.hydra_sections.get(key) if key not in self.RUN_HYDRA_KEYS else None
            if text is None:
                text = _entry_yaml(hydra_cfg, "hydra", key).removeprefix("hydra:\n")
                if key not in self.RUN_HYDRA_KEYS:
                    self.hydra_sections[key] = text
            parts.append(text)
        return "".join(parts)

    def task_yaml(self) -> str:
        """``OmegaConf.to_yaml`` of the task part, as Hydra writes ``.hydra/config.yaml`` (the same bytes: a block
        mapping's YAML is its top-level entries' YAML one after the other)."""
        for key in self.task:
            if key not in self.sections:
                self.sections[key] = _entry_yaml(self.task, None, key)
        return "".join(self.sections[key] for key in self.task)


def _copied(task: Any) -> Any:
    """A copy of a task config (no ``hydra`` node) through pickle: the same config as a deep copy (OmegaConf pickles
    its nodes, flags and types), in about 0.03 s instead of 0.05 s; None if it does not pickle."""
    import pickle

    try:
        return pickle.loads(pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - a type pickle cannot find (Hydra's plugins load some modules twice)
        return None


def _entry_yaml(config: Any, parent: str | None, key: str) -> str:
    """The YAML of one entry of a config's mapping (the root's, or its ``parent`` section's), nested as the whole
    config's dump holds it: a block mapping's YAML is its entries' YAML one after the other."""
    import yaml
    from omegaconf import OmegaConf
    from omegaconf._utils import get_omega_conf_dumper

    mapping = config if parent is None else config._get_node(parent)
    node = mapping._get_node(key)
    if OmegaConf.is_config(node) and not node._is_interpolation():  # a section: dumped on its own
        value = OmegaConf.to_container(node, resolve=False, enum_to_str=True)
    else:  # a value (or an interpolation)
        value = OmegaConf.to_container(OmegaConf.masked_copy(mapping, [key]), resolve=False, enum_to_str=True)[key]
    tree = {key: value} if parent is None else {parent: {key: value}}
    return yaml.dump(tree, default_flow_style=False, allow_unicode=True, sort_keys=False,
                     Dumper=get_omega_conf_dumper())


class SweepConfigs:
    """The configs one process has composed for a sweep's runs, set in place from run to run: a run whose
    overrides differ from a composed config only in plain values gets that config with those values set (Hydra's
    override code); any other run is composed in full by Hydra's config loader, once per distinct set of composing
    overrides, and then reused in the same way. Shared by the chunks a worker runs (:func:`sweep_configs`), so a
    worker composes in full once per sweep, not once per Hydra job."""

    def __init__(self, loader: Any, master_config: Any):
        from hydra.core.override_parser.overrides_parser import OverridesParser

        self.loader = loader
        self.master_config = master_config
        self.parser = OverridesParser.create(config_loader=loader)
        self.choices: set[str] | None = None  # the config groups chosen, from the first composition
        self.composed: dict[tuple, _Composed] = {}

    def _key(self, parsed: list) -> tuple | None:
        """Runs with the same key can share one composed config (None: compose this run in full)."""
        keys = [o.key_or_group for o in parsed]
        for a in keys:  # a.b and a.b.c in one run: the order of setting them matters; compose it
            if any(b != a and b.startswith(a + ".") for b in keys):
                return None
        return tuple(keys), tuple(o.input_line for o in parsed if composes(o, self.loader, self.choices or ()))

    def add(self, overrides: Sequence[str], config: Any, record: Path | None = None, task: Any = None) -> _Composed:
        """Keep a copy of ``config``, which Hydra composed for a run with ``overrides``, for the runs after it, and
        return the copy kept (the one already kept for such runs; a copy of its own for a run no other can share).
        ``record``: the ``.hydra/config.yaml`` Hydra wrote for that run, whose sections a new copy takes; ``task``:
        the task config Hydra gave that run (``config`` without its ``hydra`` node), copied rather than made again."""
        if self.choices is None:
            self.choices = set(config.hydra.runtime.choices)
        parsed = self.parser.parse_overrides(list(overrides))
        key = self._key(parsed)
        if key is not None and key in self.composed:
            return self.composed[key]
        composed = _Composed(config, parsed, task)
        if record is not None:
            composed.read_task_yaml(record)
        if key is not None:
            self.composed[key] = composed
        return composed

    def config_for(self, overrides: Sequence[str]) -> _Composed | None:
        """The composed config of the run with ``overrides`` made from one this process holds (set in place), or
        None when the run must be composed in full."""
        if self.choices is None:
            return None
        parsed = self.parser.parse_overrides(list(overrides))
        key = self._key(parsed)
        composed = self.composed.get(key) if key is not None else None
        if composed is not None:
            composed.set_values(parsed)
        return composed

    def from_master(self, overrides: Sequence[str]) -> Any | None:
        """The full config of the sweep's job with ``overrides``, made from the sweep's master config (which Hydra
        composed from the command line's overrides, each swept key at its default) by setting the job's values
        with Hydra's override code, as a chunk's further runs are set: a copy (~0.08 s) instead of a composition
        (~0.35 s). None (compose it in full) unless the job's overrides are the command line's keys in its order,
        each a plain value where the command line sweeps it and the very same value where it does not, and
        nothing in the master config was left out of its composition (a missing config group)."""
        from hydra._internal.config_loader_impl import ConfigLoaderImpl
        from omegaconf import OmegaConf

        master = self.master_config
        if any(str(choice) == "???" for choice in master.hydra.runtime.choices.values()):
            return None
        parsed = self.parser.parse_overrides(list(overrides))
        command = self.parser.parse_overrides(list(master.hydra.overrides.task))
        if [o.key_or_group for o in parsed] != [o.key_or_group for o in command] or self._key(parsed) is None:
            return None
        choices = set(master.hydra.runtime.choices)
        changed = []
        for job, line in zip(parsed, command, strict=True):
            if job.is_sweep_override():
                return None
            if not line.is_sweep_override():  # set in the master config: the job's must be the same value
                # (the sweeper writes it anew: output.quiet=true comes back as output.quiet=True)
                same = (job.input_line == line.input_line
                        or (type(job.value()) is type(line.value()) and job.value() == line.value()
                            and job.get_key_element() == line.get_key_element()))
                if not same:
                    return None
                continue
            if composes(job, self.loader, choices) or composes(line, self.loader, choices):
                return None  # a swept config group (or +key, ...): composed in full
            changed.append(job)
        config = copy.deepcopy(master)
        OmegaConf.set_readonly(config.hydra, False)
        ConfigLoaderImpl._apply_overrides_to_config(changed, config)
        _set_job_identity(config, parsed)
        return config

    def compose(self, overrides: Sequence[str]) -> _Composed:
        """The run's composed config: set from one this process holds, or composed in full by Hydra and kept."""
        composed = self.config_for(overrides)
        if composed is None:
            composed = self.add(overrides, self.loader.load_sweep_config(self.master_config, list(overrides)))
        return composed


#: this process's composed configs of the sweep it runs (its id and its :class:`SweepConfigs`)
_sweep_configs: tuple[str, SweepConfigs] | None = None


def sweep_configs(sweep_id: str, loader: Any, master_config: Any) -> SweepConfigs:
    """This process's :class:`SweepConfigs` of the sweep ``sweep_id`` (a new sweep replaces the last one's)."""
    global _sweep_configs
    if _sweep_configs is None or _sweep_configs[0] != sweep_id:
        _sweep_configs = (sweep_id, SweepConfigs(loader, master_config))
    return _sweep_configs[1]


class SweepConfigLoader:
    """Hydra's config loader as a chunked sweep's launcher uses it to compose each Hydra job's first run: a job whose
    overrides differ only in plain values from a config this process's chunks kept for the sweep
    (:class:`SweepConfigs`) gets that config with its values set, the way the further runs of a chunk get theirs,
    instead of Hydra's full composition (about 0.35 s). A joblib worker runs several jobs of a sweep; each after a
    chunk of more than one run then starts without composing. Hydra gets a copy it may change. Any other job whose
    swept keys are plain values (the usual sweep: seeds, replicates, parameter values) is made from the sweep's
    master config (:meth:`SweepConfigs.from_master`), a copy with its values set; only the rest (a swept config
    group, ``+key``, a sweep defined in the sweeper's ``params``) is composed in full. None of these is kept here:
    a chunk keeps its first run's config only when it has further runs. Everything else is the wrapped loader's."""

    def __init__(self, loader: Any, sweep_id: str):
        self.loader = loader
        self.sweep_id = sweep_id

    def load_sweep_config(self, master_config: Any, sweep_overrides: list[str]) -> Any:
        configs = sweep_configs(self.sweep_id, self.loader, master_config)
        composed = configs.config_for(sweep_overrides)
        if composed is not None:
            return copy.deepcopy(composed.full)
        config = configs.from_master(sweep_overrides)
        if config is not None:
            return config
        return self.loader.load_sweep_config(master_config, list(sweep_overrides))

    def __getattr__(self, name: str) -> Any:  # everything else: the wrapped loader's
        if name == "loader":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.loader, name)


class ChunkRunner:
    """Runs a chunk's further runs in the worker that ran its first one, from the configs this process composed
    for the sweep (:class:`SweepConfigs`); each run then goes through the steps of Hydra's ``run_job``
    (:meth:`run`)."""

    def __init__(self, hydra_context: Any, task_function: Callable, configs: SweepConfigs,
                 first_overrides: Sequence[str], first_config: Any, first_task: Any = None):
        self.hydra_context = hydra_context
        self.task_function = task_function
        self.configs = configs
        subdir = first_config.hydra.output_subdir
        record = None if subdir is None else Path(str(first_config.hydra.runtime.output_dir)) / str(subdir) / \
            "config.yaml"
        configs.add(first_overrides, first_config, record, first_task)

    def config_for(self, overrides: Sequence[str], job_num: int, job_id: str) -> _Composed:
        """The composed config of the run with ``overrides``, as the launcher would compose it, with the chunk's
        Hydra job's number and id (its first run's: ``job_num``, ``job_id``)."""
        from omegaconf import open_dict

        composed = self.configs.compose(overrides)
        with open_dict(composed.full.hydra):
            composed.full.hydra.job.id = job_id
            composed.full.hydra.job.num = job_num
        return composed

    def run(self, composed: _Composed) -> Any:
        """One run as Hydra's ``run_job`` runs a job (the run folder from ``hydra.sweep.dir`` and
        ``hydra.sweep.subdir``, the Hydra config of the run while it runs, ``.hydra/config.yaml``, ``hydra.yaml``
        and ``overrides.yaml``, ``hydra.job.env_set``, the callbacks' ``on_job_start`` and ``on_job_end``, a
        task's exception as a failed ``JobReturn``), without copying the config twice a run: the task function
        must not change the config it is given (sahel_sim's does not; the byte-identity tests would show it).
        With ``hydra.job.chdir`` Hydra's own ``run_job`` runs it."""
        from hydra.core.hydra_config import HydraConfig
        from hydra.core.utils import JobReturn, JobRuntime, JobStatus, _flush_loggers, env_override, run_job
        from omegaconf import OmegaConf, open_dict, read_write

        from .schema import track

        config = composed.full
        if config.hydra.job.chdir:
            return run_job(hydra_context=self.hydra_context, task_function=self.task_function,
                           config=copy.deepcopy(config), job_dir_key="hydra.sweep.dir",
                           job_subdir_key="hydra.sweep.subdir", configure_logging=False)
        callbacks = self.hydra_context.callbacks
        hydra_state = HydraConfig.instance()
        previous = hydra_state.cfg
        try:
            hydra_state.set_config(config)  # the folder's keys may read it (${hydra:...})
            output_dir = Path(str(OmegaConf.select(config, "hydra.sweep.dir"))) / str(
                OmegaConf.select(config, "hydra.sweep.subdir"))
            hydra_cfg = hydra_state.cfg
            # the run's folder, in the config and in Hydra's copy of its node (as set_config would copy it again)
            for runtime in (config.hydra.runtime, hydra_cfg.hydra.runtime):
                with read_write(runtime), open_dict(runtime):
                    runtime.output_dir = os.path.abspath(output_dir)
            output_dir.mkdir(parents=True, exist_ok=True)
            ret = JobReturn(overrides=list(config.hydra.overrides.task), cfg=composed.task, hydra_cfg=hydra_cfg,
                            working_dir=os.getcwd())
            if config.hydra.output_subdir is not None:
                record = Path(config.hydra.runtime.output_dir) / str(config.hydra.output_subdir)
                record.mkdir(parents=True, exist_ok=True)
                for name, text in (("config.yaml", composed.task_yaml()),
                                   ("hydra.yaml", composed.hydra_yaml(hydra_cfg)),
                                   ("overrides.yaml", OmegaConf.to_yaml(config.hydra.overrides.task))):
                    with open(record / name, "w", encoding="utf-8") as file:
                        file.write(text)
            with env_override(hydra_cfg.hydra.job.env_set):
                callbacks.on_job_start(config=config, task_function=self.task_function)
                track(composed.task)  # set in place from run to run: converted section by section
                try:
                    ret.return_value = self.task_function(composed.task)
                    ret.status = JobStatus.COMPLETED
                except Exception as exc:  # noqa: BLE001 - as Hydra: the job's failure is its return value
                    ret.return_value = exc
                    ret.status = JobStatus.FAILED
            ret.task_name = JobRuntime.instance().get("name")
            _flush_loggers()
            callbacks.on_job_end(config=config, job_return=ret)
            return ret
        finally:
            hydra_state.cfg = previous


def _set_job_identity(config: Any, parsed: list) -> None:
    """What Hydra's composition records about the job's own overrides: ``hydra.overrides.task`` and
    ``hydra.job.override_dirname`` (hence the run folder)."""
    from hydra._internal.config_loader_impl import get_overrides_dirname
    from omegaconf import open_dict

    task = [o for o in parsed if not o.is_hydra_override()]
    dirname = config.hydra.job.config.override_dirname
    with open_dict(config.hydra):
        config.hydra.overrides.task = [o.input_line for o in task]
        config.hydra.job.override_dirname = get_overrides_dirname(
            overrides=task, kv_sep=dirname.kv_sep, item_sep=dirname.item_sep, exclude_keys=list(dirname.exclude_keys))


class ChunkTask:
    """The task function a chunked sweep gives its launcher: the Hydra job numbered N runs its own run with the
    application's task function, then the other runs of chunk N (:attr:`chunks`, set by the sweeper before each
    launch) with a :class:`ChunkRunner`. A run that fails leaves its ``error.json`` (the application's task
    function contains it) and the chunk goes on; an interrupt stops the chunk."""

    def __init__(self, task_function: Callable, hydra_context: Any, master_config: Any,
                 default_leaves: dict[str, Any] | None = None, sweep_id: str = ""):
        self.task_function = task_function
        #: which sweep this is, for the configs a worker keeps from job to job (:func:`sweep_configs`)
        self.sweep_id = sweep_id
        self.hydra_context = hydra_context
        self.master_config = master_config
        self.chunks: dict[int, list[list[str]]] = {}
        #: the default config's compared leaves, from the master config (:func:`sweep_default_leaves`), or None
        self.default_leaves = default_leaves

    def __call__(self, task_cfg: Any) -> Any:
        from hydra.core.hydra_config import HydraConfig

        if self.default_leaves is not None:  # the worker need not compose the default config for the summaries
            from ..runner.defaults import remember_default_leaves
            from .schema import SahelConfig

            remember_default_leaves(SahelConfig, self.default_leaves)
        hydra_cfg = HydraConfig.get()
        job_num = int(hydra_cfg.job.num)
        chunk = self.chunks.get(job_num, [])
        first_error: Exception | None = None
        _freeze_imports()
        try:
            result = self.task_function(task_cfg)
        except Exception as exc:  # noqa: BLE001 - reported as this job's failure after the chunk's other runs
            first_error, result = exc, None
        if len(chunk) > 1:
            _freeze_long_lived()
            # the full config Hydra composed for this job: the parent Hydra gives the hydra node it keeps
            first_config = HydraConfig.instance().cfg.hydra._get_parent()
            loader = self.hydra_context.config_loader
            configs = sweep_configs(self.sweep_id, getattr(loader, "loader", loader), self.master_config)
            runner = ChunkRunner(self.hydra_context, self.task_function, configs, chunk[0], first_config, task_cfg)
            for overrides in chunk[1:]:
                try:
                    composed = runner.config_for(overrides, job_num, hydra_cfg.job.id)
                except Exception as exc:  # noqa: BLE001 - a run whose config cannot be made fails alone
                    _record_failure(Path(str(self.master_config.hydra.sweep.dir)), overrides, exc)
                    continue
                runner.run(composed)
        if first_error is not None:
            raise first_error
        return result


_imports_frozen = False
_first_run_frozen = False


def _freeze_imports() -> None:
    """Once per worker process, before its first run: what is alive now (the imports, Hydra's state, the job just
    unpickled) lives as long as the worker, so the garbage collector stops walking it in every full collection,
    as ``sahel-sim``'s own process does (``cli.main``; a loky or SLURM worker never ran it). Frozen without a
    collection first: one would walk every import (0.02-0.05 s) to free the few objects of the job's unpickling,
    which then stay (kilobytes)."""
    global _imports_frozen
    if not _imports_frozen:
        import gc

        gc.freeze()
        _imports_frozen = True


def _freeze_long_lived() -> None:
    """Once per worker process, before a chunk's second run: what the first run left alive (the composed configs,
    the map's and the config's caches) lives as long as the worker too, and is frozen after a collection that frees
    the first run's garbage (it walks that run's objects only, the imports being frozen already).

    The collector's thresholds stay CPython's: a finished model is cyclic garbage that some collection must walk
    once whatever the thresholds (measured, docs/performance.md, Session 12: rarer full collections left the
    time per run as it was and tripled a worker's memory; a larger young generation slowed the model itself)."""
    global _first_run_frozen
    if not _first_run_frozen:
        import gc

        gc.collect()
        gc.freeze()
        _first_run_frozen = True


def _record_failure(sweep_dir: Path, overrides: list[str], exc: Exception) -> None:
    """``error.json`` for a run whose config could not be composed (it never reached the task function)."""
    import traceback

    import yaml

    from .sweep import FAILED, _atomic_json, job_dirname, tell

    folder = sweep_dir / job_dirname(overrides)
    (folder / ".hydra").mkdir(parents=True, exist_ok=True)
    # the overrides, where Hydra records them, so that the sweep's collection lists the run as failed
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(list(overrides)))
    _atomic_json(folder / FAILED, {"overrides": overrides, "error": f"{type(exc).__name__}: {exc}",
                                   "traceback": traceback.format_exc()})
    tell(f"sahel-sim: run {folder.name} failed: {type(exc).__name__}: {exc} (see {folder / FAILED})")
