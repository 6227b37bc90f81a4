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

import json
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._version import __version__
from .agents import ArmedGroup, Force

if TYPE_CHECKING:
    from .model import SahelModel

TABLES = ("factions", "world", "attacks", "claims", "events")
FINISHED_MARKER = "summary.json"


class OutputError(RuntimeError):
    """The run folder cannot take this run's outputs (already finished, or not writable)."""


def build_tables(model: SahelModel) -> dict[str, pd.DataFrame]:
    """The run's tidy tables from the DataCollector and the event log."""
    cal = model.calendar
    dc = model.datacollector
    world = dc.get_model_vars_dataframe().reset_index(drop=True)
    world.insert(0, "week", np.arange(len(world), dtype=np.int32))
    world.insert(1, "date", pd.to_datetime([cal.date_of(s) for s in range(len(world))]))
    frames = []
    for cls, kind_of in ((ArmedGroup, lambda r: "jihadist"), (Force, None)):
        df = dc.get_agenttype_vars_dataframe(cls)
        if df is None or len(df) == 0:
            continue
        df = df.reset_index()
        df["week"] = (df["Step"] - 1).astype(np.int32)
        df = df.drop(columns=["Step", "AgentID"])
        if kind_of is None:
            df["kind"] = df["faction"].map(lambda n: model.factions[n].kind)
        else:
            df["kind"] = "jihadist"
        frames.append(df)
    factions = pd.concat(frames, ignore_index=True, sort=False)
    factions["date"] = pd.to_datetime([cal.date_of(int(s)) for s in factions["week"]])
    first = ["week", "date", "faction", "label", "kind", "camp", "active"]
    factions = factions[first + [c for c in factions.columns if c not in first]]
    factions = factions.sort_values(["week", "faction"], kind="stable").reset_index(drop=True)
    for col in ("camp", "label"):
        factions[col] = factions[col].fillna("")
    factions["active"] = factions["active"].astype(bool)
    return {
        "factions": factions,
        "world": world,
        "attacks": model.log.attacks_frame(),
        "claims": model.log.claims_frame(),
        "events": model.log.events_frame(),
    }


def summarise(model: SahelModel, tables: dict[str, pd.DataFrame]) -> dict:
    """Headline numbers of a run (deterministic for a given config and seed)."""
    attacks, events, world = tables["attacks"], tables["events"], tables["world"]
    year = attacks["date"].dt.year if len(attacks) else pd.Series(dtype=int)
    spec = attacks[attacks["spectacular"]] if len(attacks) else attacks
    by_camp_year = (spec.groupby([spec["date"].dt.year, "camp"]).size().unstack(fill_value=0)
                    if len(spec) else pd.DataFrame())
    kinds = events["kind"].value_counts() if len(events) else pd.Series(dtype=int)
    deaths_year = world.groupby(world["date"].dt.year)["state_based_deaths"].sum()
    claims = tables["claims"]
    groups_end = [g for g in model.factions.values() if isinstance(g, ArmedGroup) and g.active]
    forces = {f.name: f for f in model.factions.values() if isinstance(f, Force)}
    peak = int(world["north_jihadist_share"].idxmax()) if len(world) else 0
    return {
        "scenario": model.config.scenario.name,
        "seed": int(model.config.seed),
        "start": str(model.calendar.start),
        "end": str(model.calendar.date_of(model.calendar.n_steps - 1)),
        "weeks": int(len(world)),
        "attacks": int(len(attacks)),
        "spectacular_attacks": int(attacks["spectacular"].sum()) if len(attacks) else 0,
        "spectacular_by_camp": {c: int(n) for c, n in spec["camp"].value_counts().sort_index().items()},
        "spectacular_by_year_and_camp": {int(y): {c: int(v) for c, v in row.items()}
                                         for y, row in by_camp_year.iterrows()},
        "attacks_by_year": {int(y): int(n) for y, n in year.value_counts().sort_index().items()},
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
        "state_based_deaths_by_year": {int(y): int(v) for y, v in deaths_year.items()},
        "north_jihadist_share_peak": float(world["north_jihadist_share"].max()) if len(world) else 0.0,
        "north_jihadist_share_peak_date": str(world["date"].iloc[peak].date()) if len(world) else "",
        "mean_attack_latitude_by_year": {int(y): round(float(v), 3)
                                         for y, v in attacks.groupby(year)["lat"].mean().items()}
        if len(attacks) else {},
        "groups_at_end": {g.name: {"label": g.label, "camp": g.camp, "fighters": int(g.fighters)}
                          for g in groups_end},
    }


def config_yaml(config) -> str:
    """The run's resolved config as YAML (plain dump of the dataclass tree: ~100x faster than OmegaConf's).

    Emitted by libyaml (``CSafeDumper``: the same representer, ~4x faster than PyYAML's pure-Python emitter)
    when every string in the tree is printable text of the Basic Multilingual Plane: there the two emitters write
    the same text. They differ in how they escape and fold strings holding control characters or characters
    beyond U+FFFF, so a tree holding any of those is emitted by PyYAML's ``SafeDumper`` as before.
    """
    import dataclasses

    import yaml

    tree = dataclasses.asdict(config)
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


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        files = []
        for name in TABLES:
            files.append(f"{name}.parquet")
            _atomic_write(staging / files[-1], lambda p, df=tables[name]: df.to_parquet(p, index=False))
        resolved = config_yaml(model.config)
        files.append("config.yaml")
        _atomic_write(staging / "config.yaml", lambda p: p.write_text(resolved))
        import mesa

        run_info = {"seed": int(model.config.seed), "sahel_sim_version": __version__,
                    "mesa_version": mesa.__version__, "python": platform.python_version(),
                    "wall_time_s": round(wall_time_s, 3), "steps": int(model.steps)}
        files.append("run.json")
        _atomic_write(staging / "run.json", lambda p: p.write_text(json.dumps(run_info, indent=2) + "\n"))
        if figure:
            from .figures import overview_figure

            files.append("overview.png")
            _atomic_write(staging / "overview.png", lambda p: overview_figure(model, tables, p))
        files.append(FINISHED_MARKER)
        _atomic_write(staging / FINISHED_MARKER,
                      lambda p: p.write_text(json.dumps(summary, indent=2, sort_keys=False) + "\n"))
        for name in files:  # renames within one folder: they cannot run out of space
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir
