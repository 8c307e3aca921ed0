"""A hand-made dataset small enough to count by hand; the expectations in the tests come from it.

Reporting period 2024, as of 2024-12-15. See test_data_access.py for the hand-computed counts.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, insert

from data_access import schema

AS_OF = date(2024, 12, 15)
PERIOD_START = date(2024, 1, 1)
PERIOD_END = date(2024, 12, 31)

D = date.fromisoformat

ROWS: dict[str, list[dict]] = {
    "org_units": [
        dict(code="11", name_mn="Улаанбаатар", name_en="Ulaanbaatar", level=1, lat=47.9, lon=106.9),
        dict(code="41", name_mn="Төв", name_en="Tuv", level=1, lat=47.0, lon=106.0),
        dict(code="1101", name_mn="Дүүрэг 1", name_en="District 1", level=2, parent_code="11"),
        dict(code="4101", name_mn="Сум 1", name_en="Soum 1", level=2, parent_code="41"),
    ],
    "agencies": [
        dict(code="CAB", name_mn="ЗГХЭГ", name_en="Cabinet Secretariat", kind="ministry"),
        dict(code="MIN-A", name_mn="Яам А", name_en="Ministry A", kind="ministry"),
        dict(
            code="AG-A1",
            name_mn="Агентлаг А1",
            name_en="Agency A1",
            kind="agency",
            parent_code="MIN-A",
        ),
        dict(
            code="GOV-11",
            name_mn="НЗДТГ",
            name_en="UB Governor's Office",
            kind="local_government",
            parent_code="CAB",
            org_unit_code="11",
        ),
        dict(
            code="GOV-41",
            name_mn="Төв аймгийн ЗДТГ",
            name_en="Tuv Governor's Office",
            kind="local_government",
            parent_code="CAB",
            org_unit_code="41",
        ),
    ],
    "staff": [
        dict(code="S1", agency_code="AG-A1", position_category="specialist", active=True),
        dict(code="S2", agency_code="GOV-11", position_category="specialist", active=True),
        dict(code="S3", agency_code="GOV-41", position_category="manager", active=True),
    ],
    "plans": [
        dict(
            code="P-POL",
            title_mn="Бодлого",
            title_en="Policy",
            kind="policy",
            owner_agency_code="MIN-A",
            period_start=D("2024-01-01"),
            period_end=D("2026-12-31"),
        ),
        dict(
            code="P-ACT",
            title_mn="Төлөвлөгөө",
            title_en="Action plan",
            kind="action_plan",
            owner_agency_code="GOV-11",
            period_start=D("2024-01-01"),
            period_end=D("2024-12-31"),
        ),
    ],
    "plan_items": [
        dict(
            code="I1",
            plan_code="P-POL",
            title="Item 1",
            task_group="economy",
            agency_code="AG-A1",
            org_unit_code=None,
            due_date=D("2024-03-31"),
            weight=2.0,
        ),
        dict(
            code="I2",
            plan_code="P-POL",
            title="Item 2",
            task_group="economy",
            agency_code="AG-A1",
            org_unit_code="41",
            due_date=D("2024-06-30"),
            weight=1.0,
        ),
        dict(
            code="I3",
            plan_code="P-ACT",
            title="Item 3",
            task_group="social",
            agency_code="GOV-11",
            org_unit_code="1101",
            due_date=D("2024-09-30"),
            weight=1.0,
        ),
        dict(
            code="I4",
            plan_code="P-ACT",
            title="Item 4",
            task_group="social",
            agency_code="GOV-11",
            org_unit_code="11",
            due_date=D("2025-03-31"),
            weight=1.0,
        ),
        dict(
            code="I5",
            plan_code="P-ACT",
            title="Item 5",
            task_group="social",
            agency_code="GOV-11",
            org_unit_code="11",
            due_date=D("2024-12-31"),
            weight=1.0,
        ),
    ],
    "progress_reports": [
        dict(
            plan_item_code="I1",
            reported_on=D("2024-02-15"),
            percent_complete=30.0,
            verified_percent=25.0,
        ),
        dict(
            plan_item_code="I1",
            reported_on=D("2024-03-31"),
            percent_complete=80.0,
            verified_percent=None,
        ),
        dict(
            plan_item_code="I1",
            reported_on=D("2024-04-10"),
            percent_complete=85.0,
            verified_percent=60.0,
        ),
        dict(
            plan_item_code="I1",
            reported_on=D("2025-01-10"),
            percent_complete=100.0,
            verified_percent=100.0,
        ),
        dict(
            plan_item_code="I2",
            reported_on=D("2024-06-30"),
            percent_complete=50.0,
            verified_percent=None,
        ),
        dict(
            plan_item_code="I5",
            reported_on=D("2024-09-30"),
            percent_complete=40.0,
            verified_percent=None,
        ),
    ],
    "tasks": [
        dict(
            code="T1",
            agency_code="AG-A1",
            staff_code="S1",
            org_unit_code=None,
            task_group="economy",
            source_kind="directive",
            issued_on=D("2024-01-10"),
            due_on=D("2024-01-20"),
            completed_on=D("2024-01-15"),
        ),
        dict(
            code="T2",
            agency_code="AG-A1",
            staff_code="S1",
            org_unit_code="41",
            task_group="economy",
            source_kind="document",
            issued_on=D("2024-02-01"),
            due_on=D("2024-02-10"),
            completed_on=D("2024-02-10"),
        ),
        dict(
            code="T3",
            agency_code="GOV-11",
            staff_code="S2",
            org_unit_code="1101",
            task_group="social",
            source_kind="citizen_request",
            issued_on=D("2024-03-01"),
            due_on=D("2024-03-05"),
            completed_on=D("2024-03-20"),
        ),
        dict(
            code="T4",
            agency_code="GOV-11",
            staff_code="S2",
            org_unit_code="1101",
            task_group="social",
            source_kind="citizen_request",
            issued_on=D("2024-11-01"),
            due_on=D("2024-12-14"),
            completed_on=None,
        ),
        dict(
            code="T5",
            agency_code="GOV-11",
            staff_code="S2",
            org_unit_code="11",
            task_group="social",
            source_kind="directive",
            issued_on=D("2024-11-01"),
            due_on=D("2024-12-15"),
            completed_on=D("2024-12-20"),
        ),
        dict(
            code="T6",
            agency_code="GOV-41",
            staff_code="S3",
            org_unit_code="4101",
            task_group="social",
            source_kind="directive",
            issued_on=D("2024-11-20"),
            due_on=D("2024-12-22"),
            completed_on=None,
        ),
        dict(
            code="T7",
            agency_code="GOV-41",
            staff_code="S3",
            org_unit_code="4101",
            task_group="social",
            source_kind="directive",
            issued_on=D("2024-12-01"),
            due_on=D("2024-12-23"),
            completed_on=None,
        ),
        dict(
            code="T8",
            agency_code="GOV-41",
            staff_code="S3",
            org_unit_code="41",
            task_group="infrastructure",
            source_kind="directive",
            issued_on=D("2024-06-01"),
            due_on=D("2024-07-01"),
            completed_on=None,
        ),
        dict(
            code="T9",
            agency_code="GOV-41",
            staff_code="S3",
            org_unit_code="41",
            task_group="infrastructure",
            source_kind="directive",
            issued_on=D("2024-09-01"),
            due_on=D("2024-10-15"),
            completed_on=None,
        ),
        dict(
            code="T10",
            agency_code="GOV-11",
            staff_code="S2",
            org_unit_code="11",
            task_group=None,
            source_kind="document",
            issued_on=D("2024-10-01"),
            due_on=D("2024-11-15"),
            completed_on=None,
        ),
        dict(
            code="T11",
            agency_code="AG-A1",
            staff_code="S1",
            org_unit_code=None,
            task_group="economy",
            source_kind="directive",
            issued_on=D("2024-03-01"),
            due_on=D("2024-03-10"),
            completed_on=None,
            cancelled=True,
        ),
        dict(
            code="T12",
            agency_code="AG-A1",
            staff_code="S1",
            org_unit_code=None,
            task_group="economy",
            source_kind="directive",
            issued_on=D("2023-12-31"),
            due_on=D("2024-01-10"),
            completed_on=None,
        ),
        dict(
            code="T13",
            agency_code="AG-A1",
            staff_code="S1",
            org_unit_code=None,
            task_group="economy",
            source_kind="directive",
            issued_on=D("2024-12-16"),
            due_on=D("2024-12-17"),
            completed_on=None,
        ),
        dict(
            code="T14",
            agency_code="GOV-11",
            staff_code="S2",
            org_unit_code="1101",
            task_group="social",
            source_kind="plan_item",
            plan_item_code="I3",
            issued_on=D("2024-05-01"),
            due_on=D("2024-05-10"),
            completed_on=D("2024-05-09"),
        ),
    ],
    "ratings": [
        dict(staff_code="S1", period="2024", self_score=100.0, final_score=90.0),
        dict(staff_code="S2", period="2024", self_score=100.0, final_score=None),
        dict(staff_code="S3", period="2024", self_score=95.0, final_score=80.0),
        dict(staff_code="S3", period="2023", self_score=95.0, final_score=50.0),
    ],
    "survey_responses": [
        dict(
            code="R1",
            agency_code="GOV-11",
            org_unit_code="1101",
            responded_on=D("2024-03-01"),
            score=5,
            channel="online",
        ),
        dict(
            code="R2",
            agency_code="GOV-11",
            org_unit_code="11",
            responded_on=D("2024-04-01"),
            score=4,
            channel="in_person",
        ),
        dict(
            code="R3",
            agency_code="GOV-11",
            org_unit_code="11",
            responded_on=D("2024-04-02"),
            score=2,
            channel="phone",
        ),
        dict(
            code="R4",
            agency_code="GOV-41",
            org_unit_code="4101",
            responded_on=D("2024-05-01"),
            score=3,
            channel="online",
        ),
        dict(
            code="R5",
            agency_code="AG-A1",
            org_unit_code=None,
            responded_on=D("2024-06-01"),
            score=5,
            channel="online",
        ),
        dict(
            code="R6",
            agency_code="GOV-11",
            org_unit_code="11",
            responded_on=D("2024-12-20"),
            score=5,
            channel="online",
        ),
        dict(
            code="R7",
            agency_code="GOV-11",
            org_unit_code="11",
            responded_on=D("2023-12-20"),
            score=5,
            channel="online",
        ),
    ],
    "survey_results": [
        dict(
            agency_code="AG-A1",
            org_unit_code="11",
            period="2024",
            respondents=100,
            satisfied_share=0.3,
        ),
        dict(
            agency_code="AG-A1",
            org_unit_code="11",
            period="2023",
            respondents=50,
            satisfied_share=0.9,
        ),
    ],
    "service_stats": [
        dict(
            org_unit_code="1101",
            agency_code="GOV-11",
            month=D("2024-01-01"),
            applications=100,
            online_applications=40,
            online_results=30,
            resolved_early=10,
            resolved_on_time=80,
            resolved_late=10,
        ),
        dict(
            org_unit_code="4101",
            agency_code="GOV-41",
            month=D("2024-02-01"),
            applications=50,
            online_applications=10,
            online_results=5,
            resolved_early=5,
            resolved_on_time=40,
            resolved_late=5,
        ),
        dict(
            org_unit_code="1101",
            agency_code="GOV-11",
            month=D("2025-01-01"),
            applications=999,
            online_applications=999,
            online_results=999,
            resolved_early=0,
            resolved_on_time=999,
            resolved_late=0,
        ),
    ],
    "readiness_checks": [
        *[
            dict(org_unit_code="1101", criterion=criterion, checked_on=D("2024-03-31"), met=True)
            for criterion in ("devices", "software", "staff")
        ],
        dict(org_unit_code="1101", criterion="devices", checked_on=D("2024-12-31"), met=False),
        dict(org_unit_code="1101", criterion="software", checked_on=D("2024-12-31"), met=True),
        dict(org_unit_code="4101", criterion="devices", checked_on=D("2024-06-30"), met=True),
        dict(org_unit_code="4101", criterion="software", checked_on=D("2024-06-30"), met=False),
    ],
}


_DEFAULTS = {"cancelled": False, "weight": 1.0, "active": True}


def load(connection: Connection) -> None:
    """Insert every row, parents first so that foreign keys hold on every backend."""
    for table in schema.FACT_TABLES_IN_LOAD_ORDER:
        rows = ROWS.get(table.name, [])
        if table is schema.tasks:
            rows = [{"title": f"Control card {row['code']}", **row} for row in rows]
        if rows:
            connection.execute(
                insert(table),
                [
                    {
                        column.name: row.get(column.name, _DEFAULTS.get(column.name))
                        for column in table.columns
                    }
                    for row in rows
                ],
            )
