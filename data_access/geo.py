"""Boundaries of provinces and soums: read a GeoJSON file, match its features to org units by a
chosen property, repair or report bad polygons, store the geometry, read it back for the map.

No GIS library is needed for what the map draws: polygons are checked by hand against the
GeoJSON rules (RFC 7946) that matter to a renderer. Repaired silently: heights dropped, repeated
points removed, open rings closed, rings wound the RFC 7946 way (outer counter-clockwise).
Repaired and reported: rings with fewer than three distinct points dropped. Reported and kept:
self-intersecting rings (deck.gl still draws them). Refused: anything that is not a polygon,
coordinates that are not numbers or not longitude/latitude degrees.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, func, insert, select, update

from data_access import schema
from data_access.db import get_engine
from data_access.imports.reader import decode
from data_access.validation import FileProblemError

BOUNDARY_TABLE = "org_units.geometry"
_DECIMALS = 6  # about 10 cm: plenty for a dashboard map, and it keeps the stored text small
_SELF_INTERSECTION_MAX_POINTS = 5000  # quadratic check; larger rings are not checked


class Match(StrEnum):
    MATCHED = "matched"
    UNKNOWN_CODE = "unknown_code"
    WRONG_LEVEL = "wrong_level"
    DUPLICATE = "duplicate"
    NO_CODE = "no_code"
    INVALID = "invalid_geometry"


@dataclass(frozen=True)
class Repaired:
    """A geometry after repair (None when it cannot be used), what was done, what is wrong."""

    geometry: dict | None
    notes: list[str] = field(default_factory=list)
    problem: str | None = None


def read_features(*, content: bytes, max_bytes: int) -> list[dict]:
    """The features of a GeoJSON FeatureCollection (or of a single Feature)."""
    if len(content) > max_bytes:
        raise FileProblemError(
            "file_too_large",
            size_mb=f"{len(content) / 1024 / 1024:.1f}",
            limit_mb=f"{max_bytes / 1024 / 1024:.1f}",
        )
    if not content.strip():
        raise FileProblemError("file_empty")
    text, _encoding = decode(content)
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise FileProblemError("not_json", detail=str(error)[:200]) from error
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FileProblemError("not_feature_collection")
    features = [feature for feature in document.get("features") or [] if isinstance(feature, dict)]
    if not features:
        raise FileProblemError("no_features")
    return features


def _properties(feature: Mapping) -> dict:
    properties = feature.get("properties")
    return properties if isinstance(properties, dict) else {}


def property_names(features: Sequence[Mapping]) -> list[str]:
    """Property names found in the features, the most common first."""
    counts = Counter(name for feature in features for name in _properties(feature))
    return [name for name, _ in counts.most_common()]


def _code(value: object) -> str:
    # Codes stored as numbers in GeoJSON (11, 11.0) must still match the text code "11".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def guess_code_property(*, features: Sequence[Mapping], codes: Collection[str]) -> str | None:
    """The property whose values match the most unit codes (None when none matches)."""
    known = set(codes)
    scores = {
        name: sum(_code(_properties(feature).get(name)) in known for feature in features)
        for name in property_names(features)
    }
    best = max(scores, key=lambda name: scores[name], default=None)
    return best if best is not None and scores[best] > 0 else None


def match_features(
    *, features: Sequence[Mapping], code_property: str, units: pd.DataFrame, level: int
) -> pd.DataFrame:
    """One row per feature: feature (position), code, name_mn, name_en, status (a ``Match``
    value), notes (repairs and warnings, "; "-joined), geometry (repaired, or None).

    ``units`` holds every org unit: code, level, name_mn, name_en.
    """
    by_code = units.set_index(units["code"].astype(str))
    seen: Counter[str] = Counter(
        _code(_properties(feature).get(code_property)) for feature in features
    )
    rows = []
    for position, feature in enumerate(features):
        code = _code(_properties(feature).get(code_property))
        repaired = repair_geometry(feature.get("geometry"))
        unit = by_code.loc[code] if code in by_code.index else None
        if not code:
            status = Match.NO_CODE
        elif unit is None:
            status = Match.UNKNOWN_CODE
        elif int(unit["level"]) != level:
            status = Match.WRONG_LEVEL
        elif seen[code] > 1:
            status = Match.DUPLICATE
        elif repaired.geometry is None:
            status = Match.INVALID
        else:
            status = Match.MATCHED
        notes = [*repaired.notes, *([repaired.problem] if repaired.problem else [])]
        rows.append(
            {
                "feature": position + 1,
                "code": code,
                "name_mn": None if unit is None else unit["name_mn"],
                "name_en": None if unit is None else unit["name_en"],
                "status": status,
                "notes": "; ".join(notes),
                "geometry": repaired.geometry if status == Match.MATCHED else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["feature", "code", "name_mn", "name_en", "status", "notes", "geometry"],
    )


def units_without_feature(
    *, matched: pd.DataFrame, units: pd.DataFrame, level: int
) -> pd.DataFrame:
    """Units of ``level`` that no matched feature covers (code, name_mn, name_en)."""
    covered = set(matched.loc[matched["status"] == Match.MATCHED, "code"])
    of_level = units[(units["level"] == level) & ~units["code"].astype(str).isin(covered)]
    return of_level[["code", "name_mn", "name_en"]].reset_index(drop=True)


def repair_geometry(geometry: object, *, check_crossings: bool = True) -> Repaired:
    """A usable (Multi)Polygon, or None with the reason (see the module docstring).
    ``check_crossings=False`` skips the (quadratic) self-intersection warning."""
    if not isinstance(geometry, dict):
        return Repaired(None, problem="no geometry")
    kind = geometry.get("type")
    notes: list[str] = []
    if kind == "Polygon":
        polygons = [geometry.get("coordinates")]
    elif kind == "MultiPolygon":
        polygons = geometry.get("coordinates")
    elif kind == "GeometryCollection":
        members = [part for part in geometry.get("geometries") or [] if isinstance(part, dict)]
        polygons = []
        for member in members:
            inner = repair_geometry(member, check_crossings=check_crossings)
            if inner.geometry is None:
                return Repaired(None, problem=inner.problem)
            coordinates = inner.geometry["coordinates"]
            polygons += [coordinates] if inner.geometry["type"] == "Polygon" else coordinates
        notes.append("collection merged into one multipolygon")
    else:
        return Repaired(None, problem=f"not a polygon ({kind})")
    if not isinstance(polygons, list):
        return Repaired(None, problem="coordinates are not a list")
    kept: list[list[list[list[float]]]] = []
    for polygon in polygons:
        rings = _polygon_rings(polygon=polygon, notes=notes, check_crossings=check_crossings)
        if isinstance(rings, str):
            return Repaired(None, problem=rings)
        if rings:
            kept.append(rings)
    if not kept:
        return Repaired(None, notes=notes, problem="no polygon with three distinct points")
    if kind == "Polygon" and len(kept) == 1:
        return Repaired({"type": "Polygon", "coordinates": kept[0]}, notes=notes)
    return Repaired({"type": "MultiPolygon", "coordinates": kept}, notes=notes)


def _polygon_rings(*, polygon: object, notes: list[str], check_crossings: bool) -> list | str:
    """The repaired rings of one polygon ([] when its outer ring is degenerate), or a problem."""
    if not isinstance(polygon, list) or not polygon:
        return "a polygon without rings"
    rings = []
    for index, ring in enumerate(polygon):
        points = _ring_points(ring)
        if isinstance(points, str):
            return points
        if len(points) < 4:
            notes.append("ring with fewer than 3 distinct points dropped")
            if index == 0:
                return []
            continue
        if check_crossings and _self_intersects(points):
            notes.append("self-intersecting ring (drawn as given)")
        exterior = index == 0
        if (_signed_area(points) > 0) != exterior:
            points = points[::-1]
        rings.append(points)
    return rings


def _ring_points(ring: object) -> list[list[float]] | str:
    if not isinstance(ring, list):
        return "a ring is not a list of points"
    points: list[list[float]] = []
    for position in ring:
        if not isinstance(position, list | tuple) or len(position) < 2:
            return "a point is not [longitude, latitude]"
        lon, lat = position[0], position[1]
        if isinstance(lon, bool) or isinstance(lat, bool):
            return "a coordinate is not a number"
        if not isinstance(lon, int | float) or not isinstance(lat, int | float):
            return "a coordinate is not a number"
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return "a coordinate is not a number"
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return "coordinates are not longitude/latitude degrees (WGS 84)"
        point = [round(float(lon), _DECIMALS), round(float(lat), _DECIMALS)]
        if not points or points[-1] != point:
            points.append(point)
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points


def _signed_area(points: Sequence[Sequence[float]]) -> float:
    """Shoelace area; positive for counter-clockwise rings."""
    array = np.asarray(points, dtype=float)
    x, y = array[:, 0], array[:, 1]
    return float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) / 2)


def _self_intersects(points: Sequence[Sequence[float]]) -> bool:
    """Whether two non-adjacent edges of a closed ring cross (proper crossings only)."""
    array = np.asarray(points, dtype=float)
    count = len(array) - 1
    if count < 4 or count > _SELF_INTERSECTION_MAX_POINTS:
        return False
    starts, ends = array[:-1], array[1:]
    for index in range(count - 2):
        # Edges after the next one; the last edge touches the first at the closing point.
        last = count - 1 if index == 0 else count
        others_start, others_end = starts[index + 2 : last], ends[index + 2 : last]
        if len(others_start) == 0:
            continue
        if _crosses(starts[index], ends[index], others_start, others_end).any():
            return True
    return False


def _crosses(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    first = _orientation(a, b, c) * _orientation(a, b, d)
    second = _orientation(c, d, a) * _orientation(c, d, b)
    return (first < 0) & (second < 0)


def _orientation(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
    """+1 counter-clockwise, -1 clockwise, 0 collinear (for arrays of points)."""
    cross = (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1])
    return np.sign(cross - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0]))


def centre(geometry: Mapping) -> tuple[float, float]:
    """(lat, lon) of the centroid of the largest polygon's outer ring."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    outer = max((polygon[0] for polygon in polygons), key=lambda ring: abs(_signed_area(ring)))
    array = np.asarray(outer, dtype=float)
    x, y = array[:, 0], array[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if area == 0:
        return float(y.mean()), float(x.mean())
    lon = float(((x[:-1] + x[1:]) * cross).sum() / (6 * area))
    lat = float(((y[:-1] + y[1:]) * cross).sum() / (6 * area))
    return round(lat, 5), round(lon, 5)


def all_units(connection: Connection) -> pd.DataFrame:
    """Every org unit: code, level, name_mn, name_en, has_geometry."""
    units = schema.org_units
    query = select(
        units.c.code,
        units.c.level,
        units.c.name_mn,
        units.c.name_en,
        units.c.geometry.is_not(None).label("has_geometry"),
    ).order_by(units.c.code)
    frame = pd.DataFrame(connection.execute(query).mappings().all())
    columns = ["code", "level", "name_mn", "name_en", "has_geometry"]
    return frame if not frame.empty else pd.DataFrame(columns=columns)


def store_boundaries(
    connection: Connection,
    *,
    matched: pd.DataFrame,
    file_name: str,
    sha256: str,
    size: int,
    imported_by: str,
    duration_seconds: float,
) -> int:
    """Store the matched features' geometry (and a centre where a unit has none) and log the
    upload, in the caller's transaction. Returns the number of units updated."""
    good = matched[matched["status"] == Match.MATCHED]
    units = schema.org_units
    if not good.empty:
        rows = []
        for code, geometry in zip(good["code"], good["geometry"], strict=True):
            lat, lon = centre(geometry)
            rows.append(
                {
                    "unit": code,
                    "shape": json.dumps(geometry, separators=(",", ":")),
                    "lat": lat,
                    "lon": lon,
                }
            )
        connection.execute(
            update(units)
            .where(units.c.code == bindparam("unit"))
            .values(
                geometry=bindparam("shape"),
                lat=func.coalesce(units.c.lat, bindparam("lat")),
                lon=func.coalesce(units.c.lon, bindparam("lon")),
            ),
            rows,
        )
    connection.execute(
        insert(schema.import_log).values(
            started_at=datetime.now(UTC).replace(tzinfo=None),
            imported_by=(imported_by.strip() or "unknown")[:200],
            via="web",
            file_name=file_name[:300],
            file_sha256=sha256,
            file_bytes=size,
            table_name=BOUNDARY_TABLE,
            status="imported" if len(good) == len(matched) else "partial",
            rows_read=len(matched),
            rows_inserted=0,
            rows_updated=len(good),
            rows_unchanged=0,
            rows_rejected=len(matched) - len(good),
            duration_seconds=duration_seconds,
            message=None,
        )
    )
    return len(good)


def unit_geometries(
    connection: Connection, *, level: int, parent_code: str | None
) -> dict[str, dict]:
    """Stored geometries by unit code for one level (and one province's units, if given).
    Stored shapes are checked again (they may not have come through the upload); one that
    cannot be drawn is left out, and the map draws a marker for that unit instead."""
    units = schema.org_units
    query = select(units.c.code, units.c.geometry).where(
        units.c.level == level, units.c.geometry.is_not(None)
    )
    if parent_code is not None:
        query = query.where(units.c.parent_code == parent_code)
    shapes: dict[str, dict] = {}
    for code, text in connection.execute(query):
        try:
            stored = json.loads(text)
        except (TypeError, ValueError, RecursionError):
            continue
        repaired = repair_geometry(stored, check_crossings=False)
        if repaired.geometry is not None:
            shapes[str(code)] = repaired.geometry
    return shapes


def import_boundaries(
    *,
    database_url: str,
    matched: pd.DataFrame,
    file_name: str,
    content: bytes,
    imported_by: str,
) -> int:
    """Store the matched features' geometry in one transaction, with its import log entry."""
    started = time.perf_counter()
    with get_engine(database_url).begin() as connection:
        return store_boundaries(
            connection,
            matched=matched,
            file_name=file_name,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            imported_by=imported_by,
            duration_seconds=round(time.perf_counter() - started, 3),
        )
