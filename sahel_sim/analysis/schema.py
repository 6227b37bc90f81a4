"""The root schema Hydra composes into: the model's sections, a run's outputs, and the sections of the analysis
layer (a sensitivity design's row, an experiment and its scale), with compose and load bound to it.

Each layer owns its sections: :class:`~sahel_sim.core.config.SimConfig` (the model),
:class:`~sahel_sim.runner.run.RunConfig` (adds ``output``), and :class:`SahelConfig` here (adds ``design``,
``experiment``, ``scale``). A config read from the command line or :func:`load_config` is a :class:`SahelConfig`,
which the model takes as the :class:`~sahel_sim.core.config.SimConfig` it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omegaconf import DictConfig

from ..core.params import param, use_root_schema
from ..runner import compose as _compose
from ..runner.run import RunConfig
from .experiment_config import SCALES, ExperimentConfig
from .sensitivity import DesignConfig, apply_design_row


@dataclass
class SahelConfig(RunConfig):
    """One run as the command line composes it: the model, its outputs, and the design row, experiment and scale
    it belongs to (``design`` and ``experiment`` empty for a plain run)."""

    design: DesignConfig = field(default_factory=DesignConfig)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)
    scale: str = param("full", choices=SCALES, doc="size of an experiment: smoke (minutes) or full (publication)")


use_root_schema(SahelConfig)


def register_schema() -> None:
    """Register :class:`SahelConfig` in Hydra's ConfigStore as the configs' schema (idempotent)."""
    _compose.register_schema(SahelConfig)


def compose(overrides: list[str] | None = None, config_name: str = "config") -> DictConfig:
    """Compose the run's config from ``configs/`` with Hydra overrides, exactly as the CLI does."""
    return _compose.compose(SahelConfig, overrides, config_name)


def to_sim_config(cfg: DictConfig) -> SahelConfig:
    """The validated dataclass tree of a composed config (Hydra's own node removed), with its design row's
    values and its replicate's seed applied."""
    config = _compose.to_config(cfg, SahelConfig)
    apply_design_row(config)
    return _compose.resolved(config)


def load_config(overrides: list[str] | None = None, seed: int | None = None) -> SahelConfig:
    """A validated :class:`SahelConfig` composed from the configs with overrides (and an optional seed)."""
    overrides = list(overrides or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    return to_sim_config(compose(overrides))
