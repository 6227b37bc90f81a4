"""The benchmark's band analysis (``benchmarks/run.py``): the algebra behind issue #6's +-30 % band."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).parents[1] / "benchmarks" / "run.py")
bench_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_run)


def _rows(fixed_s: float, per_cell_s: float, cells=(1000, 4000, 16000)) -> list[dict]:
    """Scaling rows of a step costing ``fixed + cells x per_cell``, as ``bench_cell_scaling`` writes them."""
    rows = [{"cells": n, "s_per_step": fixed_s + n * per_cell_s} for n in cells]
    for a, b in zip(rows, rows[1:], strict=False):
        b["marginal_ns_per_cell_step"] = 1e9 * (b["s_per_step"] - a["s_per_step"]) / (b["cells"] - a["cells"])
    return rows


@pytest.mark.parametrize("fixed_ms", [0.0, 0.2, 1.0, 5.0])
def test_the_band_budget_is_where_the_cost_per_cell_step_at_16x_falls_to_0_7(fixed_ms):
    per_cell_s = 0.5e-3 / 1000  # 0.5 ms a step on the default map's 1,000 cells
    band = bench_run.band_analysis(_rows(fixed_ms / 1e3, per_cell_s))
    assert band["cells_ratio"] == 16
    assert band["fixed_ms"] == pytest.approx(fixed_ms, abs=1e-4)
    assert band["per_cell_part_ms_default_map"] == pytest.approx(0.5, abs=1e-4)
    assert band["fixed_budget_ms"] == pytest.approx(0.5 * 0.3 * 16 / (0.7 * 16 - 1), abs=1e-4)  # 0.47 P
    # at exactly the budget the cost per cell-step at 16x is 0.7 of the default's
    f, p = band["fixed_budget_ms"], band["per_cell_part_ms_default_map"]
    assert (f + 16 * p) / (16 * (f + p)) == pytest.approx(0.7, abs=1e-3)
    # a line's marginal cost per cell is the same between every pair of sizes
    assert band["marginal_cost_ratio"] == pytest.approx(1.0)


def test_a_step_quadratic_in_cells_shows_in_the_marginal_cost_ratio():
    rows = [{"cells": n, "s_per_step": 1e-3 + (n / 1000) ** 2 * 1e-4} for n in (1000, 4000, 16000)]
    for a, b in zip(rows, rows[1:], strict=False):
        b["marginal_ns_per_cell_step"] = 1e9 * (b["s_per_step"] - a["s_per_step"]) / (b["cells"] - a["cells"])
    assert bench_run.band_analysis(rows)["marginal_cost_ratio"] == pytest.approx(4.0)
