"""Campaign dynamics (sahel_sim.core.mechanisms.campaigns): an attack raises its perpetrator's and its rivals'
hazard."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from sahel_sim.analysis.validation import UCDP_YEARS
from sahel_sim.core.mechanisms.campaigns import CampaignsConfig, excite
from sahel_sim.core.model import SahelModel
from sahel_sim.core.params import ConfigError
from sahel_sim.faces.api import load_config
from tests.conftest import make_config, make_model, run_to


def test_an_attack_triggers_its_branching_ratio_of_further_attacks_over_the_kernel():
    cfg = CampaignsConfig(half_life=3.0, self_branching=0.4, rival_branching=0.1)
    e, total = excite(0.0, cfg.decay, 1, 0, cfg.self_branching, cfg.rival_branching), 0.0
    for _ in range(400):
        total += e
        e = excite(e, cfg.decay, 0, 0, cfg.self_branching, cfg.rival_branching)
    assert total == pytest.approx(0.4)
    rival = excite(0.0, cfg.decay, 0, 1, cfg.self_branching, cfg.rival_branching)
    assert rival == pytest.approx(0.1 * (1 - cfg.decay))


def test_the_excitation_halves_in_one_half_life():
    cfg = CampaignsConfig(half_life=2.0)
    e = excite(1.0, cfg.decay, 0, 0, 0.4, 0.1)
    assert excite(e, cfg.decay, 0, 0, 0.4, 0.1) == pytest.approx(0.5)


def test_a_groups_attacks_raise_its_hazard_next_week():
    m = run_to(make_model(seed=3), "2013-03-04")
    m.step()
    attackers = {p for a in m.attacks_this_week for p in a.perpetrators}
    assert attackers  # a week of Serval's offensive, with attacks
    choice = m.mechanism("attacks")
    assert m.campaign_background == pytest.approx(1 - m.config.mechanisms.campaigns.self_branching)
    for g in m.groups():
        excitation = m.campaign_excitation.get(g.name, 0.0)  # a group formed after the attacks: none
        assert choice.hazard(g) == pytest.approx(choice.tempo(g) * m.campaign_background + excitation)
        if g.name in attackers:
            assert excitation > 0 and choice.hazard(g) > choice.tempo(g) * m.campaign_background


def test_without_campaign_dynamics_the_hazard_is_the_tempo():
    m = run_to(make_model("mechanisms.campaigns.enabled=false", seed=3), "2013-03-04")
    choice = m.mechanism("attacks")
    assert m.campaign_excitation == {} and m.campaign_background == 1.0
    for g in m.groups():
        assert choice.hazard(g) == choice.tempo(g)


def test_an_explosive_cascade_is_refused_before_the_run():
    with pytest.raises(ConfigError, match="mechanisms.campaigns.rival_branching"):
        SahelModel(make_config("mechanisms.campaigns.self_branching=0.9", "mechanisms.campaigns.rival_branching=0.2"))


def test_a_half_life_out_of_range_is_refused():
    with pytest.raises(ConfigError, match="half_life"):
        make_model("mechanisms.campaigns.half_life=0")


# ablation (slow) -------------------------------------------------------------------------------------------------

ABLATION_SEEDS = range(30)
ABLATION_END = "calendar.end=2016-12-26"


@cache
def dispersion(*overrides: str) -> dict[str, float]:
    """Median over the ablation seeds of the variance-to-mean ratio of weekly attacks and of weekly state-based
    deaths, 2012-2016."""
    attacks, deaths = [], []
    for seed in ABLATION_SEEDS:
        m = SahelModel(load_config([ABLATION_END, *overrides], seed=seed)).run()
        world = m.datacollector.get_model_vars_dataframe()
        years = np.array([m.calendar.date_of(i).year for i in range(len(world))])
        world = world[np.isin(years, UCDP_YEARS)]
        for series, out in ((world["attacks"], attacks), (world["state_based_deaths"], deaths)):
            w = series.to_numpy(dtype=float)
            out.append(w.var(ddof=1) / w.mean())
    return {"attacks": float(np.median(attacks)), "deaths": float(np.median(deaths))}


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="measured (30 seeds to 2016): the self-exciting hazard moves weekly "
                   "dispersion too little to show (attacks 1.119 -> 1.033 without it, -8%, not -15%): the claim "
                   "does not hold in this model")
def test_without_self_excitation_weekly_violence_is_less_dispersed():
    """Lewis et al. 2012; Porter & White 2012. Tolerance (written before the first run): the median variance-to-mean
    ratio of weekly attacks 2012-2016 falls by at least 15% without campaign dynamics, and that of weekly
    state-based deaths falls. Measured when written (30 seeds, the model of the campaigns commit, before the
    communal layer): attacks 1.078 with, 1.038 without (-4%); deaths 22.5 with, 25.2 without (it rose). Measured
    again with the communal layer (the default now, the same 30 seeds): attacks 1.119 with, 1.033 without (-8%);
    deaths 26.1 with, 25.6 without. FAILS on the first condition: marked as an expected failure (strict), not
    loosened. The lag-1 autocorrelation of weekly deaths did rise,
    0.25 -> 0.34 (P16's detail). At branching 0.8 and a 4-week half-life (10 seeds) the attacks' ratio is 1.32,
    deaths' 31: weekly deaths' dispersion is set by the heavy-tailed tolls and the clashes, not by the tempo."""
    base, ablated = dispersion(), dispersion("mechanisms.campaigns.enabled=false")
    assert ablated["attacks"] <= 0.85 * base["attacks"]
    assert ablated["deaths"] < base["deaths"]
