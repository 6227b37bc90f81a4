"""A run's folder name: the overrides that set it apart (Hydra's run folder, through the ``sahel_run_dir`` resolver
of ``configs/config.yaml``), so that a counterfactual's folder never looks like a default run's."""

from __future__ import annotations

import hashlib
from typing import Any

#: overrides left out of a run folder's name: the seed (the folder's own ``seed=N_<time>`` part says it), and
#: settings that do not change a run's results
UNNAMED_KEYS = ("seed", "output.", "hydra.", "hydra/")
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
