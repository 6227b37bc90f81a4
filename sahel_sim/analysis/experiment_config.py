"""The schema of a designed experiment (``configs/experiment/*.yaml``): its swept parameters, fixed overrides and
scales. Its driver is :mod:`sahel_sim.analysis.experiment`; this module holds only the schema, so that the root
schema (:mod:`sahel_sim.analysis.schema`) can hold it without importing the driver and the sweeps it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.params import ConfigError, param

SCALES = ("smoke", "full")
#: what a report may gather from other runs (``experiment.gather.NAME=FOLDER``), and the files each folder must hold:
#: a recovery run's tables (python -m sahel_sim.analysis.inference.recovery OUT), a forecast's scores and a
#: projection's runs (their experiments' output folders)
GATHERABLE: dict[str, tuple[str, ...]] = {
    "recovery": ("recovery.csv", "coverage.csv", "model_recovery.csv"),
    "forecast": ("forecast_scores.csv", "findings.md"),
    "projection": ("projection.parquet", "projection.csv"),
}


@dataclass
class ScaleConfig:
    """How big an experiment is at one scale: replicates per design point, and overrides for that scale."""

    replicates: int = param(30, lo=1, hi=100_000, doc="seeds per design point")
    design_n: int = param(0, lo=0, hi=1_000_000, doc="base sample size of a design (Sobol: power of 2; Latin: rows)")
    sweep: dict[str, str] = param(factory=dict, doc="swept keys -> Hydra sweep values at this scale")
    fixed: list[str] = param(factory=list, doc="overrides for every run at this scale")
    confirm_replicates: int = param(0, lo=0, hi=100_000,
                                    doc="fresh seeds per accepted row in a calibration's confirmation stage (0: none)")


@dataclass
class ExperimentConfig:
    """A designed experiment (``configs/experiment/*.yaml``); ``name`` empty means a plain run."""

    name: str = ""
    title: str = ""
    question: str = ""
    sweep: dict[str, str] = param(factory=dict, doc="swept keys -> Hydra sweep values (e.g. '0,0.5,1')")
    fixed: list[str] = param(factory=list, doc="overrides applied to every run of the experiment")
    scales: dict[str, ScaleConfig] = param(factory=dict)
    design: dict[str, list[float]] = param(factory=dict, doc="sensitivity design: parameter -> [low, high]")
    design_method: str = param("sobol", choices=("sobol", "morris", "latin"),
                               doc="sampling of the design: sobol, morris, or latin (calibration)")
    base_seed: int = param(20151120, lo=0, hi=2**32 - 1, doc="base of the replicate seeds")
    launcher: str = param("basic", doc="Hydra launcher of the sweep: basic, joblib, submitit_local, ...")
    posterior: str = param("", doc="posterior.parquet of an inference run: each replicate runs at a parameter set "
                           "drawn from it by weight (docs/inference.md); empty: every run at the configured point")
    world: str = param("both", choices=("both", "global_only", "local_only", "neither"),
                       doc="the world whose posterior particles the draws come from (with experiment.posterior)")
    needs_posterior: bool = param(False, doc="the experiment is about a posterior (its report): refused without "
                                  "experiment.posterior")
    gather: dict[str, str] = param(factory=dict, doc="a report's inputs from other runs: name (recovery, forecast, "
                                   "projection) -> the folder of that run, whose tables the report copies and reads "
                                   "(empty: not gathered)")

    def check(self, path: str) -> None:
        if self.name and not self.scales:
            raise ConfigError(f"{path}.scales", "is empty; allowed: a mapping with smoke and full")
        if self.needs_posterior and not self.posterior:
            raise ConfigError(f"{path}.posterior", f"is empty, and experiment {self.name!r} reports on a posterior; "
                              "allowed: the posterior.parquet of an inference (python -m "
                              "sahel_sim.analysis.inference.abc OUT writes OUT/posterior.parquet)")
        for name, folder in self.gather.items():
            if not folder:  # an entry left empty: nothing gathered under that name
                continue
            if name not in GATHERABLE:
                raise ConfigError(f"{path}.gather.{name}", f"is not something a report gathers; allowed: "
                                  f"{', '.join(GATHERABLE)}")
            from pathlib import Path

            missing = [f for f in GATHERABLE[name] if not (Path(folder) / f).is_file()]
            if missing:
                raise ConfigError(f"{path}.gather.{name}", f"{folder!r} has no {', '.join(missing)}; allowed: the "
                                  f"folder of a {name} run, which holds {', '.join(GATHERABLE[name])}")
        if self.posterior and self.design:
            raise ConfigError(f"{path}.posterior", "cannot be combined with a design experiment (its rows set the "
                              "parameters); allowed: empty")
