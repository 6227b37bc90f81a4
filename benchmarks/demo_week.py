"""How fast the teaching demo shows a week: the map, three charts, the ticker and the status, against the week itself.

    .venv/bin/python benchmarks/demo_week.py            # prints a table, writes benchmarks/demo_week_latest.json

A class steps the demo week by week: showing a week should stay well under a second (it used to be a test's
wall-clock assertion; tests assert no time). Drawing dominates: a simulated week takes milliseconds, showing it a
few hundred. Measured in this process, after 150 weeks of a demo model (seed 2) so that the map,
the charts and the ticker are full: ``show_s`` (median over repeats) is the time to draw the map and the three
charts to PNG and tell the ticker and the status; ``step_s`` the median time of one more simulated week of the same
model, timed in turns with it. ``show_per_step`` is their ratio: the figure to watch, since the machine is shared
and absolute times move with its load (the tests assert no time at all).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def show_week(model) -> None:
    """What the demo does to show a week: four figures to PNG, the ticker's latest attacks and events, the status."""
    from sahel_sim.faces.demo import (
        attention_chart,
        fighters_chart,
        latest_attacks,
        latest_events,
        map_figure,
        png_bytes,
        spectacular_chart,
        world_status,
    )

    for figure in (map_figure, attention_chart, spectacular_chart, fighters_chart):
        png_bytes(figure(model))
    latest_attacks(model, 10)
    latest_events(model, 10)
    world_status(model)


def measure(repeats: int, warmup_weeks: int = 150) -> dict:
    """Show a week and step a week in turns ``repeats`` times; medians and their ratio."""
    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)
    from sahel_sim.faces.demo import DemoModel

    model = DemoModel(seed=2)
    for _ in range(warmup_weeks):
        model.step()
    show_week(model)  # the first drawing pays matplotlib's font cache and imports
    shows, steps = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        show_week(model)
        shows.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        model.step()
        steps.append(time.perf_counter() - t0)
    show, step = statistics.median(shows), statistics.median(steps)
    return {"repeats": repeats, "show_s": round(show, 4), "step_s": round(step, 5),
            "show_per_step": round(show / step, 1), "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "demo_week_latest.json")
    args = parser.parse_args()
    result = measure(args.repeats)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"show a week (map, 3 charts, ticker, status): {result['show_s']:.3f} s; simulate a week: "
          f"{result['step_s'] * 1e3:.1f} ms; ratio {result['show_per_step']} (target: show under 1 s)")


if __name__ == "__main__":
    main()
