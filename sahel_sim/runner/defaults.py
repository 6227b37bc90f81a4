"""What a run changes from the default: the settings that differ.

A run of ``sahel-sim counterfactual=no_peace_meetings`` must not look like a default run: its folder is named by its
overrides (:func:`sahel_sim.runner.run_folders.run_folder`, Hydra's run folder) and its ``summary.json`` and
printed summary list every setting that differs from the default config (:func:`differs_from_default`), whatever
set it: an override, a config group (a counterfactual, an intervention, a preset) or a config built in Python.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..core.scenario import ScenarioConfig

#: settings left out of "differs from the default": the seed (the summary has its own), and those that do not change
#: what a run computes (outputs, experiment and design bookkeeping; a design row's values show as the parameters)
UNCOMPARED_KEYS = ("seed", "replicate", "base_seed", "output", "experiment", "design", "scale")


def _leaves(value: Any, prefix: str) -> dict[str, Any]:
    """Dotted leaves of a config tree (dataclasses and dicts are walked; lists are leaves, whole).

    A scenario's dated events are one leaf, ``scenario.events``, holding every event the run fires (the shared
    ``scenario.history`` and the scenario's own ``scenario.events``, :attr:`ScenarioConfig.dated_events`): a run
    differs from the default by the events that fire, not by which of the two lists writes them."""
    if isinstance(value, ScenarioConfig):
        value = {**{f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name != "history"},
                 "events": value.dated_events}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
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


#: the default config's leaves by schema, composed once per process (or handed over by a sweep's main process,
#: :func:`remember_default_leaves`)
_DEFAULT_LEAVES: dict[type, dict[str, Any]] = {}


def default_leaves(schema: type) -> dict[str, Any]:
    """The dotted leaves of the default config (``configs/config.yaml`` without overrides) composed onto
    ``schema`` (:func:`leaves_of`: those :func:`differs_from_default` compares), once per schema and process (a
    composition: ~0.3 s)."""
    leaves = _DEFAULT_LEAVES.get(schema)
    if leaves is not None:
        return leaves
    from hydra.core.global_hydra import GlobalHydra

    from .compose import compose, register_schema

    if GlobalHydra.instance().is_initialized():  # inside the sahel-sim app (or a sweep's job): compose with it
        from hydra import compose as hydra_compose

        register_schema(schema)
        cfg = hydra_compose(config_name="config")
    else:
        cfg = compose(schema, [])
    return remember_default_leaves(schema, leaves_of(cfg, schema))


def leaves_of(cfg: Any, schema: type) -> dict[str, Any]:
    """The dotted leaves of a composed config as ``schema``'s validated dataclasses, those under
    :data:`UNCOMPARED_KEYS` left out (:func:`differs_from_default` does not compare them)."""
    from .compose import to_config

    return compared_leaves(to_config(cfg, schema))


def compared_leaves(config: Any, resolve: bool = True) -> dict[str, Any]:
    """The dotted leaves of a config's dataclass tree (resolved and validated first unless ``resolve`` is false:
    ``compose.resolved``), those under :data:`UNCOMPARED_KEYS` left out."""
    from .compose import resolved

    leaves = _leaves(resolved(config) if resolve else config, "")
    return {key: value for key, value in leaves.items() if key.split(".")[0] not in UNCOMPARED_KEYS}


def remember_default_leaves(schema: type, leaves: dict[str, Any]) -> dict[str, Any]:
    """Keep ``leaves`` as the default config's leaves for ``schema`` in this process: a sweep's main process
    derives them from its master config and hands them to its workers and array tasks (each would compose the
    default config once otherwise). Returns them."""
    _DEFAULT_LEAVES[schema] = leaves
    return leaves


def differs_from_default(config) -> list[str]:
    """``key=value`` for every setting of ``config`` that differs from the default config (the seed, outputs and
    experiment bookkeeping aside), in the config's order: what a reader must know to tell this run from a default
    one. A faction or list of records that differs is shown by its length; the scenario's dated events as the run
    fires them (``scenario.events=<14 entries>``: the shared history and the scenario's own, see :func:`_leaves`)."""
    from ..core.params import root_schema

    default = default_leaves(root_schema() or type(config))  # the compared leaves: uncompared keys left out
    current = compared_leaves(config, resolve=False)
    out = []
    for key, value in current.items():
        if key not in default:
            out.append(f"+{key}={_shown(value)}")
        elif default[key] != value:
            out.append(f"{key}={_shown(value)}")
    out += [f"~{key}" for key in default if key not in current]
    return out
