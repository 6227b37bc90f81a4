"""Simulation-based inference with pyabc's ABC-SMC: the posterior of the free parameters and the posterior
probabilities of the four worlds of the question (issue 19, items 2-3).

The model is a plain function of its parameters (:class:`Simulator`): it composes the default config with a
world's switches and a particle's values, runs in memory, and returns the summaries of one pre-registered set of
:mod:`.summaries` (``summaries``: the first set, the calibration role, by default; or the second or third set, the
same names the reference table's fit uses for that set; the held-out ones are never seen). pyabc runs ABC-SMC
over the four worlds at once (model selection), with an adaptive distance (each summary scaled by its spread in the
current population), a sampler chosen by the caller (one core for tests, pyabc's multicore sampler, or its Dask
sampler on a cluster) and an SQLite history in the output folder, from which an interrupted inference resumes
(:func:`run_abc` with the same folder).

Reproducibility: a particle's simulation is seeded from the particle (:meth:`Simulator.seed`); pyabc's own draws
(the calibration sample and first generation from the priors, the jumps between worlds, the perturbation kernels)
come from numpy's global random state (``np.random.*`` and scipy.stats' ``rvs`` without a ``random_state``), which
:func:`run_abc` seeds from its ``seed`` for the run and puts back afterwards (:func:`seeded_numpy`). With the
single-core sampler the same call gives the same posterior, byte for byte. pyabc's multicore and Dask samplers
reseed every worker process or task from the operating system (``np.random.seed()`` with no argument, in
``pyabc/sampler/multicore_evaluation_parallel.py``'s ``work`` and ``pyabc/sampler/eps_mixin.py``'s submit
functions), and which particles a generation keeps depends on which worker finishes first: their posteriors are
not reproducible, seed or not.

The four worlds (docs/inference.md): **both** (every driver, the default), **global only** (the local motives of
attack choice off: no peace process to spoil, no retaliation weight), **local only** (no AQ-IS rivalry context),
**neither**. Territory, trafficking and competition for recruits stay in every world: without them there is no
conflict to speak of; the local drivers switched off are the two local motives the question names for the
Radisson attack.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc

from ...core.model import SahelModel
from ...runner.compose import resolved
from ...runner.outputs import build_tables
from ..schema import SahelConfig, load_config
from ..sensitivity import set_path
from .summaries import SUMMARY_SETS, run_summaries, set_names, training_years
from .worlds import ALL_WORLDS, WORLDS

#: uniform priors of the free parameters: the ranges of the rejection-ABC calibration
#: (configs/experiment/calibration.yaml) and, for the relation weights of issue 17, their declared ranges' core
PRIORS: dict[str, tuple[float, float]] = {
    "mechanisms.territory.clash_rate": (0.002, 0.03),
    "mechanisms.territory.clash_lethality": (0.05, 0.3),
    "mechanisms.territory.exchange_ratio": (0.1, 0.6),
    "mechanisms.barkhane.strikes_per_1000": (0.02, 0.3),
    "mechanisms.barkhane.offensive_multiplier": (1.0, 15.0),
    "mechanisms.attacks.base_rate": (0.15, 0.35),
    "mechanisms.attacks.spectacular.min_funds": (0.0, 300.0),
    "mechanisms.attacks.spectacular.budget_share": (0.02, 0.3),
    "mechanisms.attacks.targets.hotel.appeal": (-6.0, -2.0),
    "mechanisms.claims.false_claim_probability": (0.1, 0.9),
    # the Macina front's recruits at formation (issue 18: it forms in the run; factions.flm.fighters, its given
    # strength, was this prior's parameter before and now matters only in scenario=scripted_relations); an
    # assumption around the front's ~170 fighters of the record
    "mechanisms.communal.front_threshold": (50.0, 400.0),
    "mechanisms.attacks.rule_restraint": (0.0, 80.0),
    "mechanisms.relations.pressure_weight": (0.0, 4.0),
    "mechanisms.relations.ties_weight": (0.0, 3.0),
}
#: the screening's verdicts (``sahel-sim experiment=screening``, copied from its gallery table): the parameters
#: found influential get a prior over their screening range and are inferred beside :data:`PRIORS`
SCREENING = Path(__file__).resolve().parents[2] / "data" / "parameter_screening.csv"


def screened_priors(path: Path = SCREENING) -> dict[str, tuple[float, float]]:
    """Uniform priors of the parameters the screening found influential, over the ranges it screened them on (the
    default halved to raised by half, or the prior's range): empty when no screening table is shipped."""
    if not path.is_file():
        return {}
    table = pd.read_csv(path)
    influential = table[table["verdict"] == "influential"]
    return {str(r.parameter): (float(r.low), float(r.high)) for r in influential.itertuples()}


def inferred_priors() -> dict[str, tuple[float, float]]:
    """Every inferred parameter's prior: :data:`PRIORS` (given before the screening, kept whatever its verdict)
    and the screening's influential parameters."""
    return {**screened_priors(), **PRIORS}


def _integer_parameters() -> set[str]:
    """Parameters declared as integers (a particle's value is rounded for them, as a run rounds it)."""
    from ...core.params import declared

    out = set()
    for name in inferred_priors():
        found = declared(name, SahelConfig)
        if found is not None and found[0] is int:
            out.add(name)
    return out


#: parameters that must be integers in the config
INTEGER = _integer_parameters()
#: the last year of the record's in-sample window (a fit on all of it)
IN_SAMPLE_END = 2016


def calendar_end(year: int) -> list[str]:
    """The run's end for a fit on the record to ``year``: the last week starting in that year (weeks from the
    default calendar's 2012-01-02)."""
    start = pd.Timestamp("2012-01-02")
    last = start + pd.Timedelta(weeks=(pd.Timestamp(f"{year}-12-31") - start).days // 7)
    return [f"calendar.end={last.date().isoformat()}"]


#: the run: the record's in-sample years (calendar.end=2016-12-26)
CALENDAR = calendar_end(IN_SAMPLE_END)


def _key(name: str) -> str:
    """pyabc parameter names must be identifiers: dots become double underscores."""
    return name.replace(".", "__")


def _name(key: str) -> str:
    return key.replace("__", ".")


@dataclass
class Simulator:
    """One world of the model as a function of parameters: ``simulator(params) -> {summary: value}``.

    The run's seed is derived from the world and the parameter values (SHA-256), so the same particle gives the
    same summaries in any process. The world's config is composed by Hydra once per process; a particle's config is
    a copy of it with the particle's values set and every declared range checked again (:meth:`config`), the same
    config a composition with the values as overrides gives (tested), at a third of the cost of a run instead of
    nearly its whole cost again."""

    world: str
    #: the last year of the record the fit sees (a training window 2012 to it): the run ends with that year and
    #: returns only the summaries of :func:`calibration_names` for it
    train_end: int = IN_SAMPLE_END
    base: list[str] | None = None
    #: enters the run's seed when given: a synthetic record's run never shares its seed with a particle's
    salt: str = ""
    #: the pre-registered set of summaries returned (:data:`.summaries.SUMMARY_SETS`); it does not enter the seed:
    #: a particle's run is the same whichever of its summaries a fit sees
    summaries: str = "first"
    #: the world's composed config (cached per process)
    _template: SahelConfig | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        calibration_names(self.train_end, self.summaries)  # an unknown set, a year outside 2013-2016, or a set
        # without a meaning for the window: refused before any run
        if self.base is None:
            self.base = calendar_end(self.train_end)

    def overrides(self, params: dict) -> list[str]:
        """The particle as Hydra overrides (what :meth:`config` is equal to when composed)."""
        values = [f"{_name(k)}={int(round(v)) if _name(k) in INTEGER else float(v)!r}" for k, v in params.items()
                  if _name(k) not in self.switched()]
        return [*self.base, *ALL_WORLDS[self.world], *values]

    def switched(self) -> set[str]:
        """Keys the world sets itself (its switches win over a particle's value of the same parameter)."""
        return {o.split("=", 1)[0] for o in ALL_WORLDS[self.world]}

    def seed(self, params: dict) -> int:
        key = [self.world, sorted((k, float(v)) for k, v in params.items())]
        text = json.dumps([*key, self.salt] if self.salt else key)
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")

    def config(self, params: dict) -> SahelConfig:
        """The particle's validated config: the world's composed config with the particle's values and seed."""
        if self._template is None:
            self._template = load_config([*self.base, *ALL_WORLDS[self.world]])
        config = copy.deepcopy(self._template)
        switched = self.switched()
        for key, value in params.items():
            if _name(key) not in switched:
                set_path(config, _name(key), float(value))
        config.seed = self.seed(params)
        return resolved(config)

    def tables(self, params: dict) -> dict[str, pd.DataFrame]:
        """The tables of the particle's run (in memory)."""
        return build_tables(SahelModel(self.config(dict(params))).run())

    def __call__(self, params: dict) -> dict[str, float]:
        """Run the particle and return its summaries of the set, by name (:func:`calibration_names`)."""
        tables = self.tables(params)
        s = run_summaries(tables["world"], tables["attacks"], tables["events"], training_years(self.train_end))
        return {name: float(s[name]) for name in calibration_names(self.train_end, self.summaries)}


def calibration_names(train_end: int = IN_SAMPLE_END, summaries: str = "first") -> list[str]:
    """The summaries a fit on the record to ``train_end`` sees with the pre-registered set ``summaries``
    (:func:`.summaries.set_names`: for the first set, the calibration summaries of the window, all of them for the
    in-sample fit; the second and third sets for the in-sample fit only). Refuses (ValueError) an unknown set or a
    set without a meaning for the window."""
    return set_names(summaries, train_end)


def observed_summaries(record: dict[str, float], train_end: int = IN_SAMPLE_END, summaries: str = "first"
                       ) -> dict[str, float]:
    """The record's values of the set's summaries (:func:`calibration_names`), by name; refuses (ValueError naming
    ``summaries`` and the missing names) a record without a finite value of every one of them."""
    names = calibration_names(train_end, summaries)
    missing = [k for k in names if k not in record or not np.isfinite(float(record[k]))]
    if missing:
        raise ValueError(f"summaries: {summaries!r} needs the record's {', '.join(missing)}, which it lacks; "
                         "allowed: a record with a value of every summary of the set")
    return {k: float(record[k]) for k in names}


def prior_ranges(priors: dict[str, tuple[float, float]] | None = None, scale: float = 1.0
                 ) -> dict[str, tuple[float, float]]:
    """Each parameter's uniform range: the prior's, narrowed (``scale`` < 1) or widened (> 1) about its centre, and
    clipped at the range the parameter's declaration allows (``param(lo=, hi=)``), so that no particle is a config
    the model refuses."""
    from ...core.params import declared
    from ..schema import SahelConfig

    out = {}
    for name, (lo, hi) in (priors or inferred_priors()).items():
        mid, half = (lo + hi) / 2, (hi - lo) / 2 * scale
        a, b = (float(lo), float(hi)) if scale == 1.0 else (mid - half, mid + half)
        found = declared(name, SahelConfig)
        meta = found[1] if found else {}
        if meta.get("lo") is not None:
            a = max(a, float(meta["lo"]))
        if meta.get("hi") is not None:
            b = min(b, float(meta["hi"]))
        out[name] = (a, b)
    return out


def prior(priors: dict[str, tuple[float, float]] | None = None, scale: float = 1.0) -> pyabc.Distribution:
    """Independent uniform priors over :func:`prior_ranges` (``scale`` != 1: the prior-sensitivity check)."""
    return pyabc.Distribution(**{_key(name): pyabc.RV("uniform", a, b - a)
                                 for name, (a, b) in prior_ranges(priors, scale).items()})


#: the seeds an inference accepts (numpy's SeedSequence takes any integer >= 0)
SEED_RANGE = "an integer >= 0"


def derived_seed(seed: int, *parts: int) -> int:
    """A seed for numpy's legacy global state (0 to 2**32 - 1) derived from ``seed`` and ``parts`` (numpy's
    SeedSequence): different parts give unrelated streams. Refuses a negative ``seed``."""
    if seed < 0:
        raise ValueError(f"seed: {seed}; allowed: {SEED_RANGE}")
    return int(np.random.SeedSequence([seed, *parts]).generate_state(1)[0])


@contextmanager
def seeded_numpy(seed: int) -> Iterator[None]:
    """numpy's global random state seeded with ``seed`` inside the block and put back as it was after it, so that
    pyabc's draws are the seed's and the caller's own stream is left alone."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def generations_done(out_dir: Path) -> int:
    """The generations stored in ``out_dir/abc.db`` (0 without a database)."""
    if not (out_dir / "abc.db").exists():
        return 0
    return stored_generations(pyabc.History(f"sqlite:///{(out_dir / 'abc.db').resolve()}"))


def stored_generations(history: pyabc.History) -> int:
    """The generations a stored history holds."""
    return history.max_t + 1 if history.n_populations else 0


def run_abc(out_dir: Path, record: dict[str, float], worlds: list[str] | None = None, population: int = 50,
            generations: int = 4, sampler=None, priors: dict | None = None, prior_scale: float = 1.0,
            min_epsilon: float = 0.0, max_minutes: float | None = None,
            min_acceptance: float = 0.0, train_end: int = IN_SAMPLE_END, seed: int = 0,
            summaries: str = "first") -> pyabc.History:
    """ABC-SMC over ``worlds`` (default: all four) against the record's summaries of the pre-registered set
    ``summaries`` (:func:`calibration_names`: by default the first set's, those of 2012 to ``train_end``, a training
    window for an out-of-sample forecast); the history lives in ``out_dir/abc.db``.
    Called again with the same folder, it resumes the stored run and adds generations up
    to ``generations`` in all. It also stops after the generation in which ``max_minutes`` of wall time have
    passed, or whose acceptance rate fell below ``min_acceptance`` (pyabc's own stopping rules).

    pyabc's draws are seeded: a call that starts with ``done`` generations stored draws from numpy's global state
    seeded with :func:`derived_seed` ``(seed, done)`` (put back afterwards), so that, with the single-core sampler,
    the same call on the same folder gives the same history and posterior, a fresh run and each resumed segment
    alike, and a resumed segment does not replay the first one's draws. A run killed and resumed is **not** the
    same as one left to finish, even at the same seed: the resumed segment draws from another stream, the killed
    generation's draws are lost, and pyabc refits the adaptive distance on resuming from the stored (accepted)
    particles only, where a running inference fits it on every particle of the generation, rejected ones too. The
    multicore and Dask samplers are not reproducible (module docstring). A negative ``seed``, an unknown set, a set
    without a meaning for the window, and a record without every summary of the set are refused (ValueError) before
    anything is written; so is resuming a stored inference that fits on other summaries."""
    if seed < 0:
        raise ValueError(f"seed: {seed}; allowed: {SEED_RANGE}")
    observed = observed_summaries(record, train_end, summaries)
    worlds = list(worlds or WORLDS)
    db = f"sqlite:///{(out_dir / 'abc.db').resolve()}"
    stored = pyabc.History(db) if (out_dir / "abc.db").exists() else None
    if stored is not None:
        fitted = stored.observed_sum_stat()
        if fitted and set(fitted) != set(observed):
            raise ValueError(f"summaries: {summaries!r} ({len(observed)} summaries of 2012-{train_end}), but the "
                             f"inference stored in {out_dir} fits on other ones ({len(fitted)}); allowed: the "
                             "stored run's summaries to resume it, or another folder for a new inference")
    out_dir.mkdir(parents=True, exist_ok=True)
    models = [Simulator(w, train_end=train_end, summaries=summaries) for w in worlds]
    abc = pyabc.ABCSMC(models, [prior(priors, prior_scale) for _ in worlds],
                       pyabc.AdaptivePNormDistance(p=2), population_size=population,
                       sampler=sampler or pyabc.sampler.SingleCoreSampler())
    if stored is not None:
        done = stored_generations(stored)
        abc.load(db, stored.id, observed_sum_stat=observed)
    else:
        abc.new(db, observed)
        done = 0
    if generations > done:
        import datetime as dt

        walltime = dt.timedelta(minutes=max_minutes) if max_minutes else None
        with seeded_numpy(derived_seed(seed, done)):
            return abc.run(max_nr_populations=generations - done, minimum_epsilon=min_epsilon,
                           max_walltime=walltime, min_acceptance_rate=min_acceptance)
    return abc.history


def make_sampler(cores: int = 1, scheduler: str = "", connect_timeout: float = 30.0):
    """The pyabc sampler of an inference: one core; pyabc's multicore sampler over ``cores`` processes of this
    machine; or, given a ``scheduler`` address (``tcp://host:8786``), pyabc's Dask sampler on that
    dask.distributed cluster, started by ``dask scheduler`` and ``dask worker`` (on SLURM nodes, e.g. as job-array
    tasks or through dask-jobqueue), so that the workers of many machines simulate particles. The workers need
    sahel_sim installed as here; the database stays with this process, so a killed inference still resumes. Only
    the single-core sampler gives a reproducible posterior (module docstring: the other two reseed their workers
    from the operating system and keep the particles that finish first)."""
    if cores < 1:
        raise ValueError(f"cores: {cores}; allowed: an integer >= 1")
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout=connect_timeout)
        except OSError as exc:
            raise ValueError(f"scheduler: no dask scheduler answers at {scheduler!r} ({exc}); allowed: the address "
                             "of a running dask scheduler, e.g. tcp://host:8786") from None
        return pyabc.sampler.DaskDistributedSampler(dask_client=client)
    if cores > 1:
        return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=cores)
    return pyabc.sampler.SingleCoreSampler()


def posterior_table(history: pyabc.History, worlds: list[str] | None = None) -> pd.DataFrame:
    """The last generation's particles: one row each, with world, parameters (config names) and weight (weights
    sum to one over all worlds: a world's share is its posterior probability)."""
    worlds = list(worlds or WORLDS)
    probs = history.get_model_probabilities(history.max_t)["p"]  # indexed by the model's number
    rows = []
    for m, world in enumerate(worlds):
        if m not in probs.index or probs[m] <= 0:
            continue
        params, w = history.get_distribution(m=m, t=history.max_t)
        frame = params.rename(columns=_name).reset_index(drop=True)
        frame.insert(0, "world", world)
        frame["weight"] = np.asarray(w) * float(probs[m])
        rows.append(frame)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["world", "weight"])


def world_shares(posterior: pd.DataFrame, worlds: list[str] | None = None) -> dict[str, float]:
    """Each world's posterior probability: its particles' share of the weight (NaN for a posterior of no weight)."""
    worlds = list(worlds or WORLDS)
    w = posterior["weight"].to_numpy(float)
    if w.sum() <= 0:
        return dict.fromkeys(worlds, float("nan"))
    w = w / w.sum()
    labels = posterior["world"].to_numpy()
    return {k: float(w[labels == k].sum()) for k in worlds}


def model_probabilities(posterior: pd.DataFrame, worlds: list[str] | None = None, n_boot: int = 2000,
                        seed: int = 0) -> pd.DataFrame:
    """Posterior probability of each world, with a 95% interval from resampling the final population (the
    Monte Carlo error of a finite population; prior sensitivity is a separate run with other priors)."""
    worlds = list(worlds or WORLDS)
    rng = np.random.default_rng(seed)
    w = posterior["weight"].to_numpy(float)
    w = w / w.sum()
    labels = posterior["world"].to_numpy()
    point = world_shares(posterior, worlds)
    draws = rng.choice(len(w), size=(n_boot, len(w)), p=w)
    shares = np.array([[np.mean(labels[d] == k) for k in worlds] for d in draws])
    lo, hi = np.quantile(shares, [0.025, 0.975], axis=0)
    return pd.DataFrame({"world": worlds, "probability": [point[k] for k in worlds], "lower": lo, "upper": hi})


def write_outputs(history: pyabc.History, out_dir: Path, worlds: list[str] | None = None,
                  settings: dict | None = None) -> dict[str, Path]:
    """The output contract's inference tables: ``posterior.parquet`` (world, parameters, weight) and
    ``model_probabilities.csv`` (world, probability, lower, upper), and ``inference.json``: how far the run went
    (generations, simulations, each generation's epsilon, acceptance, world probabilities, wall time and
    simulations a minute: the throughput of item 7), the priors and the command's settings, so that a report can
    say what the posterior rests on."""
    posterior = posterior_table(history, worlds)
    probabilities = model_probabilities(posterior, worlds)
    paths = {"posterior": out_dir / "posterior.parquet", "model_probabilities": out_dir / "model_probabilities.csv",
             "inference": out_dir / "inference.json"}
    posterior.to_parquet(paths["posterior"], index=False)
    probabilities.to_csv(paths["model_probabilities"], index=False)
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    worlds = list(worlds or WORLDS)
    train_end = int((settings or {}).get("train_end", IN_SAMPLE_END))
    summary_set = str((settings or {}).get("summary_set", "first"))
    per_generation = []
    for row in pops.itertuples():
        p = history.get_model_probabilities(int(row.t))["p"]
        wall = float(getattr(row, "wall_time", float("nan")))
        per_generation.append({"t": int(row.t), "epsilon": float(row.epsilon), "samples": int(row.samples),
                               "wall_time_s": round(wall, 1),
                               "simulations_per_minute": round(60.0 * int(row.samples) / wall, 1)
                               if wall > 0 else float("nan"),
                               "acceptance": float(history.get_nr_particles_per_population()[int(row.t)]
                                                   / max(int(row.samples), 1)),
                               "world_probabilities": {w: float(p.get(m, 0.0)) for m, w in enumerate(worlds)}})
    meta = {"generations": len(per_generation), "simulations": int(history.total_nr_simulations),
            "worlds": worlds, "train_end": train_end, "summary_set": summary_set,
            "summaries": calibration_names(train_end, summary_set),
            "priors": {k: list(v) for k, v in prior_ranges(scale=(settings or {}).get("prior_scale", 1.0)).items()},
            "per_generation": per_generation, **(settings or {})}
    paths["inference"].write_text(json.dumps(meta, indent=2) + "\n")
    return paths


def add_engine_arguments(ap) -> None:
    """The arguments every inference command shares: population, generations, and where to simulate."""
    ap.add_argument("--population", type=int, default=50, help="particles per generation, over all worlds")
    ap.add_argument("--generations", type=int, default=4, help="generations in all (a resumed run adds the rest)")
    ap.add_argument("--cores", type=int, default=1, help="processes on this machine (only --cores 1 is "
                    "reproducible: pyabc's multicore sampler reseeds its workers from the operating system)")
    ap.add_argument("--scheduler", default="", help="address of a dask scheduler (tcp://host:8786): simulate on "
                    "its workers instead (not reproducible: pyabc's Dask sampler reseeds every task from the "
                    "operating system)")


def worlds_argument(ap, text: str) -> list[str]:
    """``--worlds a,b``: the worlds named, in the order given; refused in one line naming the argument and the
    allowed worlds."""
    worlds = [w for w in text.split(",") if w]
    if not worlds or any(w not in ALL_WORLDS for w in worlds) or len(set(worlds)) < len(worlds):
        ap.error(f"--worlds: {text!r}; allowed: a comma-separated list of distinct worlds of {', '.join(ALL_WORLDS)}")
    return worlds


def seed_argument(ap, args) -> int:
    """``--seed N``: refused in one line naming the argument and the allowed range when negative."""
    if args.seed < 0:
        ap.error(f"--seed: {args.seed}; allowed: {SEED_RANGE}")
    return args.seed


def engine_from_arguments(ap, args):
    """Check the shared arguments (one line naming the argument and what is allowed) and make the sampler; a
    sampler of several processes gets a one-line note that its posterior is not reproducible."""
    import sys

    for name in ("population", "generations", "cores"):
        if getattr(args, name) < 1:
            ap.error(f"--{name}: {getattr(args, name)}; allowed: an integer >= 1")
    if args.scheduler and args.cores > 1:
        ap.error("--cores and --scheduler: give one; allowed: --cores N on this machine, or --scheduler ADDRESS")
    try:
        sampler = make_sampler(args.cores, args.scheduler)
    except ValueError as exc:
        ap.error(f"--{exc}")
    if args.cores > 1 or args.scheduler:
        print(f"note: --seed {args.seed} makes only a one-core inference reproducible; pyabc's "
              f"{'Dask' if args.scheduler else 'multicore'} sampler reseeds its workers from the operating system "
              "and keeps the particles that finish first", file=sys.stderr)
    return sampler


def main(argv: list[str] | None = None) -> int:
    """``python -m sahel_sim.analysis.inference.abc OUT [--population N] [--generations G] [--seed S]
    [--summaries first|second|third] [--cores C | --scheduler ADDRESS]``: ABC-SMC over the four worlds against the
    record's summaries of a pre-registered set, on this machine's cores or on a dask.distributed cluster; run again
    with the same OUT to resume or extend. On one core the same command gives the same posterior.parquet, byte for
    byte."""
    import argparse

    from .summaries import record_summaries

    ap = argparse.ArgumentParser(prog="python -m sahel_sim.analysis.inference.abc", description=main.__doc__)
    ap.add_argument("out", type=Path)
    add_engine_arguments(ap)
    ap.add_argument("--max-minutes", type=float, default=0.0, help="stop after the generation in which this "
                    "much wall time has passed (0: no limit); run again to resume")
    ap.add_argument("--min-acceptance", type=float, default=0.0, help="stop after a generation whose acceptance "
                    "rate is below this (0 to 1)")
    ap.add_argument("--prior-scale", type=float, default=1.0, help="the prior-sensitivity check: each prior range "
                    "narrowed (< 1) or widened (> 1) about its centre; run into another OUT")
    ap.add_argument("--train-end", type=int, default=IN_SAMPLE_END, help="fit on the record's 2012 to this year "
                    "only (2013-2016): 2014 gives the posterior for the out-of-sample forecast of 2015-2016 "
                    "(sahel-sim experiment=forecast experiment.posterior=OUT/posterior.parquet); run into another "
                    "OUT")
    ap.add_argument("--worlds", default=",".join(WORLDS), help="comma-separated worlds to infer over (default: "
                    "all four, the model comparison; one world, e.g. both, for a forecast's fit)")
    ap.add_argument("--seed", type=int, default=0, help="seeds pyabc's draws (priors, jumps between worlds, "
                    "perturbations; a resumed run's from the seed and the generations done): with --cores 1 the "
                    "same command gives the same posterior, byte for byte; the multicore and Dask samplers are not "
                    "reproducible. An integer >= 0 (default 0), recorded in inference.json; a resumed run must "
                    "give the stored one's")
    ap.add_argument("--summaries", choices=SUMMARY_SETS, default="first", help="the pre-registered set of "
                    "calibration summaries fitted on (docs/inference.md): the first (default), the second "
                    "(pre-registered after the first's identification check) or the third (after the channel "
                    "comparison); the same names as the reference table's fit on the set. The second and third have "
                    "a meaning for the in-sample fit only (--train-end 2016). Recorded in inference.json; a resumed "
                    "run must give the stored one's")
    args = ap.parse_args(argv)
    worlds = worlds_argument(ap, args.worlds)
    seed = seed_argument(ap, args)
    try:
        years = training_years(args.train_end)
    except ValueError as exc:
        ap.error(f"--{str(exc).replace('_', '-')}")
    try:
        calibration_names(args.train_end, args.summaries)
    except ValueError as exc:
        ap.error(f"--{exc}")
    if not 0.1 <= args.prior_scale <= 3.0:
        ap.error(f"--prior-scale: {args.prior_scale}; allowed: 0.1 to 3.0 (widened ranges are clipped at the "
                 "parameters' declared ranges)")
    if args.max_minutes < 0:
        ap.error(f"--max-minutes: {args.max_minutes}; allowed: a number >= 0 (0: no limit)")
    if not 0.0 <= args.min_acceptance < 1.0:
        ap.error(f"--min-acceptance: {args.min_acceptance}; allowed: 0 to 1 (exclusive)")
    stored = args.out / "inference.json"
    # the first generation seeded: later than 0 only when resuming an inference stored before --seed existed
    seeded_from = 0
    if (args.out / "abc.db").exists() and stored.is_file():  # a resumed run must be the same inference
        before = json.loads(stored.read_text())
        for arg, now, then in (("worlds", worlds, before.get("worlds", list(WORLDS))),
                               ("train-end", args.train_end, before.get("train_end", IN_SAMPLE_END)),
                               ("prior-scale", args.prior_scale, before.get("prior_scale", 1.0)),
                               ("seed", seed, before.get("seed", seed)),
                               ("summaries", args.summaries, before.get("summary_set", "first"))):
            if now != then:
                ap.error(f"--{arg}: {now!r}, but the inference stored in {args.out} has {then!r}; allowed: the "
                         f"stored run's value to resume it, or another OUT for a new inference")
        if "seed" not in before:
            seeded_from = generations_done(args.out)
        seeded_from = before.get("seeded_from_generation", seeded_from)
    record = record_summaries(years).to_dict()
    try:  # the record must hold every summary of the set
        observed_summaries(record, args.train_end, args.summaries)
    except ValueError as exc:
        ap.error(f"--{exc}")
    sampler = engine_from_arguments(ap, args)
    history = run_abc(args.out, record, worlds=worlds, population=args.population,
                      generations=args.generations, sampler=sampler, prior_scale=args.prior_scale,
                      max_minutes=args.max_minutes or None, min_acceptance=args.min_acceptance,
                      train_end=args.train_end, seed=seed, summaries=args.summaries)
    which = "" if args.summaries == "first" else f"{args.summaries} set's "
    settings = {"population": args.population, "prior_scale": args.prior_scale, "train_end": args.train_end,
                "seed": seed, "sampler": type(sampler).__name__, "summary_set": args.summaries,
                "record": f"the record's {which}calibration summaries of {years[0]}-{years[-1]} (summaries.py, "
                          "record_summaries)"}
    if seeded_from:  # the stored generations before it drew from an unseeded state
        settings["seeded_from_generation"] = seeded_from
    paths = write_outputs(history, args.out, worlds, settings=settings)
    print(pd.read_csv(paths["model_probabilities"]).to_string(index=False))
    print(f"{history.total_nr_simulations} simulations; outputs in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
