"""Experiments: one command runs a designed sweep, collects it, and turns it into figures and findings.

``sahel-sim experiment=NAME [scale=smoke]`` reads ``configs/experiment/NAME.yaml``: the swept parameters, the fixed
overrides and the number of replicates at each scale. It runs the sweep as an ordinary ``sahel-sim -m`` multirun
(the one sweep mechanism of the project: same launchers, same resumption, same collection), then calls the
experiment's analysis, ``experiments/NAME.py: analyse(context)``, which writes its figures (PNG and PDF), the tidy
table behind each figure and ``findings.md`` into ``outputs/experiments/NAME/SCALE/``. Re-running the command
reuses the finished runs, so a figure is rebuilt from its config and seed range with the same table.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core.params import ConfigError
from .experiment_config import ExperimentConfig, ScaleConfig

#: the words every smoke-scale output carries (findings.md, validation.md, figure titles and footers): a smoke run
#: checks that the experiment runs end to end, with too few seeds to read anything from
SMOKE_MARK = "smoke test: not results"


@dataclass
class ExperimentContext:
    """What an analysis gets: the config, where the runs are, where to write, and the collected tables."""

    name: str
    scale: str
    config: ExperimentConfig
    sweep_dir: Path
    out_dir: Path
    metrics: pd.DataFrame
    runs: pd.DataFrame
    command: list[str] = field(default_factory=list)

    def run_dirs(self) -> list[Path]:
        """Folders of the finished runs."""
        return [self.sweep_dir / r for r in self.runs.loc[self.runs["status"] == "complete", "run"]]

    def read_tables(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One table (attacks, world, factions, events, claims) of every finished run, with the run's parameters."""
        params = self.runs.set_index("run").drop(columns=["status", "error"], errors="ignore")
        frames = []
        for run in self.runs.loc[self.runs["status"] == "complete", "run"]:
            df = pd.read_parquet(self.sweep_dir / run / f"{table}.parquet", columns=columns)
            for key, value in params.loc[run].items():
                df[key] = value
            df["run"] = run
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def rebuild(self) -> str:
        """The command that rebuilds this experiment's outputs: its name and scale, and the posterior it drew from
        and what it gathered, when it did."""
        parts = [f"sahel-sim experiment={self.name} scale={self.scale}"]
        if self.config.posterior:
            parts.append(f"experiment.posterior={self.config.posterior}")
            if self.config.world != "both":
                parts.append(f"experiment.world={self.config.world}")
        parts += [f"experiment.gather.{k}={v}" for k, v in self.config.gather.items() if v]
        return " ".join(parts)

    @property
    def smoke(self) -> bool:
        """Whether this is a smoke-scale run (its outputs are marked :data:`SMOKE_MARK`)."""
        return self.scale == "smoke"

    def footer(self) -> str:
        """The provenance line every figure carries: experiment, scale, seeds, command (led by
        :data:`SMOKE_MARK` at smoke scale, which also marks the figure's titles)."""
        seeds = self.runs["seed"].dropna()
        mark = f"{SMOKE_MARK.upper()} · " if self.smoke else ""
        return (f"{mark}sahel_sim experiment={self.name} scale={self.scale} · {len(seeds)} runs, base_seed "
                f"{self.config.base_seed}, seeds {int(seeds.min()) if len(seeds) else '-'}.."
                f"{int(seeds.max()) if len(seeds) else '-'} · rebuild: {self.rebuild()}")


def sweep_command(exp: ExperimentConfig, scale: str, sweep_dir: Path, extra: list[str]) -> list[str]:
    """The ``sahel-sim -m`` command line of an experiment at a scale."""
    if scale not in exp.scales:
        raise ConfigError("scale", f"{scale!r} is not a scale of experiment {exp.name}; allowed: "
                          f"{', '.join(exp.scales)}")
    s = exp.scales[scale]
    sweep = {**exp.sweep, **s.sweep, "replicate": f"range(0,{s.replicates})"}
    if exp.posterior:
        sweep, extra = _posterior_sweep(exp, s, sweep, sweep_dir, list(extra))
    else:
        _forget_posterior(sweep_dir.parent)
    if exp.design:
        from .sensitivity import make_design

        design_file = sweep_dir.parent / "design.csv"
        table = make_design(exp.design_method, {k: (float(v[0]), float(v[1])) for k, v in exp.design.items()},
                            s.design_n, exp.base_seed, design_file)
        sweep = {"design.file": str(design_file.resolve()), "design.row": f"range(0,{len(table)})", **sweep}
    return _multirun(exp, s, sweep, sweep_dir, extra)


