"""``sahel-sim``'s entry point: a joblib sweep's workers start while the command still reads its config.

``sahel-sim -m ... hydra/launcher=joblib`` needs its loky workers only once Hydra's launcher calls
``joblib.Parallel``, about 2.5 s into the command (imports, the pre-check, Hydra's compositions); each then spends
about 2 s starting Python and importing what a job needs. :func:`main` asks joblib for those workers before it
imports the command line, with the arguments Hydra's joblib launcher will pass (:func:`joblib_settings`), so that
both happen at once (``sahel_sim.analysis.workers``). Any other command line goes straight to
:func:`sahel_sim.faces.cli.main`.
"""

from __future__ import annotations

import sys
from typing import Any

#: what a worker imports before its first run: unpickling a job (Hydra's joblib launcher, the command line's task
#: function, the sweeper's chunk task) and the first run (the model, hence Mesa; its outputs)
WARM_MODULES = ("hydra_plugins.hydra_joblib_launcher._core", "sahel_sim.faces.cli", "sahel_sim.analysis.batch",
                "sahel_sim.core.model", "sahel_sim.runner.outputs")
_LAUNCHER = "hydra/launcher=joblib"
_PREFIX = "hydra.launcher."


def joblib_settings(argv: list[str]) -> tuple[dict[str, Any], int] | None:
    """``joblib.Parallel``'s arguments, as Hydra's joblib launcher passes them for this command line, and the
    number of workers; None unless the command line is a multirun with ``hydra/launcher=joblib`` that sets the
    launcher only by plain ``hydra.launcher.KEY=VALUE`` overrides (any flag other than ``-m``, a config group
    or file that could set the launcher otherwise, or a swept launcher setting: None, and the sweep starts its
    workers itself)."""
    if not any(a in ("-m", "--multirun") for a in argv) or _LAUNCHER not in argv:
        return None
    if any(a.startswith("-") and a not in ("-m", "--multirun") for a in argv):
        return None  # --config-dir, --cfg, --help, ...: Hydra decides
    import dataclasses

    from hydra_plugins.hydra_joblib_launcher.config import JobLibLauncherConf

    fields = {f.name: f for f in dataclasses.fields(JobLibLauncherConf) if f.name != "_target_"}
    settings = {name: f.default for name, f in fields.items()}
    for arg in argv:
        if not arg.startswith(_PREFIX):
            continue
        key, _, text = arg[len(_PREFIX):].partition("=")
        if key not in fields or "," in text or text.startswith(("[", "{", "range(", "choice(", "glob(", "'", '"')):
            return None
        value = _typed(text, fields[key].type)
        if value is _UNREAD:
            return None
        settings[key] = value
    # what Hydra's launcher does to them (hydra_plugins.hydra_joblib_launcher._core.launch)
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg

    settings["backend"] = "loky"
    process_joblib_cfg(settings)
    from ..analysis.batch import joblib_workers

    workers = joblib_workers(settings["n_jobs"])
    return (settings, workers) if workers > 1 else None


_UNREAD = object()


def _typed(text: str, annotation: Any) -> Any:
    """A launcher setting's value as Hydra's schema types it (``int``, ``str``, optional ``str`` or ``float``)."""
    import typing

    args = typing.get_args(annotation) or (annotation,)
    base = next((a for a in args if a is not type(None)), str)
    if text == "null" and type(None) in args:
        return None
    try:
        return base(text) if base in (int, float) else text
    except ValueError:
        return _UNREAD


def main() -> None:
    """Entry point of ``sahel-sim``: start a joblib sweep's workers ahead, then run the command line."""
    found = joblib_settings(sys.argv[1:])
    if found is not None:
        from ..analysis.workers import start

        start(found[0], found[1], WARM_MODULES)
    from .cli import main as cli_main

    cli_main()
