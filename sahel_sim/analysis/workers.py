"""A local sweep's worker processes, started before the sweep needs them.

A joblib sweep (``hydra/launcher=joblib``) starts its loky worker processes only when Hydra's launcher calls
``joblib.Parallel``, after the command's process has imported everything, checked the command line and composed
its configs (about 2.5 s on this project's 2-core reference machine); each worker then starts Python and imports
sahel_sim, Hydra, pandas and, at its first run, Mesa (about 2 s more), all on the sweep's critical path.

``sahel-sim`` (``sahel_sim.faces.prestart``) instead asks joblib for the same workers as the command starts, with
the very arguments Hydra's launcher will pass to ``joblib.Parallel``, and has each import what a job needs
(:func:`warm`), while the command's own process goes on. joblib keeps one reusable executor per process and hands
it to a later ``Parallel`` with the same settings, so the launcher's jobs run in these workers, already warm.
Nothing else changes: the same jobs, the same processes' count, the same outputs.

The sweeper waits for the warm-up to end (:func:`await_started`) before it launches; a command that stops before
(bad input, an interrupt) kills the workers (:func:`drop_started`), so that it exits at once.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any

log = logging.getLogger(__name__)

#: the started workers' warm-up (joblib's result generator), until the sweeper waits for it
_started: Iterator[Any] | None = None


def warm(modules: Sequence[str]) -> int:
    """In a worker: import ``modules`` (what unpickling a job and its first run import), and return the process id."""
    import os

    for name in modules:
        importlib.import_module(name)
    return os.getpid()


def start(parallel_settings: dict[str, Any], workers: int, modules: Sequence[str]) -> None:
    """Start ``workers`` loky workers with joblib's ``Parallel(**parallel_settings)`` (the launcher's own
    arguments) and have each import ``modules``; returns at once. A failure only logs: the sweep then starts its
    workers itself, as without this."""
    global _started
    try:
        from joblib import Parallel, delayed

        parallel = Parallel(**parallel_settings, return_as="generator_unordered")
        _started = parallel(delayed(warm)(tuple(modules)) for _ in range(workers))
    except Exception as exc:  # noqa: BLE001 - an optimisation: never a reason for a sweep to fail
        log.debug(f"workers not started ahead: {type(exc).__name__}: {exc}")
        _started = None


def started() -> bool:
    """Whether workers were started ahead and not yet waited for."""
    return _started is not None


def await_started() -> list[int]:
    """Wait for the started workers' warm-up to end (before the sweep's jobs go to them); their process ids."""
    global _started
    started, _started = _started, None
    if started is None:
        return []
    try:
        return list(started)
    except Exception as exc:  # noqa: BLE001 - a worker that failed to warm up is replaced by joblib
        log.debug(f"warm-up of the workers started ahead failed: {type(exc).__name__}: {exc}")
        return []


def drop_started() -> None:
    """Kill the workers started ahead, when the command stops before its sweep (bad input, an interrupt)."""
    global _started
    started, _started = _started, None
    if started is None:
        return
    import warnings

    try:
        with warnings.catch_warnings():  # joblib warns of results never read: none is wanted
            warnings.simplefilter("ignore")
            started.close()  # joblib aborts the call, which kills its executor's workers
    except Exception as exc:  # noqa: BLE001 - the interpreter's exit ends them anyway
        log.debug(f"workers started ahead not stopped: {type(exc).__name__}: {exc}")
