"""The Python entry points: compose a config from the same Hydra configs as the CLI, run it, write its outputs.

    >>> import sahel_sim
    >>> result = sahel_sim.run(["mechanisms.rivalry.enabled=false"], seed=3)
    >>> result.attacks.groupby("camp").spectacular.sum()

The CLI (:mod:`sahel_sim.cli`) is built on these functions, so the two always agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from .config import SimConfig, validated
from .params import ConfigError

SCHEMA_NAME = "sahel_sim_schema"


def config_dir() -> Path:
    """The folder holding the Hydra configs: packaged in the wheel, or the repository's ``configs/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "configs", here.parent / "configs"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"no configs/config.yaml next to {here} or in {here.parent}")


def register_schema() -> None:
    """Register the structured schema in Hydra's ConfigStore (idempotent: stored once per process, since
    building the schema's node takes ~0.1 s and every :func:`compose` asks for it)."""
    from hydra.core.config_store import ConfigStore

    from .defaults import register_resolvers

    register_resolvers()
    store = ConfigStore.instance()
    stored = store.repo.get(f"{SCHEMA_NAME}.yaml")
    if stored is not None and OmegaConf.get_type(stored.node) is SimConfig:
        return
    store.store(name=SCHEMA_NAME, node=SimConfig)


def to_sim_config(cfg: DictConfig) -> SimConfig:
    """The validated dataclass tree of a composed config (Hydra's own node removed)."""
    from omegaconf.errors import OmegaConfBaseException

    try:
        if OmegaConf.get_type(cfg) is SimConfig and "hydra" not in cfg:
            import dataclasses

            known = [f.name for f in dataclasses.fields(SimConfig)]  # in the schema's order, the same in every process
            for key in cfg:  # a key forced in with '+' is kept by Hydra; the schema does not know it
                if key not in known:
                    raise ConfigError(str(key), f"is not a setting of sahel_sim; allowed keys: {', '.join(known)}")
            sim_config = OmegaConf.to_object(cfg)  # composed on the schema already: no second merge
        else:
            container = OmegaConf.to_container(cfg, resolve=True)
            container.pop("hydra", None)
            merged = OmegaConf.merge(OmegaConf.structured(SimConfig), container)
            sim_config = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise config_error(exc) from None
    from .sensitivity import apply_design_row

    apply_design_row(sim_config)
    if sim_config.replicate >= 0:
        from .sweep import derive_seed

        sim_config.seed = derive_seed(sim_config.base_seed, sim_config.replicate)
    return validated(sim_config)


