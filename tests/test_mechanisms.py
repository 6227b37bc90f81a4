"""Each mechanism pushes the world the way it should, and switching it off removes the push (DESIGN.md §5)."""

from __future__ import annotations

import numpy as np
import pytest

from sahel_sim.core.agents import ArmedGroup
from sahel_sim.core.mechanisms.attention import share_deficit, spectacle_score
from sahel_sim.core.mechanisms.minusma import patrol_share_target
from sahel_sim.core.mechanisms.recruitment import expected_local_recruits
from sahel_sim.core.mechanisms.territory import influence_target, route_revenue, spread
from sahel_sim.core.severity import power_law_draw, survival_exponent
from tests.conftest import make_model, run_to

# --- 1. global rivalry --------------------------------------------------------------------------------------------


def spectacular_share(model, group) -> float:
    """Probability that the group's next operation is one that needs spectacular capability."""
    opts, p = model.mechanism("attacks").choice(group)
    needs = model.config.mechanisms.attacks.targets
    return float(sum(pi for o, pi in zip(opts, p, strict=True) if needs[o[0]].needs_capability))


def capital_hotel(model) -> str:
    """A hotel frequented by foreigners in the capital that hosts peace-process delegations (target layer)."""
    return next(t.id for t in model.mechanism("attacks").layer.values() if t.kind == "hotel" and t.hosts_meetings)


def site_cell(model, site: str) -> tuple[int, int]:
    t = model.mechanism("attacks").layer[site]
    return model.world.cell_of(t.lon, t.lat)


def capable_aq_group(model) -> ArmedGroup:
    g = model.factions["aqim"]
    g.operations_budget, g.last_spectacular_step = 1e5, -1000
    assert model.mechanism("attacks").capable(g)
    return g


def test_rivalry_raises_aq_camp_spectacular_propensity():
    m = make_model()
    g = capable_aq_group(m)
    m.global_share = {"IS": 0.8, "AQ": 0.2}
    m.rivalry_intensity = 0.0
    calm = spectacular_share(m, g)
    m.rivalry_intensity = 1.0
    rivalry = spectacular_share(m, g)
    assert rivalry > 1.5 * calm > 0


def test_rivalry_series_follows_its_anchors_and_shocks_decay():
    m = make_model("calendar.end=2016-06-27")
    run_to(m, "2015-11-02")
    before = m.global_share["IS"]
    run_to(m, "2015-11-16")  # the Paris attacks, 13 November 2015
    assert m.global_share["IS"] > before + 0.1
    run_to(m, "2016-02-01")
    assert m.global_share["IS"] < before + 0.05
    assert 0.8 <= m.rivalry_intensity <= 1.2


def test_without_rivalry_no_outbidding_and_no_series():
    m = make_model("mechanisms.rivalry.enabled=false", "calendar.end=2015-12-28")
    run_to(m, "2015-11-16")
    assert m.rivalry_intensity == 0.0
    g = capable_aq_group(m)
    assert m.mechanism("attacks").outbid(g) == 0.0


# --- 2. attention market --------------------------------------------------------------------------------------


def test_attention_decays_without_new_attacks():
    m = make_model()
    g = m.factions["aqim"]
    g.attention = 10.0
    m.attacks_this_week = []
    m.mechanism("attention").step()
    assert g.attention == pytest.approx(10.0 * m.config.mechanisms.attention.retention)


def test_switching_attention_off_credits_no_attention():
    m = make_model("mechanisms.attention.enabled=false")
    run_to(m, "2013-06-03")
    assert len(m.log.attacks) > 0
    assert all(g.attention == 0 and g.attention_share == 0 for g in m.groups())


def test_spectacle_grows_with_toll_capital_and_foreigners():
    cfg = make_model().config.mechanisms.attention.spectacle
    base = spectacle_score(cfg, 1.0, False, 1, 0, False)
    assert spectacle_score(cfg, 1.0, False, 50, 0, False) > base
    assert spectacle_score(cfg, 1.0, True, 1, 0, False) > base
    assert spectacle_score(cfg, 1.0, False, 1, 100, True) > base
    # a capital hotel attack with ~20 dead, 170 hostages and foreigners (as in Nov 2015) is spectacular; a rural
    # ambush is not
    assert spectacle_score(cfg, 3.0, True, 22, 170, True) >= cfg.threshold
    assert spectacle_score(cfg, 0.6, False, 9, 0, False) < cfg.threshold


