"""Running an experiment from a world's posterior, so that its intervals combine parameter and simulation
uncertainty (issue 19, item 6).

An inference writes ``posterior.parquet``: one row per particle, its ``world``, its parameters (config paths) and
its ``weight`` (:mod:`.abc`). An experiment with ``experiment.posterior=PATH`` (and ``experiment.world``, default
``both``) draws one parameter set of that world per replicate, by weight, each replicate with its own stream
(``SeedSequence([base_seed, replicate, DRAW_STREAM])``): replicate k's draw is the same at every scale and in every
condition of the experiment, so adding replicates keeps the earlier draws, and the conditions of a paired design
stay paired on parameters as on seeds. The draws are written as a design table (``posterior_draws.csv``: ``row``,
``replicate`` and the parameters), applied to runs through ``design.file``/``design.row`` like any sensitivity
design (:func:`sahel_sim.analysis.sensitivity.apply_design_row`): row k sets replicate k (hence its seed) and its
parameter values. A sidecar ``posterior_draws.json`` says which file (and its SHA-256), which world and how many
draws, for the findings.

Parameters the experiment sets itself (its swept and fixed keys, the command line's overrides, and every key of the
config group options it selects, such as ``counterfactual=no_rule_restraint``) are left out of the draws: the
experiment's own settings win. The world's switches (:data:`.worlds.WORLDS`) are added to the runs, unless the
experiment sets the same key itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ...core.params import ConfigError
from .worlds import ALL_WORLDS

#: the columns of a posterior table that are not parameters
META = ("world", "weight", "generation", "model")
#: the third entry of each replicate's draw stream: keeps it apart from the replicate's run seed
#: (``SeedSequence([base_seed, replicate])``)
DRAW_STREAM = 19
DRAWS_FILE = "posterior_draws.csv"
SIDECAR = "posterior_draws.json"


def read_meta(posterior_path: str | Path) -> dict:
    """What the inference beside a ``posterior.parquet`` wrote about itself (its ``inference.json``: generations,
    window, summaries, priors, method), or an empty dict when there is none."""
    meta = Path(posterior_path).parent / "inference.json"
    return json.loads(meta.read_text()) if meta.is_file() else {}


def read_posterior(path: str | Path) -> pd.DataFrame:
    """A ``posterior.parquet`` with its ``world`` and ``weight`` columns; refused with a one-line
    :class:`ConfigError` naming ``experiment.posterior`` when the file is missing or not a posterior."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("experiment.posterior", f"{str(path)!r} does not exist; allowed: the posterior.parquet of "
                          "an inference run (python -m sahel_sim.analysis.inference.abc OUT), or empty for a named "
                          "point")
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 (any unreadable file is refused the same way)
        raise ConfigError("experiment.posterior", f"{str(path)!r} is not a Parquet table ({type(exc).__name__}); "
                          "allowed: the posterior.parquet of an inference run") from None
    missing = [c for c in ("world", "weight") if c not in table.columns]
    if missing:
        raise ConfigError("experiment.posterior", f"{str(path)!r} has no column {', '.join(missing)}; allowed: a "
                          "posterior table with world, the parameters and weight")
    return table


def world_particles(posterior: pd.DataFrame, world: str) -> pd.DataFrame:
    """The particles of ``world`` with a positive weight; refused (naming ``experiment.world``) when there is none."""
    sel = posterior[(posterior["world"] == world) & (posterior["weight"] > 0)]
    if sel.empty:
        held = sorted(posterior.loc[posterior["weight"] > 0, "world"].astype(str).unique())
        raise ConfigError("experiment.world", f"{world!r} has no particle in the posterior; allowed: "
                          f"{', '.join(held) if held else 'none (the posterior is empty)'}")
    return sel


def parameters(posterior: pd.DataFrame) -> list[str]:
    """The parameter columns of a posterior table (config paths)."""
    return [c for c in posterior.columns if c not in META]


def override_key(override: str) -> str:
    """The config key of a Hydra override (``+a.b=1`` -> ``a.b``)."""
    return override.split("=", 1)[0].lstrip("+~")


