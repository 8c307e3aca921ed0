"""The synthetic demo dataset (small scale) and the bulk loader it uses."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    func,
    select,
)

from data_access import schema
from data_access.bulk import bulk_insert
from data_access.db import get_engine
from data_access.demo import DATA_AS_OF, DEMO_DATASET_MARKER, SCALES, generate, load_demo

TABLE_NAMES = [table.name for table in schema.FACT_TABLES_IN_LOAD_ORDER]
AS_OF = pd.Timestamp(DATA_AS_OF)
FOREIGN_KEYS = [
    (table.name, key.parent.name, key.column.table.name, key.column.name)
    for table in schema.FACT_TABLES_IN_LOAD_ORDER
    for key in table.foreign_keys
]


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return generate(scale="small")


@pytest.fixture(scope="module")
def frames_again() -> dict[str, pd.DataFrame]:
    return generate(scale="small")


@pytest.fixture(scope="module")
def frames_other_seed() -> dict[str, pd.DataFrame]:
    return generate(scale="small", seed=7)


def _codes(series: pd.Series) -> set[str]:
    return set(series.dropna().astype(str))


# --------------------------------------------------------------------------------------------
# Determinism


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_same_seed_gives_identical_frames(frames, frames_again, table):
    pd.testing.assert_frame_equal(frames[table], frames_again[table])


@pytest.mark.parametrize("table", ["staff", "plan_items", "tasks", "ratings", "survey_responses"])
def test_another_seed_gives_other_facts(frames, frames_other_seed, table):
    assert not frames[table].equals(frames_other_seed[table])


def test_geography_does_not_depend_on_the_seed(frames, frames_other_seed):
    pd.testing.assert_frame_equal(frames["org_units"], frames_other_seed["org_units"])


# --------------------------------------------------------------------------------------------
# Shape and integrity


def test_every_table_is_generated(frames):
    assert list(frames) == TABLE_NAMES
    assert all(len(frame) > 0 for frame in frames.values())


@pytest.mark.parametrize("table", schema.FACT_TABLES_IN_LOAD_ORDER, ids=TABLE_NAMES)
def test_columns_are_exactly_the_schema_columns(frames, table):
    assert list(frames[table.name].columns) == [column.name for column in table.columns]


@pytest.mark.parametrize("table", schema.FACT_TABLES_IN_LOAD_ORDER, ids=TABLE_NAMES)
def test_primary_keys_are_unique_and_not_null(frames, table):
    key = [column.name for column in table.primary_key.columns]
    frame = frames[table.name]
    assert frame[key].notna().all().all()
    assert not frame.duplicated(subset=key).any()


@pytest.mark.parametrize("table", schema.FACT_TABLES_IN_LOAD_ORDER, ids=TABLE_NAMES)
def test_required_columns_have_values(frames, table):
    required = [column.name for column in table.columns if not column.nullable]
    assert frames[table.name][required].notna().all().all()


@pytest.mark.parametrize(
    ("table", "column", "target", "target_column"),
    FOREIGN_KEYS,
    ids=[f"{table}.{column}" for table, column, _target, _target_column in FOREIGN_KEYS],
)
def test_references_exist(frames, table, column, target, target_column):
    missing = _codes(frames[table][column]) - _codes(frames[target][target_column])
    assert not missing


def test_scale_sizes(frames):
    scale = SCALES["small"]
    assert len(frames["tasks"]) == scale.tasks
    assert len(frames["survey_responses"]) == scale.responses
    assert len(frames["staff"]) == scale.staff
    units = frames["org_units"]
    assert (units["level"] == 1).sum() == 22
    per_province = units.loc[units["level"] == 2, "parent_code"].value_counts()
    assert per_province["11"] == 9  # every district of the capital
    assert per_province.drop("11").max() == 3


def test_tasks_belong_to_their_agency(frames):
    tasks, staff, items = frames["tasks"], frames["staff"], frames["plan_items"]
    staff_agency = staff.set_index("code")["agency_code"].astype(str)
    assert (tasks["staff_code"].astype(str).map(staff_agency) == tasks["agency_code"]).all()
    linked = tasks.dropna(subset=["plan_item_code"])
    assert (linked["source_kind"] == "plan_item").all()
    item_agency = items.set_index("code")["agency_code"].astype(str)
    assert (linked["plan_item_code"].astype(str).map(item_agency) == linked["agency_code"]).all()


def test_governors_offices_work_in_their_province(frames):
    agencies = frames["agencies"].set_index("code")
    units = frames["org_units"].set_index("code")
    province = units["parent_code"].where(units["level"] == 2, units.index).astype(str)
    tasks = frames["tasks"]
    governors = tasks[tasks["agency_code"].astype(str).str.startswith("GOV-")]
    home = governors["agency_code"].astype(str).map(agencies["org_unit_code"])
    assert (governors["org_unit_code"].astype(str).map(province) == home).all()


def test_unconnected_province_has_no_tasks_or_plan_items(frames):
    units = frames["org_units"]
    govisumber = set(units.loc[(units["code"] == "42") | (units["parent_code"] == "42"), "code"])
    for table in ("tasks", "plan_items"):
        assert not _codes(frames[table]["org_unit_code"]) & govisumber
        assert "GOV-42" not in _codes(frames[table]["agency_code"])
    assert _codes(frames["survey_responses"]["org_unit_code"]) & govisumber
    assert "GOV-42" in _codes(frames["staff"]["agency_code"])


# --------------------------------------------------------------------------------------------
# Value ranges and dates


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("tasks", "issued_on"),
        ("tasks", "completed_on"),
        ("progress_reports", "reported_on"),
        ("survey_responses", "responded_on"),
        ("service_stats", "month"),
        ("readiness_checks", "checked_on"),
    ],
)
def test_nothing_is_dated_after_the_data_end(frames, table, column):
    assert frames[table][column].max() <= AS_OF


def test_task_dates_are_ordered(frames):
    tasks = frames["tasks"]
    assert (tasks["due_on"] >= tasks["issued_on"]).all()
    done = tasks.dropna(subset=["completed_on"])
    assert (done["completed_on"] >= done["issued_on"]).all()
    assert tasks.loc[tasks["cancelled"], "completed_on"].isna().all()
    assert (tasks["due_on"] - tasks["issued_on"]).dt.days.between(3, 60).all()


def test_plans_cover_their_items(frames):
    items = frames["plan_items"].merge(
        frames["plans"], left_on=frames["plan_items"]["plan_code"].astype(str), right_on="code"
    )
    assert (items["due_date"] >= items["period_start"]).all()
    assert (items["due_date"] <= items["period_end"]).all()
    assert set(frames["plans"]["kind"]) == {"policy", "action_plan", "program"}
    assert (frames["plan_items"]["weight"] > 0).all()


@pytest.mark.parametrize(
    ("table", "column", "low", "high"),
    [
        ("progress_reports", "percent_complete", 0, 100),
        ("progress_reports", "verified_percent", 0, 100),
        ("ratings", "self_score", 0, 100),
        ("ratings", "supervisor_score", 0, 100),
        ("ratings", "final_score", 0, 100),
        ("survey_responses", "score", 1, 5),
        ("survey_results", "satisfied_share", 0, 1),
        ("org_units", "lat", 41.5, 52.2),
        ("org_units", "lon", 87.7, 120.0),
    ],
)
def test_values_are_in_range(frames, table, column, low, high):
    assert frames[table][column].dropna().between(low, high).all()


def test_checked_progress_is_never_above_the_reported(frames):
    reports = frames["progress_reports"].dropna(subset=["verified_percent"])
    assert len(reports) > 0
    assert (reports["verified_percent"] <= reports["percent_complete"]).all()


def test_service_counts_are_consistent(frames):
    stats = frames["service_stats"]
    resolved = stats["resolved_early"] + stats["resolved_on_time"] + stats["resolved_late"]
    assert (stats["online_applications"] <= stats["applications"]).all()
    assert (stats["online_results"] <= stats["applications"]).all()
    assert (resolved <= stats["applications"]).all()
    assert (stats["month"].dt.day == 1).all()


def test_categories_are_from_the_standard(frames):
    assert set(frames["tasks"]["source_kind"]) == {
        "directive",
        "plan_item",
        "citizen_request",
        "document",
    }
    assert set(frames["survey_responses"]["channel"]) == {"online", "in_person", "phone"}
    assert set(frames["agencies"]["kind"]) == {"ministry", "agency", "local_government"}
    assert frames["readiness_checks"]["criterion"].nunique() == 6
    assert set(frames["ratings"]["period"]) == {"2024", "2025"}
    assert set(frames["survey_results"]["org_unit_code"]) == {"11"}


def test_headline_figures_are_near_their_targets(frames):
    """Rough checks at the small scale; scripts/check_demo_calibration.py checks the default."""
    ratings = frames["ratings"]
    rated_2024 = ratings[ratings["period"] == "2024"]
    score = rated_2024["final_score"].fillna(rated_2024["self_score"])
    assert score.mean() == pytest.approx(98.7, abs=0.3)
    responses = frames["survey_responses"]
    in_2024 = responses[responses["responded_on"].dt.year == 2024]
    results = frames["survey_results"].query("period == '2024'")
    satisfied = (in_2024["score"] >= 4).sum() + (
        results["respondents"] * results["satisfied_share"]
    ).sum()
    share = satisfied / (len(in_2024) + results["respondents"].sum())
    assert share == pytest.approx(0.40, abs=0.015)


# --------------------------------------------------------------------------------------------
# Loading


def test_load_demo_replaces_the_data(tmp_path):
    url = f"sqlite:///{tmp_path}/x.sqlite3"
    steps: list[tuple[float, str]] = []
    counts = load_demo(database_url=url, scale="small", progress=lambda f, m: steps.append((f, m)))
    assert counts == {name: len(frame) for name, frame in generate(scale="small").items()}
    assert _database_counts(url) == counts
    again = load_demo(database_url=url, scale="small")
    assert again == counts
    assert _database_counts(url) == counts
    fractions = [fraction for fraction, _message in steps]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert all(message for _fraction, message in steps)


def test_load_demo_writes_dataset_info(tmp_path):
    url = f"sqlite:///{tmp_path}/x.sqlite3"
    load_demo(database_url=url, scale="small", seed=11)
    table = schema.dataset_info
    with get_engine(url).connect() as connection:
        info = dict(connection.execute(select(table.c.key, table.c.value)).all())
    assert info["dataset"] == DEMO_DATASET_MARKER
    assert info["data_as_of"] == "2025-11-30"
    assert info["scale"] == "small"
    assert info["seed"] == "11"
    assert info["generated_with"]


def test_loaded_rows_read_back_as_generated(tmp_path):
    url = f"sqlite:///{tmp_path}/x.sqlite3"
    load_demo(database_url=url, scale="small")
    expected = generate(scale="small")["tasks"].set_index("code")
    with get_engine(url).connect() as connection:
        rows = connection.execute(select(schema.tasks).where(schema.tasks.c.cancelled)).all()
    assert rows
    for row in rows[:50]:
        generated = expected.loc[row.code]
        assert row.issued_on == generated["issued_on"].date()
        assert row.completed_on is None
        assert row.cancelled is True
        assert row.agency_code == generated["agency_code"]


@pytest.mark.parametrize("call", [generate, load_demo])
def test_unknown_scale_is_refused(tmp_path, call):
    arguments = {"scale": "huge"}
    if call is load_demo:
        arguments["database_url"] = f"sqlite:///{tmp_path}/x.sqlite3"
    with pytest.raises(ValueError, match="unknown demo scale"):
        call(**arguments)
    assert not (tmp_path / "x.sqlite3").exists()


def _database_counts(url: str) -> dict[str, int]:
    with get_engine(url).connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in schema.FACT_TABLES_IN_LOAD_ORDER
        }


# --------------------------------------------------------------------------------------------
# bulk_insert

_metadata = MetaData()
_ROUND_TRIP = Table(
    "round_trip",
    _metadata,
    Column("code", String(10), primary_key=True),
    Column("day", Date, nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("amount", Float, nullable=True),
    Column("count", Integer, nullable=True),
    Column("label", String(20), nullable=True),
    Column("stamp", DateTime, nullable=True),
)
_EXPECTED_ROWS = [
    ("a", date(2024, 1, 31), True, 1.5, 3, "x", datetime(2024, 5, 1, 8, 30)),
    ("b", None, False, None, 4, None, None),
    ("c", date(2025, 11, 30), True, 0.0, 5, "z", datetime(2025, 11, 30, 23, 59, 59)),
]


def _typed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["a", "b", "c"],
            "day": pd.to_datetime(["2024-01-31", None, "2025-11-30"]),
            "flag": [True, False, True],
            "amount": [1.5, np.nan, 0.0],
            "count": np.array([3, 4, 5], dtype=np.int64),
            "label": pd.Series(["x", None, "z"], dtype="str"),
            "stamp": pd.to_datetime(["2024-05-01 08:30:00", None, "2025-11-30 23:59:59"]),
        }
    )


def _object_frame() -> pd.DataFrame:
    """The same rows as Python objects, as a hand-made frame would hold them."""
    columns = list(zip(*_EXPECTED_ROWS, strict=True))
    frame = pd.DataFrame(
        {
            column.name: pd.Series(values, dtype=object)
            for column, values in zip(_ROUND_TRIP.columns, columns, strict=True)
        }
    )
    frame.loc[1, "flag"] = np.False_  # numpy scalars must be accepted too
    return frame


@pytest.mark.parametrize("make_frame", [_typed_frame, _object_frame], ids=["typed", "objects"])
def test_bulk_insert_round_trips_dates_nulls_and_booleans(tmp_path, make_frame):
    engine = get_engine(f"sqlite:///{tmp_path}/x.sqlite3")
    _metadata.create_all(engine)
    with engine.begin() as connection:
        assert bulk_insert(connection, table=_ROUND_TRIP, frame=make_frame()) == 3
    with engine.connect() as connection:
        rows = connection.execute(select(_ROUND_TRIP).order_by(_ROUND_TRIP.c.code)).all()
        stored = connection.exec_driver_sql("SELECT day, flag FROM round_trip ORDER BY code").all()
    assert [tuple(row) for row in rows] == _EXPECTED_ROWS
    # On disk: ISO dates and 0/1, what SQLAlchemy itself would have written.
    assert stored == [("2024-01-31", 1), (None, 0), ("2025-11-30", 1)]


def test_bulk_insert_takes_a_subset_of_columns(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path}/x.sqlite3")
    _metadata.create_all(engine)
    with engine.begin() as connection:
        bulk_insert(connection, table=_ROUND_TRIP, frame=pd.DataFrame({"code": ["only"]}))
        row = connection.execute(select(_ROUND_TRIP)).one()
    assert tuple(row) == ("only", None, None, None, None, None, None)


def test_bulk_insert_of_nothing_inserts_nothing(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path}/x.sqlite3")
    _metadata.create_all(engine)
    with engine.begin() as connection:
        empty = pd.DataFrame({"code": pd.Series([], dtype="str")})
        assert bulk_insert(connection, table=_ROUND_TRIP, frame=empty) == 0


def test_bulk_insert_refuses_unknown_columns(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path}/x.sqlite3")
    _metadata.create_all(engine)
    with engine.begin() as connection, pytest.raises(ValueError, match="no column"):
        bulk_insert(connection, table=_ROUND_TRIP, frame=pd.DataFrame({"nope": [1]}))