def _posterior_sweep(exp: ExperimentConfig, s: ScaleConfig, sweep: dict[str, str], sweep_dir: Path,
                     extra: list[str]) -> tuple[dict[str, str], list[str]]:
    """The sweep of an experiment run from a posterior: replicate k runs at parameter set k drawn by weight from
    ``exp.posterior``'s particles of ``exp.world`` (:mod:`sahel_sim.analysis.inference.propagation`), written as a
    design table whose row k sets replicate k (hence its seed) and the drawn values; the rows replace the
    replicates in the sweep. Keys the experiment sets itself are left out of the draws; the world's switches are
    added to ``extra``. Refuses a missing posterior or a world without particles before any run."""
    from ..runner.compose import config_dir
    from .inference.propagation import keys_set_by, override_key, prepare_draws

    own = {k: v for k, v in sweep.items() if k != "replicate"}
    for o in (*exp.fixed, *s.fixed, *extra):
        own.setdefault(override_key(o), o.split("=", 1)[1] if "=" in o else "")
    keys = keys_set_by(own, config_dir())
    design, switches = prepare_draws(exp.posterior, exp.world, s.replicates, exp.base_seed, keys, sweep_dir.parent)
    rows = {k: v for k, v in sweep.items() if k != "replicate"}
    return ({"design.file": str(design.resolve()), "design.row": f"range(0,{s.replicates})", **rows},
            [*switches, *extra])


def _forget_posterior(out_dir: Path) -> None:
    """A run at a named point after one from a posterior in the same folder: the posterior's sidecar goes, so that
    the findings do not claim draws the runs no longer have."""
    from .inference.propagation import SIDECAR

    (out_dir / SIDECAR).unlink(missing_ok=True)


