# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # sahel_sim from Python: a tutorial
#
# This notebook runs the model from Python, reads its event log, switches a mechanism off, runs a small sweep
# through the command line and plots a result with intervals. It runs in about a minute; every run here is short
# or few. Its source is `docs/tutorial.py` (jupytext, percent format); `jupytext --sync docs/tutorial.py` updates
# the notebook after an edit.
#
# Every result of a run is a set of tidy tables (see *Outputs of a run* in the README). The numbers below come
# from the model's first hand-tuned parameters: they show how to use it, not findings.

# %%
# %matplotlib inline
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from scipy import stats

import sahel_sim

pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 12)
work = Path(tempfile.mkdtemp(prefix="sahel_sim_tutorial_"))  # every output of this notebook goes here
print("sahel_sim", sahel_sim.__version__)

# %% [markdown]
# ## 1. One run and its summary
#
# `sahel_sim.run(overrides, seed=..., out_dir=...)` composes the config from the same Hydra configs as the
# `sahel-sim` command, with the same overrides and the same validation, runs it and returns a `RunResult`: the
# tables `factions`, `world`, `attacks`, `claims`, `events` as DataFrames, the `summary` and the `config`. With
# `out_dir` it also writes the run's folder, exactly as the command does.

# %%
HISTORY = ["calendar.end=2016-06-27"]  # 2012 to mid-2016: past the Radisson attack
r = sahel_sim.run(HISTORY, seed=3, out_dir=work / "history", figure=False)
print(f"{r.summary['weeks']} weeks, {r.summary['attacks']} attacks, {r.summary['spectacular_attacks']} spectacular, "
      f"in {r.wall_time_s:.1f} s")
{k: r.summary[k] for k in ("spectacular_by_camp", "attacks_by_year", "splits", "pledges", "mergers",
                           "leader_deaths", "claim_accuracy")}

# %% [markdown]
# A finished run folder is read back with `sahel_sim.load(folder)`: the same tables, summary and config, so a run
# made on a cluster is analysed here as if it had just run.

# %%
again = sahel_sim.load(work / "history")
again.attacks.equals(r.attacks), again.summary == r.summary, again.config.seed

# %% [markdown]
# The time-series panels of the run's overview figure (the map needs the model itself: see
# `sahel_sim.runner.figures.draw_map`), and attacks per year by camp:

# %%
r.plot_overview()

# %%
r.plot_attacks_by_year()

# %% [markdown]
# ## 2. The event log: attacks, spectacular attacks, claims
#
# `attacks` has one row per attack: where, against what, who did it, how many were killed, how spectacular it was
# and who claimed it.

# %%
r.attacks[["date", "region", "target", "perpetrators", "camp", "killed", "spectacle", "spectacular"]].head()

# %% [markdown]
# Spectacular attacks are the rare, high-casualty, high-attention ones the Radisson Blu question is about:

# %%
spectacular = r.attacks[r.attacks.spectacular]
spectacular[["date", "place", "target", "perpetrators", "killed", "hostages", "foreigners", "claimants"]]

# %% [markdown]
# `claims` has one row per (attack, claimant): groups claim their own attacks, sometimes others' (a false claim),
# and some attacks are claimed by more than one group (competing claims).

# %%
claims = r.claims
pd.Series({"claims": len(claims), "true": int(claims.true_claim.sum()), "false": int((~claims.true_claim).sum()),
           "attacks with competing claims": int(r.attacks.competing_claims.sum())})

# %%
claims.groupby("claimant").true_claim.agg(claims="size", share_true="mean").round(2)

# %% [markdown]
# `events` logs everything else that happens: deployments, strikes, leader deaths, splits, pledges, mergers,
# peace meetings, global shocks.

# %%
r.events.kind.value_counts()

# %% [markdown]
# ## 3. Switching a mechanism off
#
# Every mechanism has `enabled` and its parameters (`configs/mechanisms/default.yaml`, documented in
# `docs/ODD.md`). One run per world tells little, since a run is one draw from a stochastic process: compare a few
# seeds of the history with and without the global AQ-IS rivalry (outbidding), same seeds in both arms.

