"""Bad input, as a table of cases: each is refused before the run with ONE line naming the field and what is allowed.

Every case must give exactly one line ``sahel-sim: error: FIELD: what is wrong; allowed ...`` on stderr, exit
code 2, no traceback, and must write nothing (the run folder is not created; a finished run is not touched).

Most cases run in-process through :func:`sahel_sim.faces.cli.precheck` (what ``sahel-sim`` does before Hydra starts);
config files in a user's folder use ``hydra.searchpath=[file://DIR]``; a handful are real ``sahel-sim``
subprocesses (``--config-dir``, ``--config-name``, unwritable folders), and a full disk is simulated in-process by
making the staged writes fail with ENOSPC while the CLI's task writes its outputs.

Cases marked ``xfail(strict=True)`` are known gaps in files this suite's authors may not edit (``api.py``,
``cli.py``, ``outputs.py``); each reason names the change needed. When it is made the case passes, XPASS(strict)
fails, and the mark is to be removed.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sahel_sim.core.params import ConfigError
from sahel_sim.faces import cli
from sahel_sim.faces.cli import precheck
from sahel_sim.runner import outputs

LINE = re.compile(r"sahel-sim: error: (?P<field>[^\s:]+): (?P<what>.+?); allowed(?P<allowed>.+)")
SHORT = ["calendar.end=2012-03-05"]
TABLES = [f"{name}.parquet" for name in outputs.TABLES]


def gap(reason: str):
    """A known gap: the case fails today for a reason outside the validation code (see the module docstring)."""
    return pytest.mark.xfail(strict=True, reason=reason)


def check_one_clear_line(err: str, field: str) -> str:
    """The one line of ``err``: it names ``field`` (a trailing ``*`` matches any suffix) and what is allowed."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{err}"
    m = LINE.fullmatch(lines[0].strip())
    assert m, f"not of the form 'sahel-sim: error: FIELD: what is wrong; allowed ...': {lines[0]!r}"
    got = m["field"]
    assert got == field or (field.endswith("*") and got.startswith(field[:-1])), f"names {got!r}, not {field!r}"
    assert m["what"].strip() and m["allowed"].strip(" :"), lines[0]
    assert not re.search(r"\b[A-Z]\w*(Error|Exception)\b", lines[0]), f"names an exception: {lines[0]}"
    return lines[0]


def refused_in_process(argv: list[str], capsys) -> tuple[int | str | None, str]:
    with pytest.raises(SystemExit) as info:
        precheck(argv)
    return info.value.code, capsys.readouterr().err


EVENT = "scenario.events=[{{date:{date},kind:{kind}{extra}}}]"


def event(date: str = "2013-01-01", kind: str = "note", extra: str = "") -> str:
    return EVENT.format(date=date, kind=kind, extra=extra)


# (override(s), field named in the one line)
BAD_OVERRIDES = [
    # --- wrong types -------------------------------------------------------------------------------------------
    pytest.param(["seed=abc"], "seed", id="type-seed-word"),
    pytest.param(["seed=1.5"], "seed", id="type-seed-float"),
    pytest.param(["seed=true"], "seed", id="type-seed-bool"),
    pytest.param(["seed="], "seed", id="type-seed-empty"),
    pytest.param(["mechanisms.rivalry.strength=abc"], "mechanisms.rivalry.strength", id="type-strength-word"),
    pytest.param(["mechanisms.rivalry.enabled=maybe"], "mechanisms.rivalry.enabled", id="type-switch-not-bool"),
    pytest.param(["calendar.step_days=7.5"], "calendar.step_days", id="type-step-days-float"),
    pytest.param(["mechanisms.attention.retention=[0.5]"], "mechanisms.attention.retention", id="type-list-for-number"),
    pytest.param(["mechanisms.attention=5"], "mechanisms.attention", id="type-number-for-section"),
    pytest.param(["factions.aqim.home=gao"], "factions.aqim.home", id="type-word-for-list"),
    pytest.param(["calendar.start=[2012]"], "calendar.start", id="type-list-for-date"),
    pytest.param(["factions.aqim.fighters=1e9"], "factions.aqim.fighters", id="type-fighters-float"),
    pytest.param(["factions.fama.troops=[[2013-01-01,many]]"], "factions.fama.troops[0]", id="type-troops-word"),
    pytest.param(["map.outline=[[0,0],[1,0],[true,1]]"], "map.outline[2]", id="type-outline-bool"),
    pytest.param([event(extra=",magnitude:big")], "scenario.events[0].magnitude", id="type-event-magnitude"),
    pytest.param(["factions.fama.troops=[2013]"], "factions.fama.troops[0]", id="type-troops-not-pairs"),
    pytest.param(["mechanisms.rivalry.strength=[1,"], "mechanisms.rivalry.strength", id="type-override-grammar"),
    # --- out of range ------------------------------------------------------------------------------------------
    pytest.param(["seed=-1"], "seed", id="range-seed-negative"),
    pytest.param(["seed=4294967296"], "seed", id="range-seed-too-large"),
    pytest.param(["max_groups=0"], "max_groups", id="range-max-groups-zero"),
    pytest.param(["max_groups=2"], "max_groups", id="range-max-groups-below-factions"),
    pytest.param(["mechanisms.rivalry.strength=9"], "mechanisms.rivalry.strength", id="range-strength"),
    pytest.param(["mechanisms.rivalry.strength=nan"], "mechanisms.rivalry.strength", id="range-nan"),
    pytest.param(["mechanisms.attention.retention=1.5"], "mechanisms.attention.retention", id="range-retention"),
    pytest.param(["mechanisms.barkhane.strikes_per_1000=-2"], "mechanisms.barkhane.strikes_per_1000",
                 id="range-negative-rate"),
    pytest.param(["map.resolution=20"], "map.resolution", id="range-resolution-coarse"),
    pytest.param(["factions.aqim.home_radius_km=-1"], "factions.aqim.home_radius_km", id="range-home-radius"),
    pytest.param(["map.places.bamako.lat=95"], "map.places.bamako.lat", id="range-latitude"),
    pytest.param(["factions.fama.troops=[[2013-01-01,-5]]"], "factions.fama.troops[0]", id="range-troops"),
    pytest.param(["mechanisms.rivalry.intensity=[[2013-01-01,2]]"], "mechanisms.rivalry.intensity[0]",
                 id="range-anchor-value"),
    pytest.param([event(extra=",magnitude:2")], "scenario.events[0].magnitude", id="range-event-magnitude"),
    pytest.param(["mechanisms.rivalry.strength=1,9", "-m"], "mechanisms.rivalry.strength", id="range-in-sweep"),
    pytest.param(["seed=1,2,x", "-m"], "seed", id="type-in-sweep"),
    # --- unknown keys and misspelled groups --------------------------------------------------------------------
    pytest.param(["mechanisms.rivalry.strenght=2"], "mechanisms.rivalry.strenght", id="key-misspelled-param"),
    pytest.param(["mechanism.rivalry.strength=2"], "mechanism", id="key-misspelled-section"),
    pytest.param(["mechanisms.rivalri.strength=2"], "mechanisms.rivalri", id="key-misspelled-mechanism"),
    pytest.param(["factions.aqim.colour=red"], "factions.aqim.colour", id="key-misspelled-faction-field"),
    pytest.param(["+foo=1"], "foo", id="key-added-unknown"),
    pytest.param(["maps=mali"], "maps", id="group-misspelled-name"),
    pytest.param(["map=mail"], "map", id="group-misspelled-option"),
    pytest.param(["factions=histroy"], "factions", id="group-factions-option"),
    pytest.param(["scenario=history"], "scenario", id="group-scenario-option"),
    pytest.param(["map.routes.salt.waypoints=[gao]"], "map.routes.salt", id="key-new-entry-without-plus"),
    # --- unknown factions, camps, places and kinds referenced ------------------------------------------------
    pytest.param(["factions.aqim.camp=ISIS"], "factions.aqim.camp", id="ref-unknown-camp"),
    pytest.param(["factions.fama.camp=AQ"], "factions.fama.camp", id="ref-camp-for-a-force"),
    pytest.param(["factions.aqim.kind=rebel"], "factions.aqim.kind", id="ref-unknown-kind"),
    pytest.param(["factions.aqim.home=[atlantis]"], "factions.aqim.home", id="ref-unknown-home-place"),
    pytest.param(["map.capital=atlantis"], "map.capital", id="ref-unknown-capital"),
    pytest.param(["mechanisms.peace_process.venues=[atlantis]"], "mechanisms.peace_process.venues",
                 id="ref-unknown-venue"),
    pytest.param(["+mechanisms.alliances.splinter_names.nobody=[x]"], "mechanisms.alliances.splinter_names.nobody",
                 id="ref-splinters-of-unknown-faction"),
    pytest.param([event(kind="merger", extra=",factions:[nobody],into:aqim")], "scenario.events[0].factions",
                 id="ref-merger-unknown-member"),
    pytest.param([event(kind="merger", extra=",factions:[aqim],into:fama")], "scenario.events[0].into",
                 id="ref-merger-into-a-force"),
    pytest.param([event(kind="global_shock", extra=",camp:XX,magnitude:0.1")], "scenario.events[0].camp",
                 id="ref-shock-unknown-camp"),
    pytest.param([event(kind="explosion")], "scenario.events[0].kind", id="ref-unknown-event-kind"),
    pytest.param(["factions.fama.base_kind=castle"], "factions.fama.base_kind", id="ref-unknown-base-kind"),
    pytest.param(["mechanisms.attacks.targets.hotel.place_kinds=[castle]"],
                 "mechanisms.attacks.targets.hotel.place_kinds", id="ref-target-unknown-place-kind"),
    pytest.param(["mechanisms.attacks.targets.hotel.force=police"], "mechanisms.attacks.targets.hotel.force",
                 id="ref-target-unknown-force"),
    # --- dates out of order or outside the calendar ------------------------------------------------------------
    pytest.param(["calendar.end=2011-06-06"], "calendar.end", id="date-end-before-start"),
    pytest.param(["calendar.end=2012-01-02"], "calendar.end", id="date-end-equals-start"),
    pytest.param(["calendar.start=1980-01-01"], "calendar.start", id="date-start-before-calendar"),
    pytest.param(["calendar.end=2200-01-01"], "calendar.end", id="date-end-after-calendar"),
    pytest.param(["calendar.start=not-a-date"], "calendar.start", id="date-not-a-date"),
    pytest.param(["calendar.end=2013-02-30"], "calendar.end", id="date-no-such-day"),
    pytest.param(["factions.aqim.active_from=2013-01-07", "factions.aqim.active_until=2012-06-04"],
                 "factions.aqim.active_until", id="date-faction-window"),
    pytest.param(["factions.aqim.active_from=2020-99-01"], "factions.aqim.active_from", id="date-faction-bad"),
    pytest.param(["map.places.un_gao.active_until=2013-01-01"], "map.places.un_gao.active_until",
                 id="date-place-window"),
    pytest.param(["factions.fama.troops=[[2013-01-01,5],[2012-01-01,4]]"], "factions.fama.troops",
                 id="date-troops-out-of-order"),
    pytest.param(["mechanisms.rivalry.is_share=[[2014-01-01,0.5],[2013-01-01,0.5]]"], "mechanisms.rivalry.is_share",
                 id="date-anchors-out-of-order"),
    # --- events dated outside the run, with a strict calendar (without it they are dropped) -------------------
    pytest.param(["calendar.end=2014-12-29", "scenario.strict_calendar=true"], "scenario.history[*",
                 id="event-after-shortened-run"),
    pytest.param([event(date="2030-01-01"), "scenario.strict_calendar=true"], "scenario.events[0].date",
                 id="event-after-run"),
    pytest.param([event(date="2011-12-01"), "scenario.strict_calendar=true"], "scenario.events[0].date",
                 id="event-before-run"),
    pytest.param(["scenario.strict_calendar=maybe"], "scenario.strict_calendar", id="type-strict-calendar"),
    # --- the shared history (scenario.history) and a scenario's own events (scenario.events) -------------------
    pytest.param([event(date="2015-11-13", kind="global_shock",
                        extra=",camp:IS,magnitude:0.3,label:'Paris attacks (IS)'")], "scenario.events[0]",
                 id="event-repeats-the-shared-history"),
    pytest.param(["scenario.history=[{date:2015-02-30,kind:note}]"], "scenario.history[0].date",
                 id="date-history-event-bad"),
    # --- empty or degenerate maps ------------------------------------------------------------------------------
    pytest.param(["map.resolution=5"], "map.resolution", id="map-degenerate-grid"),
    pytest.param(["map.lon_max=-20"], "map.lon_max", id="map-inverted-extent"),
    pytest.param(["map.outline=[]"], "map.outline", id="map-no-outline"),
    pytest.param(["map.outline=[[0,0],[1,0],[1,1]]"], "map.outline", id="map-outline-off-the-map"),
    pytest.param(["map.regions.kidal.seeds=[]"], "map.regions.kidal.seeds", id="map-region-without-seeds"),
    pytest.param(["map.routes.kidal_tinzaouatine.waypoints=[kidal]"], "map.routes.kidal_tinzaouatine.waypoints",
                 id="map-route-of-one-place"),
    # --- a faction with no home cells --------------------------------------------------------------------------
    pytest.param(["factions.aqim.home=[]"], "factions.aqim.home", id="home-empty-with-fighters"),
    pytest.param(["factions.aqim.units=0"], "factions.aqim.units", id="home-fighters-without-units"),
    pytest.param(["map.lat_max=15"], "map.places.*", id="home-places-outside-the-map"),
    # --- contradictory switches --------------------------------------------------------------------------------
    pytest.param(["mechanisms.barkhane.faction=aqim"], "mechanisms.barkhane.faction", id="switch-barkhane-a-group"),
    pytest.param(["mechanisms.barkhane.faction=minusma"], "mechanisms.barkhane.faction",
                 id="switch-barkhane-peacekeepers"),
    pytest.param(["mechanisms.minusma.faction=fama"], "mechanisms.minusma.faction", id="switch-minusma-the-army"),
    pytest.param(["~factions.barkhane"], "mechanisms.barkhane.faction", id="switch-force-removed-but-enabled"),
    pytest.param(["factions.fama.troops=[]"], "factions.fama.troops", id="switch-force-without-troops"),
]


@pytest.mark.parametrize("overrides, field", BAD_OVERRIDES)
def test_a_bad_override_is_refused_in_one_line(overrides, field, tmp_path, capsys):
    run_dir = tmp_path / "run"
    code, err = refused_in_process([*overrides, f"hydra.run.dir={run_dir}"], capsys)
    assert code == 2, err
    check_one_clear_line(err, field)
    assert not run_dir.exists()


# --- config files in a user's folder (hydra.searchpath), in-process --------------------------------------------

USER_FILES = {
    "broken": "aqim:\n  label: [unclosed\n  kind: jihadist\n",
    "tabs": "aqim:\n\tlabel: AQIM\n",
    "typo": "aqim:\n  label: AQIM\n  kind: jihadist\n  camp: AQ\n  fighters: 10\n  home: [gao]\n  colour: red\n",
    "a_list": "- aqim\n- mujao\n",
    "wrong_type": "aqim:\n  kind: jihadist\n  camp: AQ\n  fighters: many\n  home: [gao]\n",
    "negative": "defaults:\n  - history\naqim:\n  fighters: -5\n",
    "no_home": "defaults:\n  - history\nansar_al_islam:\n  kind: jihadist\n  camp: AQ\n  fighters: 200\n",
    "empty": "{}\n",
}

BAD_FILES = [
    pytest.param("broken", "factions*", id="yaml-malformed"),
    pytest.param("tabs", "factions*", id="yaml-tab-indent"),
    pytest.param("typo", "factions.aqim.colour", id="yaml-unknown-key"),
    pytest.param("a_list", "factions", id="yaml-list-for-mapping"),
    pytest.param("wrong_type", "factions.aqim.fighters", id="yaml-wrong-type"),
    pytest.param("negative", "factions.aqim.fighters", id="yaml-out-of-range"),
    pytest.param("no_home", "factions.ansar_al_islam.home", id="yaml-faction-without-home"),
    pytest.param("empty", "factions", id="yaml-no-factions"),
    pytest.param("missing", "factions", id="yaml-missing-file"),
]


@pytest.mark.parametrize("name, field", BAD_FILES)
def test_a_bad_config_file_is_refused_in_one_line(name, field, tmp_path, capsys):
    folder = tmp_path / "my_configs"
    (folder / "factions").mkdir(parents=True)
    for stem, text in USER_FILES.items():
        (folder / "factions" / f"{stem}.yaml").write_text(text)
    run_dir = tmp_path / "run"
    code, err = refused_in_process([f"hydra.searchpath=[file://{folder}]", f"factions={name}",
                                    f"hydra.run.dir={run_dir}"], capsys)
    assert code == 2, err
    check_one_clear_line(err, field)
    assert not run_dir.exists()


def test_integer_coordinates_in_a_map_file_are_accepted(tmp_path):
    """The counterpart of the map cases: [-5, 25] is a valid vertex, not a type error."""
    from sahel_sim.faces.api import config_dir, load_config

    (tmp_path / "map").mkdir()
    text = (config_dir() / "map" / "mali.yaml").read_text().replace("[-4.83, 24.99]", "[-5, 25]", 1)
    (tmp_path / "map" / "mali_int.yaml").write_text(text)
    config = load_config([f"hydra.searchpath=[file://{tmp_path}]", "map=mali_int"])
    assert config.map.outline[0] == [-5, 25]


# --- the real command, in a subprocess -------------------------------------------------------------------------

def sahel_sim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.run([sys.executable, "-m", "sahel_sim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def finished_run(folder: Path) -> dict[str, bytes]:
    """A folder that looks like a finished run (its files and their bytes)."""
    folder.mkdir(parents=True)
    for name in [*TABLES, "summary.json", "config.yaml", "run.json"]:
        (folder / name).write_bytes(f"earlier run: {name}\n".encode())
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_command_refuses_bad_input_and_leaves_a_finished_run_untouched(tmp_path):
    run_dir = tmp_path / "run"
    before = finished_run(run_dir)
    p = sahel_sim("mechanisms.barkhane.faction=aqim", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    check_one_clear_line(p.stderr, "mechanisms.barkhane.faction")
    assert snapshot(run_dir) == before and p.stdout == ""


@pytest.fixture
def a_regular_file(tmp_path) -> Path:
    path = tmp_path / "not_a_folder"
    path.write_text("a file where a folder is expected\n")
    return path


@pytest.mark.parametrize("make_args, field", [
    pytest.param(lambda d, f: ["--config-dir", str(d), "factions=broken"], "factions*", id="config-dir-malformed-yaml"),
    pytest.param(lambda d, f: ["--config-dir", str(d), "mechanisms.rivalry.strength=9"],
                 "mechanisms.rivalry.strength", id="config-dir-bad-value-writes-nothing"),
    pytest.param(lambda d, f: ["--config-name", "nope"], "*", id="missing-primary-config"),
    pytest.param(lambda d, f: [f"hydra.run.dir={f}/run"], "hydra.run.dir", id="unwritable-hydra-run-dir"),
    pytest.param(lambda d, f: [f"output.dir={f}/run"], "output.dir", id="unwritable-output-dir"),
])
def test_the_command_refuses_bad_files_and_folders_in_one_line(make_args, field, tmp_path, a_regular_file):
    folder = tmp_path / "my_configs"
    (folder / "factions").mkdir(parents=True)
    (folder / "factions" / "broken.yaml").write_text(USER_FILES["broken"])
    run_dir = tmp_path / "run"
    args = make_args(folder, a_regular_file)  # Hydra's flags first, then overrides
    if not any(a.startswith("hydra.run.dir=") for a in args):
        args.append(f"hydra.run.dir={run_dir}")
    p = sahel_sim(*args, *SHORT, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    check_one_clear_line(p.stderr, field)
    assert not run_dir.exists() and a_regular_file.is_file()


# --- a full disk while the outputs are written (in-process CLI task) -------------------------------------------

def run_cli_with_full_disk(run_dir: Path, fail_from: int) -> tuple[int | str | None, str]:
    """``sahel-sim`` in-process, with every table write from the ``fail_from``-th on failing with ENOSPC after
    writing part of its file in the staging folder (the real write must remove it). Returns exit code and stderr."""
    real_write = outputs._write_staged
    calls = {"tables": 0}

    def full_disk(path: Path, data):
        if path.suffix != ".parquet":
            return real_write(path, data)
        calls["tables"] += 1
        if calls["tables"] < fail_from:
            return real_write(path, data)
        path.write_bytes(b"PAR1 half a table")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    err = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stderr(err):
        mp.setattr(outputs, "_write_staged", full_disk)
        mp.setattr(cli, "_task_started", False)
        mp.setattr(sys, "argv", ["sahel-sim", *SHORT, "output.figure=false", f"hydra.run.dir={run_dir}"])
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()


@pytest.fixture(scope="module")
def full_disk_run(tmp_path_factory) -> tuple[int | str | None, str, Path]:
    run_dir = tmp_path_factory.mktemp("full_disk") / "run"
    return (*run_cli_with_full_disk(run_dir, fail_from=1), run_dir)


def test_a_full_disk_is_reported_in_one_line_and_leaves_no_table(full_disk_run):
    code, err, run_dir = full_disk_run
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("sahel-sim: error: ") and "No space left on device" in lines[0]
    left = {p.name for p in run_dir.iterdir()} if run_dir.exists() else set()
    assert not left & {*TABLES, "summary.json"}, left
    assert not [name for name in left if name.endswith(".tmp")], left


def test_a_full_disk_message_names_the_folder_field(full_disk_run):
    code, err, _ = full_disk_run
    assert code == 2
    check_one_clear_line(err, "output.dir" if "output.dir" in err else "hydra.run.dir")


def test_a_disk_that_fills_up_midway_leaves_no_table(tmp_path):
    run_dir = tmp_path / "run"
    code, err = run_cli_with_full_disk(run_dir, fail_from=3)
    assert code == 2, err
    left = {p.name for p in run_dir.iterdir()}
    assert not left & {*TABLES, "summary.json"}, left


def test_config_error_crosses_process_boundaries():
    """A refused config raised in a worker (joblib, multiprocessing, submitit) reaches the caller whole: the same
    field and the same one-line message, not an unpickling failure that kills the pool."""
    import multiprocessing
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    from sahel_sim.faces.api import load_config

    with pytest.raises(ConfigError) as here:
        load_config(["map.resolution=9"])
    again = pickle.loads(pickle.dumps(here.value))
    assert (type(again), again.field, again.message, str(again)) == (
        ConfigError, "map.resolution", here.value.message, str(here.value))
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool, pytest.raises(ConfigError) as there:
        pool.submit(load_config, ["map.resolution=9"]).result()
    assert str(there.value) == str(here.value) and there.value.field == "map.resolution"
