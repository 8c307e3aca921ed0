"""Check the demo dataset against its calibration targets, straight from the generated frames.

Implements the DESIGN §4 definitions independently with pandas (no database, no metrics
package) and prints national figures and per-province figures with their traffic-light classes
for 2024 (as of 2024-12-31) and the latest period (2025-01-01..2025-11-30, as of 2025-11-30).
A figure closer than 2 points to a class boundary is flagged with "!".

    .venv/bin/python scripts/check_demo_calibration.py [--scale default] [--seed 20241231]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data_access.demo import DEFAULT_SEED, SCALES, generate


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date
    as_of: date

    @property
    def effective_end(self) -> date:
        return min(self.end, self.as_of)


PERIODS = (
    Period("2024", date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31)),
    Period("2025 to date", date(2025, 1, 1), date(2025, 11, 30), date(2025, 11, 30)),
)

# indicator: (direction, green, yellow, minimum sample)
THRESHOLDS = {
    "plan": ("higher", 90, 70, 1),
    "on_time": ("higher", 95, 85, 10),
    "overdue": ("lower", 5, 15, 10),
    "satisfaction": ("higher", 70, 50, 30),
    "gap": ("lower", 35, 45, 1),
    "online": ("higher", 80, 50, 30),
    "coverage": ("higher", 90, 60, 1),
}


def classify(indicator: str, value: float, sample: float) -> tuple[str, bool]:
    """Traffic-light class and whether the value is within 2 points of a boundary."""
    direction, green, yellow, minimum = THRESHOLDS[indicator]
    if pd.isna(value) or sample < minimum:
        return "grey", False
    near = min(abs(value - green), abs(value - yellow)) < 2.0
    if direction == "higher":
        return ("green" if value >= green else "yellow" if value >= yellow else "red"), near
    return ("green" if value <= green else "yellow" if value <= yellow else "red"), near


def ts(value: date) -> pd.Timestamp:
    return pd.Timestamp(value)


def province_of_units(frames: dict[str, pd.DataFrame]) -> pd.Series:
    units = frames["org_units"].set_index("code")
    return pd.Series(
        units["parent_code"].where(units["level"] == 2, units.index), index=units.index
    ).astype(str)


def plan_items_progress(frames: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    items = frames["plan_items"].merge(
        frames["plans"][["code", "kind"]].rename(columns={"code": "plan_code"}), on="plan_code"
    )
    items["plan_code"] = items["plan_code"].astype(str)
    due = items["due_date"]
    items = items[(due >= ts(period.start)) & (due <= ts(period.end)) & (due <= ts(period.as_of))]
    reports = frames["progress_reports"]
    reports = reports[reports["reported_on"] <= ts(period.as_of)].sort_values("reported_on")
    reports = reports.assign(plan_item_code=reports["plan_item_code"].astype(str))
    latest_any = reports.groupby("plan_item_code")["percent_complete"].last()
    verified = reports.dropna(subset=["verified_percent"])
    latest_verified = verified.groupby("plan_item_code")["verified_percent"].last()
    code = items["code"].astype(str)
    progress = code.map(latest_verified).fillna(code.map(latest_any)).fillna(0.0)
    return items.assign(progress=progress.to_numpy())


def plan_execution(items: pd.DataFrame, by: str | pd.Series) -> pd.DataFrame:
    weighted = items.assign(wp=items["weight"] * items["progress"])
    grouped = weighted.groupby(by, observed=True)[["wp", "weight"]].sum()
    counts = weighted.groupby(by, observed=True)["weight"].size()
    return pd.DataFrame({"plan": grouped["wp"] / grouped["weight"], "plan_n": counts})


def task_figures(frames: dict[str, pd.DataFrame], period: Period, by: str) -> pd.DataFrame:
    tasks = frames["tasks"]
    tasks = tasks[
        ~tasks["cancelled"]
        & (tasks["issued_on"] >= ts(period.start))
        & (tasks["issued_on"] <= ts(period.effective_end))
    ]
    tasks = add_province(frames, tasks)
    as_of = ts(period.as_of)
    done = tasks["completed_on"].notna() & (tasks["completed_on"] <= as_of)
    timely = done & (tasks["completed_on"] <= tasks["due_on"])
    still_open = ~done
    overdue = still_open & (tasks["due_on"] < as_of)
    frame = pd.DataFrame(
        {
            "key": tasks[by].astype(str),
            "done": done,
            "timely": timely,
            "open": still_open,
            "overdue": overdue,
            "early": done & (tasks["completed_on"] < tasks["due_on"]),
            "late": done & (tasks["completed_on"] > tasks["due_on"]),
        }
    )
    sums = frame.groupby("key").sum()
    sums["on_time"] = 100 * sums["timely"] / sums["done"]
    sums["overdue_share"] = 100 * sums["overdue"] / sums["open"]
    return sums


def add_province(frames: dict[str, pd.DataFrame], frame: pd.DataFrame) -> pd.DataFrame:
    province = province_of_units(frames)
    unit = frame["org_unit_code"].astype(object)
    return frame.assign(province=unit.map(province).fillna("_national"), nation="all")


def satisfaction(frames: dict[str, pd.DataFrame], period: Period, by: str) -> pd.DataFrame:
    responses = frames["survey_responses"]
    responses = responses[
        (responses["responded_on"] >= ts(period.start))
        & (responses["responded_on"] <= ts(period.effective_end))
    ]
    responses = add_province(frames, responses)
    raw = responses.groupby(responses[by].astype(str)).agg(
        responses=("score", "size"), satisfied=("score", lambda s: (s >= 4).sum())
    )
    results = add_province(frames, frames["survey_results"])
    labels = overlapping_labels(period)
    results = results[results["period"].isin(labels)]
    published = pd.DataFrame(
        {
            "responses": results.groupby(results[by].astype(str))["respondents"].sum(),
            "satisfied": (results["respondents"] * results["satisfied_share"])
            .groupby(results[by].astype(str))
            .sum(),
        }
    )
    combined = raw.add(published, fill_value=0.0)
    combined["satisfaction"] = 100 * combined["satisfied"] / combined["responses"]
    return combined


def overlapping_labels(period: Period) -> list[str]:
    labels = []
    for year in range(period.start.year, period.end.year + 1):
        spans = {
            f"{year}": (date(year, 1, 1), date(year, 12, 31)),
            f"{year}-H1": (date(year, 1, 1), date(year, 6, 30)),
            f"{year}-H2": (date(year, 7, 1), date(year, 12, 31)),
        }
        labels += [
            label for label, (a, b) in spans.items() if a <= period.end and b >= period.start
        ]
    return labels


def self_rating(frames: dict[str, pd.DataFrame], period: Period, by: str) -> pd.Series:
    ratings = frames["ratings"]
    ratings = ratings[ratings["period"].isin(overlapping_labels(period))]
    staff = frames["staff"].set_index("code")["agency_code"].astype(str)
    agencies = frames["agencies"].set_index("code")
    agency = ratings["staff_code"].astype(str).map(staff)
    frame = pd.DataFrame(
        {
            "agency_code": agency,
            "org_unit_code": agency.map(agencies["org_unit_code"]),
            "score": ratings["final_score"].fillna(ratings["self_score"]),
        }
    )
    frame = add_province(frames, frame)
    return frame.groupby(frame[by].astype(str))["score"].mean()


def online(frames: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    stats = frames["service_stats"]
    month = stats["month"]
    stats = stats[(month >= ts(period.start.replace(day=1))) & (month <= ts(period.effective_end))]
    stats = add_province(frames, stats)
    sums = stats.groupby("province")[["applications", "online_applications"]].sum()
    sums["online"] = 100 * sums["online_applications"] / sums["applications"]
    return sums


def coverage(frames: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    checks = frames["readiness_checks"]
    checks = checks[checks["checked_on"] <= ts(period.as_of)]
    latest = checks.groupby("org_unit_code", observed=True)["checked_on"].transform("max")
    checks = checks[checks["checked_on"] == latest]
    green = checks.groupby("org_unit_code", observed=True)["met"].all().rename("green")
    frame = add_province(frames, green.reset_index())
    sums = frame.groupby("province").agg(communes=("green", "size"), green=("green", "sum"))
    sums["coverage"] = 100 * sums["green"] / sums["communes"]
    return sums


def national_figures(frames: dict[str, pd.DataFrame], period: Period) -> dict[str, float]:
    items = plan_items_progress(frames, period)
    by_kind = plan_execution(items, "kind")["plan"]
    tasks = task_figures(frames, period, by="nation").sum()
    responses = satisfaction(frames, period, by="nation").sum()
    sat = 100 * responses["satisfied"] / responses["responses"]
    rating = self_rating(frames, period, by="nation").mean()
    return {
        "policy execution %": by_kind.get("policy"),
        "action-plan execution %": by_kind.get("action_plan"),
        "program execution %": by_kind.get("program"),
        "self-rating": rating,
        "satisfaction %": sat,
        "gap (points)": rating - sat,
        "on-time rate %": 100 * tasks["timely"] / tasks["done"],
        "overdue share %": 100 * tasks["overdue"] / tasks["open"],
        "tasks issued (not cancelled)": tasks["done"] + tasks["open"],
        "responses (raw + published)": responses["responses"],
    }


def province_table(frames: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    items = add_province(frames, plan_items_progress(frames, period))
    table = plan_execution(items, "province")
    table = table.join(
        task_figures(frames, period, by="province")[["on_time", "done", "overdue_share", "open"]],
        how="outer",
    )
    sat = satisfaction(frames, period, by="province")
    table = table.join(sat[["satisfaction", "responses"]], how="outer")
    table = table.join(self_rating(frames, period, by="province").rename("rating"), how="outer")
    table["gap"] = table["rating"] - table["satisfaction"]
    table = table.join(online(frames, period)[["online", "applications"]], how="outer")
    table = table.join(coverage(frames, period)[["coverage", "communes"]], how="outer")
    return table.drop(index="_national", errors="ignore")


def render_provinces(frames: dict[str, pd.DataFrame], period: Period) -> None:
    table = province_table(frames, period)
    names = frames["org_units"].set_index("code")["name_en"]
    columns = [
        ("plan", "plan", "plan_n"),
        ("on_time", "on_time", "done"),
        ("overdue", "overdue_share", "open"),
        ("satisfaction", "satisfaction", "responses"),
        ("gap", "gap", "rating"),
        ("online", "online", "applications"),
        ("coverage", "coverage", "communes"),
    ]
    header = f"{'province':<18}" + "".join(f"{name:>17}" for name, _v, _n in columns)
    print(header)
    near_boundary = 0
    for code, row in table.sort_index().iterrows():
        cells = []
        for indicator, value_column, sample_column in columns:
            sample = row.get(sample_column, 0)
            sample = 0 if pd.isna(sample) else sample
            status, near = classify(indicator, row[value_column], sample)
            near_boundary += near
            text = "-" if pd.isna(row[value_column]) else f"{row[value_column]:.1f}"
            cells.append(f"{text:>7} {status:<7}{'!' if near else ' '}")
        print(f"{code} {names[code]:<15}" + " ".join(f"{cell:>16}" for cell in cells))
    print(f"figures within 2 points of a class boundary: {near_boundary}")


def render_agencies(frames: dict[str, pd.DataFrame], period: Period) -> None:
    tasks = task_figures(frames, period, by="agency_code")
    statuses = pd.DataFrame(
        {
            "on_time": [classify("on_time", r.on_time, r.done)[0] for r in tasks.itertuples()],
            "overdue": [
                classify("overdue", r.overdue_share, r.open)[0] for r in tasks.itertuples()
            ],
        },
        index=tasks.index,
    )
    items = plan_items_progress(frames, period)
    plans = plan_execution(items.assign(agency=items["agency_code"].astype(str)), "agency")
    plan_status = [
        classify("plan", v, n)[0] for v, n in zip(plans["plan"], plans["plan_n"], strict=True)
    ]
    sat = satisfaction(frames, period, by="agency_code")
    print(
        "agencies by on-time status:",
        statuses["on_time"].value_counts().to_dict(),
        "| overdue:",
        statuses["overdue"].value_counts().to_dict(),
        "| plan:",
        pd.Series(plan_status).value_counts().to_dict(),
    )
    grey = tasks.index[tasks["done"] < 10].tolist()
    print("agencies with < 10 completed tasks (grey on time):", grey)
    print(
        "satisfaction by agency (raw + published):",
        {k: round(v, 1) for k, v in sat["satisfaction"].items() if not k.startswith("GOV-")},
    )
    reports = frames["progress_reports"].dropna(subset=["verified_percent"])
    agency = (
        reports["plan_item_code"]
        .astype(str)
        .map(frames["plan_items"].set_index("code")["agency_code"].astype(str))
    )
    gap = (reports["percent_complete"] - reports["verified_percent"]).groupby(agency).mean()
    print(
        "agencies whose verified % is > 8 points below reported:", gap[gap > 8].round(1).to_dict()
    )
    pinned = ["AG-003", "AG-006", "AG-012"]
    summary = plans.join(tasks[["on_time", "overdue_share"]]).loc[lambda f: f.index.isin(pinned)]
    print("pinned agencies:")
    print(summary.round(1).to_string())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="default")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    arguments = parser.parse_args()
    frames = generate(scale=arguments.scale, seed=arguments.seed)
    pd.set_option("display.width", 200)
    for period in PERIODS:
        print(f"\n=== {period.label}: {period.start}..{period.end}, as of {period.as_of} ===")
        for name, value in national_figures(frames, period).items():
            print(f"  national {name:<30} {value:10.1f}")
        render_provinces(frames, period)
        render_agencies(frames, period)
    return 0


if __name__ == "__main__":
    sys.exit(main())