def compose(overrides: list[str] | None = None, config_name: str = "config") -> DictConfig:
    """Compose the run's config from ``configs/`` with Hydra overrides, exactly as the CLI does."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    register_schema()
    import yaml

    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=list(overrides or []))
    except (HydraException, OmegaConfBaseException, yaml.YAMLError) as exc:
        raise config_error(exc) from None


def load_config(overrides: list[str] | None = None, seed: int | None = None) -> SimConfig:
    """A validated :class:`SimConfig` composed from the configs with overrides (and an optional seed)."""
    overrides = list(overrides or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    return to_sim_config(compose(overrides))


@dataclass
class RunResult:
    """A finished run: its tables as DataFrames, its summary, its config, and where it was written."""

    config: SimConfig
    factions: pd.DataFrame
    world: pd.DataFrame
    attacks: pd.DataFrame
    claims: pd.DataFrame
    events: pd.DataFrame
    summary: dict
    out_dir: Path | None = None
    wall_time_s: float = 0.0
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        """One line a reader can take in: scenario, seed, weeks, the main totals, what differs from the default
        config, and where it was written (the whole config is ``result.config``)."""
        s = self.summary
        camps = ", ".join(f"{c} {n}" for c, n in s.get("spectacular_by_camp", {}).items())
        changed = s.get("differs_from_default") or []
        where = str(self.out_dir) if self.out_dir is not None else "not written"
        return (f"RunResult(scenario={s.get('scenario')!r}, seed={s.get('seed')}, weeks={s.get('weeks')} "
                f"({s.get('start')} .. {s.get('end')}), attacks={s.get('attacks')}, "
                f"spectacular={s.get('spectacular_attacks')}{f' ({camps})' if camps else ''}, "
                f"killed={s.get('killed_in_attacks')}, splits={s.get('splits')}, pledges={s.get('pledges')}, "
                f"changed=[{', '.join(changed)}], out_dir={where})")


def run(overrides: list[str] | None = None, seed: int | None = None, out_dir: str | Path | None = None,
        config: SimConfig | None = None, figure: bool | None = None) -> RunResult:
    """Run one simulation and return its tables; with ``out_dir``, also write them there."""
    from .model import SahelModel
    from .outputs import build_tables, summarise, write_run

    sim_config = config if config is not None else load_config(overrides, seed)
    if config is not None and seed is not None:
        sim_config.seed = seed
    t0 = time.perf_counter()
    model = SahelModel(sim_config).run()
    wall = time.perf_counter() - t0
    tables = build_tables(model)
    summary = summarise(model, tables)
    result = RunResult(sim_config, tables["factions"], tables["world"], tables["attacks"], tables["claims"],
                       tables["events"], summary, wall_time_s=wall)
    if out_dir is not None:
        want_figure = sim_config.output.figure if figure is None else figure
        result.out_dir = write_run(model, tables, summary, Path(out_dir), wall, figure=want_figure)
    return result


def _chain(exc: BaseException):
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


def _yaml_error(exc: BaseException) -> ConfigError | None:
    """A malformed YAML file, as one line: the config group it belongs to, the file, line and column."""
    import yaml

    err = next((e for e in _chain(exc) if isinstance(e, yaml.YAMLError)), None)
    if err is None:
        return None
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    where = f"{mark.name}, line {mark.line + 1}, column {mark.column + 1}" if mark else "a config file"
    path = Path(mark.name) if mark and mark.name and not mark.name.startswith("<") else None
    field = path.parent.name if path is not None and path.parent.name else "config"
    problem = str(getattr(err, "problem", "") or err).strip().splitlines()[0]
    return ConfigError(field, f"malformed YAML in {where}: {problem}; allowed: valid YAML (indent with spaces)")


def _override_key(text: str) -> tuple[str, str] | None:
    """(key, value) of the override named in a Hydra message ("Error merging override KEY=VALUE", ...)."""
    import re

    m = re.search(r"(?:override|overriding) '?([+~]*[\w./@-]+)=(.*?)'?$", text.splitlines()[0])
    if m:
        return m.group(1).lstrip("+~"), m.group(2)
    m = re.search(r"Could not override '([\w./@-]+)'", text)
    return (m.group(1), "") if m else None


def _override_value(text: str):
    """The value of a ``key=value`` override as Hydra parses it (None if it does not parse)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        return OverridesParser.create().parse_override(text).value()
    except Exception:  # noqa: BLE001 - only a hint for locating the field
        return None


