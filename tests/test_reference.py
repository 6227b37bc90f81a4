"""The reference table and rejection ABC on it (sahel_sim.analysis.inference.reference): the amortised recovery
checks of issue 19, item 4."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sahel_sim.analysis.inference import reference as ref
from sahel_sim.analysis.inference.abc import prior_ranges

A, B = "mechanisms.attacks.base_rate", "mechanisms.territory.clash_rate"


def toy_table(per_world: int = 600, seed: int = 0, worlds: tuple[str, ...] = ("both", "neither")) -> pd.DataFrame:
    """A table with the real columns whose summaries a toy simulator makes: deaths_2012 and deaths_2014 grow with
    parameter A (identified), the world `neither` halves deaths_2013 (worlds told apart), everything else noise."""
    rng = np.random.default_rng(seed)
    design = ref.draw_rows(per_world, list(worlds), seed)
    lo, hi = prior_ranges()[A]
    a = (design[A].to_numpy() - lo) / (hi - lo)
    n = len(design)
    summaries = {c: rng.normal(0, 1, n) for c in ref.calibration_columns() + ref.calibration_columns(True)}
    summaries["deaths_2012"] = 1000 * a + rng.normal(0, 30, n)
    summaries["deaths_2014"] = 800 * a + rng.normal(0, 30, n)
    summaries["deaths_2013"] = np.where(design["world"] == "neither", 300.0, 600.0) + rng.normal(0, 40, n)
    return pd.concat([design, pd.DataFrame(summaries)], axis=1)


def test_the_tables_design_draws_the_same_parameters_in_every_world_inside_the_priors():
    rows = ref.draw_rows(5, ["both", "neither"], seed=3)
    assert list(rows["world"]) == ["both"] * 5 + ["neither"] * 5 and list(rows["row"]) == list(range(10))
    params = [c for c in rows.columns if c not in ("row", "world")]
    assert params == list(prior_ranges())
    assert rows[params].iloc[:5].to_numpy().tolist() == rows[params].iloc[5:].to_numpy().tolist()
    for name, (lo, hi) in prior_ranges().items():
        assert rows[name].between(lo, hi).all()
    pd.testing.assert_frame_equal(rows, ref.draw_rows(5, ["both", "neither"], seed=3))


def test_rejection_abc_on_the_table_finds_the_world_and_narrows_the_identified_parameter():
    table = toy_table()
    truth = table.iloc[7]  # a `both` row
    observed = {c: float(truth[c]) for c in ref.calibration_columns()}
    posterior, probs = ref.infer(table.drop(index=7), observed, accept=0.05)
    assert probs["both"] > 0.7 and posterior["weight"].sum() == pytest.approx(1.0)
    both = posterior[posterior["world"] == "both"]
    lo, hi = prior_ranges()[A]
    spread = np.sqrt(np.cov(both[A], aweights=both["weight"]))
    assert spread < 0.6 * (hi - lo) / np.sqrt(12)  # narrower than the uniform prior's sd
    assert abs(np.average(both[A], weights=both["weight"]) - truth[A]) < 3 * spread
    adjusted, _ = ref.infer(table.drop(index=7), observed, accept=0.05, adjust=True)
    for name, (lo, hi) in prior_ranges().items():  # the adjustment keeps every value inside its prior
        assert adjusted[name].between(lo, hi).all()
    lo_b, hi_b = prior_ranges()[B]
    assert np.sqrt(np.cov(both[B], aweights=both["weight"])) > 0.8 * (hi_b - lo_b) / np.sqrt(12)  # stays wide


def test_recovery_on_the_table_is_calibrated_where_the_method_is_and_writes_the_recovery_contract(tmp_path):
    """A calibrated method's 90% intervals hold the truth in about 90% of records. Plain rejection: the coverage of
    a parameter the summaries say nothing about lies in the binomial range over the records, and that of the
    identified one at or above it (a positive tolerance makes it conservative). The regression adjustment, which
    this test showed to under-cover with these summaries, is off by default and shown to under-cover here."""
    from experiments.inference import binomial_band

    paths = ref.table_recovery(toy_table(), tmp_path, records=80, accept=0.05)
    cov = pd.read_csv(paths["coverage"]).set_index("parameter")
    lo90, hi90 = binomial_band(int(cov.loc[B, "records"]), 0.9, level=0.99)
    assert lo90 <= cov.loc[B, "cover90"] <= hi90 and cov.loc[A, "cover90"] >= lo90
    assert cov.loc[A, "width90_over_prior"] < 0.7 < cov.loc[B, "width90_over_prior"]
    worse = ref.table_recovery(toy_table(), tmp_path / "adjusted", records=80, accept=0.05, adjust=True)
    assert pd.read_csv(worse["coverage"])["cover90"].mean() < lo90  # why the adjustment is off
    mr = pd.read_csv(paths["model_recovery"])
    assert len(mr) == 160 and (mr["true_world"] == mr["attributed_world"]).mean() > 0.9
    rec = pd.read_csv(paths["recovery"])
    assert {"record", "world", "parameter", "true", "lo50", "hi50", "lo90", "hi90"} <= set(rec.columns)
    # a world's own switches are not parameters it recovers: `neither` sets the retaliation weight to 0
    assert "mechanisms.attacks.retaliation_weight" not in set(rec.loc[rec["world"] == "neither", "parameter"])
    assert "rejection ABC on a reference table" in json.loads(paths["method"].read_text())["method"]


def test_the_table_resumes_at_the_first_missing_chunk_and_refuses_another_design(tmp_path, monkeypatch):
    """Two runs of the real model per world: the table is written chunk by chunk, a chunk lost is simulated again
    alone and gives the same rows, and a folder holding another design is refused."""
    monkeypatch.setattr(ref, "CHUNK", 1)
    path = ref.build_table(tmp_path, 1, ["both", "neither"], progress=False)
    first = pd.read_parquet(path)
    assert list(first["world"]) == ["both", "neither"] and np.isfinite(first["deaths_2013"]).all()
    assert (first["w2014_deaths_2013"] == first["deaths_2013"]).all()  # the same run seen through the window
    kept = (tmp_path / "chunks" / "0000.parquet").stat().st_mtime_ns
    (tmp_path / "chunks" / "0001.parquet").unlink()
    again = pd.read_parquet(ref.build_table(tmp_path, 1, ["both", "neither"], progress=False))
    assert (tmp_path / "chunks" / "0000.parquet").stat().st_mtime_ns == kept
    pd.testing.assert_frame_equal(again, first)
    import shutil

    shutil.rmtree(tmp_path / "chunks")  # a finished table without its chunks (the gallery ships it so) is read
    monkeypatch.setattr(ref, "_simulate_chunk", lambda rows: pytest.fail("simulated a finished table again"))
    pd.testing.assert_frame_equal(pd.read_parquet(ref.build_table(tmp_path, 1, ["both", "neither"],
                                                                  progress=False)), first)
    with pytest.raises(ValueError, match="holds a table of another design"):
        ref.build_table(tmp_path, 2, ["both", "neither"], progress=False)


def test_the_second_set_is_asked_for_by_name_and_a_table_without_it_is_refused_in_one_line(tmp_path, capsys):
    from sahel_sim.analysis.inference.summaries import SECOND_SET_NAMES

    assert ref.calibration_columns(summary_set="second") == list(SECOND_SET_NAMES)
    with pytest.raises(ValueError, match="'second' with the 2012-2014 window"):
        ref.calibration_columns(True, "second")
    with pytest.raises(ValueError, match="summaries: 'fourth'; allowed: first, second, third"):
        ref.calibration_columns(summary_set="fourth")
    from sahel_sim.analysis.inference.summaries import THIRD_SET_NAMES

    assert ref.calibration_columns(summary_set="third") == list(THIRD_SET_NAMES)
    assert set(SECOND_SET_NAMES) < set(THIRD_SET_NAMES)
    with pytest.raises(ValueError, match="'third' with the 2012-2014 window"):
        ref.calibration_columns(True, "third")
    table = toy_table(20)  # the first set's columns only, as a table simulated before the second set
    with pytest.raises(ValueError, match="no column spectaculars_aq_2015_2016"):
        ref.table_recovery(table, tmp_path, records=2, summary_set="second")
    shipped = tmp_path / "shipped"  # a finished table of the command's design, without the second set
    shipped.mkdir()
    design = ref.draw_rows(5)
    columns = ref.calibration_columns() + ref.calibration_columns(True)
    design = pd.concat([design, pd.DataFrame(1.0, index=design.index, columns=columns)], axis=1)
    design.to_parquet(shipped / "table.parquet")
    (shipped / "design.json").write_text(json.dumps({"per_world": 5, "worlds": sorted(set(design["world"]),
                                                                                     key=list(design["world"]).index),
                                                      "seed": 0, "parameters": list(prior_ranges())}))
    with pytest.raises(SystemExit):
        ref.main([str(shipped), "--per-world", "5", "--summaries", "second"])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--summaries: the table has no column spectaculars_aq_2015_2016" in err
    assert not (shipped / "recovery_second").exists()  # refused before anything was written


def test_the_records_sensitivity_covers_the_acceptance_shares_and_a_prior_on_each_world():
    worlds = ("both", "global_only", "local_only", "neither")
    table = toy_table(300, worlds=worlds)
    truth = table.iloc[920]  # a `neither` row: deaths_2013 halved, which no other world does
    observed = {c: float(truth[c]) for c in ref.calibration_columns()}
    sens = ref.record_sensitivity(table.drop(index=920), observed).set_index("setting")
    assert len(sens) == len(ref.SENSITIVITY_ACCEPT) + 4  # three shares; at 5%, a prior of 0.5 on each world
    assert np.allclose(sens[list(worlds)].sum(axis=1), 1.0)
    equal = sens.loc["accept 5.0%, equal world priors"]
    on_both = sens.loc["accept 5.0%, prior 0.5 on both"]
    # Bayes' rule: the odds of `both` against any other world are multiplied by 3 (a prior of 0.5 against 1/6)
    assert on_both["both"] / on_both["neither"] == pytest.approx(3 * equal["both"] / equal["neither"])
    assert on_both["local_only"] / on_both["neither"] == pytest.approx(equal["local_only"] / equal["neither"])
    assert (sens["neither"] > 0.5).all()  # the toy record's world, whatever the setting


def test_the_second_sets_recovery_is_set_beside_the_firsts_on_the_same_records(tmp_path):
    """A second set whose added summaries tell parameter B (which the first set says nothing about) narrows B's
    intervals and leaves A's about as they were; the comparison holds both sets' coverage, widths and model
    recovery."""
    from sahel_sim.analysis.inference.summaries import SECOND_SET_NAMES

    table = toy_table(200)
    lo, hi = prior_ranges()[B]
    rng = np.random.default_rng(1)
    for name in SECOND_SET_NAMES:
        if name not in table:  # the five added summaries: each a noisy reading of B
            table[name] = (table[B] - lo) / (hi - lo) + rng.normal(0, 0.05, len(table))
    first = ref.table_recovery(table, tmp_path / "recovery", records=15)["coverage"].parent
    second = ref.table_recovery(table, tmp_path / "recovery_second", records=15, summary_set="second")
    both = ref.against(first, second["coverage"].parent).set_index("parameter")
    assert json.loads(second["method"].read_text())["summary_set"] == "second"
    assert both.loc[B, "width90_second"] < both.loc[B, "width90_first"] - 0.2
    assert abs(both.loc[A, "width_change"]) < 0.2
    model = both.loc["(model recovery)"]
    assert 0 <= model["width90_first"] <= 1 and 0 <= model["width90_second"] <= 1
    assert list(both.index[:-1]) == list(both.iloc[:-1].sort_values("width90_second").index)


def test_leaving_out_the_summary_that_tells_the_worlds_apart_returns_the_record_to_the_prior():
    table = toy_table()
    truth = table.iloc[620]  # a `neither` row; deaths_2013 alone separates the toy's worlds
    columns = ref.calibration_columns()
    loo = ref.leave_one_out(table.drop(index=620), {c: float(truth[c]) for c in columns}, columns)
    assert list(loo["left_out"]) == ["", *columns]
    assert np.allclose(loo[["both", "neither"]].sum(axis=1), 1.0)
    probs = loo.set_index("left_out")["neither"]
    assert probs[""] > 0.6 and abs(probs["deaths_2013"] - 0.5) < abs(probs[""] - 0.5)


def test_the_table_by_world_says_how_often_a_year_summary_s_event_happened():
    from sahel_sim.analysis.inference.summaries import CENSORED_YEAR

    table = pd.DataFrame({"world": ["both", "both", "neither", "neither"],
                          "first_is_pledge": [2015.5, CENSORED_YEAR, CENSORED_YEAR, CENSORED_YEAR],
                          "spectaculars_aq_2015_2016": [1.0, 3.0, 0.0, 0.0]})
    out = ref.by_world(table, ["first_is_pledge", "spectaculars_aq_2015_2016"]).set_index("world")
    assert out.loc["both", "first_is_pledge_happened"] == 0.5 and out.loc["neither", "first_is_pledge_happened"] == 0
    assert out.loc["both", "spectaculars_aq_2015_2016_median"] == 2.0
    assert "spectaculars_aq_2015_2016_happened" not in out  # a count, not a year


def test_rows_another_table_holds_are_reused_and_the_others_simulated(tmp_path, monkeypatch):
    """The channel comparison's table shares `both` with the four worlds' table: those rows are taken from it,
    the channel world's rows are simulated (one real run), and the table is the one simulation alone gives."""
    monkeypatch.setattr(ref, "CHUNK", 1)
    alone = pd.read_parquet(ref.build_table(tmp_path / "alone", 1, ["both", "local_only_channel"], progress=False))
    four = alone.iloc[:1].copy()  # a table holding `both`'s row only
    simulated = []
    real = ref._simulate_chunk

    def counted(rows):
        simulated.extend(r["world"] for r in rows)
        return real(rows)

    monkeypatch.setattr(ref, "_simulate_chunk", counted)
    again = pd.read_parquet(ref.build_table(tmp_path / "again", 1, ["both", "local_only_channel"], progress=False,
                                            reuse=four))
    assert simulated == ["local_only_channel"]
    pd.testing.assert_frame_equal(again, alone)
    other = four.assign(**{A: four[A] + 0.01})  # another parameter value: not the same row, simulated
    simulated.clear()
    ref.build_table(tmp_path / "third", 1, ["both"], progress=False, reuse=other)
    assert simulated == ["both"]


def test_the_tables_worlds_are_checked_in_one_line_before_anything_is_written(tmp_path, capsys):
    for bad in ("both,nowhere", "both,both", ""):
        with pytest.raises(SystemExit):
            ref.main([str(tmp_path / "t"), "--worlds", bad])
        err = capsys.readouterr().err
        assert "--worlds:" in err and "local_only_channel" in err  # the allowed worlds, the channel ones included
    assert not (tmp_path / "t").exists()


def test_pair_accuracy_counts_records_put_on_the_right_side_of_the_rivalrys_action_on_attacks():
    mr = pd.DataFrame({"true_world": ["both", "both", "global_only", "local_only_channel", "neither_channel"],
                       "attributed_world": ["global_only", "local_only_channel", "neither_channel",
                                            "neither_channel", "both"]})
    sides = ref.pair_accuracy(mr)
    assert sides["pooled"] == 2 / 5  # both -> global_only and local_only_channel -> neither_channel are right
    assert sides["both"] == 0.5 and sides["global_only"] == 0.0 and sides["local_only_channel"] == 1.0
    assert sides["neither_channel"] == 0.0
