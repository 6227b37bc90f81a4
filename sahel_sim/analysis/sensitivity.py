"""Global sensitivity designs (SALib) run as ordinary sweeps, and their analysis from the collected table.

1. ``sahel-sim-design make --method sobol --param mechanisms.rivalry.strength=0:3 --param ... --n 64
   --out designs/main.csv`` writes a design table (one row per run: ``row`` and one column per parameter) and
   its problem definition (``designs/main.problem.json``).
2. ``sahel-sim -m design.file=$PWD/designs/main.csv 'design.row=range(0,N)' replicate=0,1`` runs one sweep job
   per row (and replicate); each run takes its parameter values from its row (:func:`apply_design_row`).
3. ``sahel-sim-design analyse designs/main.csv SWEEP_DIR --metric spectacular_attacks`` reads the sweep's
   ``metrics.parquet``, averages replicates per row, and computes Sobol first- and total-order indices with
   confidence intervals (or Morris mu*, sigma).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.params import ConfigError, param

METHODS = ("sobol", "morris", "latin")


@dataclass
class DesignConfig:
    """A row of a sensitivity design applied to this run: ``file`` (a CSV written by ``sahel-sim-design make``)
    and ``row`` (its row number, -1 for none)."""

    file: str = ""
    row: int = param(-1, lo=-1, hi=10**9, doc="row of the design table applied to this run; -1 for none")


def problem_path(design: Path) -> Path:
    return design.with_suffix(".problem.json")


def make_design(method: str, bounds: dict[str, tuple[float, float]], n: int, seed: int, out: Path) -> pd.DataFrame:
    """Sample a Sobol (Saltelli), Morris or Latin hypercube design over ``bounds`` and write it with its problem
    definition. ``latin`` draws ``n`` rows, one per stratum of each parameter's range (SALib's
    ``latin.sample``): a space-filling sample of the prior for calibration, with no sensitivity analysis."""
    if method not in METHODS:
        raise ValueError(f"method {method!r}; allowed: {', '.join(METHODS)}")
    problem = {"num_vars": len(bounds), "names": list(bounds), "bounds": [list(b) for b in bounds.values()]}
    if method == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, n, calc_second_order=False, seed=seed)
    elif method == "morris":
        from SALib.sample import morris

        x = morris.sample(problem, n, num_levels=4, seed=seed)
    else:
        from SALib.sample import latin

        x = latin.sample(problem, n, seed=seed)
    table = pd.DataFrame(x, columns=problem["names"])
    table.insert(0, "row", np.arange(len(table)))
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    problem_path(out).write_text(json.dumps({"method": method, "n": n, "seed": seed, "problem": problem}, indent=2))
    return table


@lru_cache(maxsize=8)
def _read_design(path: str, mtime: float) -> pd.DataFrame:
    return pd.read_csv(path)


def apply_design_row(config) -> None:
    """Set the parameters of ``config.design.row`` of ``config.design.file`` on the config (in place)."""
    design = config.design
    if not design.file or design.row < 0:
        return
    path = Path(design.file)
    if not path.is_file():
        raise ConfigError("design.file", f"{design.file!r} does not exist; allowed: a CSV from sahel-sim-design make")
    table = _read_design(str(path), path.stat().st_mtime)
    if design.row >= len(table):
        raise ConfigError("design.row", f"{design.row} is out of range; allowed [0, {len(table) - 1}]")
    row = table.iloc[design.row]
    for name in table.columns:
        if name != "row":
            set_path(config, name, float(row[name]))


def set_path(config, dotted: str, value: float) -> None:
    """Set one parameter (a dotted config path, dict entries included) on a config tree in place, rounded to a
    whole number where the field is an integer; a path that is not a parameter is refused naming it."""
    node = config
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node[part] if isinstance(node, dict) else getattr(node, part, None)
        if node is None:
            raise ConfigError(f"design.file:{dotted}", "is not a parameter of the config")
    leaf = parts[-1]
    if isinstance(node, dict):
        node[leaf] = value
        return
    if not dataclasses.is_dataclass(node) or leaf not in {f.name for f in dataclasses.fields(node)}:
        raise ConfigError(f"design.file:{dotted}", "is not a parameter of the config")
    kind = typing.get_type_hints(type(node))[leaf]
    setattr(node, leaf, int(round(value)) if kind is int else value)


def run_has_design_values(run_dir: Path, table: pd.DataFrame) -> bool:
    """Whether a finished run's ``config.yaml`` holds the values of its design row in ``table`` (its row number is
    in the file): false when the design was drawn again with other values since the run was made."""
    from ..runner.provenance import config_tree

    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        return False
    tree = config_tree(path.read_text())
    row = (tree.get("design") or {}).get("row", -1)
    if not 0 <= row < len(table):
        return False
    for name in table.columns:
        if name == "row":
            continue
        node = tree
        for part in name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        wanted = float(table.iloc[row][name])
        if node is None or node != (int(round(wanted)) if isinstance(node, int) else wanted):
            return False
    return True


def analyse(design: Path, metrics: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Sensitivity indices of ``metric`` from a collected sweep table over a design (replicates averaged)."""
    spec = json.loads(problem_path(design).read_text())
    if spec["method"] not in ("sobol", "morris"):
        raise ValueError(f"a {spec['method']} design has no sensitivity indices; allowed: a sobol or morris design")
    problem = spec["problem"]
    table = pd.read_csv(design)
    sel = metrics[metrics["metric"] == metric]
    if sel.empty:
        known = ", ".join(sorted(metrics["metric"].unique()))
        raise ValueError(f"metric {metric!r} is not in the table; allowed: {known}")
    y = sel.groupby("design.row")["value"].mean().reindex(table["row"])
    missing = y[y.isna()].index.tolist()
    if missing:
        raise ValueError(f"{len(missing)} design rows have no finished run (e.g. {missing[:5]}); "
                         "re-run the sweep command to complete them")
    if spec["method"] == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y.to_numpy(), calc_second_order=False, seed=spec["seed"])
        out = pd.DataFrame({"parameter": problem["names"], "S1": res["S1"], "S1_conf": res["S1_conf"],
                            "ST": res["ST"], "ST_conf": res["ST_conf"]})
    else:
        from SALib.analyze import morris

        x = table[problem["names"]].to_numpy()
        res = morris.analyze(problem, x, y.to_numpy(), num_levels=4, seed=spec["seed"])
        out = pd.DataFrame({"parameter": problem["names"], "mu_star": res["mu_star"],
                            "mu_star_conf": res["mu_star_conf"], "sigma": res["sigma"]})
    out.insert(1, "metric", metric)
    return out