def test_the_camp_behind_has_the_deficit():
    assert share_deficit({"AQ": 0.3, "IS": 0.7}, "AQ") == pytest.approx(0.4)
    assert share_deficit({"AQ": 0.3, "IS": 0.7}, "IS") == 0.0


# --- 3. attack choice -------------------------------------------------------------------------------------------


def test_spectacular_attacks_need_capability():
    m = make_model()
    g = m.factions["aqim"]
    g.operations_budget, g.funds = 0.0, 1e5  # a full treasury does not pay for a spectacular operation
    assert not m.mechanism("attacks").capable(g)
    assert spectacular_share(m, g) == 0.0


def test_the_operations_budget_takes_its_share_of_income_and_pays_the_operation():
    m = make_model("mechanisms.attacks.spectacular.budget_share=0.25")
    g = m.factions["aqim"]
    start = m.config.factions["aqim"].funds
    assert g.operations_budget == pytest.approx(0.25 * start) and g.funds == pytest.approx(0.75 * start)
    budget, funds = g.operations_budget, g.funds
    g.earn(40.0)
    assert g.operations_budget == pytest.approx(budget + 10.0) and g.funds == pytest.approx(funds + 30.0)
    # a spectacular operation is paid from the budget, not from the treasury
    capable_aq_group(m)
    budget, funds = g.operations_budget, g.funds
    place = capital_hotel(m)
    m.config.mechanisms.attacks.joint_probability = 0.0
    m.mechanism("attacks").resolve(g, "hotel", place, site_cell(m, place))
    cost = m.config.mechanisms.attacks.spectacular.cost
    assert g.operations_budget == pytest.approx(budget - cost) and g.funds == funds
    assert g.last_spectacular_step == m.week


def test_upkeep_empties_the_treasury_but_not_the_operations_budget():
    m = make_model("mechanisms.territory.upkeep=100")  # far more than any revenue
    m.mechanism("territory").collect_revenue()
    g = m.factions["aqim"]
    assert g.funds == 0.0 and g.operations_budget >= 0.1 * m.config.factions["aqim"].funds


def test_without_attack_choice_all_income_goes_to_the_treasury():
    m = make_model("mechanisms.attacks.enabled=false")
    g = m.factions["aqim"]
    assert g.operations_budget == 0.0 and g.funds == m.config.factions["aqim"].funds


def test_spoiler_motive_draws_attacks_to_the_meeting_venue():
    m = make_model()
    g = capable_aq_group(m)
    m.peace_progress, m.spoiler_motive, m.peace_venue = 0.5, 1.0, capital_hotel(m)
    spoiling = spectacular_share(m, g)
    m.spoiler_motive, m.peace_venue = 0.0, None
    assert spoiling > spectacular_share(m, g)


def test_attack_deaths_are_heavy_tailed():
    rng = np.random.default_rng(0)
    draws = np.array([power_law_draw(rng, 2.0, 2.38, 10_000) for _ in range(20_000)])
    assert np.median(draws) <= 3 and draws.max() > 200
    assert survival_exponent(draws, 2.0) == pytest.approx(2.38, abs=0.15)


# --- 4. claims -------------------------------------------------------------------------------------------------


def test_bystanders_hungry_for_attention_make_competing_claims():
    m = make_model("mechanisms.claims.false_claim_probability=1", "mechanisms.claims.false_claim_floor=1",
                   "mechanisms.claims.false_claim_reach_km=5000", "mechanisms.claims.spectacular_claim_probability=1")
    g = capable_aq_group(m)
    hotel = capital_hotel(m)
    attack = m.mechanism("attacks").resolve(g, "hotel", hotel, site_cell(m, hotel))
    attack.spectacular = True
    m.mechanism("claims").step()
    assert g.name in attack.claimants and len(attack.claimants) > 1 and attack.competing_claims