def _multirun(exp: ExperimentConfig, s: ScaleConfig, sweep: dict[str, str], sweep_dir: Path,
              extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """A ``sahel-sim -m`` command line with the experiment's fixed overrides, base seed and launcher."""
    return [sys.executable, "-m", "sahel_sim", "-m", *exp.fixed, *s.fixed, *extra,
            *(f"{k}={v}" for k, v in sweep.items()), f"base_seed={exp.base_seed}", "output.quiet=true",
            f"hydra/launcher={exp.launcher}", f"hydra.sweep.dir={sweep_dir}"]


def _finished(cmd: list[str], sweep_dir: Path):
    """The sweep folder's collection if it holds every run of this very sweep command, all complete and made by
    the current code and configs (:mod:`sahel_sim.runner.provenance`), else None: then re-running the command has
    nothing to do, and skipping it saves Hydra composing every job again only to find it finished."""
    from ..runner.provenance import made_by_current_code
    from .sweep import collect, sweep_task

    task = sweep_task(sweep_dir)
    if task is None:
        return None
    first = len(cmd) - cmd[::-1].index("-m")  # the overrides follow sahel-sim's own -m (after python's -m)
    wanted = [o for o in cmd[first:] if not o.startswith("hydra")]
    if sorted(map(str, task)) != sorted(wanted):
        return None
    done = collect(sweep_dir, write=False)
    complete = (bool(done.complete) and not (done.failed or done.unfinished or done.missing)
                and all(made_by_current_code(sweep_dir / run) for run in done.complete))
    design = next((o.split("=", 1)[1] for o in wanted if o.startswith("design.file=")), None)
    if complete and design:  # a design drawn again (other size or ranges) gives its rows other values
        import pandas as pd

        from .sensitivity import run_has_design_values

        table = pd.read_csv(design)
        complete = all(run_has_design_values(sweep_dir / run, table) for run in done.complete)
    return done if complete else None


def _sweep_and_collect(cmd: list[str], sweep_dir: Path, what: str):
    """Run (or resume) a sweep command unless its folder already holds all its runs, then collect it, keeping
    only the runs of this command: runs of an earlier command in the same folder (other rows, other replicates)
    are left out of the analysis, and said so. Raises if the sweep failed with no finished run."""
    from .sweep import collect

    result = _finished(cmd, sweep_dir)
    if result is not None:
        print(f"sahel-sim: every run of {sweep_dir} is already complete: reusing them", file=sys.stderr)
        result.write_tables()
        code = 0
    else:
        code = subprocess.run(cmd).returncode
        result = collect(sweep_dir)
    if result.stray:
        print(f"sahel-sim: {len(result.stray)} runs in {result.sweep_dir} are not part of this sweep command "
              "(an earlier one): left out", file=sys.stderr)
        stray = set(result.stray)
        result.runs = result.runs[~result.runs["run"].isin(stray)].reset_index(drop=True)
        result.metrics = result.metrics[~result.metrics["run"].isin(stray)].reset_index(drop=True)
        result.complete = [r for r in result.complete if r not in stray]
    if code != 0 and not result.complete:
        raise RuntimeError(f"the {what} failed (exit {code}); see {sweep_dir}")
    return result


def design_sweep(ctx: ExperimentContext, design_file: Path, rows: list[int], replicates: range,
                 sweep_dir: Path) -> ExperimentContext:
    """Run (or resume) chosen rows of a design table with chosen replicates, as one more ``sahel-sim -m`` sweep
    with the experiment's fixed overrides and launcher, and collect it: a second stage of an experiment (e.g. a
    calibration's confirmation on fresh seeds). Returns a context for that sweep (same config and output folder)."""
    exp = ctx.config
    cmd = _multirun(exp, exp.scales[ctx.scale], {"design.file": str(design_file.resolve()),
                                                  "design.row": ",".join(str(int(r)) for r in rows),
                                                  "replicate": f"range({replicates.start},{replicates.stop})"},
                    sweep_dir)
    print(f"sahel-sim: experiment {exp.name} ({ctx.scale}), second stage: {' '.join(cmd[3:])}", file=sys.stderr)
    result = _sweep_and_collect(cmd, sweep_dir, f"second-stage sweep of experiment {exp.name}")
    return ExperimentContext(ctx.name, ctx.scale, exp, sweep_dir, ctx.out_dir, result.metrics, result.runs, cmd)


def mark_smoke_outputs(out_dir: Path) -> None:
    """Put :data:`SMOKE_MARK` at the top of a smoke-scale experiment's written findings (``*.md``), so that no
    number there is read as a result."""
    banner = (f"> **{SMOKE_MARK[0].upper()}{SMOKE_MARK[1:]}.** This is the smoke scale: a few seeds to check that the "
              "experiment runs end to end. Nothing here is a finding; run `scale=full` for results.\n\n")
    for path in sorted(Path(out_dir).glob("*.md")):
        text = path.read_text()
        if not text.startswith(banner):
            path.write_text(banner + text)


def _analysis_module(name: str):
    """``experiments.NAME``: installed with the package, or from the repository next to ``configs/``."""
    try:
        return importlib.import_module(f"experiments.{name}")
    except ModuleNotFoundError:
        from ..runner.compose import config_dir

        sys.path.insert(0, str(config_dir().parent))
        return importlib.import_module(f"experiments.{name}")


def run_experiment(exp: ExperimentConfig, scale: str, root: Path | None, extra: list[str] | None = None,
                   out_dir: Path | None = None) -> Path:
    """Run (or resume) an experiment's sweep, collect it, and run its analysis. Returns the output folder:
    ``out_dir`` (the command line's ``hydra.run.dir``) or else ``root/NAME/SCALE``."""
    if out_dir is None:
        if root is None:
            raise ValueError("run_experiment needs root or out_dir")
        out_dir = root / exp.name / scale
    out_dir = Path(out_dir)
    sweep_dir = out_dir / "runs"
    cmd = sweep_command(exp, scale, sweep_dir, list(extra or []))
    print(f"sahel-sim: experiment {exp.name} ({scale}): {' '.join(cmd[3:])}", file=sys.stderr)
    t0 = time.perf_counter()
    result = _sweep_and_collect(cmd, sweep_dir, f"sweep of experiment {exp.name}")
    analysis = _analysis_module(exp.name)
    context = ExperimentContext(exp.name, scale, exp, sweep_dir, out_dir, result.metrics, result.runs, cmd)
    analysis.analyse(context)
    if scale == "smoke":
        mark_smoke_outputs(out_dir)
    print(f"sahel-sim: experiment {exp.name} ({scale}) done in {time.perf_counter() - t0:.0f} s: "
          f"{len(result.complete)} runs, {len(result.failed)} failed", file=sys.stderr)
    print(f"sahel-sim: experiment {exp.name} ({scale}) wrote its figures, tables and findings.md to {out_dir}")
    return out_dir
