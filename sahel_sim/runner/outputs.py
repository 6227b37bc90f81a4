"""What a run leaves behind: tidy tables, a summary, the exact config, and the overview figure.

Files (all in the run's folder; tables are Parquet that ``pandas.read_parquet`` reads in one call):

* ``factions.parquet``: one row per week and faction (groups and forces);
* ``world.parquet``: one row per week: global context, peace process, deaths by category, indicators;
* ``attacks.parquet``: one row per attack; ``claims.parquet``: one row per (attack, claimant);
* ``events.parquet``: splits, pledges, mergers, leader deaths, strikes, deployments, shocks, meetings;
* ``summary.json``: headline numbers; ``config.yaml``: the resolved config; ``run.json``: seed, versions, time;
* ``overview.png``: the map with influence and attacks, attacks per month by camp, attention shares.

Every file is written to a temporary name and renamed into place, and the run refuses a folder that already
holds a finished run, so a failed or interrupted run never leaves a half-written table or overwrites one.
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._version import __version__
from ..core import frames
from ..core.frames import Irregular
from ..core.mechanisms.relations import STATES

if TYPE_CHECKING:
    from ..core.model import SahelModel

TABLES = ("factions", "world", "attacks", "claims", "events")
FINISHED_MARKER = "summary.json"


@dataclass
class OutputConfig:
    """What a run writes. ``dir`` empty means the CLI's Hydra run folder. In a sweep (``-m``) each run writes its
    tables and summary but no figure unless ``sweep_figures`` is true."""

    dir: str = ""
    figure: bool = True
    sweep_figures: bool = False
    quiet: bool = False


class OutputError(RuntimeError):
    """The run folder cannot take this run's outputs (already finished, or not writable)."""


def build_tables(model: SahelModel) -> dict[str, pd.DataFrame]:
    """The run's tidy tables from the DataCollector and the event log."""
    cal = model.calendar
    world = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    world.insert(0, "week", np.arange(len(world), dtype=np.int32))
    world.insert(1, "date", pd.to_datetime([cal.date_of(s) for s in range(len(world))]))
    try:
        factions = factions_by_column(model)
    except Irregular:
        factions = factions_by_row(model)
    return {
        "factions": factions,
        "world": world,
        "attacks": model.log.attacks_frame(),
        "claims": model.log.claims_frame(),
        "events": model.log.events_frame(),
    }


#: the first columns of the factions table, in this order; the reporters' other columns follow
FACTION_COLUMNS = ("week", "date", "faction", "label", "kind", "camp", "active")


def _faction_classes() -> tuple[tuple[type, str | None], ...]:
    """The kinds of organisation recorded in the factions table, in this order, and the kind given to all of a
    class (imported here: checking a run's folder or collecting a sweep imports no Mesa)."""
    from ..core.agents import ArmedGroup, Force

    return (ArmedGroup, "jihadist"), (Force, None)


def factions_by_row(model: SahelModel) -> pd.DataFrame:
    """The factions table with pandas, row by row: one frame per kind of organisation from the DataCollector,
    concatenated (a column one kind lacks is missing there), sorted by week and faction. The reference for
    :func:`factions_by_column`, and its fallback."""
    cal = model.calendar
    dc = model.datacollector
    frames = []
    for cls, kind in _faction_classes():
        df = dc.get_agenttype_vars_dataframe(cls)
        if df is None or len(df) == 0:
            continue
        df = df.reset_index()
        df["week"] = (df["Step"] - 1).astype(np.int32)
        df = df.drop(columns=["Step", "AgentID"])
        if kind is None:
            df["kind"] = df["faction"].map(lambda n: model.factions[n].kind)
        else:
            df["kind"] = kind
        frames.append(df)
    factions = pd.concat(frames, ignore_index=True, sort=False)
    factions["date"] = pd.to_datetime([cal.date_of(int(s)) for s in factions["week"]])
    first = list(FACTION_COLUMNS)
    factions = factions[first + [c for c in factions.columns if c not in first]]
    factions = factions.sort_values(["week", "faction"], kind="stable").reset_index(drop=True)
    for col in ("camp", "label"):
        factions[col] = factions[col].fillna("")
    factions["active"] = factions["active"].astype(bool)
    return factions


