"""``sahel-sim-design``: make a global sensitivity design, or analyse a finished design sweep (the command line of
:mod:`sahel_sim.analysis.sensitivity`; its module docstring shows the three steps).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..analysis.sensitivity import METHODS, analyse, make_design
from ..analysis.sweep import collect
from ..core.params import ConfigError, check_override


def design_main(argv: list[str] | None = None) -> int:
    """``sahel-sim-design``: make a sensitivity design, or analyse a finished design sweep."""
    parser = argparse.ArgumentParser(prog="sahel-sim-design", description=design_main.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    mk = sub.add_parser("make", help="sample a design table")
    mk.add_argument("--method", choices=METHODS, default="sobol")
    mk.add_argument("--param", action="append", required=True, metavar="PATH=LO:HI",
                    help="a parameter and its range, e.g. mechanisms.rivalry.strength=0:3 (repeat)")
    mk.add_argument("--n", type=int, default=64, help="base sample size (Sobol: a power of 2)")
    mk.add_argument("--seed", type=int, default=1)
    mk.add_argument("--out", type=Path, required=True)
    an = sub.add_parser("analyse", help="sensitivity indices from a finished design sweep")
    an.add_argument("design", type=Path)
    an.add_argument("sweep_dir", type=Path)
    an.add_argument("--metric", action="append", required=True)
    an.add_argument("--out", type=Path, default=None, help="CSV of the indices (default: SWEEP_DIR/sensitivity.csv)")
    args = parser.parse_args(argv)
    try:
        if args.command == "make":
            from ..core.config import SimConfig  # the model's parameters (mesa is imported only here)

            bounds = {}
            for item in args.param:
                name, _, rng = item.partition("=")
                lo, _, hi = rng.partition(":")
                bounds[name] = (float(lo), float(hi))
                check_override(SimConfig, name, lo)
                check_override(SimConfig, name, hi)
            table = make_design(args.method, bounds, args.n, args.seed, args.out)
            print(f"{args.out}: {len(table)} rows ({args.method}); run it with\n  sahel-sim -m "
                  f"design.file={args.out.resolve()} 'design.row=range(0,{len(table)})'")
            return 0
        metrics = collect(args.sweep_dir).metrics
        frames = [analyse(args.design, metrics, m) for m in args.metric]
        result = pd.concat(frames, ignore_index=True)
        out = args.out or args.sweep_dir / "sensitivity.csv"
        result.to_csv(out, index=False)
        print(result.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"written to {out}")
        return 0
    except (ConfigError, ValueError, FileNotFoundError) as exc:
        print(f"sahel-sim-design: error: {exc}", file=sys.stderr)
        return 2
