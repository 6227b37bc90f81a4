"""``sahel-sim``: the Hydra application.

``sahel-sim`` runs the default scenario and prints a summary and where its files are; Hydra overrides change
anything (``sahel-sim seed=3 mechanisms.rivalry.enabled=false calendar.end=2019-12-30``); ``sahel-sim -m ...``
sweeps. Bad input stops before the run with one line naming the field and what is allowed, and exit code 2.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from .._version import __version__
from ..analysis.batch import check_chunk_settings, mark_prechecked
from ..analysis.experiment import run_experiment
from ..analysis.schema import SahelConfig, compose, register_schema, to_sim_config
from ..analysis.sweep import CONFIG_FLAGS, run_job, tell, with_sweep_dir
from ..analysis.workers import drop_started
from ..core.params import ConfigError, check_override
from ..core.scenario import dropped_events_note
from ..runner.compose import config_dir
from ..runner.outputs import OutputError, check_folder, check_writable
from ..runner.run import run

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
_task_started = False
_imports_frozen = False


def _fail(message: str) -> None:
    print(f"sahel-sim: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def _run_dir(cfg: DictConfig) -> Path:
    if cfg.output.dir:
        return Path(cfg.output.dir)
    return Path(HydraConfig.get().runtime.output_dir)


@hydra.main(version_base="1.3", config_path=str(config_dir()), config_name="config")
def _app(cfg: DictConfig) -> None:
    global _task_started
    _task_started = True
    logging.getLogger("MESA").setLevel(logging.WARNING)
    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode == RunMode.MULTIRUN:
        run_job(cfg, _run_dir(cfg), list(hydra_cfg.overrides.task))
        return
    try:
        sim_config = to_sim_config(cfg)
    except ConfigError as exc:
        _fail(str(exc))
    if sim_config.experiment.name:
        extra = [o for o in hydra_cfg.overrides.task
                 if not o.startswith(("experiment=", "scale=", "experiment.", "hydra"))]
        # the run folder, as for a single run: hydra.run.dir (by default outputs/experiments/NAME/SCALE)
        try:
            run_experiment(sim_config.experiment, sim_config.scale, None, extra, out_dir=_run_dir(cfg))
        except ConfigError as exc:
            _fail(str(exc))
        return
    _remember_default_if_held(hydra_cfg, sim_config)
    out_dir = _run_dir(cfg)
    field = "output.dir" if cfg.output.dir else "hydra.run.dir"
    try:
        check_writable(out_dir, field)
    except OutputError as exc:
        _fail(str(exc))
    try:
        result = run(config=sim_config, out_dir=out_dir)
    except KeyboardInterrupt:  # SIGINT, or SIGTERM turned into it by main(): the staging folder is already gone
        tell(f"sahel-sim: interrupted: {out_dir} holds no finished run and no half-written table; "
             "run the command again")
        sys.exit(EXIT_INTERRUPTED)
    except OutputError as exc:
        _fail(str(exc))
    except OSError as exc:  # a full disk or a vanished folder while writing: nothing half-written remains
        _fail(f"{field}: could not write the outputs to {out_dir} ({exc.strerror or exc}), nothing was written; "
              "allowed: a writable folder with free space")
    if not sim_config.output.quiet:
        note = dropped_events_note(sim_config)  # after the run: a run that fails says only why
        if note:
            tell(note)
        _print_summary(result)


#: the settings a single run may override and still hold the default config's compared settings: the seed and the
#: outputs (a design's row or an experiment would change others)
_DEFAULT_KEEPING_KEYS = ("seed", "replicate", "base_seed", "output")


def _remember_default_if_held(hydra_cfg, sim_config) -> None:
    """A run whose overrides only set the seed or the outputs (``sahel-sim seed=5``) holds the default config's
    settings that its summary compares with it (``differs_from_default``): they are taken from the run's own
    config, so that the summary does not compose the default config again (~0.3 s of the process)."""
    from hydra.core.global_hydra import GlobalHydra

    from ..analysis.batch import only_values_of
    from ..runner.defaults import compared_leaves, remember_default_leaves

    if hydra_cfg.job.config_name != "config" or any(str(o).startswith(("hydra.searchpath", "+hydra.searchpath"))
                                                    for o in hydra_cfg.overrides.hydra):
        return
    loader = GlobalHydra.instance().config_loader()
    if only_values_of(list(hydra_cfg.overrides.task), _DEFAULT_KEEPING_KEYS, loader, set(hydra_cfg.runtime.choices)):
        remember_default_leaves(type(sim_config), compared_leaves(sim_config, resolve=False))


def _print_summary(result) -> None:
    s = result.summary
    print(f"sahel_sim {__version__}: scenario {s['scenario']}, seed {s['seed']}, {s['start']} .. {s['end']} "
          f"({s['weeks']} weeks, {result.wall_time_s:.2f} s)")
    camps = ", ".join(f"{c} {n}" for c, n in s["spectacular_by_camp"].items()) or "none"
    print(f"  attacks {s['attacks']} (killed {s['killed_in_attacks']}); spectacular {s['spectacular_attacks']} "
          f"({camps})")
    print(f"  splits {s['splits']}, pledges {s['pledges']}, mergers {s['mergers']}, leader deaths "
          f"{s['leader_deaths']}, competing claims {s['competing_claims']}")
    print(f"  MINUSMA killed {s['minusma_killed']}, Barkhane killed {s['barkhane_killed']}, "
          f"Malian forces killed {s['state_forces_killed']}")
    changed = s.get("differs_from_default") or []
    print(f"  differs from the default: {', '.join(changed) if changed else 'nothing (the default config)'}")
    print(f"  outputs: {result.out_dir}")


#: Hydra flags after which precheck steps aside (Hydra prints, it does not run); the config flags are CONFIG_FLAGS
_INFO_FLAGS = ("--cfg", "-c", "--help", "-h", "--hydra-help", "--info", "-i", "--resolve", "--package", "-p",
               "--shell-completion", "-sc", "--experimental-rerun")


def _split_argv(argv: list[str]) -> tuple[dict[str, str], list[str], bool] | None:
    """Hydra's value flags, the overrides, and whether it is a multirun; None when Hydra only prints."""
    flags, overrides, multirun = {}, [], False
    it = iter(argv)
    for arg in it:
        name, eq, value = arg.partition("=")
        if arg in ("-m", "--multirun"):
            multirun = True
        elif name in CONFIG_FLAGS:
            flags[CONFIG_FLAGS[name]] = value if eq else next(it, "")
        elif arg.startswith(_INFO_FLAGS) or arg.startswith("-"):
            return None
        else:
            overrides.append(arg)
    return flags, overrides, multirun


def _parse_overrides(overrides: list[str]):
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    parsed = []
    for text in overrides:  # one by one, so that a grammar error names its own key
        try:
            parsed.extend(parser.parse_overrides([text]))
        except Exception as exc:  # noqa: BLE001 - Hydra's grammar errors have many types
            key = text.split("=", 1)[0].lstrip("+~") or "overrides"
            detail = str(exc).strip().splitlines()[0]
            _fail(f"{key}: {text!r} is not a valid override ({detail}); allowed: KEY=VALUE in Hydra's syntax, "
                  "quoting values with spaces or commas")
    return parsed


def precheck(argv: list[str]) -> None:
    """Compose and validate the command line's config before Hydra starts, so that bad input gets one line.

    A sweep is composed once with the first value of each swept key; every further value is checked against
    its field's declared type and range (config groups are composed). Rules that span fields are checked in full
    for that first combination; a later combination that breaks one fails in its own run (``error.json``).
    ``--config-dir`` and ``--config-name`` are honoured; command lines that only ask Hydra to print (``--cfg``,
    ``--help``, ...) are left to Hydra. The run folder is checked without creating anything.
    """
    split = _split_argv(argv)
    if split is None:
        return
    flags, overrides, multirun = split
    if "config_path" in flags:
        return  # a different primary config tree: Hydra's own checks apply
    parsed = _parse_overrides(overrides)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    if flags.get("config_dir"):
        fixed.append(f"hydra.searchpath=[file://{Path(flags['config_dir']).resolve()}]")
    sweeps = [(o.get_key_element(), list(o.sweep_string_iterator())) for o in parsed if o.is_sweep_override()]
    groups = {p.name for p in config_dir().iterdir() if p.is_dir()}
    name = flags.get("config_name") or "config"
    try:
        # the whole config with the first value of every sweep; then each further value on its own
        first = to_sim_config(compose([*fixed, *(f"{key}={values[0]}" for key, values in sweeps)], name))
        for key, values in sweeps:
            for value in values[1:]:
                if key.split("/")[0].lstrip("+~") in groups:
                    to_sim_config(compose([*fixed, f"{key}={value}"], name))
                elif not key.startswith("hydra"):
                    check_override(SahelConfig, key.lstrip("+~"), value)
        values = {o.get_key_element(): o.get_value_element_as_str() for o in parsed if not o.is_sweep_override()}
        check_chunk_settings(values)
        folder_key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
        if first.output.dir and not multirun:
            check_folder(Path(first.output.dir), "output.dir")
        if folder_key in values:
            check_folder(Path(values[folder_key]), folder_key)
        elif not multirun:
            check_folder(Path("outputs"), "hydra.run.dir")
    except (ConfigError, OutputError) as exc:
        _fail(str(exc))
    if multirun and not flags.get("config_dir") and name == "config":
        mark_prechecked(overrides)  # every value checked: the sweeper does not compose them again


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    """Entry point of ``sahel-sim`` (and ``python -m sahel_sim``)."""
    if "--version" in sys.argv[1:]:
        print(f"sahel-sim {__version__}")
        return
    global _task_started, _imports_frozen
    _task_started = False
    # Everything imported so far (numpy, pandas, mesa, Hydra: ~135,000 tracked objects) lives as long as the process:
    # frozen, the garbage collector no longer walks it in each full collection nor at exit (~0.1-0.2 s of a run).
    # Left frozen (unfreezing would put it back into the collection at exit); once per process, so that main()
    # called again in one process (the tests) does not freeze what earlier calls left. Not gc.get_freeze_count():
    # CPython 3.12 starts with a few hundred objects frozen.
    if not _imports_frozen:
        gc.freeze()
        _imports_frozen = True
    # SIGTERM (a scheduler's kill, a timeout) unwinds like Ctrl-C, so that no half-written file stays behind
    signal.signal(signal.SIGTERM, _terminate)
    try:
        register_schema()
        mark_prechecked(None)
        precheck(sys.argv[1:])
        sys.argv[1:] = with_sweep_dir(sys.argv[1:])
        _app()
    except KeyboardInterrupt:
        if _task_started:
            raise  # a sweep's own handling has reported it
        # Ctrl-C (or SIGTERM) while the config is still being composed: nothing has been written yet
        tell("sahel-sim: interrupted before the run started; nothing was written")
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as exc:
        # Hydra reports config composition errors (unknown key, wrong type, missing group) itself and exits 1
        # before the task starts: those are bad input.
        if exc.code == 1 and not _task_started:
            sys.exit(EXIT_BAD_INPUT)
        raise
    finally:
        drop_started()  # a sweep whose launcher did not take them (hydra/sweeper=basic): they are done with


if __name__ == "__main__":
    main()