def factions_by_column(model: SahelModel) -> pd.DataFrame:
    """The same table as :func:`factions_by_row`, built column by column from the collector's records.

    What ``concat``, ``fillna`` and ``astype`` do there is done here on whole columns: a column some kind of
    organisation lacks is ``NaN`` there, so integers become ``float64``; a missing ``camp`` or ``label`` is
    ``""``; a missing ``active`` is ``True`` (``bool(NaN)``). Any other gap, or a column of mixed kinds of value,
    raises :class:`~sahel_sim.core.frames.Irregular` and the caller falls back to :func:`factions_by_row`.
    """
    dc = model.datacollector
    parts: list[dict[str, np.ndarray]] = []  # the columns of each kind of organisation recorded
    for cls, kind in _faction_classes():
        records = dc.records_of(cls)
        if not records:
            continue
        names = ["Step", "AgentID", *dc.agenttype_reporters[cls]]
        if len(set(names)) != len(names) or {"week", "kind", "date"} & set(names):
            raise Irregular("column names the table adds itself")
        cols = {name: frames.column(values) for name, values in zip(names, zip(*records, strict=True), strict=True)}
        if cols["Step"].dtype != np.float64 or "faction" not in cols:
            raise Irregular("steps not floats")
        cols["week"] = (cols.pop("Step") - 1).astype(np.int32)
        del cols["AgentID"]
        if kind is None:  # each force's own kind, looked up once per name
            kinds = {n: model.factions[n].kind for n in dict.fromkeys(cols["faction"])}
            cols["kind"] = frames.column([kinds[n] for n in cols["faction"]])
        else:
            cols["kind"] = frames.column([kind] * len(records))
        parts.append(cols)
    if not parts:
        raise Irregular("no factions recorded")
    names = list(dict.fromkeys(name for cols in parts for name in cols))
    if any(c not in names for c in FACTION_COLUMNS if c != "date"):
        raise Irregular("a first column is missing")
    table: dict[str, np.ndarray] = {}
    for name in names:
        pieces = [cols.get(name) for cols in parts]
        present = [p for p in pieces if p is not None]
        dtypes = {p.dtype for p in present}
        if len(present) == len(pieces):
            if len(dtypes) == 1:
                table[name] = np.concatenate(pieces)
            elif dtypes == {np.dtype(np.int64), np.dtype(np.float64)}:
                table[name] = np.concatenate(pieces).astype(np.float64)
            else:
                raise Irregular(f"{name}: kinds {dtypes} across organisations")
            continue
        lengths = [len(next(iter(cols.values()))) for cols in parts]
        if dtypes <= {np.dtype(np.int64), np.dtype(np.float64)}:
            fill, dtype = np.nan, np.float64
        elif name in ("camp", "label") and dtypes == {np.dtype(object)}:
            fill, dtype = "", object
        elif name == "active" and dtypes == {np.dtype(bool)}:
            fill, dtype = True, bool
        else:
            raise Irregular(f"{name}: missing for some organisations")
        table[name] = np.concatenate([p.astype(dtype) if p is not None else np.full(n, fill, dtype=dtype)
                                      for p, n in zip(pieces, lengths, strict=True)])
    if table["active"].dtype != bool:
        raise Irregular("active: not booleans")
    week = table["week"]
    weeks, at = np.unique(week, return_inverse=True)
    cal = model.calendar
    table["date"] = pd.to_datetime([cal.date_of(int(w)) for w in weeks]).to_numpy()[at]
    names, rank = np.unique(table["faction"], return_inverse=True)  # rank: place of the name in sorted order
    order = np.argsort(week.astype(np.int64) * len(names) + rank, kind="stable")  # by week, then faction, stable
    first = list(FACTION_COLUMNS)
    return frames.frame({name: table[name][order] for name in first + [c for c in table if c not in first]})


