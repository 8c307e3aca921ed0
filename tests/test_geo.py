"""Boundaries: reading GeoJSON, matching features to units by a chosen property, repairing or
reporting bad polygons, storing them (both backends) and drawing them on the map."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access.db import get_engine
from data_access.geo import (
    Match,
    all_units,
    centre,
    guess_code_property,
    import_boundaries,
    match_features,
    property_names,
    read_features,
    repair_geometry,
    unit_geometries,
    units_without_feature,
)
from data_access.migrate import upgrade_to_head
from data_access.validation import FileProblemError
from tests import tiny_dataset
from tests.conftest import BACKENDS, PROJECT_ROOT, backend_url
from tests.sign_in import sign_in
from tests.test_pages import APP, run_like_streamlit_run

FILES = PROJECT_ROOT / "tests" / "files" / "geo"
LIMIT = 1024 * 1024


def _features(name: str) -> list[dict]:
    return read_features(content=(FILES / name).read_bytes(), max_bytes=LIMIT)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    name = f"geo_{request.node.name.split('[')[0][-20:].lower()}_{request.param}"
    database = backend_url(
        request=request, backend=request.param, name=name, folder=tmp_path_factory
    )
    upgrade_to_head(database_url=database)
    with get_engine(database).begin() as connection:
        tiny_dataset.load(connection)
    return database


@pytest.fixture
def units(url: str):
    with get_engine(url).connect() as connection:
        return all_units(connection)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("not_json.geojson", "not_json"),
        ("not_a_collection.geojson", "not_feature_collection"),
        ("no_features.geojson", "no_features"),
    ],
)
def test_unreadable_boundary_files_say_why(name, code):
    with pytest.raises(FileProblemError) as problem:
        _features(name)
    assert problem.value.code == code


def test_the_code_property_is_guessed_from_the_codes_it_matches():
    features = _features("provinces.geojson")
    assert property_names(features) == ["name", "pcode"]
    assert guess_code_property(features=features, codes=["11", "41"]) == "pcode"
    assert guess_code_property(features=features, codes=["nothing"]) is None


def test_features_are_matched_repaired_or_reported(units):
    matched = match_features(
        features=_features("provinces.geojson"), code_property="pcode", units=units, level=1
    ).set_index("feature")
    assert matched["status"].tolist() == [
        Match.MATCHED,
        Match.MATCHED,
        Match.UNKNOWN_CODE,
        Match.WRONG_LEVEL,
        Match.NO_CODE,
    ]
    assert matched.loc[1, "code"] == "11"  # a number in the file matches the text code
    ulaanbaatar = matched.loc[1, "geometry"]["coordinates"][0]
    assert ulaanbaatar[0] == [106.0, 48.0] and len(ulaanbaatar[0]) == 2  # heights dropped
    tuv = matched.loc[2, "geometry"]["coordinates"][0]
    assert tuv[0] == tuv[-1] and len(tuv) == 5  # closed, the repeated point removed
    assert matched.loc[3, "geometry"] is None
    assert units_without_feature(matched=matched, units=units, level=1).empty
    level_two = units_without_feature(matched=matched, units=units, level=2)
    assert set(level_two["code"]) == {"1101", "4101"}


def test_unusable_geometries_are_reported_not_stored(units):
    matched = match_features(
        features=_features("unusable.geojson"), code_property="code", units=units, level=1
    )
    assert matched["status"].tolist() == [Match.INVALID, Match.INVALID]
    assert matched["notes"].tolist() == [
        "not a polygon (Point)",
        "coordinates are not longitude/latitude degrees (WGS 84)",
    ]


def test_repairs_and_warnings():
    bowtie = repair_geometry(_features("soums.geojson")[0]["geometry"])
    assert bowtie.geometry is not None
    assert bowtie.notes == ["self-intersecting ring (drawn as given)"]
    multi = repair_geometry(_features("soums.geojson")[1]["geometry"])
    assert multi.notes == ["ring with fewer than 3 distinct points dropped"]
    assert multi.geometry["type"] == "MultiPolygon" and len(multi.geometry["coordinates"]) == 1
    outer, hole = multi.geometry["coordinates"][0]
    assert outer[1] == [105.9, 47.5]  # rewound counter-clockwise (RFC 7946)
    assert hole[1] == [105.6, 47.8]  # and the hole clockwise
    assert repair_geometry(None).problem == "no geometry"
    assert repair_geometry({"type": "Polygon", "coordinates": [[["a", 1]]]}).geometry is None
    assert centre(
        {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    ) == (
        1.0,
        1.0,
    )


def test_boundaries_are_stored_logged_and_read_back(url, units):
    content = (FILES / "soums.geojson").read_bytes()
    matched = match_features(
        features=read_features(content=content, max_bytes=LIMIT),
        code_property="ADM2_PCODE",
        units=units,
        level=2,
    )
    stored = import_boundaries(
        database_url=url, matched=matched, file_name="soums.geojson", content=content,
        imported_by="mapper",
    )  # fmt: skip
    assert stored == 2
    with get_engine(url).connect() as connection:
        shapes = unit_geometries(connection, level=2, parent_code="41")
        assert set(shapes) == {"4101"}
        assert set(unit_geometries(connection, level=2, parent_code=None)) == {"1101", "4101"}
        soum = connection.execute(
            select(schema.org_units.c.lat, schema.org_units.c.lon).where(
                schema.org_units.c.code == "4101"
            )
        ).one()
        assert soum == pytest.approx((47.7, 105.7))  # a unit without a centre gets one
        log = connection.execute(select(schema.import_log)).mappings().one()
    assert (log["table_name"], log["rows_updated"], log["imported_by"]) == (
        "org_units.geometry",
        2,
        "mapper",
    )


def test_a_stored_geometry_that_cannot_be_drawn_is_left_out(url):
    units = schema.org_units
    with get_engine(url).begin() as connection:
        connection.execute(update(units).where(units.c.code == "11").values(geometry="{broken"))
        connection.execute(
            update(units)
            .where(units.c.code == "41")
            .values(geometry=json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}))
        )
    with get_engine(url).connect() as connection:
        assert unit_geometries(connection, level=1, parent_code=None) == {}


@pytest.fixture
def map_app(tmp_path, monkeypatch) -> AppTest:
    """The app on the tiny dataset with Ulaanbaatar's boundary stored and a broken one for Tuv."""
    url = f"sqlite:///{tmp_path / 'map.sqlite3'}"
    upgrade_to_head(database_url=url)
    square = [[[106.0, 47.0], [107.5, 47.0], [107.5, 48.5], [106.0, 48.5], [106.0, 47.0]]]
    units = schema.org_units
    with get_engine(url).begin() as connection:
        tiny_dataset.load(connection)
        connection.execute(
            update(units)
            .where(units.c.code == "11")
            .values(geometry=json.dumps({"type": "Polygon", "coordinates": square}))
        )
        connection.execute(update(units).where(units.c.code == "41").values(geometry="[oops"))
    monkeypatch.setenv("DATABASE_URL", url)
    run_like_streamlit_run(monkeypatch)
    return sign_in(AppTest.from_file(APP, default_timeout=120), role="admin")


def _layers(app: AppTest) -> dict[str, dict]:
    spec = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    return {layer["id"]: layer for layer in spec["layers"]}


def test_the_map_draws_polygons_and_markers_and_marks_stale_data(map_app):
    map_app.run()
    map_app.switch_page("pages/map.py")
    map_app.run()
    assert not map_app.exception, [error.value for error in map_app.exception]
    layers = _layers(map_app)
    assert layers["shapes"]["@@type"] == "GeoJsonLayer"
    drawn = [feature["properties"]["code"] for feature in layers["shapes"]["data"]["features"]]
    assert drawn == ["11"]
    assert [row["code"] for row in layers["units"]["data"]] == ["41"]  # broken shape: a marker
    # Tuv's plans were last reported on 2024-06-30, long before the as-of date: stale.
    table = map_app.dataframe[0].value.set_index(map_app.dataframe[0].value.columns[0])
    assert table.iloc[:, -1].str.contains("⌛").tolist() == [False, True]
    assert any("⌛" in caption.value for caption in map_app.caption)