def config_error(exc: BaseException) -> ConfigError:
    """One clear ConfigError (field, what is wrong, what is allowed) from a Hydra or OmegaConf exception."""
    import dataclasses
    import re

    found = _yaml_error(exc)
    if found is not None:
        return found
    # the deepest OmegaConf error carries the field (full_key) and the plain message
    cause = next((e for e in _chain(exc) if hasattr(e, "full_key")), exc)
    text = str(cause).strip()
    key = getattr(cause, "full_key", None)
    key = "" if key is None else str(key)
    outer = str(exc).strip()
    if "raised while composing config:" in outer:  # Hydra's wrapper of an error inside a config file
        group = re.match(r"In '([^']+)'", outer)
        text = "\n".join(outer.splitlines()[1:])
        m = re.search(r"full_key: (\S+)", text)
        key = m.group(1) if m else (group.group(1).split("/")[0] if group else "config")
    message = text.splitlines()[0] if text else type(cause).__name__
    override = _override_key(str(exc))
    if override:
        okey, value = override
        if not key or okey.startswith(key):  # nothing, or the missing part of the override's own path
            key = key or okey
        elif key.isdigit():  # an item of a list
            key = f"{okey}[{key}]"
        elif not key.startswith(okey):  # a field inside a list of records: find the record holding it
            items = _override_value(f"{okey}={value}")
            first = key.split(".")[0]
            index = next((i for i, it in enumerate(items) if isinstance(it, dict) and first in it), None) \
                if isinstance(items, list) else None
            key = f"{okey}[{index}].{key}" if index is not None else f"{okey}.{key}"
    if "not in" in message:
        owner = getattr(cause, "object_type", None)
        if dataclasses.is_dataclass(owner):
            message += f"; allowed keys: {', '.join(f.name for f in dataclasses.fields(owner))}"
    elif "Could not find '" in message or "Cannot find primary config" in message:
        missing = re.search(r"(?:Could not find|Cannot find primary config) '([^']+)'", message).group(1)
        group = missing.rsplit("/", 1)[0] if "/" in missing else ""
        options = sorted(p.stem for p in (config_dir() / group).glob("*.yaml")) if group else ["config"]
        key = group or "config_name"
        message = f"no config {missing!r}; allowed: {', '.join(options)}"
    elif "Cannot merge DictConfig with ListConfig" in message:
        message = "a list where a mapping belongs; allowed: a mapping of names to entries"
    if not key:
        key = "overrides"
    return ConfigError(str(key), message)


# --- reading finished runs and sweeps back --------------------------------------------------------------------


def _read_config(path: Path) -> SimConfig:
    """The SimConfig of a run folder's ``config.yaml`` (merged onto the schema, so types are restored)."""
    import yaml

    raw = yaml.safe_load(path.read_text()) or {}
    merged = OmegaConf.merge(OmegaConf.structured(SimConfig), OmegaConf.create(_plain(raw)))
    return OmegaConf.to_object(merged)


def _plain(value):
    """YAML-loaded values OmegaConf accepts (dates, as ``yaml.safe_load`` makes them, back to ISO strings)."""
    import datetime as dt

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _read_table(path: Path) -> pd.DataFrame:
    """A run table as it was written: Parquet has no second resolution, so ``datetime64[s]`` columns come back as
    ``datetime64[ms]``; the dtype pandas recorded in the file's metadata is restored."""
    import json

    import pyarrow.parquet as pq

    df = pd.read_parquet(path)
    meta = pq.read_schema(path).metadata or {}
    columns = json.loads(meta.get(b"pandas", b"{}")).get("columns", [])
    for col in columns:
        name, numpy_type = col.get("name"), str(col.get("numpy_type", ""))
        if name in df.columns and numpy_type.startswith("datetime64[") and str(df[name].dtype) != numpy_type:
            df[name] = df[name].astype(numpy_type)
    return df


def _int_keys(value):
    """A summary as :func:`run` returns it: JSON made its year keys strings; they are ints again."""
    if isinstance(value, dict):
        return {int(k) if isinstance(k, str) and k.isdigit() else k: _int_keys(v) for k, v in value.items()}
    return value


@dataclass
class SweepResult:
    """A sweep folder read back: its metrics (one row per run and metric) and runs (status per run) tables."""

    sweep_dir: Path
    metrics: pd.DataFrame
    runs: pd.DataFrame

    def run(self, name: str) -> RunResult:
        """Load one run of the sweep by its folder name (a value of ``runs["run"]``)."""
        return load(self.sweep_dir / name)

    def metric(self, name: str) -> pd.DataFrame:
        """The rows of one metric (e.g. ``"spectacular_attacks"``): one per run, parameters and seed as columns."""
        return self.metrics[self.metrics["metric"] == name].drop(columns="metric").reset_index(drop=True)