def summarise(model: SahelModel, tables: dict[str, pd.DataFrame]) -> dict:
    """Headline numbers of a run (deterministic for a given config and seed)."""
    attacks, events, world = tables["attacks"], tables["events"], tables["world"]
    try:
        yearly = yearly_counts_by_column(attacks, world)
    except Irregular:
        yearly = yearly_counts_by_row(attacks, world)
    kinds = Counter(events["kind"].tolist()) if len(events) else Counter()
    claims = tables["claims"]
    from ..core.agents import ArmedGroup, Force

    groups_end = [g for g in model.factions.values() if isinstance(g, ArmedGroup) and g.active]
    forces = {f.name: f for f in model.factions.values() if isinstance(f, Force)}
    peak = int(world["north_jihadist_share"].idxmax()) if len(world) else 0
    from ..core.scenario import events_outside
    from .defaults import differs_from_default

    return {
        "scenario": model.config.scenario.name,
        "seed": int(model.config.seed),
        "differs_from_default": differs_from_default(model.config),
        "scenario_events_left_out": len(events_outside(model.config)),
        "start": str(model.calendar.start),
        "end": str(model.calendar.date_of(model.calendar.n_steps - 1)),
        "weeks": int(len(world)),
        "attacks": int(len(attacks)),
        "spectacular_attacks": int(attacks["spectacular"].sum()) if len(attacks) else 0,
        "spectacular_by_camp": yearly["spectacular_by_camp"],
        "spectacular_by_year_and_camp": yearly["spectacular_by_year_and_camp"],
        "attacks_by_year": yearly["attacks_by_year"],
        "killed_in_attacks": int(attacks["killed"].sum()) if len(attacks) else 0,
        "splits": int(kinds.get("split", 0)),
        "pledges": int(kinds.get("pledge", 0)),
        "mergers": int(kinds.get("merger", 0)),
        "leader_deaths": int(kinds.get("leader_death", 0)),
        "strikes": int(kinds.get("strike", 0)),
        "competing_claims": int(attacks["competing_claims"].sum()) if len(attacks) else 0,
        "claim_accuracy": float(claims["true_claim"].mean()) if len(claims) else None,
        "minusma_killed": int(forces["minusma"].killed_total) if "minusma" in forces else 0,
        "barkhane_killed": int(forces["barkhane"].killed_total) if "barkhane" in forces else 0,
        "state_forces_killed": int(sum(f.killed_total for f in forces.values() if f.kind == "state")),
        "state_based_deaths_by_year": yearly["state_based_deaths_by_year"],
        "north_jihadist_share_peak": float(world["north_jihadist_share"].max()) if len(world) else 0.0,
        "north_jihadist_share_peak_date": str(world["date"].iloc[peak].date()) if len(world) else "",
        "mean_attack_latitude_by_year": yearly["mean_attack_latitude_by_year"],
        "groups_at_end": {g.name: {"label": g.label, "camp": g.camp, "fighters": int(g.fighters)}
                          for g in groups_end},
        **({"relations": relations_summary(model, events)} if model.mechanism("relations") is not None else {}),
    }


def relations_summary(model: SahelModel, events: pd.DataFrame) -> dict:
    """What the groups decided about each other (mechanisms.relations, alliances): each merger, split and pledge
    (date, week, who), how many pairs started fighting and how many made a truce, infighting deaths by pair of
    camps, the non-aggression spells, joint operations and joint claims, and every pair's state at the end."""
    from ..core.agents import ArmedGroup

    relations = model.mechanism("relations")
    groups = [g for g in model.factions.values() if isinstance(g, ArmedGroup) and g.active]

    def of(kind: str, who: str, whom: str) -> list[dict]:
        """The events of one kind as (date, week, faction, other) records (column lists: a frame's itertuples
        costs milliseconds over the many columns of the decisions' terms)."""
        if not len(events):
            return []
        sel = events[events["kind"] == kind]
        return [{"date": str(d.date()), "week": int(w), who: f, whom: o} for d, w, f, o in
                zip(sel["date"].tolist(), sel["step"].tolist(), sel["faction"].tolist(), sel["other"].tolist(),
                    strict=True)]

    return {
        "mergers": of("merger", "member", "into"),
        "splits": of("split", "splinter", "parent"),
        "pledges": of("pledge", "group", "to"),
        "infighting_deaths_by_camps": {k: int(v) for k, v in sorted(model.infighting.items())},
        **relations.summary(),
        "states_at_end": {f"{a.name}|{b.name}": STATES[int(model.relation[a.slot, b.slot])]
                          for i, a in enumerate(groups) for b in groups[i + 1:]},
    }


def yearly_counts_by_row(attacks: pd.DataFrame, world: pd.DataFrame) -> dict:
    """The summary's yearly and per-camp counts with pandas' groupby: the reference for
    :func:`yearly_counts_by_column`, and its fallback."""
    year = attacks["date"].dt.year if len(attacks) else pd.Series(dtype=int)
    spec = attacks[attacks["spectacular"]] if len(attacks) else attacks
    by_camp_year = (spec.groupby([spec["date"].dt.year, "camp"]).size().unstack(fill_value=0)
                    if len(spec) else pd.DataFrame())
    deaths_year = world.groupby(world["date"].dt.year)["state_based_deaths"].sum()
    return {
        "spectacular_by_camp": {c: int(n) for c, n in spec["camp"].value_counts().sort_index().items()},
        "spectacular_by_year_and_camp": {int(y): {c: int(v) for c, v in row.items()}
                                         for y, row in by_camp_year.iterrows()},
        "attacks_by_year": {int(y): int(n) for y, n in year.value_counts().sort_index().items()},
        "state_based_deaths_by_year": {int(y): int(v) for y, v in deaths_year.items()},
        "mean_attack_latitude_by_year": {int(y): round(float(v), 3)
                                         for y, v in attacks.groupby(year)["lat"].mean().items()}
        if len(attacks) else {},
    }