def _leaves(node, prefix: str) -> list[str]:
    if isinstance(node, dict):
        out = []
        for key, value in node.items():
            if key == "defaults" and not prefix:
                continue
            out += _leaves(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    return [prefix] if prefix else []


def keys_set_by(overrides: dict[str, str], configs: Path) -> set[str]:
    """Every config key a set of overrides (key -> value, or comma-separated values for a sweep) sets: the key
    itself, and for a config group (a folder of ``configs``) each leaf key of each option's file (under the group's
    package, or at the root for ``# @package _global_``)."""
    keys = set()
    for key, values in overrides.items():
        keys.add(key)
        folder = configs / key.replace(".", "/")
        if not folder.is_dir():
            continue
        for option in str(values).split(","):
            path = folder / f"{option.strip()}.yaml"
            if not path.is_file():
                continue
            text = path.read_text()
            prefix = "" if "@package _global_" in text else key
            keys.update(_leaves(yaml.safe_load(text) or {}, prefix))
    return keys


def is_set(parameter: str, keys: set[str]) -> bool:
    """Whether ``parameter`` is one of ``keys`` or lies under or over one of them (a whole section set at once)."""
    return any(parameter == k or parameter.startswith(f"{k}.") or k.startswith(f"{parameter}.") for k in keys)


def draw_parameters(particles: pd.DataFrame, names: list[str], replicates: int, base_seed: int) -> pd.DataFrame:
    """One parameter set per replicate, resampled from ``particles`` by weight: replicate k's draw comes from its
    own stream ``SeedSequence([base_seed, k, DRAW_STREAM])``, so it does not depend on how many replicates there
    are. Columns: ``row``, ``replicate`` and ``names``."""
    w = particles["weight"].to_numpy(float)
    p = w / w.sum()
    picks = [int(np.random.default_rng(np.random.SeedSequence([int(base_seed), k, DRAW_STREAM])).choice(len(p), p=p))
             for k in range(replicates)]
    table = particles.iloc[picks][names].reset_index(drop=True)
    table.insert(0, "row", np.arange(replicates))
    table.insert(1, "replicate", np.arange(replicates))
    return table


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def prepare_draws(posterior_path: str, world: str, replicates: int, base_seed: int, experiment_keys: set[str],
                  out_dir: Path) -> tuple[Path, list[str]]:
    """Read the posterior, draw ``replicates`` parameter sets of ``world`` (leaving out the parameters the
    experiment sets itself) and write them as the design table ``out_dir/posterior_draws.csv`` with its sidecar.
    Returns the table's path and the world's switches to add to every run. Every refusal comes before any run."""
    if world not in ALL_WORLDS:
        raise ConfigError("experiment.world", f"{world!r} is not a world; allowed: {', '.join(ALL_WORLDS)}")
    posterior = read_posterior(posterior_path)
    particles = world_particles(posterior, world)
    names = [n for n in parameters(posterior) if particles[n].notna().all()]
    excluded = [n for n in names if is_set(n, experiment_keys)]
    drawn = [n for n in names if n not in excluded]
    _check_paths(drawn, posterior_path)
    table = draw_parameters(particles, drawn, replicates, base_seed)
    switches = [s for s in ALL_WORLDS[world] if not is_set(override_key(s), experiment_keys)]
    out_dir.mkdir(parents=True, exist_ok=True)
    design = out_dir / DRAWS_FILE
    _write_if_changed(design, table.to_csv(index=False))
    sidecar = {"posterior": str(Path(posterior_path)), "sha256": sha256(Path(posterior_path)), "world": world,
               "draws": replicates, "particles": int(len(particles)), "base_seed": int(base_seed),
               "drawn": drawn, "excluded": excluded, "world_switches": switches,
               "world_switches_set_by_experiment": [s for s in ALL_WORLDS[world] if s not in switches]}
    _write_if_changed(out_dir / SIDECAR, json.dumps(sidecar, indent=2) + "\n")
    return design, switches


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file holds it already (a rerun leaves the file, and its time stamp, alone)."""
    if path.is_file() and path.read_text() == text:
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _check_paths(names: list[str], posterior_path: str) -> None:
    """Every drawn parameter is a field of the config's schema (else every run would fail on it). Read from the
    schema's dataclasses, without composing (this runs inside the command line's own Hydra); below a mapping (e.g.
    ``factions``) the keys are the runs' to check."""
    from ..schema import SahelConfig

    for name in names:
        kind = SahelConfig
        for part in name.split("."):
            if typing.get_origin(kind) is dict:
                break
            fields = {f.name for f in dataclasses.fields(kind)} if dataclasses.is_dataclass(kind) else set()
            if part not in fields:
                raise ConfigError("experiment.posterior", f"column {name!r} of {posterior_path!r} is not a "
                                  "parameter of the config; allowed: the config paths of the inferred parameters")
            kind = typing.get_type_hints(kind)[part]


def read_sidecar(out_dir: Path) -> dict | None:
    """What an experiment's runs were drawn from (:func:`prepare_draws`), or None for a run at a named point."""
    path = Path(out_dir) / SIDECAR
    return json.loads(path.read_text()) if path.is_file() else None