def load(path: str | Path) -> RunResult | SweepResult:
    """Read a finished run folder back into a :class:`RunResult`, or a sweep folder into a :class:`SweepResult`.

    A run folder holds ``summary.json`` (written last, the mark of a finished run), the tables and
    ``config.yaml``; a sweep folder holds Hydra's ``multirun.yaml`` (or run folders below it).
    """
    import json

    from .outputs import FINISHED_MARKER, TABLES

    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"no run or sweep folder {path}")
    if (path / FINISHED_MARKER).is_file():
        tables = {name: _read_table(path / f"{name}.parquet") for name in TABLES}
        summary = _int_keys(json.loads((path / FINISHED_MARKER).read_text()))
        config = _read_config(path / "config.yaml")
        wall = 0.0
        if (path / "run.json").is_file():
            wall = float(json.loads((path / "run.json").read_text()).get("wall_time_s", 0.0))
        return RunResult(config, tables["factions"], tables["world"], tables["attacks"], tables["claims"],
                         tables["events"], summary, out_dir=path, wall_time_s=wall)
    from .sweep import collect, run_folders

    if (path / "multirun.yaml").is_file() or run_folders(path):
        collection = collect(path, write=False)
        return SweepResult(path, collection.metrics, collection.runs)
    raise FileNotFoundError(f"{path} is neither a finished run (no {FINISHED_MARKER}) nor a sweep (no multirun.yaml)")


def plot_overview(result: RunResult):
    """The time-series panels of a run's overview (see :func:`sahel_sim.plotting.plot_overview`)."""
    from .plotting import plot_overview as _plot

    return _plot(result)


def plot_attacks_by_year(result: RunResult, ax=None):
    """Attacks and spectacular attacks per year by camp (see :func:`sahel_sim.plotting.plot_attacks_by_year`)."""
    from .plotting import plot_attacks_by_year as _plot

    return _plot(result, ax=ax)


RunResult.plot_overview = plot_overview
RunResult.plot_attacks_by_year = plot_attacks_by_year


def run_sweep(overrides: list[str], sweep_dir: str | Path | None = None, launcher: str = "basic",
          cwd: str | Path | None = None) -> SweepResult:
    """Run a sweep exactly as ``sahel-sim -m OVERRIDES`` does (Hydra multirun, any launcher), and load it.

    The sweep runs in a child process, so that Hydra's launchers, resumption (re-running the same sweep skips
    finished runs), error records and collection are the command line's own. Bad input raises ConfigError.
    """
    import subprocess
    import sys

    from .sweep import sweep_name

    target = Path(sweep_dir) if sweep_dir is not None else Path(cwd or ".") / "multirun" / sweep_name(overrides)
    cmd = [sys.executable, "-m", "sahel_sim", "-m", *overrides, "output.quiet=true", f"hydra/launcher={launcher}",
           f"hydra.sweep.dir={hydra_quoted(target.resolve())}"]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode == 2:
        line = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "bad input"
        field, _, message = line.removeprefix("sahel-sim: error: ").partition(": ")
        raise ConfigError(field, message)
    if not (target / "multirun.yaml").exists():
        raise RuntimeError(f"the sweep did not start (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return load(target)  # a sweep with failed runs still loads; see result.runs["status"]


def hydra_quoted(path: str | Path) -> str:
    """A path as one value of a Hydra override, quoted: a sweep's folder name holds '=' and ',' (and may hold
    spaces or quotes), which Hydra's grammar would otherwise read as more overrides or sweep values."""
    text = str(path).replace("'", "\\'")  # Hydra: a backslash escapes a quote; elsewhere it is itself
    return f"'{text}'"


def run_experiment(name: str, scale: str = "full", root: str | Path = "outputs/experiments",
                   overrides: list[str] | None = None) -> Path:
    """Run (or resume) an experiment as ``sahel-sim experiment=NAME scale=SCALE`` does; returns its folder."""
    from .experiment import run_experiment as drive

    cfg = load_config([f"experiment={name}", f"scale={scale}"])
    if not cfg.experiment.name:
        raise ConfigError("experiment", f"{name!r} is not an experiment")
    return drive(cfg.experiment, cfg.scale, Path(root), list(overrides or []))
