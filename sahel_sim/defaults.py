"""What a run changes from the default: the overrides that name its folder, and the settings that differ.

A run of ``sahel-sim counterfactual=no_peace_meetings`` must not look like a default run: its folder is named by its
overrides (:func:`run_folder`, Hydra's run folder) and its ``summary.json`` and printed summary list every setting
that differs from the default config (:func:`differs_from_default`), whatever set it: an override, a config group
(a counterfactual, an intervention, a preset) or a config built in Python.
"""

from __future__ import annotations

import dataclasses
import hashlib
from functools import lru_cache
from typing import Any

#: overrides left out of a run folder's name: the seed (the folder's own ``seed=N_<time>`` part says it), and
#: settings that do not change a run's results
UNNAMED_KEYS = ("seed", "output.", "hydra.", "hydra/")
#: settings left out of "differs from the default": the seed (the summary has its own), and those that do not change
#: what a run computes (outputs, experiment and design bookkeeping; a design row's values show as the parameters)
UNCOMPARED_KEYS = ("seed", "replicate", "base_seed", "output", "experiment", "design", "scale")
#: the longest folder name made of overrides; a longer one is cut and ends with a hash of the whole
MAX_NAME = 100


def overrides_name(task_overrides: Any) -> str:
    """A folder name from a run's command-line overrides, as Hydra's ``override_dirname`` writes it (sorted,
    ``key=value`` joined by commas) without the seed and output settings; ``""`` for none. Characters that are not
    safe in a path become ``_``."""
    items = sorted(str(o) for o in (task_overrides or [])
                   if not str(o).lstrip("+~").startswith(UNNAMED_KEYS))
    text = ",".join(items)
    safe = "".join(c if c.isalnum() or c in "=,.-_+:@" else "_" for c in text)
    if len(safe) > MAX_NAME:
        safe = f"{safe[:MAX_NAME - 20]}__{hashlib.sha1(text.encode()).hexdigest()[:10]}"
    return safe


def run_folder(scenario: str, experiment: str, scale: str, seed: Any, time: str, task_overrides: Any) -> str:
    """The default run folder (Hydra's ``hydra.run.dir``), relative to the current folder:

    * a run: ``outputs/<scenario>/seed=<seed>_<time>`` for the default config, and
      ``outputs/<scenario>/<overrides>/seed=<seed>_<time>`` with overrides (e.g.
      ``outputs/history_2012_2017/counterfactual=no_peace_meetings/seed=42_2026-12-04_01-30-00``);
    * an experiment: ``outputs/experiments/<name>/<scale>`` (the same folder at each call, so that it resumes).
    """
    if experiment:
        return f"outputs/experiments/{experiment}/{scale}"
    name = overrides_name(task_overrides)
    return f"outputs/{scenario}/{name + '/' if name else ''}seed={seed}_{time}"


def register_resolvers() -> None:
    """Register :func:`run_folder` as the OmegaConf resolver ``sahel_run_dir`` (used by ``configs/config.yaml``)."""
    from omegaconf import OmegaConf

    if not OmegaConf.has_resolver("sahel_run_dir"):
        OmegaConf.register_new_resolver("sahel_run_dir", run_folder)


def _leaves(value: Any, prefix: str) -> dict[str, Any]:
    """Dotted leaves of a config tree (dataclasses and dicts are walked; lists are leaves, whole)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out.update(_leaves(sub, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _shown(value: Any) -> str:
    """A value as an override would spell it (lists of records by their length)."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, list):
        if any(dataclasses.is_dataclass(v) or isinstance(v, dict) for v in value):
            return f"<{len(value)} entries>"
        return "[" + ",".join(_shown(v) for v in value) + "]"
    if dataclasses.is_dataclass(value):
        return "<changed>"
    return str(value)


@lru_cache(maxsize=1)
def default_leaves() -> dict[str, Any]:
    """The dotted leaves of the default config (``configs/config.yaml`` without overrides), composed once."""
    from hydra.core.global_hydra import GlobalHydra

    from .api import load_config, register_schema, to_sim_config

    if GlobalHydra.instance().is_initialized():  # inside the sahel-sim app (or a sweep's job): compose with it
        from hydra import compose

        register_schema()
        config = to_sim_config(compose(config_name="config"))
    else:
        config = load_config([])
    return _leaves(config, "")


def differs_from_default(config) -> list[str]:
    """``key=value`` for every setting of ``config`` that differs from the default config (the seed, outputs and
    experiment bookkeeping aside), in the config's order: what a reader must know to tell this run from a default
    one. A faction or list of records that differs is shown by its length."""
    default = default_leaves()
    out = []
    for key, value in _leaves(config, "").items():
        if key.split(".")[0] in UNCOMPARED_KEYS:
            continue
        if key not in default:
            out.append(f"+{key}={_shown(value)}")
        elif default[key] != value:
            out.append(f"{key}={_shown(value)}")
    current = _leaves(config, "")
    out += [f"~{key}" for key in default if key not in current and key.split(".")[0] not in UNCOMPARED_KEYS]
    return out