def test_without_claims_the_perpetrators_get_the_credit():
    m = make_model("mechanisms.claims.enabled=false")
    run_to(m, "2013-03-04")
    assert m.log.attacks and all(a.claimants == [] and a.credited == [] for a in m.log.attacks)
    g = m.factions["aqim"]
    before = g.attention
    a = m.mechanism("attacks").resolve(g, "civilian", "", g.units[0].cell.coordinate)
    m.mechanism("attention").step()
    assert a.perpetrators == ["aqim"] and g.attention > before * m.config.mechanisms.attention.retention


# --- 5. territory and revenue ---------------------------------------------------------------------------------


def test_influence_is_a_share_of_armed_presence():
    rng = np.random.default_rng(1)
    presence = rng.exponential(5.0, size=(4, 10, 8))
    target = influence_target(spread(presence, 2), rng.random((10, 8)) * 10, 2.0)
    assert target.min() >= 0 and target.sum(axis=0).max() < 1
    stronger = presence.copy()
    stronger[0] *= 3
    assert influence_target(spread(stronger, 2), np.ones((10, 8)), 2.0)[0].mean() > \
        influence_target(spread(presence, 2), np.ones((10, 8)), 2.0)[0].mean()


def test_revenue_comes_from_held_routes_where_the_state_is_weak():
    influence = np.zeros((1, 5, 5))
    influence[0, 2, :] = 0.8
    routes = np.zeros((5, 5))
    routes[2, :] = 1.0
    weak, strong = np.zeros((5, 5)), np.full((5, 5), 0.9)
    assert route_revenue(influence, routes, weak, 10.0, 0.0)[0] > route_revenue(influence, routes, strong, 10.0, 0.0)[0]
    assert route_revenue(influence, routes, weak, 10.0, 0.5)[0] < route_revenue(influence, routes, weak, 10.0, 0.0)[0]


def test_units_move_away_from_foreign_pressure():
    m = make_model("mechanisms.territory.move_noise=0")
    unit = m.factions["mujao"].units[0]
    x, y = unit.cell.coordinate
    m.foreign_presence[:] = 0.0
    m.foreign_presence[max(0, x - 2):x + 3, max(0, y - 2):y + 3] = 5.0
    m.foreign_presence[x, y] = 10.0
    m.mechanism("territory").move_units()
    nx, ny = unit.cell.coordinate
    assert m.foreign_presence[nx, ny] < 10.0


# --- 6. recruitment and grievance -----------------------------------------------------------------------------


def test_grievance_and_prestige_raise_recruitment():
    influence = np.full((1, 4, 4), 0.5)
    pop = np.full((4, 4), 1e5)
    low = expected_local_recruits(influence, pop, np.full((4, 4), 0.1), np.zeros(1), 1.0, 3.0)
    high = expected_local_recruits(influence, pop, np.full((4, 4), 0.6), np.zeros(1), 1.0, 3.0)
    famous = expected_local_recruits(influence, pop, np.full((4, 4), 0.6), np.ones(1), 1.0, 3.0)
    assert famous[0] > high[0] > low[0] > 0


def strike_with_harm(*overrides):
    m = make_model("mechanisms.barkhane.harm_probability=1", *overrides)
    run_to(m, "2013-02-04")  # Serval is in Mali
    barkhane = m.mechanism("barkhane")
    units = barkhane.targets_in_reach(m.force("barkhane").active_bases())
    before = m.grievance.copy()
    barkhane.strike(m.force("barkhane").active_bases())
    return m, before, units


def test_strikes_that_harm_civilians_raise_local_grievance():
    m, before, units = strike_with_harm()
    assert units
    assert (m.grievance - before).max() > 0
    assert (m.grievance >= before - 1e-12).all()


def test_without_recruitment_mechanism_harm_leaves_grievance_alone():
    m, before, _ = strike_with_harm("mechanisms.recruitment.enabled=false")
    assert np.array_equal(m.grievance, before)


def test_without_recruitment_no_one_joins():
    m = make_model("mechanisms.recruitment.enabled=false")
    m.run()
    assert all(g.recruits_total == 0 for g in m.factions.values() if isinstance(g, ArmedGroup))


# --- 7. alliances ---------------------------------------------------------------------------------------------