def yearly_counts_by_column(attacks: pd.DataFrame, world: pd.DataFrame) -> dict:
    """The same counts as :func:`yearly_counts_by_row`, counted in Python over the columns (sorted keys, zeros
    for the camps a year lacks, as ``groupby(...).unstack(fill_value=0)`` gives them). Integer sums are exact
    either way; the mean latitude is still pandas' groupby mean. Missing dates or camps, or deaths that are not
    integers, raise :class:`~sahel_sim.core.frames.Irregular` (the caller counts with pandas)."""
    if world["date"].hasnans or world["state_based_deaths"].dtype != np.int64:
        raise Irregular("world dates or deaths")
    deaths: dict[int, int] = {}
    for y, v in zip(world["date"].dt.year.tolist(), world["state_based_deaths"].tolist(), strict=True):
        deaths[y] = deaths.get(y, 0) + v
    counts = {"state_based_deaths_by_year": {y: deaths[y] for y in sorted(deaths)}}
    if not len(attacks):
        return {**counts, "spectacular_by_camp": {}, "spectacular_by_year_and_camp": {}, "attacks_by_year": {},
                "mean_attack_latitude_by_year": {}}
    if attacks["date"].hasnans or attacks["camp"].hasnans or attacks["spectacular"].dtype != bool:
        raise Irregular("attack dates, camps or spectacle")
    year = attacks["date"].dt.year
    years = year.tolist()
    spectacular = [(y, c) for y, c, s in zip(years, attacks["camp"].tolist(), attacks["spectacular"].tolist(),
                                             strict=True) if s]
    by_camp = Counter(c for _, c in spectacular)
    by_year_camp = Counter(spectacular)
    camps = sorted(by_camp)
    by_year = Counter(years)
    return {
        **counts,
        "spectacular_by_camp": {c: by_camp[c] for c in camps},
        "spectacular_by_year_and_camp": {y: {c: by_year_camp[y, c] for c in camps}
                                         for y in sorted({y for y, _ in spectacular})},
        "attacks_by_year": {y: by_year[y] for y in sorted(by_year)},
        "mean_attack_latitude_by_year": {int(y): round(float(v), 3)
                                         for y, v in attacks.groupby(year)["lat"].mean().items()},
    }


#: YAML text of recently written top-level config sections, by ``repr`` of (name, section): runs of a sweep share
#: most sections (the map, the factions, the mechanisms), which need not be emitted again
_SECTION_YAML: dict[str, str] = {}
_SECTION_YAML_SIZE = 64


def config_yaml(config) -> str:
    """The run's resolved config as YAML (plain dump of the dataclass tree: ~100x faster than OmegaConf's).

    The text is that of ``yaml.safe_dump(dataclasses.asdict(config), sort_keys=False, allow_unicode=True,
    width=120)``, made faster in two ways that give the same text:

    * a block mapping at the top is its keys' ``key: value`` blocks one after the other, so each top-level section
      is emitted on its own and remembered by the ``repr`` of its values (which tells apart every value and type
      a config holds: ``1``, ``1.0``, ``True``, ``'1'``), and a section seen before is not emitted again;
    * a section is emitted by libyaml (``CSafeDumper``: the same representer, ~4x faster than PyYAML's pure-Python
      emitter) when every string in it is printable text of the Basic Multilingual Plane, where the two emitters
      write the same text. They differ in how they escape and fold strings holding control characters or
      characters beyond U+FFFF, so a section holding any of those is emitted by PyYAML's ``SafeDumper``.
    """
    import dataclasses

    tree = dataclasses.asdict(config)
    if not tree:
        return _yaml_text(tree)
    return "".join(_section_yaml(name, section) for name, section in tree.items())


def _section_yaml(name: str, section) -> str:
    """The YAML of one top-level section, ``name: ...``, from the cache when it was emitted before."""
    key = repr((name, section))
    text = _SECTION_YAML.get(key)
    if text is None:
        text = _yaml_text({name: section})
        if len(_SECTION_YAML) >= _SECTION_YAML_SIZE:
            del _SECTION_YAML[next(iter(_SECTION_YAML))]  # the oldest
        _SECTION_YAML[key] = text
    return text


def _yaml_text(tree: dict) -> str:
    import yaml

    dumper = yaml.CSafeDumper if getattr(yaml, "__with_libyaml__", False) and _plain_text(tree) else yaml.SafeDumper
    return yaml.dump(tree, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)


