"""One run: a validated config in, the model run, its tables (and files) out.

:func:`run` is the one function from a config to a model to its outputs; :func:`read_run` reads a finished run
folder back into the same :class:`RunResult`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from ..core.config import SimConfig
from .outputs import FINISHED_MARKER, TABLES, OutputConfig


@dataclass
class RunConfig(SimConfig):
    """The model's config and what its run writes (``output``)."""

    output: OutputConfig = field(default_factory=OutputConfig)


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


def run(config: RunConfig, out_dir: str | Path | None = None, figure: bool | None = None) -> RunResult:
    """Run one simulation of a validated config and return its tables; with ``out_dir``, also write them there
    (with the overview figure when ``figure``, or by default when ``config.output.figure``). The one path from a
    config to a model to its outputs: the command line, a sweep's jobs and the Python API all run through it."""
    from ..core.model import SahelModel
    from .outputs import build_tables, summarise, write_run

    sim_config = config
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


def read_run(path: Path, schema: type[SimConfig]) -> RunResult:
    """A finished run folder (``summary.json`` present) read back: its tables, summary and config (``config.yaml``
    merged onto ``schema``)."""
    import json

    tables = {name: _read_table(path / f"{name}.parquet") for name in TABLES}
    summary = _int_keys(json.loads((path / FINISHED_MARKER).read_text()))
    config = read_config(path / "config.yaml", schema)
    wall = 0.0
    if (path / "run.json").is_file():
        wall = float(json.loads((path / "run.json").read_text()).get("wall_time_s", 0.0))
    return RunResult(config, tables["factions"], tables["world"], tables["attacks"], tables["claims"],
                     tables["events"], summary, out_dir=path, wall_time_s=wall)


def read_config[C: SimConfig](path: Path, schema: type[C]) -> C:
    """The config of a run folder's ``config.yaml`` (merged onto ``schema``, so types are restored)."""
    import yaml

    raw = yaml.safe_load(path.read_text()) or {}
    merged = OmegaConf.merge(OmegaConf.structured(schema), OmegaConf.create(_plain(raw)))
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


def plot_overview(result: RunResult):
    """The time-series panels of a run's overview (see :func:`sahel_sim.runner.plotting.plot_overview`)."""
    from .plotting import plot_overview as _plot

    return _plot(result)


def plot_attacks_by_year(result: RunResult, ax=None):
    """Attacks and spectacular attacks per year by camp (see :func:`sahel_sim.runner.plotting.plot_attacks_by_year`)."""
    from .plotting import plot_attacks_by_year as _plot

    return _plot(result, ax=ax)


RunResult.plot_overview = plot_overview
RunResult.plot_attacks_by_year = plot_attacks_by_year