# %%
rows = []
for world, extra in (("history", []), ("no rivalry", ["mechanisms.rivalry.enabled=false"])):
    for seed in (1, 2, 3):
        s = sahel_sim.run([*HISTORY, *extra], seed=seed).summary
        rows.append({"world": world, "seed": seed, "attacks": s["attacks"], "spectacular": s["spectacular_attacks"],
                     "killed": s["killed_in_attacks"], "pledges": s["pledges"]})
compare = pd.DataFrame(rows)
compare.groupby("world")[["attacks", "spectacular", "killed", "pledges"]].mean().round(1)

# %% [markdown]
# ## 4. A small sweep from the command line
#
# Sweeps are Hydra multiruns: `sahel-sim -m` with comma-separated values runs every combination, each into its
# own folder, and collects them into `metrics.parquet` (one row per run and metric). Here: rivalry strength 0, 1
# and 2, four seeds each, on the short calendar (12 runs in one process, about 20 s).

# %%
sweep_dir = work / "rivalry_sweep"
cli = Path(sys.executable).with_name("sahel-sim")
command = [str(cli)] if cli.exists() else [sys.executable, "-m", "sahel_sim"]
proc = subprocess.run([*command, "-m", "mechanisms.rivalry.strength=0,1,2", "seed=1,2,3,4", *HISTORY,
                       "output.quiet=true", f"hydra.sweep.dir={sweep_dir}"], capture_output=True, text=True)
print("exit code", proc.returncode, "" if proc.returncode == 0 else proc.stderr[-1000:])

# %% [markdown]
# `sahel_sim.load` reads a sweep folder into a `SweepResult`: `runs` (one row per run and its status) and
# `metrics` (every numeric leaf of every run's summary); `.metric(name)` picks one, `.run(folder)` loads one run.

# %%
sweep = sahel_sim.load(sweep_dir)
print(sweep.runs.status.value_counts().to_dict())
spec = sweep.metric("spectacular_attacks")
spec.pivot(index="seed", columns="mechanisms.rivalry.strength", values="value")

# %% [markdown]
# ## 5. A figure with intervals
#
# Per level of rivalry strength: the mean over seeds and its 95% t interval (a bootstrap interval would do as
# well; with four seeds neither is tight: a real experiment uses 30, see below).

# %%
KEY = "mechanisms.rivalry.strength"


def mean_ci(values: pd.Series, level: float = 0.95) -> pd.Series:
    n, mean, sem = len(values), values.mean(), values.std(ddof=1) / len(values) ** 0.5
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sem if n > 1 else float("nan")
    return pd.Series({"n": n, "mean": mean, "low": mean - half, "high": mean + half})


fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
for ax, metric, label in ((axes[0], "attacks", "attacks"), (axes[1], "spectacular_attacks", "spectacular attacks")):
    table = sweep.metric(metric).groupby(KEY)["value"].apply(mean_ci).unstack()
    ax.errorbar(table.index, table["mean"], yerr=[table["mean"] - table["low"], table["high"] - table["mean"]],
                fmt="o-", capsize=4, color="#b2182b")
    points = sweep.metric(metric)
    ax.plot(points[KEY], points["value"], ".", color="grey", alpha=0.6)
    ax.set_xlabel("rivalry strength")
    ax.set_ylabel(f"{label} per run")
    ax.set_xticks(table.index)
fig.suptitle("Mean and 95% t interval over 4 seeds (grey: single runs)", fontsize=10)
fig.tight_layout()

# %% [markdown]
# ## 6. Where to go next
#
# * **Experiments** (`experiments/README.md`): each question of the project is one command that runs its sweep,
#   collects it and draws its figures, e.g. `sahel-sim experiment=rivalry_dose_response scale=smoke` (a minute or
#   two) or at full size; the factorial design, the event study around global IS shocks, the phase diagram, the
#   history against the record, and Sobol sensitivity indices (`sahel-sim-design`).
# * **Bigger sweeps**: add `hydra/launcher=joblib` to use every local core, or `hydra/launcher=slurm_site` (copy
#   and edit `configs/hydra/launcher/slurm_site.yaml`) to run the same command as a SLURM array on a cluster;
#   collect a killed or cluster sweep with `sahel-sim-collect FOLDER`, then `sahel_sim.load(FOLDER)` here.
# * **The model itself**: `sahel_sim.SahelModel(sahel_sim.load_config([...]))` is the Mesa model to step
#   yourself; `docs/ODD.md` describes every mechanism and parameter; `sahel-sim-viz` is the interactive map.
