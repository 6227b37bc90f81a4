"""The fast output paths give what the pandas paths gave: tables built column by column equal the tables built
row by row, Parquet written from memory has the bytes of ``DataFrame.to_parquet``, and ``config.yaml`` emitted
by libyaml has the text of PyYAML's pure-Python emitter."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from pandas.testing import assert_frame_equal

from sahel_sim.core import frames
from sahel_sim.core.events import Attack, EventLog
from sahel_sim.core.frames import Irregular
from sahel_sim.runner.outputs import (
    _plain_text,
    build_tables,
    config_yaml,
    factions_by_column,
    factions_by_row,
    parquet_bytes,
    yearly_counts_by_column,
    yearly_counts_by_row,
)

from .conftest import make_model


@pytest.fixture(scope="module")
def finished_model():
    return make_model(seed=3).run()


def test_every_table_built_by_column_equals_the_table_built_by_row(finished_model):
    m = finished_model
    assert_frame_equal(factions_by_column(m), factions_by_row(m), check_exact=True)
    for name in ("attacks", "claims", "events"):
        by_column = getattr(m.log, f"_{name}_by_column")()
        assert len(by_column) > 0
        assert_frame_equal(by_column, getattr(m.log, f"_{name}_by_row")(), check_exact=True)


@pytest.mark.parametrize("overrides", [("mechanisms.barkhane.enabled=false", "mechanisms.minusma.enabled=false"),
                                       ("mechanisms.attacks.enabled=false", "max_groups=16")])
def test_the_factions_table_by_column_in_other_configurations(overrides):
    m = make_model(*overrides, "calendar.end=2012-12-31", seed=4).run()
    assert_frame_equal(factions_by_column(m), factions_by_row(m), check_exact=True)


def test_the_summary_counts_by_column_equal_pandas_groupby(finished_model):
    tables = build_tables(finished_model)
    attacks, world = tables["attacks"], tables["world"]
    for part in (attacks, attacks[~attacks["spectacular"]], attacks.iloc[:0], attacks[attacks["camp"] == "IS"]):
        by_column, by_row = yearly_counts_by_column(part, world), yearly_counts_by_row(part, world)
        assert by_column.keys() == by_row.keys()
        for key, counts in by_row.items():  # the same keys in the same order: the same summary.json
            assert json.dumps(by_column[key]) == json.dumps(counts), key
    with pytest.raises(Irregular):
        yearly_counts_by_column(attacks.assign(camp=None), world)


def test_parquet_from_memory_has_the_bytes_of_to_parquet(finished_model, tmp_path):
    for name, table in build_tables(finished_model).items():
        table.to_parquet(tmp_path / f"{name}.parquet", index=False)
        assert bytes(parquet_bytes(table)) == (tmp_path / f"{name}.parquet").read_bytes(), name
    table = pd.DataFrame({"a": [1, 2]})
    table.attrs["note"] = "kept by pandas"
    sink = io.BytesIO()
    table.to_parquet(sink, index=False)
    assert bytes(parquet_bytes(table)) == sink.getvalue()


def test_config_yaml_is_the_text_of_the_pure_python_emitter(finished_model):
    config = finished_model.config
    expected = yaml.safe_dump(dataclasses.asdict(config), sort_keys=False, allow_unicode=True, width=120)
    assert config_yaml(config) == expected
    assert "Ségou" in expected  # the default map's labels are not plain ASCII
    assert config_yaml(config) == expected  # its sections from the cache
    other = dataclasses.replace(config, seed=99, map=dataclasses.replace(config.map, resolution=0.5))
    assert config_yaml(other) == yaml.safe_dump(dataclasses.asdict(other), sort_keys=False, allow_unicode=True,
                                                width=120)
    assert config_yaml(other) != expected


@pytest.mark.parametrize("text", ["tab\there", "line\nbreak", "emoji \U0001f600", "bom \ufeff", "\x85"])
def test_strings_the_emitters_write_differently_are_not_plain_text(text):
    assert not _plain_text({"a": [{"b": text}]})
    assert not _plain_text({text: 1})
    assert _plain_text({"a": ["Ségou", "Mopti/Sévaré", "", 'quote "\' # : - ?']})


def test_columns_are_typed_as_pandas_types_them():
    for values in ([1.5, np.float64(2.0)], [1, np.int64(2)], [True, np.True_], ["a", ""], [0.1, float("nan")]):
        expected = pd.DataFrame({"c": list(values)})
        assert_frame_equal(frames.frame({"c": frames.column(values)}), expected, check_exact=True)
    for values in ([], [1, 2.0], [1, True], ["a", None], [None], [2**63], [dt.date(2012, 1, 2)]):
        with pytest.raises(Irregular):
            frames.column(values)


def _attack(i: int, **changes) -> Attack:
    values = dict(id=i, step=i, date=dt.date(2012, 1, 2) + dt.timedelta(weeks=i), x=3, y=4, lon=1.0, lat=15.5,
                  region="mopti", zone="centre", target="army", place="", perpetrators=["aqim"], camp="AQ",
                  joint=False, killed=2, hostages=0, foreigners=False, attackers_killed=1, spectacle=0.5,
                  spectacular=False, claimants=["aqim", "mujao"])
    return Attack(**{**values, **changes})


@pytest.mark.parametrize("changes", [{}, {"killed": 2.0}, {"lat": 15}, {"camp": None}, {"joint": 1},
                                     {"date": dt.datetime(2012, 1, 2, 12)}])
def test_irregular_event_logs_fall_back_to_the_same_tables(changes):
    log = EventLog()
    log.add_attack(_attack(0))
    log.add_attack(_attack(1, **changes))
    log.add(0, dt.date(2012, 1, 2), "note", detail="start")
    for name in ("attacks", "claims", "events"):
        try:
            by_column = getattr(log, f"_{name}_by_column")()
        except Irregular:
            continue  # the public method builds it by row
        assert_frame_equal(by_column, getattr(log, f"_{name}_by_row")(), check_exact=True)
    assert_frame_equal(log.attacks_frame(), log._attacks_by_row(), check_exact=True)


def test_an_empty_event_log_gives_the_tables_it_always_gave():
    log = EventLog()
    assert_frame_equal(log.attacks_frame(), log._attacks_by_row())
    assert_frame_equal(log.claims_frame(), log._claims_by_row())
    assert_frame_equal(log.events_frame(), log._events_by_row())