def test_a_leaders_death_makes_a_split_likely():
    """The incentives rule: a succession dispute is the term that tips the choice (the other terms held at none)."""
    m = make_model("mechanisms.alliances.split.rate=1", "mechanisms.alliances.split.intercept=-20",
                   "mechanisms.alliances.split.succession_weight=40")
    m.mechanism("alliances").step()
    assert not [e for e in m.log.events if e.kind == "split"]
    g = m.factions["ansar_dine"]
    m.leader_killed(g, by="barkhane")
    m.mechanism("alliances").step()
    splits = [e for e in m.log.events if e.kind == "split"]
    assert [e.other for e in splits] == ["ansar_dine"]
    assert splits[0].terms["succession"] == 1.0 and splits[0].terms["probability"] > 0.99
    child = m.factions[splits[0].faction]
    assert child.parent == "ansar_dine" and child.fighters > 0


def test_ruling_the_north_an_empty_treasury_and_the_rival_brand_each_raise_the_split_odds():
    from sahel_sim.core.mechanisms.alliances import SplitIncentives, split_utility

    cfg = SplitIncentives()
    calm = {"succession": 0.0, "restraint": 0.0, "brand": 0.0, "funds": 0.0}
    for term in calm:
        assert split_utility(cfg, {**calm, term: 0.5}) > split_utility(cfg, calm)


def test_a_group_ruling_the_north_weighs_its_restraint():
    m = make_model()
    alliances = m.mechanism("alliances")
    g = m.factions["aqim"]
    from sahel_sim.core.geography import ZONES

    m.influence[g.slot][m.world.zone == ZONES.index("north")] = 1.0  # AQIM holds every northern cell
    ruled = alliances.ruled_shares([g])[g.name]
    assert ruled == pytest.approx(m.north_share_held(m.influence[g.slot])) and ruled > 0.9
    assert alliances.split_terms(g, ruled)["restraint"] == ruled


def small_splinter_under_is_ascendancy(*overrides):
    m = make_model("mechanisms.alliances.pledge_rate=1", "mechanisms.alliances.splinter_pledge_boost=1",
                   "mechanisms.alliances.pledge_size_ref=100000", *overrides)
    child = m.mechanism("alliances").split(m.factions["aqim"])
    m.global_share = {"IS": 0.9, "AQ": 0.1}
    return m, child


def pledge_probability(m, g) -> float:
    from sahel_sim.core.mechanisms.alliances import logistic, pledge_utility

    cfg = m.config.mechanisms.alliances.pledge
    return cfg.rate * logistic(pledge_utility(cfg, m.mechanism("alliances").pledge_terms(g)))


def test_a_small_splinter_weighs_a_pledge_to_is_where_a_configured_group_keeps_its_allegiance():
    """The incentives rule, in mid-2015's context (IS 0.2 ahead globally, the AQ camp alone locally, full
    rivalry): a new leader with no oath of his own against AQIM's."""
    m = make_model()
    child = m.mechanism("alliances").split(m.factions["aqim"])
    m.global_share, m.local_share, m.rivalry_intensity = {"IS": 0.6, "AQ": 0.4}, {"AQ": 1.0, "IS": 0.0}, 1.0
    splinter, parent = pledge_probability(m, child), pledge_probability(m, m.factions["aqim"])
    assert splinter > 0.2 * m.config.mechanisms.alliances.pledge.rate and splinter > 100 * parent


def test_without_rivalry_a_pledge_is_as_rare_as_its_intercept():
    from sahel_sim.core.mechanisms.alliances import logistic

    m, child = small_splinter_under_is_ascendancy()
    m.rivalry_intensity = 0.0
    cfg = m.config.mechanisms.alliances.pledge
    assert m.mechanism("alliances").pledge_terms(child)["brand"] == 0.0
    assert pledge_probability(m, child) <= cfg.rate * logistic(cfg.intercept)


def test_partners_size_and_an_earlier_switch_hold_a_group_in_its_camp():
    from sahel_sim.core.mechanisms.alliances import PledgeIncentives, pledge_utility

    cfg = PledgeIncentives()
    keen = {"brand": 0.2, "attention": 1.0, "funds": 1.0, "commitment": 0.0, "partners": 0.0, "size": 0.1,
            "switched": 0.0}
    for term, value in (("partners", 2.0), ("size", 0.8), ("switched", 1.0), ("commitment", 1.0)):
        assert pledge_utility(cfg, {**keen, term: value}) < pledge_utility(cfg, keen)
    assert pledge_utility(cfg, {**keen, "attention": 0.0}) < pledge_utility(cfg, keen)  # fame needs no brand


def test_the_former_rule_a_splinter_pledges_to_is_when_aq_trails_under_rivalry():
    """decision=camp_share (scenario=scripted_relations): the former hazard, pulled by the camps' shares."""
    m, child = small_splinter_under_is_ascendancy()
    m.rivalry_intensity = 1.0
    assert m.mechanism("alliances").try_pledge(child)
    assert child.camp == "IS" and any(e.kind == "pledge" for e in m.log.events)


def test_the_former_rule_without_rivalry_nobody_pledges():
    m, child = small_splinter_under_is_ascendancy()
    m.rivalry_intensity = 0.0
    assert not m.mechanism("alliances").try_pledge(child)
    assert child.camp == "AQ"


def test_splits_and_mergers_keep_the_money_of_both_purses():
    m = make_model()
    parent = m.factions["aqim"]
    money = parent.funds + parent.operations_budget
    budget = parent.operations_budget
    child = m.mechanism("alliances").split(parent)
    assert child is not None and 0 < child.operations_budget < budget
    assert child.funds + child.operations_budget + parent.funds + parent.operations_budget == pytest.approx(money)
    assert child.operations_budget / budget == pytest.approx(child.fighters / (child.fighters + parent.fighters))
    from sahel_sim.core.mechanisms.relations import merge_groups

    merge_groups(m, [child], parent)
    assert parent.operations_budget == pytest.approx(budget) and parent.funds + parent.operations_budget == \
        pytest.approx(money)
    assert child.funds == child.operations_budget == 0.0


def test_dated_mergers_fold_members_into_the_new_group():
    """The comparison scenario with the record's mergers dated (scenario=scripted_relations)."""
    m = make_model("scenario=scripted_relations")
    run_to(m, "2013-08-26")
    am = m.factions["al_mourabitoun"]
    assert not m.factions["mujao"].active and not m.factions["signers_in_blood"].active
    assert am.active and am.fighters > 0 and am.leader_experience >= 0.9


# --- 8. Barkhane ------------------------------------------------------------------------------------------------


def test_barkhane_strikes_kill_fighters_and_project_presence():
    m = make_model()
    run_to(m, "2013-04-01")
    assert m.force("barkhane").strikes_total > 0
    assert m.foreign_presence[m.world.place_cell("gao")] > 0.5
    assert any(e.kind == "strike" for e in m.log.events)


def test_without_barkhane_no_strikes_no_french_targets():
    m = make_model("mechanisms.barkhane.enabled=false")
    run_to(m, "2013-06-03")
    assert m.force("barkhane") is None and not m.foreign_presence.any()
    assert not any(e.kind == "strike" for e in m.log.events)
    assert not any(a.target == "french" for a in m.log.attacks)


# --- 9. MINUSMA ---------------------------------------------------------------------------------------------------


def test_minusma_losses_shift_patrols_to_force_protection():
    m = make_model()
    run_to(m, "2013-09-02")
    minusma = m.force("minusma")
    minusma.recent_losses, minusma.patrol_share = 0.0, 0.7
    m.mechanism("minusma").step()
    calm = minusma.patrol_share
    minusma.recent_losses, minusma.patrol_share = 60.0, 0.7
    m.mechanism("minusma").step()
    assert minusma.patrol_share < calm
    assert m.un_protection > 0
    assert patrol_share_target(0.7, 0.0, 60.0) == 0.7  # no sensitivity: no shift


def test_without_minusma_no_un_presence_or_targets():
    m = make_model("mechanisms.minusma.enabled=false")
    m.run()
    assert not m.un_presence.any()
    assert not any(a.target == "minusma" for a in m.log.attacks)


# --- 10. peace process ------------------------------------------------------------------------------------------


def test_peace_milestones_raise_the_spoiler_motive():
    m = make_model("calendar.end=2015-09-28")
    run_to(m, "2015-05-04")
    assert m.spoiler_motive == 0 and m.peace_progress == 0
    run_to(m, "2015-07-06")
    assert m.peace_progress > 0 and m.spoiler_motive > 0
    assert any(e.kind == "peace_meeting" for e in m.log.events)


def test_without_peace_process_no_spoiler_motive():
    m = make_model("calendar.end=2015-09-28", "mechanisms.peace_process.enabled=false")
    m.run()
    assert m.spoiler_motive == 0 and m.peace_progress == 0


def test_attacks_on_the_process_set_it_back():
    m = make_model("calendar.end=2015-09-28", "mechanisms.peace_process.setback=0.05")
    run_to(m, "2015-07-06")
    m.peace_progress = before = 0.5
    g = capable_aq_group(m)
    m.attacks_this_week = []
    hotel = capital_hotel(m)
    m.mechanism("attacks").resolve(g, "hotel", hotel, site_cell(m, hotel))
    m.attacks_last_week = m.attacks_this_week
    m.peace_venue = hotel
    m.mechanism("peace_process").step()
    assert m.peace_progress < before


def test_rule_restraint_holds_a_ruling_group_back_from_spectacular_targets_only():
    """With `attacks.rule_restraint` on, a group ruling part of the north's people finds spectacular (capability)
    targets less attractive by restraint x its ruled share; other targets and groups ruling nobody are unchanged."""
    m = run_to(make_model("mechanisms.attacks.rule_restraint=10"), "2012-09-03")  # the north under jihadist rule
    ac = m.mechanism("attacks")
    ruling = max(m.groups(), key=ac.ruled_share)
    share = ac.ruled_share(ruling)
    assert 0.0 < share <= m.north_jihadist_share() + 1e-12
    assert all(0.0 <= ac.ruled_share(g) <= 1.0 for g in m.groups())
    cells = [u.cell.coordinate for u in ruling.units]
    state = m.rng.bit_generator.state  # an area target's cell is drawn: the same draws for both calls
    with_restraint = {(o[0], o[1]): o[3] for o in ac.options(ruling, cells, capable=True)}
    ac.config.rule_restraint = 0.0
    m.rng.bit_generator.state = state
    without = {(o[0], o[1]): o[3] for o in ac.options(ruling, cells, capable=True)}
    targets = ac.config.targets
    spectacular = [k for k in without if targets[k[0]].needs_capability]
    assert spectacular and all(with_restraint[k] == pytest.approx(without[k] - 10 * share) for k in spectacular)
    others = [k for k in without if not targets[k[0]].needs_capability]
    assert others and all(with_restraint[k] == without[k] for k in others)


def test_a_groups_options_come_in_the_configs_order_of_target_types_with_their_utilities():
    """The options computed for all point targets at once (:class:`Options`) read as the tuples a site-by-site
    loop gives: types in the config's order (own-area options at their type's place, before the sites of later
    types), a type's sites in the layer's order, each utility at its index, and the choice's probabilities a logit
    of those utilities."""
    model = make_model(seed=3, short=False)
    run_to(model, "2015-06-01")
    ac = model.mechanism("attacks")
    order = list(model.config.mechanisms.attacks.targets)
    seen_own = 0
    for group in (g for g in model.groups() if g.units):
        unit_xy = [u.cell.coordinate for u in group.units]
        opts = ac._options(group, unit_xy, ac.capable(group))
        tuples = opts.tuples()
        assert len(tuples) == len(opts) > 0
        assert opts.utilities().tolist() == pytest.approx([t[3] for t in tuples])
        positions = [order.index(t[0]) for t in tuples]
        assert positions == sorted(positions)  # types in the config's order
        seen_own += sum(1 for t in tuples if t[1] == "")
        for tname in set(t[0] for t in tuples if t[1]):
            sites = [t[1] for t in tuples if t[0] == tname]
            layer_order = ac.points[tname][0]
            assert [layer_order.index(s) for s in sites] == sorted(layer_order.index(s) for s in sites)
        listed, p = ac.choice(group)
        u = np.array([t[3] for t in listed]) / model.config.mechanisms.attacks.temperature
        assert p == pytest.approx(np.exp(u - u.max()) / np.exp(u - u.max()).sum())
    assert seen_own > 0  # some own-area options were interleaved