def _plain_text(tree) -> bool:
    """Whether every string (keys included) in a tree of dicts, lists and scalars is printable text within the
    Basic Multilingual Plane (no control characters, no byte-order mark, nothing beyond U+FFFF)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if not node.isprintable() or "\ufeff" in node or (node and max(node) > "\uffff"):
                return False
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return True


def parquet_bytes(df: pd.DataFrame):
    """The Parquet file that ``df.to_parquet(path, index=False)`` writes with pyarrow (the same bytes), built in
    memory: pyarrow writes a file through its own file system layer in many small writes, a buffer in one. The
    table is converted on this thread (``nthreads=1``): a run's tables are small, and pyarrow's thread pool costs
    more than it saves, most of all in a sweep whose other workers hold the other cores (five tables: 12.6 ->
    9.3 ms on an idle machine)."""
    if df.attrs:  # pandas stores them in the file's metadata: leave that to pandas
        sink = io.BytesIO()
        df.to_parquet(sink, index=False)
        return sink.getvalue()
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False, nthreads=1), sink, compression="snappy")
    return sink.getvalue()


def file_mode() -> int:
    """The permissions a new file gets from ``open()`` under the process's umask (0644 under the usual 022), so
    that colleagues sharing a cluster folder can read a run as they could any other file."""
    try:  # Linux tells it without changing it (no window in which another thread would see another umask)
        with open("/proc/self/status") as status:
            umask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        umask = os.umask(0o022)  # elsewhere, reading the umask means setting it: put it straight back
        os.umask(umask)
    return 0o666 & ~umask


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``. The temporary file is made
    private (``mkstemp``) while it is written and gets the umask's permissions (:func:`file_mode`) before it
    takes its name."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_staged(path: Path, data) -> None:
    """Write a file of a run into its private staging folder (text as UTF-8): nothing there is final until the
    staging folder's files are renamed into the run folder, and a failure removes the whole staging folder."""
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def check_folder(out_dir: Path, field: str = "hydra.run.dir") -> None:
    """Refuse, without creating anything, a run folder that holds a finished run or could not be created.

    ``field`` names the setting that chose the folder (``hydra.run.dir`` or ``output.dir``) in the message.
    """
    out_dir = Path(out_dir)
    if (out_dir / FINISHED_MARKER).exists():
        raise OutputError(f"{field}: {out_dir} already holds a finished run ({FINISHED_MARKER}), nothing was "
                          "overwritten; allowed: a new or unfinished run folder")
    probe = out_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"{field}: {out_dir} cannot be created, {probe} is a file; allowed: a folder path")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{field}: {out_dir} cannot be written (no permission on {probe}); "
                          "allowed: a writable folder")


def check_writable(out_dir: Path, field: str = "hydra.run.dir") -> None:
    """:func:`check_folder`, then create the folder and prove it takes a file (the run is about to write)."""
    check_folder(out_dir, field)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{field}: {out_dir} is not writable ({exc.strerror or exc}); "
                          "allowed: a writable folder") from None


def write_run(model: SahelModel, tables: dict[str, pd.DataFrame], summary: dict, out_dir: Path, wall_time_s: float,
              figure: bool = True) -> Path:
    """Write every output of a run into ``out_dir``; ``summary.json`` last, as the mark of a finished run.

    Everything is written into a staging folder inside ``out_dir`` first and moved into place only when all of
    it was written, so a failure part-way (a full disk, an interruption) leaves no table of this run behind.
    """
    check_writable(out_dir)
    # the staging folder is private (mkdtemp) and nothing in it is final until the renames below: its files are
    # written directly, with the permissions open() gives under the umask, as _atomic_write would give them
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        files = []
        for name in TABLES:
            files.append(f"{name}.parquet")
            _write_staged(staging / files[-1], parquet_bytes(tables[name]))
        resolved = config_yaml(model.config)
        files.append("config.yaml")
        _write_staged(staging / "config.yaml", resolved)
        import mesa

        run_info = {"seed": int(model.config.seed), "sahel_sim_version": __version__,
                    "mesa_version": mesa.__version__, "python": platform.python_version(),
                    "wall_time_s": round(wall_time_s, 3), "steps": int(model.steps)}
        files.append("run.json")
        _write_staged(staging / "run.json", json.dumps(run_info, indent=2) + "\n")
        if figure:
            from .figures import overview_figure

            files.append("overview.png")
            overview_figure(model, tables, staging / "overview.png")
        files.append(FINISHED_MARKER)
        _write_staged(staging / FINISHED_MARKER, json.dumps(summary, indent=2, sort_keys=False) + "\n")
        for name in files:  # renames within one folder: they cannot run out of space
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir
