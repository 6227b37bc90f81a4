"""The Python entry points: compose a config from the same Hydra configs as the CLI, run it, write its outputs.

    >>> import sahel_sim
    >>> result = sahel_sim.run(["mechanisms.rivalry.enabled=false"], seed=3)
    >>> result.attacks.groupby("camp").spectacular.sum()

The CLI (:mod:`sahel_sim.cli`) is built on these functions, so the two always agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from .config import SimConfig, validated
from .params import ConfigError

SCHEMA_NAME = "sahel_sim_schema"


def config_dir() -> Path:
    """The folder holding the Hydra configs: packaged in the wheel, or the repository's ``configs/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "configs", here.parent / "configs"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"no configs/config.yaml next to {here} or in {here.parent}")


def register_schema() -> None:
    """Register the structured schema in Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=SCHEMA_NAME, node=SimConfig)


def to_sim_config(cfg: DictConfig) -> SimConfig:
    """The validated dataclass tree of a composed config (Hydra's own node removed)."""
    from omegaconf.errors import OmegaConfBaseException

    try:
        if OmegaConf.get_type(cfg) is SimConfig and "hydra" not in cfg:
            sim_config = OmegaConf.to_object(cfg)  # composed on the schema already: no second merge
        else:
            container = OmegaConf.to_container(cfg, resolve=True)
            container.pop("hydra", None)
            merged = OmegaConf.merge(OmegaConf.structured(SimConfig), container)
            sim_config = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise config_error(exc) from None
    from .sensitivity import apply_design_row

    apply_design_row(sim_config)
    if sim_config.replicate >= 0:
        from .sweep import derive_seed

        sim_config.seed = derive_seed(sim_config.base_seed, sim_config.replicate)
    return validated(sim_config)


def compose(overrides: list[str] | None = None, config_name: str = "config") -> DictConfig:
    """Compose the run's config from ``configs/`` with Hydra overrides, exactly as the CLI does."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    register_schema()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=list(overrides or []))
    except (HydraException, OmegaConfBaseException) as exc:
        raise config_error(exc) from None


def load_config(overrides: list[str] | None = None, seed: int | None = None) -> SimConfig:
    """A validated :class:`SimConfig` composed from the configs with overrides (and an optional seed)."""
    overrides = list(overrides or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    return to_sim_config(compose(overrides))


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


def run(overrides: list[str] | None = None, seed: int | None = None, out_dir: str | Path | None = None,
        config: SimConfig | None = None, figure: bool | None = None) -> RunResult:
    """Run one simulation and return its tables; with ``out_dir``, also write them there."""
    from .model import SahelModel
    from .outputs import build_tables, summarise, write_run

    sim_config = config if config is not None else load_config(overrides, seed)
    if config is not None and seed is not None:
        sim_config.seed = seed
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


def config_error(exc: BaseException) -> ConfigError:
    """One clear ConfigError (field, what is wrong, what is allowed) from a Hydra or OmegaConf exception."""
    import dataclasses

    cause = exc.__cause__ or exc
    key = getattr(cause, "full_key", None) or getattr(exc, "full_key", None)
    message = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if "not in" in message or "not in struct" in message:
        owner = getattr(cause, "object_type", None)
        if dataclasses.is_dataclass(owner):
            message += f"; allowed keys: {', '.join(f.name for f in dataclasses.fields(owner))}"
    elif "Could not find '" in message:
        missing = message.split("Could not find '", 1)[1].split("'")[0]
        group = missing.rsplit("/", 1)[0] if "/" in missing else missing
        options = sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))
        key = key or group
        message = f"no config {missing!r}" + (f"; allowed: {', '.join(options)}" if options else "")
    if not key:
        text = str(exc)
        key = text.split("'")[1] if text.count("'") >= 2 else "overrides"
    return ConfigError(str(key), message)
