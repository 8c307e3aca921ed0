"""The deterministic synthetic demo dataset, modelled on Mongolia (DESIGN §1).

Everything is generated with numpy (``default_rng``), vectorised; the same scale and seed give
the same frames. The data end on ``DATA_AS_OF`` (2025-11-30): nothing is dated later except due
dates. Geography is real (the 21 aimags and the capital with their statistical codes, the 9
districts of Ulaanbaatar); soum names are synthetic and say so. Agencies are real Mongolian
ministries and agencies, filled up with plausible ones.

Calibration (national, 2024, DESIGN §4 definitions; 2025 a little better so there is a trend):
policy-document execution 65 %, action-plan execution 77 %, self-rating 98.7, citizens'
satisfaction 40 %, so a gap of about 58.7 points; 2025: 67 %, 79 %, ~98.6, 42 %. Plan progress
and satisfaction are solved per province (and per pinned agency) so that the definitions give
the targets exactly; task outcomes are drawn as exact quotas per province (or, for national
agencies' own tasks, per agency) and year, and the overdue share at each year end (and at the
data end) is pinned to the profile, so no planted class depends on the luck of the draw.

Province profiles (2024; see ``_PROVINCE_PROFILES`` for every figure):

- Green on process (plan execution >= 90, on-time >= 95, overdue <= 5): 61 Orkhon,
  45 Darkhan-Uul, 44 Dornogovi, 46 Umnugovi, 43 Selenge.
- "Paper green", green on process but red on outcomes (satisfaction < 50 %, online share
  < 50 %, commune coverage < 60 %): 44 Dornogovi and 61 Orkhon. The national agency
  "General Authority for State Registration" (AG-003) is green on process with satisfaction
  ~25 %.
- Red on process (plan execution < 70, on-time < 85, overdue > 15): 83 Bayan-Ulgii, 84 Khovd,
  81 Zavkhan. Yellow on process: every other province.
- Grey: 42 Govisumber has not connected its control-card and planning systems: no tasks and no
  plan items in its units, from anybody; it still has survey responses, ratings, service
  statistics and readiness checks.
- Satisfaction green (>= 70 %): 45 Darkhan-Uul and 22 Sukhbaatar (gap <= 35, green);
  Ulaanbaatar ~36 % (solved so that the nation comes to 40 %); the others 28-58 %.
- Online share from 15 % (Bayan-Ulgii) to 86 % (Darkhan-Uul); commune readiness coverage from
  0 % to 100 %, about 60 % of all communes green at the end of 2024.
- Agencies: some green, yellow and red on time; AG-006 (labour and welfare services) and
  AG-012 (court decisions) are red; AG-008 (National Data Center) issues fewer than 10 tasks a
  year (grey); AG-009, AG-010, AG-017, AG-022 and AG-035 overstate their progress: a quarter of
  their final reports carry a verified percent 10-20 points below the reported one. AG-002
  (customs) and AG-007 (health insurance) publish survey results instead of raw responses.
  The small scale has AG-001..AG-010 only.

A task or plan item located in a province follows the province's profile (the local office
performs like its province); national agencies' own, unlocated work follows the agency's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, delete, insert

from data_access import schema, summary
from data_access.accounts import add_demo_accounts
from data_access.bulk import bulk_insert
from data_access.db import get_engine
from data_access.migrate import upgrade_to_head

DEMO_DATASET_MARKER = "synthetic_demo"
DATA_AS_OF = date(2025, 11, 30)
DEFAULT_SEED = 20241231
CABINET_SECRETARIAT_CODE = "MIN-00"


@dataclass(frozen=True, kw_only=True)
class DemoScale:
    """How big the demo dataset is; everything else (profiles, calibration) is shared."""

    name: str
    first_day: date
    level2_per_province: int | None  # None: every district and soum
    ministries: int  # besides the Cabinet Secretariat
    agencies: int  # of kind "agency"; the small scale takes the core ones
    staff: int
    tasks: int
    responses: int
    items_per_plan: int  # items per agency action plan and year; other plans are multiples


SCALES: dict[str, DemoScale] = {
    scale.name: scale
    for scale in (
        DemoScale(
            name="small",
            first_day=date(2024, 1, 1),
            level2_per_province=3,
            ministries=6,
            agencies=10,
            staff=600,
            tasks=20_000,
            responses=6_000,
            items_per_plan=8,
        ),
        DemoScale(
            name="default",
            first_day=date(2024, 1, 1),
            level2_per_province=None,
            ministries=16,
            agencies=100,
            staff=5_000,
            tasks=220_000,
            responses=60_000,
            items_per_plan=20,
        ),
        DemoScale(
            name="national",
            first_day=date(2021, 1, 1),
            level2_per_province=None,
            ministries=16,
            agencies=150,
            staff=6_000,
            tasks=2_000_000,
            responses=500_000,
            items_per_plan=20,
        ),
    )
}

# --------------------------------------------------------------------------------------------
# Geography

_PROVINCES: tuple[tuple[str, str, str, float, float, int, float, float], ...] = (
    # code, name_mn, name_en, centre lat, lon, level-2 units, population (thousands), spread (°)
    ("11", "Улаанбаатар", "Ulaanbaatar", 47.92, 106.92, 9, 1465.0, 0.0),
    ("21", "Дорнод", "Dornod", 47.90, 114.50, 14, 83.0, 1.2),
    ("22", "Сүхбаатар", "Sukhbaatar", 46.30, 113.60, 13, 63.0, 1.0),
    ("23", "Хэнтий", "Khentii", 47.60, 110.40, 18, 79.0, 1.1),
    ("41", "Төв", "Tuv", 47.40, 106.30, 27, 97.0, 1.1),
    ("42", "Говьсүмбэр", "Govisumber", 46.40, 108.40, 3, 18.0, 0.25),
    ("43", "Сэлэнгэ", "Selenge", 49.50, 106.30, 17, 111.0, 0.8),
    ("44", "Дорноговь", "Dornogovi", 44.60, 110.30, 14, 72.0, 1.2),
    ("45", "Дархан-Уул", "Darkhan-Uul", 49.45, 106.00, 4, 110.0, 0.2),
    ("46", "Өмнөговь", "Umnugovi", 43.50, 104.20, 15, 75.0, 1.2),
    ("48", "Дундговь", "Dundgovi", 45.60, 106.40, 15, 46.0, 1.0),
    ("61", "Орхон", "Orkhon", 49.03, 104.08, 2, 110.0, 0.1),
    ("62", "Өвөрхангай", "Uvurkhangai", 45.90, 102.60, 19, 118.0, 1.0),
    ("63", "Булган", "Bulgan", 48.70, 103.50, 16, 63.0, 0.9),
    ("64", "Баянхонгор", "Bayankhongor", 45.50, 100.50, 20, 91.0, 1.2),
    ("65", "Архангай", "Arkhangai", 47.50, 101.30, 19, 97.0, 0.9),
    ("67", "Хөвсгөл", "Khuvsgul", 50.10, 99.80, 23, 138.0, 1.2),
    ("81", "Завхан", "Zavkhan", 47.80, 96.50, 24, 73.0, 1.2),
    ("82", "Говь-Алтай", "Govi-Altai", 45.80, 95.80, 18, 58.0, 1.2),
    ("83", "Баян-Өлгий", "Bayan-Ulgii", 48.60, 89.90, 13, 113.0, 0.8),
    ("84", "Ховд", "Khovd", 47.10, 91.60, 17, 92.0, 1.0),
    ("85", "Увс", "Uvs", 49.60, 93.20, 19, 84.0, 1.0),
)
"""Ulaanbaatar's population weight is set so it gets ~45 % of survey responses."""

_UB_DISTRICTS: tuple[tuple[str, str, float, float, float], ...] = (
    # name_mn, name_en, lat, lon, population (thousands)
    ("Багануур", "Baganuur", 47.78, 108.37, 29.0),
    ("Багахангай", "Bagakhangai", 47.33, 107.48, 5.0),
    ("Баянгол", "Bayangol", 47.91, 106.87, 230.0),
    ("Баянзүрх", "Bayanzurkh", 47.92, 107.00, 380.0),
    ("Чингэлтэй", "Chingeltei", 47.95, 106.91, 160.0),
    ("Хан-Уул", "Khan-Uul", 47.86, 106.89, 230.0),
    ("Налайх", "Nalaikh", 47.75, 107.25, 40.0),
    ("Сонгинохайрхан", "Songinokhairkhan", 47.93, 106.75, 330.0),
    ("Сүхбаатар", "Sukhbaatar", 47.93, 106.92, 150.0),
)

_GEOGRAPHY_SEED = 1921
"""Coordinates and population shares do not depend on the dataset seed: the map stays put."""


@dataclass(frozen=True)
class _ProvinceProfile:
    process: str  # green, yellow, red, grey (no control cards or plans)
    plan: float  # plan execution % in 2024
    on_time: float  # on-time rate % in 2024
    overdue: float  # overdue share % of open tasks at the end of each period
    satisfaction: float | None  # % in 2024; None: solved so the nation hits its target
    online: float  # online share of applications % in 2024
    green_communes: tuple[int, int]  # green communes at the end of 2024 and of 2025


_PROVINCE_PROFILES: dict[str, _ProvinceProfile] = {
    "11": _ProvinceProfile("yellow", 79, 92.0, 9.5, None, 71, (9, 9)),
    "21": _ProvinceProfile("yellow", 76, 91.0, 8.5, 39, 55, (9, 10)),
    "22": _ProvinceProfile("yellow", 84, 91.5, 10.5, 74, 61, (13, 13)),
    "23": _ProvinceProfile("yellow", 81, 91.0, 9.0, 58, 58, (13, 14)),
    "41": _ProvinceProfile("yellow", 78, 90.5, 8.0, 38, 64, (20, 22)),
    "42": _ProvinceProfile("grey", 0, 0.0, 0.0, 57, 42, (2, 2)),
    "43": _ProvinceProfile("green", 93, 97.5, 1.5, 44, 84, (16, 17)),
    "44": _ProvinceProfile("green", 93, 98.0, 1.0, 38, 34, (5, 6)),
    "45": _ProvinceProfile("green", 95, 98.0, 2.0, 76, 86, (4, 4)),
    "46": _ProvinceProfile("green", 94, 97.5, 1.5, 58, 83, (15, 15)),
    "48": _ProvinceProfile("yellow", 75, 90.0, 11.0, 37, 54, (10, 11)),
    "61": _ProvinceProfile("green", 94, 98.5, 1.0, 42, 38, (1, 1)),
    "62": _ProvinceProfile("yellow", 77, 90.5, 10.0, 37, 44, (8, 10)),
    "63": _ProvinceProfile("yellow", 82, 91.5, 8.5, 57, 57, (13, 14)),
    "64": _ProvinceProfile("yellow", 74, 90.0, 11.5, 35, 40, (10, 13)),
    "65": _ProvinceProfile("yellow", 83, 92.0, 9.0, 45, 60, (15, 16)),
    "67": _ProvinceProfile("yellow", 80, 91.0, 10.0, 36, 55, (18, 19)),
    "81": _ProvinceProfile("red", 64, 79.0, 38.0, 33, 22, (2, 3)),
    "82": _ProvinceProfile("yellow", 76, 90.5, 9.5, 38, 36, (9, 10)),
    "83": _ProvinceProfile("red", 58, 76.0, 42.0, 28, 15, (0, 1)),
    "84": _ProvinceProfile("red", 62, 78.0, 35.0, 31, 27, (1, 2)),
    "85": _ProvinceProfile("yellow", 78, 90.5, 12.0, 34, 31, (10, 12)),
}

_YEARLY_GAIN = 2.0
"""Plan execution and satisfaction rise by this many points a year: the trend to show."""

# Share of never-completed tasks and mean delay (days) of late ones, by process class: what
# makes overdue shares green (<= 5 %), yellow or red (> 15 %) at the end of a period.
_TASK_CLASSES: dict[str, tuple[float, float]] = {
    "green": (0.0004, 3.0),
    "yellow": (0.0045, 5.0),
    "red": (0.022, 20.0),
    "grey": (0.0, 1.0),
}
_ON_TIME_BY_CLASS: dict[str, tuple[float, float]] = {
    "green": (97.0, 99.0),
    "yellow": (90.5, 95.5),
    "red": (73.0, 82.0),
}
_OVERDUE_BY_CLASS: dict[str, tuple[float, float]] = {
    "green": (0.5, 3.0),
    "yellow": (6.0, 13.0),
    "red": (22.0, 45.0),
}

_NATIONAL_PLAN_TARGETS = {"policy": 65.0, "action_plan": 77.0, "program": 72.0}
_NATIONAL_SATISFACTION = 40.0
_SELF_RATING = {2024: 98.7, 2025: 98.6}

# --------------------------------------------------------------------------------------------
# Organisations

_TASK_GROUPS = ("economy", "social", "governance", "infrastructure", "environment", "digital")

_MINISTRIES: tuple[tuple[str, str, str], ...] = (
    # name_en, name_mn, main task group; MIN-01.. in this order (the small scale takes 6)
    ("Ministry of Finance", "Сангийн яам", "economy"),
    ("Ministry of Justice and Internal Affairs", "Хууль зүй, дотоод хэргийн яам", "governance"),
    (
        "Ministry of Family, Labour and Social Protection",
        "Гэр бүл, хөдөлмөр, нийгмийн хамгааллын яам",
        "social",
    ),
    ("Ministry of Health", "Эрүүл мэндийн яам", "social"),
    (
        "Ministry of Digital Development, Innovation and Communications",
        "Цахим хөгжил, инновац, харилцаа холбооны яам",
        "digital",
    ),
    ("Ministry of Economy and Development", "Эдийн засаг, хөгжлийн яам", "economy"),
    ("Ministry of Education", "Боловсролын яам", "social"),
    (
        "Ministry of Environment and Climate Change",
        "Байгаль орчин, уур амьсгалын өөрчлөлтийн яам",
        "environment",
    ),
    (
        "Ministry of Food, Agriculture and Light Industry",
        "Хүнс, хөдөө аж ахуй, хөнгөн үйлдвэрийн яам",
        "economy",
    ),
    ("Ministry of Industry and Mineral Resources", "Аж үйлдвэр, эрдэс баялгийн яам", "economy"),
    ("Ministry of Energy", "Эрчим хүчний яам", "infrastructure"),
    ("Ministry of Road and Transport", "Зам, тээврийн яам", "infrastructure"),
    (
        "Ministry of Urban Development, Construction and Housing",
        "Хот байгуулалт, барилга, орон сууцны яам",
        "infrastructure",
    ),
    (
        "Ministry of Culture, Sports, Tourism and Youth",
        "Соёл, спорт, аялал жуулчлал, залуучуудын яам",
        "social",
    ),
    ("Ministry of Foreign Affairs", "Гадаад харилцааны яам", "governance"),
    ("Ministry of Defence", "Батлан хамгаалах яам", "governance"),
)
_CABINET = ("Cabinet Secretariat of the Government", "Засгийн газрын Хэрэг эрхлэх газар")


@dataclass(frozen=True, kw_only=True)
class _AgencySpec:
    ministry: int  # 1.. = MIN-01..; 0 = the Cabinet Secretariat
    name_en: str
    name_mn: str
    core: bool = False  # part of the small scale
    task_class: str | None = None  # None: drawn
    overdue: float | None = None  # overdue share % at the end of each year; None: drawn
    plan_target: float | None = None  # pinned plan execution % of its own (unlocated) items
    overstates: bool = False
    service: str | None = None  # a national service agency that citizens rate
    satisfaction: float | None = None  # pinned satisfaction % (service agencies only)
    published: float | None = None  # publishes satisfied shares instead of raw responses
    tiny: bool = False  # fewer than 10 tasks a year


_AGENCIES: tuple[_AgencySpec, ...] = (
    # The first ten are the small scale's; codes AG-001.. follow this order at every scale.
    _AgencySpec(
        ministry=1,
        name_en="General Department of Taxation",
        name_mn="Татварын ерөнхий газар",
        core=True,
        task_class="yellow",
        service="tax",
    ),
    _AgencySpec(
        ministry=1,
        name_en="Customs General Administration",
        name_mn="Гаалийн ерөнхий газар",
        core=True,
        task_class="yellow",
        published=0.41,
    ),
    _AgencySpec(
        ministry=2,
        name_en="General Authority for State Registration",
        name_mn="Улсын бүртгэлийн ерөнхий газар",
        core=True,
        task_class="green",
        overdue=1.0,
        plan_target=94.0,
        service="registration",
        satisfaction=25.0,
    ),
    _AgencySpec(
        ministry=2,
        name_en="National Police Agency",
        name_mn="Цагдаагийн ерөнхий газар",
        core=True,
        task_class="yellow",
        service="police",
    ),
    _AgencySpec(
        ministry=3,
        name_en="General Office of Social Insurance",
        name_mn="Нийгмийн даатгалын ерөнхий газар",
        core=True,
        task_class="green",
        service="social_insurance",
    ),
    _AgencySpec(
        ministry=3,
        name_en="General Office of Labour and Welfare Services",
        name_mn="Хөдөлмөр, халамжийн үйлчилгээний ерөнхий газар",
        core=True,
        task_class="red",
        plan_target=63.0,
    ),
    _AgencySpec(
        ministry=4,
        name_en="Health Insurance General Office",
        name_mn="Эрүүл мэндийн даатгалын ерөнхий газар",
        core=True,
        task_class="yellow",
        published=0.33,
    ),
    _AgencySpec(
        ministry=5,
        name_en="National Data Center",
        name_mn="Үндэсний дата төв",
        core=True,
        task_class="green",
        tiny=True,
    ),
    _AgencySpec(
        ministry=4,
        name_en="Center for Health Development",
        name_mn="Эрүүл мэндийн хөгжлийн төв",
        core=True,
        task_class="yellow",
        overstates=True,
    ),
    _AgencySpec(
        ministry=6,
        name_en="Investment and Trade Agency",
        name_mn="Хөрөнгө оруулалт, худалдааны газар",
        core=True,
        task_class="green",
        overstates=True,
    ),
    _AgencySpec(
        ministry=1,
        name_en="Government Procurement Agency",
        name_mn="Төрийн худалдан авах ажиллагааны газар",
    ),
    _AgencySpec(
        ministry=2,
        name_en="General Executive Agency of Court Decisions",
        name_mn="Шүүхийн шийдвэр гүйцэтгэх ерөнхий газар",
        task_class="red",
        plan_target=60.0,
    ),
    _AgencySpec(
        ministry=2,
        name_en="Immigration Agency",
        name_mn="Иргэний харьяалал, шилжилт хөдөлгөөний ерөнхий газар",
    ),
    _AgencySpec(
        ministry=2,
        name_en="National Emergency Management Agency",
        name_mn="Онцгой байдлын ерөнхий газар",
    ),
    _AgencySpec(
        ministry=2,
        name_en="General Authority for Border Protection",
        name_mn="Хил хамгаалах ерөнхий газар",
    ),
    _AgencySpec(
        ministry=2,
        name_en="National Institute of Forensic Science",
        name_mn="Шүүхийн шинжилгээний үндэсний хүрээлэн",
    ),
    _AgencySpec(
        ministry=7,
        name_en="Institute of Education",
        name_mn="Боловсролын хүрээлэн",
        overstates=True,
    ),
    _AgencySpec(
        ministry=3,
        name_en="Agency for Family, Child and Youth Development",
        name_mn="Гэр бүл, хүүхэд, залуучуудын хөгжлийн газар",
    ),
    _AgencySpec(
        ministry=3,
        name_en="Agency for the Development of Persons with Disabilities",
        name_mn="Хөгжлийн бэрхшээлтэй хүмүүсийн хөгжлийн ерөнхий газар",
    ),
    _AgencySpec(
        ministry=4,
        name_en="National Center for Communicable Diseases",
        name_mn="Халдварт өвчин судлалын үндэсний төв",
    ),
    _AgencySpec(
        ministry=4,
        name_en="National Center for Public Health",
        name_mn="Нийгмийн эрүүл мэндийн үндэсний төв",
    ),
    _AgencySpec(
        ministry=9,
        name_en="General Authority for Veterinary Services",
        name_mn="Мал эмнэлгийн ерөнхий газар",
        overstates=True,
    ),
    _AgencySpec(
        ministry=4,
        name_en="Medicines and Medical Devices Regulatory Agency",
        name_mn="Эм, эмнэлгийн хэрэгслийн хяналт, зохицуулалтын газар",
    ),
    _AgencySpec(
        ministry=5,
        name_en="Communications Regulatory Commission",
        name_mn="Харилцаа холбооны зохицуулах хороо",
    ),
    _AgencySpec(
        ministry=5,
        name_en="Government Electronic Services Center",
        name_mn="Төрийн цахим үйлчилгээний төв",
    ),
    _AgencySpec(
        ministry=5,
        name_en="Cyber Security Center",
        name_mn="Кибер аюулгүй байдлын төв",
    ),
    _AgencySpec(
        ministry=6,
        name_en="Agency for Standardization and Metrology",
        name_mn="Стандарт, хэмжил зүйн газар",
    ),
    _AgencySpec(
        ministry=6,
        name_en="Agency for Small and Medium Enterprise Development",
        name_mn="Жижиг, дунд үйлдвэрийн хөгжлийн газар",
    ),
    _AgencySpec(
        ministry=6,
        name_en="National Development Institute",
        name_mn="Үндэсний хөгжлийн хүрээлэн",
    ),
    _AgencySpec(
        ministry=7,
        name_en="Education Evaluation Center",
        name_mn="Боловсролын үнэлгээний төв",
    ),
    _AgencySpec(
        ministry=7,
        name_en="Education Loan Fund",
        name_mn="Боловсролын зээлийн сан",
    ),
    _AgencySpec(
        ministry=7,
        name_en="General Authority for Education",
        name_mn="Боловсролын ерөнхий газар",
    ),
    _AgencySpec(
        ministry=8,
        name_en="Agency for Meteorology and Environmental Monitoring",
        name_mn="Цаг уур, орчны шинжилгээний газар",
    ),
    _AgencySpec(
        ministry=8,
        name_en="Water Authority",
        name_mn="Усны газар",
    ),
    _AgencySpec(
        ministry=13,
        name_en="Agency for Land Administration and Management, Geodesy and Cartography",
        name_mn="Газар зохион байгуулалт, геодези, зураг зүйн газар",
        overstates=True,
    ),
    _AgencySpec(
        ministry=8,
        name_en="Forest Research and Development Center",
        name_mn="Ойн судалгаа, хөгжлийн төв",
    ),
    _AgencySpec(
        ministry=8,
        name_en="Environment and Climate Fund",
        name_mn="Байгаль орчин, уур амьсгалын сан",
    ),
    _AgencySpec(
        ministry=9,
        name_en="Agency for Crop Production and Irrigation",
        name_mn="Ургамал тариалан, усжуулалтын газар",
    ),
    _AgencySpec(
        ministry=9,
        name_en="Food Safety Agency",
        name_mn="Хүнсний аюулгүй байдлын газар",
    ),
    _AgencySpec(
        ministry=10,
        name_en="Mineral Resources and Petroleum Authority",
        name_mn="Ашигт малтмал, газрын тосны газар",
    ),
    _AgencySpec(
        ministry=10,
        name_en="National Geological Survey",
        name_mn="Үндэсний геологийн алба",
    ),
    _AgencySpec(
        ministry=11,
        name_en="Energy Regulatory Commission",
        name_mn="Эрчим хүчний зохицуулах хороо",
    ),
    _AgencySpec(
        ministry=11,
        name_en="National Dispatching Center",
        name_mn="Үндэсний диспетчерийн төв",
    ),
    _AgencySpec(
        ministry=11,
        name_en="Energy Development Center",
        name_mn="Эрчим хүчний хөгжлийн төв",
    ),
    _AgencySpec(
        ministry=12,
        name_en="Civil Aviation Authority",
        name_mn="Иргэний нисэхийн ерөнхий газар",
    ),
    _AgencySpec(
        ministry=12,
        name_en="National Road Transport Center",
        name_mn="Авто тээврийн үндэсний төв",
        task_class="red",
    ),
    _AgencySpec(
        ministry=12,
        name_en="Road Development Center",
        name_mn="Авто замын хөгжлийн төв",
    ),
    _AgencySpec(
        ministry=12,
        name_en="Railway Transport Authority",
        name_mn="Төмөр замын тээврийн газар",
    ),
    _AgencySpec(
        ministry=13,
        name_en="Construction Development Center",
        name_mn="Барилгын хөгжлийн төв",
    ),
    _AgencySpec(
        ministry=13,
        name_en="Housing Finance Agency",
        name_mn="Орон сууцны санхүүжилтийн газар",
    ),
    _AgencySpec(
        ministry=14,
        name_en="Agency for Physical Culture and Sports",
        name_mn="Биеийн тамир, спортын газар",
    ),
    _AgencySpec(
        ministry=14,
        name_en="Agency for Culture and Arts",
        name_mn="Соёл, урлагийн газар",
    ),
    _AgencySpec(
        ministry=14,
        name_en="Tourism Development Center",
        name_mn="Аялал жуулчлалын хөгжлийн төв",
    ),
    _AgencySpec(
        ministry=15,
        name_en="Consular Department",
        name_mn="Консулын газар",
    ),
    _AgencySpec(
        ministry=15,
        name_en="Diplomatic Academy",
        name_mn="Дипломат академи",
    ),
    _AgencySpec(
        ministry=16,
        name_en="National Defence University",
        name_mn="Үндэсний батлан хамгаалахын их сургууль",
    ),
    _AgencySpec(
        ministry=16,
        name_en="Defence Research Institute",
        name_mn="Батлан хамгаалахын судалгааны хүрээлэн",
    ),
    _AgencySpec(
        ministry=0,
        name_en="General Agency for Specialized Inspection",
        name_mn="Мэргэжлийн хяналтын ерөнхий газар",
    ),
    _AgencySpec(
        ministry=0,
        name_en="National Archives Agency",
        name_mn="Үндэсний архивын ерөнхий газар",
    ),
    _AgencySpec(
        ministry=0,
        name_en="Agency for Policy Coordination on State Property",
        name_mn="Төрийн өмчийн бодлого, зохицуулалтын газар",
    ),
)

_SECTOR_NAMES: tuple[tuple[str, str], ...] = (
    # for the filler agencies, per ministry 0 (Cabinet Secretariat), 1..16
    ("Public Administration", "Төрийн захиргааны"),
    ("Fiscal Policy", "Төсвийн бодлогын"),
    ("Legal Policy", "Хууль зүйн бодлогын"),
    ("Social Protection", "Нийгмийн хамгааллын"),
    ("Health Sector", "Эрүүл мэндийн салбарын"),
    ("Digital Development", "Цахим хөгжлийн"),
    ("Economic Development", "Эдийн засгийн хөгжлийн"),
    ("Education Sector", "Боловсролын салбарын"),
    ("Environmental", "Байгаль орчны"),
    ("Agricultural", "Хөдөө аж ахуйн"),
    ("Industrial", "Аж үйлдвэрийн"),
    ("Energy Sector", "Эрчим хүчний салбарын"),
    ("Transport Sector", "Тээврийн салбарын"),
    ("Urban Development", "Хот байгуулалтын"),
    ("Culture and Tourism", "Соёл, аялал жуулчлалын"),
    ("Foreign Relations", "Гадаад харилцааны"),
    ("Defence", "Батлан хамгаалахын"),
)
_FILLER_KINDS: tuple[tuple[str, str], ...] = (
    ("Research Institute", "судалгааны хүрээлэн"),
    ("Development Center", "хөгжлийн төв"),
    ("Training Center", "сургалтын төв"),
    ("Information and Data Center", "мэдээлэл, мэдээллийн сангийн төв"),
    ("Inspection Office", "хяналт шалгалтын алба"),
    ("Project Implementation Unit", "төсөл хэрэгжүүлэх нэгж"),
)

_SERVICES: dict[str, tuple[tuple[str, ...], float, float]] = {
    # service agency -> (service codes, share of national-agency responses, satisfaction logit)
    "registration": (("SVC-ID-CARD", "SVC-PROPERTY"), 0.35, 0.0),
    "social_insurance": (("SVC-PENSION", "SVC-INSURANCE"), 0.25, -0.15),
    "tax": (("SVC-TAX-RETURN",), 0.20, 0.2),
    "police": (("SVC-POLICE-CERT", "SVC-COMPLAINT"), 0.20, -0.35),
}
_LOCAL_SERVICES = ("SVC-LAND", "SVC-WELFARE", "SVC-BUSINESS", "SVC-CERTIFICATE")
_GOVERNOR_RESPONSE_SHARE = 0.55

_POLICY_DOCUMENTS: tuple[tuple[int, str, str, int, int], ...] = (
    # owner ministry, title_en, title_mn, first year, last year
    (
        6,
        "Vision 2050 long-term development policy",
        "Алсын хараа 2050 урт хугацааны хөгжлийн бодлого",
        2020,
        2050,
    ),
    (6, "New Recovery Policy", "Шинэ сэргэлтийн бодлого", 2021, 2030),
    (
        6,
        "Five-year development guidelines 2021-2025",
        "Монгол Улсыг 2021-2025 онд хөгжүүлэх таван жилийн үндсэн чиглэл",
        2021,
        2025,
    ),
    (
        1,
        "State policy on public finance",
        "Төрийн санхүүгийн талаар төрөөс баримтлах бодлого",
        2021,
        2030,
    ),
    (4, "State policy on health", "Эрүүл мэндийн талаар төрөөс баримтлах бодлого", 2017, 2026),
    (7, "State policy on education", "Боловсролын талаар төрөөс баримтлах бодлого", 2014, 2026),
    (
        5,
        "State policy on digital transformation",
        "Цахим шилжилтийн талаар төрөөс баримтлах бодлого",
        2022,
        2027,
    ),
    (
        8,
        "National policy on environment and climate change",
        "Байгаль орчин, уур амьсгалын өөрчлөлтийн талаар төрөөс баримтлах бодлого",
        2020,
        2030,
    ),
    (
        9,
        "State policy on food and agriculture",
        "Хүнс, хөдөө аж ахуйн талаар төрөөс баримтлах бодлого",
        2018,
        2028,
    ),
    (
        3,
        "State policy on social protection",
        "Нийгмийн хамгааллын талаар төрөөс баримтлах бодлого",
        2016,
        2030,
    ),
)
_PROGRAMS: tuple[tuple[int, str, str, int, int], ...] = (
    (
        8,
        "National program on reducing air and environmental pollution",
        "Агаар, орчны бохирдлыг бууруулах үндэсний хөтөлбөр",
        2017,
        2025,
    ),
    (8, "Billion Trees national movement", "Тэрбум мод үндэсний хөдөлгөөн", 2021, 2030),
    (
        9,
        "Food supply and security national movement",
        "Хүнсний хангамж, аюулгүй байдал үндэсний хөдөлгөөн",
        2022,
        2026,
    ),
    (5, "E-Mongolia digital services program", "И-Монгол цахим үйлчилгээний хөтөлбөр", 2020, 2027),
)
_GOVERNMENT_ACTION_PLANS: tuple[tuple[str, str, str, date, date], ...] = (
    (
        "GAP-2020",
        "Government action plan 2020-2024",
        "Засгийн газрын 2020-2024 оны үйл ажиллагааны хөтөлбөр",
        date(2020, 7, 1),
        date(2024, 6, 30),
    ),
    (
        "GAP-2024",
        "Government action plan 2024-2028",
        "Засгийн газрын 2024-2028 оны үйл ажиллагааны хөтөлбөр",
        date(2024, 7, 1),
        date(2028, 6, 30),
    ),
)

# --------------------------------------------------------------------------------------------
# Public API


def generate(*, scale: str, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Pure: table name -> frame for every table of ``schema.FACT_TABLES_IN_LOAD_ORDER``."""
    size = _scale(scale)
    streams = _Streams(seed=seed)
    geography = _geography(scale=size)
    agencies = _agencies(scale=size, rng=streams.next())
    staff = _staff(scale=size, agencies=agencies, rng=streams.next())
    plans = _plans(scale=size, agencies=agencies)
    items = _plan_items(
        scale=size, geography=geography, agencies=agencies, plans=plans, rng=streams.next()
    )
    reports = _progress_reports(items=items, agencies=agencies, rng=streams.next())
    tasks = _tasks(
        scale=size,
        geography=geography,
        agencies=agencies,
        staff=staff,
        items=items,
        rng=streams.next(),
    )
    ratings = _ratings(scale=size, agencies=agencies, staff=staff, rng=streams.next())
    results = _survey_results(scale=size, agencies=agencies, rng=streams.next())
    responses = _survey_responses(
        scale=size,
        geography=geography,
        agencies=agencies,
        published=results,
        rng=streams.next(),
    )
    frames = {
        "org_units": geography.frame,
        "agencies": agencies.frame,
        "staff": staff.frame,
        "plans": plans.frame,
        "plan_items": items.frame,
        "progress_reports": reports,
        "tasks": tasks,
        "ratings": ratings,
        "survey_responses": responses,
        "survey_results": results,
        "service_stats": _service_stats(
            scale=size, geography=geography, agencies=agencies, rng=streams.next()
        ),
        "readiness_checks": _readiness_checks(scale=size, geography=geography, rng=streams.next()),
    }
    return {table.name: frames[table.name] for table in schema.FACT_TABLES_IN_LOAD_ORDER}


def load_demo(
    *,
    database_url: str,
    scale: str,
    seed: int = DEFAULT_SEED,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, int]:
    """Replace all data at ``database_url`` with the demo dataset; returns rows per table.

    Migrates first, then deletes every data table's rows (children first), bulk-inserts every
    table and writes ``dataset_info``, all in one transaction: a failed load leaves the old
    data in place.
    """
    report = progress or _no_progress
    _scale(scale)  # an unknown scale fails before the database is touched
    report(0.0, "Migrating the database schema")
    upgrade_to_head(database_url=database_url)
    report(0.05, f"Generating the {scale} demo dataset (seed {seed})")
    frames = generate(scale=scale, seed=seed)
    total_rows = sum(len(frame) for frame in frames.values())
    counts: dict[str, int] = {}
    engine = get_engine(database_url)
    with engine.begin() as connection:
        report(0.3, "Deleting the previous data")
        _delete_all_rows(connection)
        for table in schema.FACT_TABLES_IN_LOAD_ORDER:
            counts[table.name] = bulk_insert(connection, table=table, frame=frames[table.name])
            loaded = sum(counts.values())
            report(0.3 + 0.6 * loaded / total_rows, f"Loaded {table.name}: {counts[table.name]:,}")
        connection.execute(insert(schema.dataset_info), _dataset_info_rows(scale=scale, seed=seed))
        add_demo_accounts(connection, now=datetime.now())
        report(0.9, "Building the summary tables")
        # Statistics first: the summaries are built by queries over the tables just filled.
        connection.exec_driver_sql("ANALYZE")
        summary.refresh(connection)
    report(0.96, "Updating the query planner's statistics")
    with engine.begin() as connection:
        # Fresh statistics make both databases pick the date and unit indexes right away.
        connection.exec_driver_sql("ANALYZE")
    report(1.0, f"Loaded {total_rows:,} rows")
    return counts


def _delete_all_rows(connection: Connection) -> None:
    tables = (schema.dataset_info, *reversed(schema.FACT_TABLES_IN_LOAD_ORDER))
    if connection.dialect.name == "postgresql":
        # One TRUNCATE: DELETE would check every foreign key against the dead rows of the
        # tables emptied just before, which takes minutes at the national scale.
        preparer = connection.dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table) for table in tables)
        connection.exec_driver_sql(f"TRUNCATE TABLE {names}")
        return
    for table in tables:
        connection.execute(delete(table))


def _no_progress(_fraction: float, _message: str) -> None:
    return None


def _scale(name: str) -> DemoScale:
    if name not in SCALES:
        raise ValueError(f"unknown demo scale {name!r}; choose one of {', '.join(SCALES)}")
    return SCALES[name]


def _dataset_info_rows(*, scale: str, seed: int) -> list[dict[str, object]]:
    values = {
        "dataset": DEMO_DATASET_MARKER,
        "scale": scale,
        "seed": str(seed),
        "data_as_of": DATA_AS_OF.isoformat(),
        "generated_with": (
            "data_access.demo: synthetic Mongolia-like dataset calibrated to the 2024 national "
            "figures (numpy default_rng)"
        ),
    }
    # The column has no time zone: store UTC wall time.
    now = datetime.now(UTC).replace(tzinfo=None)
    return [{"key": key, "value": value, "updated_at": now} for key, value in values.items()]


# --------------------------------------------------------------------------------------------
# Small numeric helpers


class _Streams:
    """One independent random stream per part, so tuning one part leaves the others as they are."""

    def __init__(self, *, seed: int) -> None:
        self._seed = seed
        self._count = 0

    def next(self) -> np.random.Generator:
        self._count += 1
        return np.random.default_rng([self._seed, self._count])


_EPOCH = date(1970, 1, 1)


def _day(value: date) -> int:
    return (value - _EPOCH).days


def _years_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _dates(days: np.ndarray, *, missing: np.ndarray | None = None) -> pd.Series:
    values = days.astype("datetime64[D]")
    if missing is not None:
        values = np.where(missing, np.datetime64("NaT"), values)
    return pd.Series(values).astype("datetime64[s]")


def _categories(codes: np.ndarray, *, labels: np.ndarray | list[str]) -> pd.Categorical:
    """Repeated codes as a categorical column (-1 = NULL): millions of rows, few values."""
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(labels))


def _numbered(prefix: str, numbers: np.ndarray, *, width: int) -> pd.Series:
    return prefix + pd.Series(numbers).astype(str).str.zfill(width)


def _allocate(*, total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    if weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    shortfall = total - counts.sum()
    counts[np.argsort(counts - exact, kind="stable")[:shortfall]] += 1
    return counts


def _stratified_uniforms(*, cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniforms spread evenly within each cell: comparing with p gives round(n*p) hits exactly."""
    order = np.lexsort((rng.random(len(cells)), cells))
    sorted_cells = cells[order]
    first = np.searchsorted(sorted_cells, sorted_cells, side="left")
    sizes = np.bincount(cells)[sorted_cells]
    uniforms = np.empty(len(cells))
    uniforms[order] = (np.arange(len(cells)) - first + 0.5) / sizes
    return uniforms


def _systematic_draws(
    *, groups: np.ndarray, cells: np.ndarray, probability: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Yes/no draws whose count per group is its expected count (within one), as per cell.

    Systematic sampling: within a group, cells lie next to each other and a draw is a "yes"
    where the running sum of probabilities passes an integer (from a random start).
    """
    order = np.lexsort((rng.random(len(cells)), cells, groups))
    sorted_groups = groups[order]
    running = np.cumsum(probability[order])
    first = np.searchsorted(sorted_groups, sorted_groups, side="left")
    before = np.concatenate(([0.0], running))[first]  # the running sum where the group starts
    start = rng.random(sorted_groups.max() + 1)[sorted_groups]
    within = running - before + start
    hits = np.floor(within) - np.floor(within - probability[order])
    draws = np.empty(len(cells), dtype=bool)
    draws[order] = hits > 0
    return draws


def _choose_in_groups(
    *,
    groups: np.ndarray,
    member_group: np.ndarray,
    member_weight: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each entry of ``groups``, a member index of that group drawn by weight.

    Members must be sorted by group and every requested group must have members.
    """
    totals = np.bincount(member_group, weights=member_weight)
    cumulative = np.cumsum(member_weight / totals[member_group])
    before = np.concatenate(([0.0], np.cumsum(totals > 0)))  # groups so far, all sum to 1
    keys = cumulative - before[member_group] + member_group
    last = np.r_[member_group[1:] != member_group[:-1], True]
    keys[last] = member_group[last] + 1.0  # no rounding may push a draw into the next group
    return np.searchsorted(keys, groups + rng.random(len(groups)), side="right")


def _bisect(
    *, evaluate: Callable[[np.ndarray], np.ndarray], size: int, low: float, high: float
) -> np.ndarray:
    """Per group, the shift where the increasing function ``evaluate`` crosses zero."""
    lows, highs = np.full(size, low), np.full(size, high)
    for _ in range(60):
        middle = (lows + highs) / 2
        below = evaluate(middle) < 0
        lows = np.where(below, middle, lows)
        highs = np.where(below, highs, middle)
    return (lows + highs) / 2


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def _table_frame(table: Table, columns: dict[str, object]) -> pd.DataFrame:
    """A frame with exactly the table's columns, in its order."""
    missing = [column.name for column in table.columns if column.name not in columns]
    if missing:
        raise ValueError(f"{table.name}: no values for {', '.join(missing)}")
    frame = pd.DataFrame({column.name: columns[column.name] for column in table.columns})
    return frame.reset_index(drop=True)


def _data_years(scale: DemoScale) -> np.ndarray:
    return np.arange(scale.first_day.year, DATA_AS_OF.year + 1)


# --------------------------------------------------------------------------------------------
# Geography and organisations


@dataclass(frozen=True)
class _Geography:
    frame: pd.DataFrame  # org_units: the 22 level-1 units first, in _PROVINCES order
    codes: np.ndarray  # unit code per row
    province: np.ndarray  # index into _PROVINCES per row
    level: np.ndarray
    weight: np.ndarray  # population (thousands) of level-2 units; 0 for level 1


def _geography(*, scale: DemoScale) -> _Geography:
    rng = np.random.default_rng(_GEOGRAPHY_SEED)
    first = {"code": [], "name_mn": [], "name_en": [], "lat": [], "lon": []}
    second: dict[str, list] = {key: [] for key in (*first, "parent", "province", "weight")}
    for index, (code, name_mn, name_en, lat, lon, count, population, spread) in enumerate(
        _PROVINCES
    ):
        for key, value in zip(first, (code, name_mn, name_en, lat, lon), strict=True):
            first[key].append(value)
        # Draw for every unit, kept or not, so a unit looks the same at every scale.
        offsets = rng.uniform(-1.0, 1.0, size=(count, 2)) * spread * np.array([0.7, 1.0])
        shares = rng.lognormal(0.0, 0.5, size=count)
        shares[0] *= 4.0  # the aimag centre's soum
        kept = count if code == "11" else scale.level2_per_province or count
        for number in range(1, min(count, kept) + 1):
            unit = f"{code}{number:02d}"
            if code == "11":
                d_mn, d_en, d_lat, d_lon, d_population = _UB_DISTRICTS[number - 1]
                values = (unit, d_mn, d_en, d_lat, d_lon)
                weight = population * d_population / sum(row[4] for row in _UB_DISTRICTS)
            else:
                values = (
                    unit,
                    f"Сум {unit} (жишээ)",
                    f"Soum {unit} (synthetic)",
                    round(lat + offsets[number - 1, 0], 4),
                    round(lon + offsets[number - 1, 1], 4),
                )
                weight = population * shares[number - 1] / shares.sum()
            for key, value in zip(first, values, strict=True):
                second[key].append(value)
            second["parent"].append(code)
            second["province"].append(index)
            second["weight"].append(weight)
    provinces = len(_PROVINCES)
    frame = pd.DataFrame(
        {
            "code": first["code"] + second["code"],
            "name_mn": first["name_mn"] + second["name_mn"],
            "name_en": first["name_en"] + second["name_en"],
            "level": [1] * provinces + [2] * len(second["code"]),
            "parent_code": [None] * provinces + second["parent"],
            "lat": first["lat"] + second["lat"],
            "lon": first["lon"] + second["lon"],
            "geometry": pd.Series([None] * (provinces + len(second["code"])), dtype="str"),
        }
    )
    frame = _table_frame(schema.org_units, {name: frame[name] for name in frame.columns})
    return _Geography(
        frame=frame,
        codes=frame["code"].to_numpy(dtype=object),
        province=np.array(list(range(provinces)) + second["province"]),
        level=frame["level"].to_numpy(),
        weight=np.array([0.0] * provinces + second["weight"]),
    )


def _province_index(code: str) -> int:
    return next(index for index, row in enumerate(_PROVINCES) if row[0] == code)


_GRAY_PROVINCE = _province_index("42")
_CAPITAL = _province_index("11")


@dataclass(frozen=True)
class _Agencies:
    frame: pd.DataFrame  # the agencies table
    table: pd.DataFrame  # one row per agency, same order: profile columns used by generators


def _agency_specs(*, scale: DemoScale) -> list[_AgencySpec]:
    fillers = [
        _AgencySpec(
            ministry=ministry,
            name_en=f"{_SECTOR_NAMES[ministry][0]} {kind_en}",
            name_mn=f"{_SECTOR_NAMES[ministry][1]} {kind_mn}",
        )
        for kind_en, kind_mn in _FILLER_KINDS
        for ministry in (*range(1, len(_MINISTRIES) + 1), 0)
    ]
    chosen = [spec for spec in (*_AGENCIES, *fillers) if spec.ministry <= scale.ministries]
    if len(chosen) < scale.agencies:
        raise ValueError(f"only {len(chosen)} agencies are defined, {scale.agencies} wanted")
    return chosen[: scale.agencies]


def _agencies(*, scale: DemoScale, rng: np.random.Generator) -> _Agencies:
    specs = _agency_specs(scale=scale)
    rows: list[dict[str, object]] = [
        _agency_row(
            code=CABINET_SECRETARIAT_CODE,
            names=_CABINET,
            kind="ministry",
            parent=None,
            ministry=0,
            group="governance",
        )
    ]
    for number, (name_en, name_mn, group) in enumerate(_MINISTRIES[: scale.ministries], 1):
        rows.append(
            _agency_row(
                code=f"MIN-{number:02d}",
                names=(name_en, name_mn),
                kind="ministry",
                parent=None,
                ministry=number,
                group=group,
            )
        )
    for number, spec in enumerate(specs, 1):
        row = _agency_row(
            code=f"AG-{number:03d}",
            names=(spec.name_en, spec.name_mn),
            kind="agency",
            parent=f"MIN-{spec.ministry:02d}",
            ministry=spec.ministry,
            group=_MINISTRIES[spec.ministry - 1][2] if spec.ministry else "governance",
        )
        row.update(
            task_class=spec.task_class,
            overdue=spec.overdue,
            plan_target=spec.plan_target,
            overstates=spec.overstates,
            service=spec.service,
            satisfaction=spec.satisfaction,
            published=spec.published,
            tiny=spec.tiny,
        )
        rows.append(row)
    for index, (code, name_mn, name_en, *_rest) in enumerate(_PROVINCES):
        row = _agency_row(
            code=f"GOV-{code}",
            names=_governor_names(code=code, name_en=name_en, name_mn=name_mn),
            kind="local_government",
            parent=CABINET_SECRETARIAT_CODE,
            ministry=-1,
            group=None,
        )
        profile = _PROVINCE_PROFILES[code]
        row.update(province=index, org_unit_code=code, task_class=profile.process)
        row.update(on_time=profile.on_time, overdue=profile.overdue)
        row.update(population=_PROVINCES[index][6])
        rows.append(row)
    table = _with_agency_profiles(table=pd.DataFrame(rows), rng=rng)
    frame = _table_frame(
        schema.agencies,
        {name: table[name] for name in ("code", "name_mn", "name_en", "kind", "parent_code")}
        | {"org_unit_code": table["org_unit_code"]},
    )
    return _Agencies(frame=frame, table=table)


def _agency_row(
    *,
    code: str,
    names: tuple[str, str],
    kind: str,
    parent: str | None,
    ministry: int,
    group: str | None,
) -> dict[str, object]:
    return {
        "code": code,
        "name_en": names[0],
        "name_mn": names[1],
        "kind": kind,
        "parent_code": parent,
        "org_unit_code": None,
        "ministry": ministry,
        "group": group,
        "province": -1,
        "population": 0.0,
        "task_class": None,
        "on_time": np.nan,
        "overdue": np.nan,
        "plan_target": np.nan,
        "overstates": False,
        "service": None,
        "satisfaction": np.nan,
        "published": np.nan,
        "tiny": False,
    }


def _governor_names(*, code: str, name_en: str, name_mn: str) -> tuple[str, str]:
    if code == "11":
        return "Governor's Office of the Capital City", "Нийслэлийн Засаг даргын Тамгын газар"
    return f"{name_en} Aimag Governor's Office", f"{name_mn} аймгийн Засаг даргын Тамгын газар"


def _with_agency_profiles(*, table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Per-agency behaviour: task timeliness, plan progress, ratings, size."""
    count = len(table)
    national = (table["kind"] != "local_government").to_numpy()
    drawn_class = rng.choice(["green", "yellow", "red"], size=count, p=[0.35, 0.55, 0.1])
    planted = table["task_class"].notna().to_numpy()
    task_class = np.where(planted, table["task_class"].fillna("yellow"), drawn_class)
    bounds = np.array([_ON_TIME_BY_CLASS.get(name, (0.0, 0.0)) for name in task_class])
    drawn_on_time = bounds[:, 0] + rng.random(count) * (bounds[:, 1] - bounds[:, 0])
    on_time = np.where(table["on_time"].notna(), table["on_time"], drawn_on_time)
    bounds = np.array([_OVERDUE_BY_CLASS.get(name, (0.0, 0.0)) for name in task_class])
    drawn_overdue = bounds[:, 0] + rng.random(count) * (bounds[:, 1] - bounds[:, 0])
    overdue = np.where(table["overdue"].notna(), table["overdue"], drawn_overdue)
    classes = [_TASK_CLASSES[name] for name in task_class]
    pinned = table["plan_target"].notna().to_numpy()
    lower_rated = national & (rng.random(count) < 0.08)
    staff_weight = np.where(
        table["kind"] == "local_government",
        80.0 + 0.3 * table["population"],
        np.where(table["kind"] == "ministry", 50.0, rng.lognormal(np.log(35.0), 0.5, count)),
    )
    staff_weight[table["code"].to_numpy() == CABINET_SECRETARIAT_CODE] = 80.0
    return table.assign(
        task_class=task_class,
        on_time=on_time,
        overdue=overdue,
        never=[never for never, _delay in classes],
        delay=[delay for _never, delay in classes],
        early_share=0.25 + 0.25 * rng.random(count),
        # Planted agencies work only nationally, so their own profile shows undiluted.
        task_located_share=np.where(
            national, np.where(planted, 0.0, 0.3 + 0.3 * rng.random(count)), 1.0
        ),
        item_located_share=np.where(national, np.where(pinned, 0.0, 0.25), 1.0),
        plan_effect=np.where(national & ~pinned, rng.normal(0.0, 10.0, count), 0.0),
        rating_multiplier=np.where(
            lower_rated, 3.0 + 2.0 * rng.random(count), rng.lognormal(0.0, 0.2, count)
        ),
        staff_weight=np.where(table["tiny"], 0.0, staff_weight),
    )


@dataclass(frozen=True)
class _Staff:
    frame: pd.DataFrame  # sorted by agency, in the agencies' order
    agency: np.ndarray  # agency index per staff member
    first: np.ndarray  # per agency: index of its first staff member
    count: np.ndarray  # per agency: number of staff


_POSITIONS = ("executive", "manager", "senior_specialist", "specialist", "support")
_TINY_AGENCY_STAFF = 3


def _staff(*, scale: DemoScale, agencies: _Agencies, rng: np.random.Generator) -> _Staff:
    table = agencies.table
    tiny = table["tiny"].to_numpy()
    counts = _allocate(
        total=scale.staff - _TINY_AGENCY_STAFF * int(tiny.sum()),
        weights=table["staff_weight"].to_numpy(),
    )
    counts[tiny] = _TINY_AGENCY_STAFF
    agency = np.repeat(np.arange(len(table)), counts)
    total = len(agency)
    # Pseudonymous codes: numbered in random order, so a code does not reveal the agency.
    numbers = rng.permutation(total) + 1
    frame = _table_frame(
        schema.staff,
        {
            "code": _numbered("S-", numbers, width=5),
            "agency_code": _categories(agency, labels=table["code"].to_numpy()),
            "position_category": _categories(
                rng.choice(len(_POSITIONS), size=total, p=[0.04, 0.12, 0.3, 0.42, 0.12]),
                labels=list(_POSITIONS),
            ),
            "active": rng.random(total) >= 0.03,
        },
    )
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return _Staff(frame=frame, agency=agency, first=first, count=counts)


# --------------------------------------------------------------------------------------------
# Plans, plan items and progress reports

_PLAN_KINDS = ("policy", "action_plan", "program")
_ITEMS_PER_YEAR = {"policy": 2.0, "government": 6.0, "program": 1.5, "agency": 1.0, "governor": 3.0}
_CAPITAL_ITEMS_FACTOR = 5.0 / 3.0
_TINY_AGENCY_ITEMS = 3
# How often a national plan's item is located in an aimag, relative to the agency's own share.
_LOCATED_FACTOR = {"policy": 1.0, "government": 1.6, "program": 2.0, "agency": 0.8}


@dataclass(frozen=True)
class _Plans:
    frame: pd.DataFrame
    segments: pd.DataFrame  # plan, source, kind, year, start, end (days), items, province
    pools: list[np.ndarray]  # per plan: the agencies its items can be assigned to


@dataclass
class _PlanBook:
    """Plans as they are written down, each with the agencies its items may go to."""

    rows: list[dict[str, object]] = field(default_factory=list)

    def add(
        self,
        *,
        code: str,
        titles: tuple[str, str],
        kind: str,
        owner: str,
        period: tuple[date, date],
        source: str,
        members: np.ndarray,
        province: int = -1,
    ) -> None:
        self.rows.append(
            {
                "code": code,
                "title_en": titles[0],
                "title_mn": titles[1],
                "kind": kind,
                "owner_agency_code": owner,
                "period_start": period[0],
                "period_end": period[1],
                "source": source,
                "members": members,
                "province": province,
            }
        )


def _plans(*, scale: DemoScale, agencies: _Agencies) -> _Plans:
    book = _PlanBook()
    _add_national_plans(book=book, scale=scale, table=agencies.table)
    for year in _data_years(scale):
        _add_annual_plans(book=book, year=int(year), table=agencies.table)
    plans = pd.DataFrame(book.rows)
    frame = _table_frame(
        schema.plans,
        {
            name: plans[name]
            for name in ("code", "title_mn", "title_en", "kind", "owner_agency_code")
        }
        | {
            "period_start": pd.to_datetime(plans["period_start"]).astype("datetime64[s]"),
            "period_end": pd.to_datetime(plans["period_end"]).astype("datetime64[s]"),
        },
    )
    pools = list(plans["members"])
    tiny = agencies.table["tiny"].to_numpy()
    segments = _plan_segments(
        scale=scale,
        plans=plans.assign(tiny=[len(pool) == 1 and tiny[pool[0]] for pool in pools]),
    )
    return _Plans(frame=frame, segments=segments, pools=pools)


def _add_national_plans(*, book: _PlanBook, scale: DemoScale, table: pd.DataFrame) -> None:
    """Development-policy documents and programs of ministries; the Government's action plans."""
    national = np.flatnonzero((table["kind"] != "local_government") & ~table["tiny"])
    for prefix, kind, documents in (
        ("POL", "policy", _POLICY_DOCUMENTS),
        ("PRG", "program", _PROGRAMS),
    ):
        for number, (ministry, title_en, title_mn, first, last) in enumerate(documents, 1):
            if ministry > scale.ministries:
                continue
            book.add(
                code=f"{prefix}-{number:02d}",
                titles=(title_en, title_mn),
                kind=kind,
                owner=f"MIN-{ministry:02d}",
                period=(date(first, 1, 1), date(last, 12, 31)),
                source=kind,
                members=np.flatnonzero((table["ministry"] == ministry).to_numpy()),
            )
    for code, title_en, title_mn, start, end in _GOVERNMENT_ACTION_PLANS:
        book.add(
            code=code,
            titles=(title_en, title_mn),
            kind="action_plan",
            owner=CABINET_SECRETARIAT_CODE,
            period=(start, end),
            source="government",
            members=national,
        )


def _add_annual_plans(*, book: _PlanBook, year: int, table: pd.DataFrame) -> None:
    """Every national agency's and governor's office's action plan for the year."""
    period = (date(year, 1, 1), date(year, 12, 31))
    for index, row in enumerate(table.itertuples()):
        if row.province == _GRAY_PROVINCE:
            continue  # its planning system is not connected yet
        governor = row.province >= 0
        book.add(
            code=f"AP-{year}-{row.code}",
            titles=(
                f"Annual action plan {year}: {row.name_en}",
                f"{row.name_mn}: {year} оны үйл ажиллагааны төлөвлөгөө",
            ),
            kind="action_plan",
            owner=row.code,
            period=period,
            source="governor" if governor else "agency",
            members=np.array([index]),
            province=row.province,
        )


def _plan_segments(*, scale: DemoScale, plans: pd.DataFrame) -> pd.DataFrame:
    """Per plan and data year: the window its items fall due in, and how many items."""
    years = _data_years(scale)
    grid = plans.loc[plans.index.repeat(len(years))].reset_index(names="plan")
    grid["year"] = np.tile(years, len(plans))
    year_start = pd.to_datetime(grid["year"].astype(str) + "-01-01")
    year_end = pd.to_datetime(grid["year"].astype(str) + "-12-31")
    start = np.maximum(pd.to_datetime(grid["period_start"]), year_start)
    start = np.maximum(start, pd.Timestamp(scale.first_day))
    end = np.minimum(pd.to_datetime(grid["period_end"]), year_end)
    grid["start"] = (start - pd.Timestamp(_EPOCH)).dt.days
    grid["end"] = (end - pd.Timestamp(_EPOCH)).dt.days
    per_year = grid["source"].map(_ITEMS_PER_YEAR) * scale.items_per_plan
    per_year = np.where(grid["province"] == _CAPITAL, per_year * _CAPITAL_ITEMS_FACTOR, per_year)
    per_year = np.where(grid["tiny"], _TINY_AGENCY_ITEMS, per_year)
    share_of_year = (grid["end"] - grid["start"] + 1).clip(lower=0) / 365.0
    grid["items"] = np.rint(per_year * share_of_year).astype(np.int64)
    grid["kind"] = grid["kind"].map({kind: index for index, kind in enumerate(_PLAN_KINDS)})
    columns = ["plan", "source", "kind", "year", "start", "end", "items", "province"]
    return grid.loc[grid["items"] > 0, columns].reset_index(drop=True)


@dataclass(frozen=True)
class _Items:
    frame: pd.DataFrame
    agency: np.ndarray
    due: np.ndarray  # days
    year: np.ndarray
    progress: np.ndarray  # the value the definition computes: verified, else reported
    start: np.ndarray  # first day of the item's window (reports start there)


def _plan_items(
    *,
    scale: DemoScale,
    geography: _Geography,
    agencies: _Agencies,
    plans: _Plans,
    rng: np.random.Generator,
) -> _Items:
    segments = plans.segments
    segment = np.repeat(np.arange(len(segments)), segments["items"].to_numpy())
    count = len(segment)
    start = segments["start"].to_numpy()[segment]
    end = segments["end"].to_numpy()[segment]
    due = start + np.floor(rng.random(count) * (end - start + 1)).astype(np.int64)
    plan = segments["plan"].to_numpy()[segment]
    agency = _pool_members(pools=plans.pools, plan=plan, rng=rng)
    table = agencies.table
    source = segments["source"].to_numpy()[segment]
    province = segments["province"].to_numpy()[segment]
    located_share = (
        table["item_located_share"].to_numpy()[agency]
        * pd.Series(source).map(_LOCATED_FACTOR).fillna(1.0).to_numpy()
    )
    unit = _item_units(
        geography=geography,
        province=province,
        located=rng.random(count) < located_share,
        rng=rng,
    )
    kind = segments["kind"].to_numpy()[segment]
    year = segments["year"].to_numpy()[segment]
    weight = rng.choice([1.0, 2.0, 3.0], size=count, p=[0.8, 0.15, 0.05])
    progress = _item_progress(
        scale=scale,
        agencies=agencies,
        latent=28.0 * rng.standard_normal(count) + table["plan_effect"].to_numpy()[agency],
        weight=weight,
        placement=_Placement(
            agency=agency,
            province=np.where(unit >= 0, geography.province[unit], -1),
            kind=kind,
            year=year,
            due=due,
        ),
    )
    group = _task_groups(agencies=agencies, agency=agency, rng=rng)
    order = np.lexsort((due, plan))
    plan_codes = plans.frame["code"].to_numpy()[plan[order]]
    first_of_plan = np.searchsorted(plan[order], plan[order], side="left")
    number = np.arange(count) - first_of_plan + 1
    codes = pd.Series(plan_codes) + "-" + pd.Series(number).astype(str).str.zfill(3)
    unit, agency, due, year, progress = (
        values[order] for values in (unit, agency, due, year, progress)
    )
    frame = _table_frame(
        schema.plan_items,
        {
            "code": codes,
            "plan_code": _categories(plan[order], labels=plans.frame["code"].to_numpy()),
            "title": "Measure " + pd.Series(number).astype(str) + " (" + group[order] + ")",
            "task_group": group[order],
            "agency_code": _categories(agency, labels=table["code"].to_numpy()),
            "org_unit_code": _categories(unit, labels=geography.codes),
            "due_date": _dates(due),
            "weight": weight[order],
        },
    )
    return _Items(
        frame=frame,
        agency=agency,
        due=due,
        year=year,
        progress=progress,
        start=start[order],
    )


def _pool_members(
    *, pools: list[np.ndarray], plan: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each item, one of the agencies its plan's items can be assigned to."""
    sizes = np.array([len(pool) for pool in pools])
    first = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    members = np.concatenate(pools)
    return members[first[plan] + np.floor(rng.random(len(plan)) * sizes[plan]).astype(np.int64)]


def _item_units(
    *,
    geography: _Geography,
    province: np.ndarray,
    located: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Governors' items: their aimag or one of its units; national ones: none or an aimag."""
    count = len(province)
    governors = province >= 0
    unit = np.full(count, -1)
    at_aimag = governors & (rng.random(count) < 0.3)
    unit[at_aimag] = province[at_aimag]
    in_unit = governors & ~at_aimag
    unit[in_unit] = _level2_units(geography=geography, province=province[in_unit], rng=rng)
    national = ~governors & located
    unit[national] = _connected_aimags(size=int(national.sum()), rng=rng)
    return unit


def _level2_units(
    *, geography: _Geography, province: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A level-2 unit of each given province, drawn by population."""
    members = np.flatnonzero(geography.level == 2)
    chosen = _choose_in_groups(
        groups=province,
        member_group=geography.province[members],
        member_weight=geography.weight[members],
        rng=rng,
    )
    return members[chosen]


def _connected_aimags(*, size: int, rng: np.random.Generator) -> np.ndarray:
    """Level-1 units by population, leaving out the province that has not connected."""
    population = np.array([row[6] for row in _PROVINCES])
    population[_GRAY_PROVINCE] = 0.0
    return rng.choice(len(_PROVINCES), size=size, p=population / population.sum())


def _task_groups(
    *, agencies: _Agencies, agency: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """An agency's own sector half of the time, any group otherwise."""
    own = agencies.table["group"].to_numpy()[agency]
    other = np.array(_TASK_GROUPS, dtype=object)[rng.integers(0, len(_TASK_GROUPS), len(agency))]
    keep_own = pd.notna(own) & (rng.random(len(agency)) < 0.5)
    return np.where(keep_own, own, other)


@dataclass(frozen=True, kw_only=True)
class _Placement:
    """Where plan items sit: what their progress is calibrated against."""

    agency: np.ndarray
    province: np.ndarray  # -1 = not located in a province
    kind: np.ndarray  # index into _PLAN_KINDS
    year: np.ndarray
    due: np.ndarray


def _item_progress(
    *,
    scale: DemoScale,
    agencies: _Agencies,
    latent: np.ndarray,
    weight: np.ndarray,
    placement: _Placement,
) -> np.ndarray:
    """Progress 0-100 per item such that the plan-execution definition hits every target.

    Items located in a province are solved per province and window (a calendar year, split at
    the data end so the latest period is exact too); pinned agencies' own items per agency and
    window; all other national items per plan kind and window, so that each kind's national
    figure comes out at its target.
    """
    provinces, agency_count = len(_PROVINCES), len(agencies.table)
    gain = _YEARLY_GAIN * (placement.year - 2024)
    window = (placement.year - scale.first_day.year) * 2 + (placement.due > _day(DATA_AS_OF))
    located = placement.province >= 0
    pinned_target = agencies.table["plan_target"].to_numpy()[placement.agency]
    pinned = ~located & ~np.isnan(pinned_target)
    province_target = np.array([_PROVINCE_PROFILES[row[0]].plan for row in _PROVINCES])
    fixed_groups = np.where(
        located,
        window * provinces + placement.province,
        (window.max() + 1) * provinces + window * agency_count + placement.agency,
    )
    fixed_targets = np.where(located, province_target[placement.province], pinned_target) + gain
    progress = np.full(len(latent), np.nan)
    fixed = located | pinned
    progress[fixed] = _calibrated_progress(
        latent=latent[fixed],
        weight=weight[fixed],
        groups=fixed_groups[fixed],
        targets=fixed_targets[fixed],
    )
    kind_group = window * len(_PLAN_KINDS) + placement.kind
    national = np.array([_NATIONAL_PLAN_TARGETS[kind] for kind in _PLAN_KINDS])
    all_weight = np.bincount(kind_group, weights=weight)
    fixed_sum = np.bincount(
        kind_group[fixed], weights=(weight * progress)[fixed], minlength=len(all_weight)
    )
    free_weight = np.bincount(kind_group[~fixed], weights=weight[~fixed], minlength=len(all_weight))
    wanted = national[placement.kind] + gain
    needed = (wanted * all_weight[kind_group] - fixed_sum[kind_group]) / np.maximum(
        free_weight[kind_group], 1e-9
    )
    progress[~fixed] = _calibrated_progress(
        latent=latent[~fixed],
        weight=weight[~fixed],
        groups=kind_group[~fixed],
        targets=needed[~fixed],
    )
    return progress


def _calibrated_progress(
    *, latent: np.ndarray, weight: np.ndarray, groups: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """Whole percentages clip(latent + shift, 0, 100), one shift per group solving its target.

    The clipping gives what real plans show: a lump of items at 100 %, a few at 0 %.
    """
    if len(latent) == 0:
        return latent
    keys, dense = np.unique(groups, return_inverse=True)
    goal = np.zeros(len(keys))
    goal[dense] = np.clip(targets, 1.0, 99.0)
    totals = np.bincount(dense, weights=weight)

    def shortfall(shift: np.ndarray) -> np.ndarray:
        values = np.clip(np.rint(latent + shift[dense]), 0.0, 100.0)
        return np.bincount(dense, weights=weight * values) / totals - goal

    shift = _bisect(evaluate=shortfall, size=len(keys), low=-400.0, high=400.0)
    return np.clip(np.rint(latent + shift[dense]), 0.0, 100.0)


_QUARTER_ENDS = ((3, 31), (6, 30), (9, 30))


def _progress_reports(
    *, items: _Items, agencies: _Agencies, rng: np.random.Generator
) -> pd.DataFrame:
    """Quarterly reports during an item's year plus a final one on its due date.

    A quarter of final reports carry an independent check. Where an agency overstates, the
    checked figure is 10-20 points below the reported one; elsewhere it is equal or a little
    lower. The value the definition computes (checked, else reported) is the calibrated one.
    """
    count = len(items.due)
    value = items.progress
    overstates = agencies.table["overstates"].to_numpy()[items.agency]
    final_known = items.due <= _day(DATA_AS_OF)
    checked = final_known & np.where(
        overstates, (value <= 90) & (rng.random(count) < 0.3), rng.random(count) < 0.25
    )
    slip = np.where(rng.random(count) < 0.3, rng.integers(1, 6, count), 0)
    inflation = np.where(overstates, rng.integers(10, 21, count), slip)
    reported = np.where(checked, np.minimum(100.0, value + inflation), value)
    silent = (value == 0) & (rng.random(count) < 0.5)  # never reported at all: counts as 0
    quarter_ends = np.stack(
        [
            (
                pd.to_datetime(pd.Series(items.year).astype(str) + f"-{month:02d}-{day:02d}")
                - pd.Timestamp(_EPOCH)
            ).dt.days.to_numpy()
            for month, day in _QUARTER_ENDS
        ],
        axis=1,
    )
    in_progress = (
        (quarter_ends >= items.start[:, None])
        & (quarter_ends < items.due[:, None])
        & (quarter_ends <= _day(DATA_AS_OF))
        & ~silent[:, None]
    )
    item, quarter = np.nonzero(in_progress)
    elapsed = (quarter_ends[item, quarter] - items.start[item] + 1) / (
        items.due[item] - items.start[item] + 1
    )
    interim = np.floor(reported[item] * elapsed**0.9 * rng.uniform(0.75, 1.05, len(item)))
    final = np.flatnonzero(final_known & ~silent)
    rows = pd.DataFrame(
        {
            "item": np.concatenate((item, final)),
            "day": np.concatenate((quarter_ends[item, quarter], items.due[final])),
            "percent": np.concatenate((np.minimum(interim, reported[item]), reported[final])),
            "verified": np.concatenate(
                (np.full(len(item), np.nan), np.where(checked[final], value[final], np.nan))
            ),
        }
    ).sort_values(["item", "day"], kind="stable")
    # Progress never goes backwards between reports.
    rows["percent"] = rows.groupby("item")["percent"].cummax()
    return _table_frame(
        schema.progress_reports,
        {
            "plan_item_code": _categories(
                rows["item"].to_numpy(), labels=items.frame["code"].to_numpy()
            ),
            "reported_on": _dates(rows["day"].to_numpy()),
            "percent_complete": rows["percent"].to_numpy(dtype=float),
            "verified_percent": rows["verified"].to_numpy(dtype=float),
        },
    )


# --------------------------------------------------------------------------------------------
# Control cards (tasks)

_SOURCE_KINDS = ("directive", "plan_item", "citizen_request", "document")
_SOURCE_SHARES = (0.3, 0.2, 0.25, 0.25)
_DURATION_DAYS = np.array([(7, 60), (14, 60), (3, 30), (3, 20)])  # per source kind
_TASK_TITLES = (
    "Carry out a Government directive on {group}",
    "Implement a plan measure on {group}",
    "Answer a citizen's request on {group}",
    "Process an official letter on {group}",
)
_TINY_AGENCY_TASKS_PER_YEAR = 4
_CANCELLED_SHARE = 0.01
_NEVER, _LATE, _ON_TIME, _EARLY = 0, 1, 2, 3


def _tasks(
    *,
    scale: DemoScale,
    geography: _Geography,
    agencies: _Agencies,
    staff: _Staff,
    items: _Items,
    rng: np.random.Generator,
) -> pd.DataFrame:
    table = agencies.table
    agency = _task_agencies(scale=scale, agencies=agencies, staff=staff)
    count = len(agency)
    unit = _task_units(geography=geography, agencies=agencies, agency=agency, rng=rng)
    # The profile a task follows: its province when located there, else its agency's own.
    key = np.where(unit >= 0, geography.province[np.maximum(unit, 0)], len(_PROVINCES) + agency)
    # Issue dates spread evenly per profile: how many tasks are still running at the end of a
    # period (the denominator of the overdue share) must not depend on luck.
    issued = _working_days(scale=scale, uniforms=_stratified_uniforms(cells=key, rng=rng))
    years = _data_years(scale)
    year_index = _years_of(issued) - years[0]
    source = rng.choice(len(_SOURCE_KINDS), size=count, p=_SOURCE_SHARES)
    item = _linked_items(items=items, agency=agency, year_index=year_index, years=years, rng=rng)
    source[(source == 1) & (item < 0)] = 0  # no plan of its own that year: a directive
    item[source != 1] = -1
    low, high = _DURATION_DAYS[source, 0], _DURATION_DAYS[source, 1]
    duration = low + np.floor((high - low + 1) * rng.random(count) ** 1.5).astype(np.int64)
    due = issued + duration
    completed = _completion_days(
        agencies=agencies,
        key=key,
        year_index=year_index,
        issued=issued,
        due=due,
        rng=rng,
    )
    cancelled = ~np.isnan(completed) & (rng.random(count) < _CANCELLED_SHARE)
    completed[cancelled] = np.nan
    completed = _pin_overdue_shares(
        agencies=agencies,
        key=key,
        year_index=year_index,
        years=years,
        due=due,
        completed=completed,
        cancelled=cancelled,
        rng=rng,
    )
    group = np.where(
        item >= 0,
        items.frame["task_group"].to_numpy(dtype=object)[np.maximum(item, 0)],
        _task_groups(agencies=agencies, agency=agency, rng=rng),
    )
    group_index = pd.Categorical(group, categories=_TASK_GROUPS).codes.astype(np.int64)
    member = staff.first[agency] + np.floor(rng.random(count) * staff.count[agency]).astype(int)
    order = np.lexsort((agency, issued))
    titles = [title.format(group=name) for title in _TASK_TITLES for name in _TASK_GROUPS]
    missing = np.isnan(completed)
    return _table_frame(
        schema.tasks,
        {
            "code": _numbered("T-", np.arange(1, count + 1), width=7),
            "title": _categories((source * len(_TASK_GROUPS) + group_index)[order], labels=titles),
            "agency_code": _categories(agency[order], labels=table["code"].to_numpy()),
            "staff_code": _categories(member[order], labels=staff.frame["code"].to_numpy()),
            "org_unit_code": _categories(unit[order], labels=geography.codes),
            "task_group": _categories(group_index[order], labels=list(_TASK_GROUPS)),
            "source_kind": _categories(source[order], labels=list(_SOURCE_KINDS)),
            "plan_item_code": _categories(item[order], labels=items.frame["code"].to_numpy()),
            "issued_on": _dates(issued[order]),
            "due_on": _dates(due[order]),
            "completed_on": _dates(
                np.where(missing, 0, completed).astype(np.int64)[order], missing=missing[order]
            ),
            "cancelled": cancelled[order],
        },
    )


def _task_agencies(*, scale: DemoScale, agencies: _Agencies, staff: _Staff) -> np.ndarray:
    """Agency per task: by staff numbers; none for the unconnected province, few for the tiny."""
    table = agencies.table
    tiny = table["tiny"].to_numpy()
    weights = staff.count * np.where(table["kind"] == "local_government", 1.3, 1.0)
    weights[(table["province"] == _GRAY_PROVINCE).to_numpy() | tiny] = 0.0
    tiny_tasks = _TINY_AGENCY_TASKS_PER_YEAR * len(_data_years(scale))
    counts = _allocate(total=scale.tasks - tiny_tasks * int(tiny.sum()), weights=weights)
    counts[tiny] = tiny_tasks
    return np.repeat(np.arange(len(table)), counts)


def _working_days(*, scale: DemoScale, uniforms: np.ndarray) -> np.ndarray:
    """Days of the data range at the given quantiles, weekends much quieter than weekdays."""
    days = np.arange(_day(scale.first_day), _day(DATA_AS_OF) + 1)
    weekend = (days + 3) % 7 >= 5  # 1970-01-01 was a Thursday
    cumulative = np.cumsum(np.where(weekend, 0.08, 1.0))
    position = np.searchsorted(cumulative / cumulative[-1], uniforms, side="right")
    return days[np.minimum(position, len(days) - 1)]


def _task_units(
    *, geography: _Geography, agencies: _Agencies, agency: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Governors' tasks: their aimag or its units; national: none or an aimag."""
    table = agencies.table
    province = table["province"].to_numpy()[agency]
    located = rng.random(len(agency)) < table["task_located_share"].to_numpy()[agency]
    unit = np.full(len(agency), -1)
    governors = province >= 0
    at_aimag = governors & (rng.random(len(agency)) < 0.25)
    unit[at_aimag] = province[at_aimag]
    in_unit = governors & ~at_aimag
    unit[in_unit] = _level2_units(geography=geography, province=province[in_unit], rng=rng)
    national = ~governors & located
    unit[national] = _connected_aimags(size=int(national.sum()), rng=rng)
    return unit


def _linked_items(
    *,
    items: _Items,
    agency: np.ndarray,
    year_index: np.ndarray,
    years: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """A plan item of the same agency due the same year, or -1 when it has none."""
    item_keys = items.agency * len(years) + (items.year - years[0])
    if len(item_keys) == 0:
        return np.full(len(agency), -1)
    order = np.argsort(item_keys, kind="stable")
    sorted_keys = item_keys[order]
    keys = agency * len(years) + year_index
    low = np.searchsorted(sorted_keys, keys, side="left")
    high = np.searchsorted(sorted_keys, keys, side="right")
    pick = low + np.floor(rng.random(len(agency)) * (high - low)).astype(np.int64)
    return np.where(high > low, order[np.minimum(pick, len(order) - 1)], -1)


def _completion_days(
    *,
    agencies: _Agencies,
    key: np.ndarray,
    year_index: np.ndarray,
    issued: np.ndarray,
    due: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Completion day per task (NaN = not completed by the data end).

    ``key`` is the profile a task follows: a province (0..21) when located there, else
    22 + its agency. Outcomes are exact quotas per profile and year, so a province's rates do
    not wander with the luck of the draw.
    """
    table = agencies.table
    provinces = [_PROVINCE_PROFILES[row[0]] for row in _PROVINCES]
    on_time = np.concatenate(([p.on_time for p in provinces], table["on_time"])) / 100.0
    never = np.concatenate(
        ([_TASK_CLASSES[p.process][0] for p in provinces], table["never"].to_numpy())
    )
    delay = np.concatenate(
        ([_TASK_CLASSES[p.process][1] for p in provinces], table["delay"].to_numpy())
    )
    early_share = np.concatenate((np.full(len(provinces), 0.33), table["early_share"]))
    uniforms = _stratified_uniforms(cells=key * (year_index.max() + 1) + year_index, rng=rng)
    late_share = (1.0 - never[key]) * (1.0 - on_time[key])
    early = rng.random(len(key)) < early_share[key]
    outcome = np.select(
        [uniforms < never[key], uniforms < never[key] + late_share, early],
        [_NEVER, _LATE, _EARLY],
        default=_ON_TIME,
    )
    duration = due - issued
    lateness = np.minimum(rng.geometric(1.0 / np.maximum(delay[key], 1.0)), 365)
    completed = np.select(
        [outcome == _EARLY, outcome == _ON_TIME, outcome == _LATE],
        [issued + np.floor(duration * rng.random(len(key)) ** 0.6), due, due + lateness],
        default=np.nan,
    ).astype(float)
    # Completed after the data end: in the data it is simply still open.
    completed[completed > _day(DATA_AS_OF)] = np.nan
    return completed


# --------------------------------------------------------------------------------------------
# Ratings and citizens' satisfaction


def _ratings(
    *, scale: DemoScale, agencies: _Agencies, staff: _Staff, rng: np.random.Generator
) -> pd.DataFrame:
    """One rating per staff member and year: 100 minus a small exponential deficit.

    Deficits are rescaled per year so the national mean is the reported 98.7 (2024); a few
    agencies rate markedly lower. Self scores are mostly at or above the final score.
    """
    years = _data_years(scale)
    member = np.repeat(np.arange(len(staff.agency)), len(years))
    year = np.tile(years, len(staff.agency))
    # Staff who have left were last rated the year before.
    keep = staff.frame["active"].to_numpy()[member] | (year < years[-1])
    member, year = member[keep], year[keep]
    count = len(member)
    multiplier = agencies.table["rating_multiplier"].to_numpy()[staff.agency[member]]
    deficit = multiplier * rng.exponential(1.0, count)
    wanted = np.array([100.0 - _SELF_RATING.get(int(y), 98.8) for y in years])
    mean_deficit = np.bincount(year - years[0], weights=deficit) / np.bincount(year - years[0])
    final = np.clip(100.0 - deficit * (wanted / mean_deficit)[year - years[0]], 0.0, 100.0)
    modest = rng.random(count) < 0.15
    self_score = np.where(
        modest,
        np.maximum(final - 2.0 * rng.random(count), 0.0),
        np.minimum(final + np.abs(rng.normal(0.0, 1.2, count)), 100.0),
    )
    supervisor = np.clip(final + rng.normal(0.0, 0.8, count), 0.0, 100.0)
    self_only = rng.random(count) < 0.01  # no final score yet: the self score stands in
    return _table_frame(
        schema.ratings,
        {
            "staff_code": _categories(member, labels=staff.frame["code"].to_numpy()),
            "period": year.astype(str),
            "self_score": np.round(self_score, 1),
            "supervisor_score": np.where(self_only, np.nan, np.round(supervisor, 1)),
            "final_score": np.where(self_only, np.nan, np.round(final, 1)),
        },
    )


def _survey_results(
    *, scale: DemoScale, agencies: _Agencies, rng: np.random.Generator
) -> pd.DataFrame:
    """Published aggregates from agencies that keep no raw responses (half a year for the last)."""
    table = agencies.table
    publishers = np.flatnonzero(table["published"].notna().to_numpy())
    years = _data_years(scale)
    labels = [str(year) for year in years[:-1]] + [f"{years[-1]}-H1"]
    fraction = np.array([1.0] * (len(years) - 1) + [0.5])
    agency = np.repeat(publishers, len(years))
    period = np.tile(np.arange(len(years)), len(publishers))
    per_year = scale.responses / len(years) * 0.02
    respondents = np.rint(per_year * fraction[period] * rng.uniform(0.8, 1.2, len(agency)))
    share = (
        table["published"].to_numpy()[agency]
        + 0.01 * (years[period] - 2024)
        + rng.normal(0.0, 0.01, len(agency))
    )
    return _table_frame(
        schema.survey_results,
        {
            "agency_code": table["code"].to_numpy()[agency],
            "org_unit_code": np.full(len(agency), _PROVINCES[_CAPITAL][0]),
            "period": np.array(labels)[period],
            "respondents": respondents.astype(np.int64),
            "satisfied_share": np.round(np.clip(share, 0.0, 1.0), 3),
        },
    )


@dataclass(frozen=True, kw_only=True)
class _ResponseCells:
    """Responses grouped by unit, agency and year: satisfaction is solved per cell."""

    index: np.ndarray  # cell per response
    unit: np.ndarray
    agency: np.ndarray
    year: np.ndarray  # index into the data years
    size: np.ndarray


def _survey_responses(
    *,
    scale: DemoScale,
    geography: _Geography,
    agencies: _Agencies,
    published: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    table = agencies.table
    count = scale.responses
    years = _data_years(scale)
    day = rng.integers(_day(scale.first_day), _day(DATA_AS_OF) + 1, count)
    population = np.array([row[6] for row in _PROVINCES])
    province = rng.choice(len(_PROVINCES), size=count, p=population / population.sum())
    unit = np.where(
        rng.random(count) < 0.2,
        province,
        _level2_units(geography=geography, province=province, rng=rng),
    )
    agency, service = _responding_agencies(agencies=agencies, province=province, rng=rng)
    keys = (unit * len(table) + agency) * len(years) + (_years_of(day) - years[0])
    _keys, cell, size = np.unique(keys, return_inverse=True, return_counts=True)
    first = np.unique(cell, return_index=True)[1]
    cells = _ResponseCells(
        index=cell,
        unit=unit[first],
        agency=agency[first],
        year=(_years_of(day) - years[0])[first],
        size=size,
    )
    probability = _satisfaction_by_cell(
        scale=scale,
        geography=geography,
        agencies=agencies,
        cells=cells,
        published=published,
        rng=rng,
    )
    satisfied = _systematic_draws(
        groups=geography.province[unit] * len(years) + (_years_of(day) - years[0]),
        cells=cell,
        probability=probability[cell],
        rng=rng,
    )
    score = np.where(
        satisfied,
        np.where(rng.random(count) < 0.45, 5, 4),
        rng.choice([3, 2, 1], size=count, p=[0.5, 0.25, 0.25]),
    )
    online = np.array([_PROVINCE_PROFILES[row[0]].online for row in _PROVINCES])[province]
    channel = _categories(
        np.select([rng.random(count) < online / 100.0 * 0.7, rng.random(count) < 0.15], [0, 2], 1),
        labels=["online", "in_person", "phone"],
    )
    order = np.argsort(day, kind="stable")
    return _table_frame(
        schema.survey_responses,
        {
            "code": _numbered("R-", np.arange(1, count + 1), width=7),
            "agency_code": _categories(agency[order], labels=table["code"].to_numpy()),
            "org_unit_code": _categories(unit[order], labels=geography.codes),
            "service_code": service[order],
            "responded_on": _dates(day[order]),
            "score": score[order].astype(np.int64),
            "channel": channel[order],
        },
    )


def _responding_agencies(
    *, agencies: _Agencies, province: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, pd.Categorical]:
    """The governor's office of the province, or a national service agency; and the service."""
    table = agencies.table
    count = len(province)
    governor = np.full(len(_PROVINCES), -1)
    governors = np.flatnonzero(table["province"].to_numpy() >= 0)
    governor[table["province"].to_numpy()[governors]] = governors
    services = np.flatnonzero(table["service"].notna().to_numpy())
    names = table["service"].to_numpy()[services]
    shares = np.array([_SERVICES[name][1] for name in names])
    national = services[rng.choice(len(services), size=count, p=shares / shares.sum())]
    at_governor = rng.random(count) < _GOVERNOR_RESPONSE_SHARE
    agency = np.where(at_governor, governor[province], national)
    offered = {index: _SERVICES[name][0] for index, name in zip(services, names, strict=True)}
    codes = [*_LOCAL_SERVICES, *(code for index in services for code in offered[index])]
    first = np.zeros(len(table), dtype=np.int64)
    choices = np.full(len(table), len(_LOCAL_SERVICES))
    position = len(_LOCAL_SERVICES)
    for index in services:  # a handful of agencies, not a loop over responses
        first[index], choices[index] = position, len(offered[index])
        position += len(offered[index])
    picked = first[agency] + np.floor(rng.random(count) * choices[agency]).astype(np.int64)
    return agency, _categories(picked, labels=codes)


def _satisfaction_by_cell(
    *,
    scale: DemoScale,
    geography: _Geography,
    agencies: _Agencies,
    cells: _ResponseCells,
    published: pd.DataFrame,
    rng: np.random.Generator,
) -> np.ndarray:
    """P(score >= 4) per cell: logit = province-year + agency + unit effects.

    Province-year levels are solved to the profiles (with published results counted, and the
    capital solved so that the nation comes to its target); pinned agencies' levels are solved
    to their own targets; a few rounds of alternating solves settle both.
    """
    table = agencies.table
    years = _data_years(scale)
    year_count, province_count = len(years), len(_PROVINCES)
    province_year = geography.province[cells.unit] * year_count + cells.year
    agency_year = cells.agency * year_count + cells.year
    targets = _province_satisfaction_targets(
        years=years,
        responses=np.bincount(
            province_year, weights=cells.size, minlength=province_count * year_count
        ).reshape(province_count, year_count),
        published=published,
    ).ravel()
    pinned = table["satisfaction"].to_numpy()
    agency_targets = (pinned[:, None] + _YEARLY_GAIN * (years - 2024)[None, :]).ravel() / 100.0
    is_pinned = ~np.isnan(agency_targets)
    service_logit = table["service"].map(lambda name: _SERVICES[name][2], na_action="ignore")
    offset = (
        service_logit.fillna(0.0).to_numpy(dtype=float)[cells.agency]
        + rng.normal(0.0, 0.35, len(geography.codes))[cells.unit]
    )
    level = np.zeros(province_count * year_count)
    pinned_level = np.zeros(len(agency_targets))
    for _ in range(8):
        level = _solve_logit_levels(
            group=province_year,
            other=pinned_level[agency_year] + offset,
            sizes=cells.size,
            wanted=targets,
        )
        pinned_level = _solve_logit_levels(
            group=agency_year,
            other=level[province_year] + offset,
            sizes=cells.size,
            wanted=agency_targets,
        )
        pinned_level = np.where(is_pinned, pinned_level, 0.0)
    return _sigmoid(level[province_year] + pinned_level[agency_year] + offset)


def _solve_logit_levels(
    *, group: np.ndarray, other: np.ndarray, sizes: np.ndarray, wanted: np.ndarray
) -> np.ndarray:
    """Per group, the logit level at which the expected satisfied share is ``wanted``.

    Groups without responses or without a wanted share get an arbitrary level.
    """
    count = len(wanted)
    responses = np.bincount(group, weights=sizes, minlength=count)
    free = (responses == 0) | np.isnan(wanted)

    def shortfall(level: np.ndarray) -> np.ndarray:
        expected = np.bincount(
            group, weights=sizes * _sigmoid(level[group] + other), minlength=count
        )
        share = np.divide(expected, responses, out=np.zeros(count), where=responses > 0)
        return np.where(free, 0.0, share - wanted)

    return _bisect(evaluate=shortfall, size=count, low=-12.0, high=12.0)


def _province_satisfaction_targets(
    *, years: np.ndarray, responses: np.ndarray, published: pd.DataFrame
) -> np.ndarray:
    """Wanted raw-response satisfaction share per province and year.

    The capital's share is what brings the nation (raw responses plus published results, all
    published in the capital) to the national target.
    """
    gain = _YEARLY_GAIN * (years - 2024)
    profile = np.array(
        [np.nan if p.satisfaction is None else p.satisfaction for p in _profiles_in_order()]
    )
    targets = (profile[:, None] + gain[None, :]) / 100.0
    year_index = published["period"].str[:4].astype(int).to_numpy() - years[0]
    published_count = np.bincount(
        year_index, weights=published["respondents"].to_numpy(dtype=float), minlength=len(years)
    )
    published_satisfied = np.bincount(
        year_index,
        weights=(published["respondents"] * published["satisfied_share"]).to_numpy(dtype=float),
        minlength=len(years),
    )
    national = (_NATIONAL_SATISFACTION + gain) / 100.0
    others = np.nansum(np.where(np.isnan(targets), 0.0, targets) * responses, axis=0)
    capital = responses[_CAPITAL]
    targets[_CAPITAL] = (
        national * (responses.sum(axis=0) + published_count) - others - published_satisfied
    ) / np.maximum(capital, 1.0)
    return targets


def _profiles_in_order() -> list[_ProvinceProfile]:
    return [_PROVINCE_PROFILES[row[0]] for row in _PROVINCES]


# --------------------------------------------------------------------------------------------
# Public services and commune readiness

_APPLICATIONS_PER_THOUSAND = 25.0  # per month
_ONLINE_GAIN_PER_YEAR = 3.0  # points
_CRITERIA = ("online_meetings", "devices", "digital_signature", "certificates", "staff", "software")


def _service_stats(
    *, scale: DemoScale, geography: _Geography, agencies: _Agencies, rng: np.random.Generator
) -> pd.DataFrame:
    """Monthly applications per district/soum, handled by the province's governor's office."""
    units = np.flatnonzero(geography.level == 2)
    months = pd.date_range(scale.first_day, DATA_AS_OF, freq="MS")
    unit = np.repeat(units, len(months))
    month = np.tile(months.to_numpy(dtype="datetime64[D]"), len(units))
    province = geography.province[unit]
    season = 1.0 + 0.15 * np.cos(2 * np.pi * (month.astype("datetime64[M]").astype(int) % 12) / 12)
    applications = rng.poisson(geography.weight[unit] * _APPLICATIONS_PER_THOUSAND * season)
    profiles = _profiles_in_order()
    effect = rng.normal(0.0, 4.0, len(geography.codes))
    # Centre the unit effects per province so each province's share stays at its profile.
    weight = geography.weight
    mean_effect = np.bincount(geography.province, weights=weight * effect) / np.bincount(
        geography.province, weights=weight
    )
    years_since = (month - np.datetime64("2024-06-16")).astype(int) / 365.25
    online_share = (
        np.clip(
            np.array([p.online for p in profiles])[province]
            + (effect - mean_effect[geography.province])[unit]
            + _ONLINE_GAIN_PER_YEAR * years_since,
            1.0,
            99.0,
        )
        / 100.0
    )
    results_ratio = rng.uniform(0.25, 0.95, len(_PROVINCES))[province]
    resolved = rng.binomial(applications, 0.96)
    on_time = np.array([p.on_time if p.on_time > 0 else 90.0 for p in profiles]) / 100.0
    late = rng.binomial(resolved, 1.0 - on_time[province])
    early = rng.binomial(resolved - late, 0.3)
    table = agencies.table
    governors = table.loc[table["province"] >= 0]
    governor_code = governors.set_index("province")["code"].reindex(range(len(_PROVINCES)))
    return _table_frame(
        schema.service_stats,
        {
            "org_unit_code": _categories(unit, labels=geography.codes),
            "agency_code": governor_code.to_numpy()[province],
            "month": pd.Series(month).astype("datetime64[s]"),
            "applications": applications.astype(np.int64),
            "online_applications": rng.binomial(applications, online_share).astype(np.int64),
            "online_results": rng.binomial(applications, online_share * results_ratio).astype(
                np.int64
            ),
            "resolved_early": early.astype(np.int64),
            "resolved_on_time": (resolved - late - early).astype(np.int64),
            "resolved_late": late.astype(np.int64),
        },
    )


def _readiness_checks(
    *, scale: DemoScale, geography: _Geography, rng: np.random.Generator
) -> pd.DataFrame:
    """Six service-centre criteria per commune, checked at every quarter end.

    Green communes (all criteria met) follow per-province counts for the end of 2024 and for
    the latest check of 2025; a commune once green stays green; earlier quarters had fewer.
    """
    quarters = pd.date_range(scale.first_day, DATA_AS_OF, freq="QE").to_numpy(dtype="datetime64[D]")
    units = np.flatnonzero(geography.level == 2)
    province = geography.province[units]
    full_counts = np.array([row[5] for row in _PROVINCES])
    kept = np.bincount(province, minlength=len(_PROVINCES))
    green_counts = _green_commune_counts(quarters=quarters, kept=kept, full_counts=full_counts)
    # A random rank within the province decides which communes turn green first.
    rank = np.empty(len(units), dtype=np.int64)
    order = np.lexsort((rng.random(len(units)), province))
    first = np.searchsorted(province[order], province[order], side="left")
    rank[order] = np.arange(len(units)) - first
    green = rank[:, None] < green_counts[province]  # commune x quarter
    green_from = np.where(green.any(axis=1), green.argmax(axis=1), len(quarters))
    met_from = _criteria_met_from(green_from=green_from, quarters=len(quarters), rng=rng)
    quarter = np.arange(len(quarters))
    met = quarter[None, None, :] >= met_from[:, :, None]  # commune x criterion x quarter
    commune, criterion, check = np.indices(met.shape).reshape(3, -1)
    return _table_frame(
        schema.readiness_checks,
        {
            "org_unit_code": _categories(units[commune], labels=geography.codes),
            "criterion": _categories(criterion, labels=list(_CRITERIA)),
            "checked_on": _dates(quarters[check].astype(np.int64)),
            "met": met.reshape(-1),
        },
    )


def _green_commune_counts(
    *, quarters: np.ndarray, kept: np.ndarray, full_counts: np.ndarray
) -> np.ndarray:
    """Green communes per province (rows) and quarter (columns), scaled to the units kept."""
    profiles = _profiles_in_order()
    anchors = np.array([p.green_communes for p in profiles], dtype=float)
    anchors *= (kept / full_counts)[:, None]
    end_2024, latest = _day(date(2024, 12, 31)), quarters.astype(np.int64)[-1]
    days = quarters.astype(np.int64)
    step = np.clip((days - end_2024) / max(latest - end_2024, 1), 0.0, 1.0)
    counts = anchors[:, [0]] + (anchors[:, [1]] - anchors[:, [0]]) * step[None, :]
    # Before 2025 coverage grew by about 4 % of the communes a quarter.
    quarters_before = np.maximum((end_2024 - days) / 91.3, 0.0)
    counts -= 0.04 * kept[:, None] * np.round(quarters_before)[None, :]
    return np.clip(np.floor(counts + 1e-9), 0, kept[:, None]).astype(np.int64)


def _criteria_met_from(
    *, green_from: np.ndarray, quarters: int, rng: np.random.Generator
) -> np.ndarray:
    """First quarter each criterion is met (``quarters`` = not yet), consistent with green."""
    communes, criteria = len(green_from), len(_CRITERIA)
    last = rng.integers(0, criteria, communes)  # the criterion that completes the set
    earlier = np.floor(rng.random((communes, criteria)) * (green_from[:, None] + 1))
    met_from = np.minimum(earlier, green_from[:, None]).astype(np.int64)
    met_from[np.arange(communes), last] = green_from
    never_green = green_from >= quarters
    # A commune that is never green misses one to three criteria for good.
    missing = rng.random((communes, criteria)) < rng.uniform(0.1, 0.4, (communes, 1))
    missing[np.arange(communes), last] = True
    met_from[never_green[:, None] & missing] = quarters
    return met_from


def _pin_overdue_shares(
    *,
    agencies: _Agencies,
    key: np.ndarray,
    year_index: np.ndarray,
    years: np.ndarray,
    due: np.ndarray,
    completed: np.ndarray,
    cancelled: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Completion days adjusted so each profile's overdue share at each year end is its target.

    Which tasks are still running at a period's end is a matter of a few dozen tasks per
    province, too few for the luck of the draw to keep a planted class. So per profile and
    year (evaluated on 31 December, or on the data end), the difference to the target is made
    up: completed tasks become never completed, or overdue ones get completed late.
    """
    completed = completed.copy()
    table = agencies.table
    targets = (
        np.concatenate(([p.overdue for p in _profiles_in_order()], table["overdue"].to_numpy()))
        / 100.0
    )
    ends = np.array([min(_day(date(int(year), 12, 31)), _day(DATA_AS_OF)) for year in years])
    as_of = ends[year_index]
    done = ~np.isnan(completed) & (completed <= as_of)
    still_open = ~cancelled & ~done
    overdue = still_open & (due < as_of)
    cells = key * len(years) + year_index
    size = cells.max() + 1
    open_count = np.bincount(cells, weights=still_open, minlength=size)
    overdue_count = np.bincount(cells, weights=overdue, minlength=size)
    share = targets[np.arange(size) // len(years)]
    change = np.rint((share * open_count - overdue_count) / (1.0 - share)).astype(np.int64)
    stop = _first_in_cells(cells=cells, mask=~cancelled & done & (due < as_of), rng=rng)
    completed[stop < change[cells]] = np.nan
    finish = _first_in_cells(cells=cells, mask=overdue, rng=rng) < -change[cells]
    lateness = rng.integers(1, 15, len(cells))
    completed[finish] = np.minimum(due + lateness, as_of)[finish]
    return completed


def _first_in_cells(*, cells: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random rank of each masked entry within its cell; unmasked entries rank last."""
    chosen = np.flatnonzero(mask)
    ranks = np.full(len(cells), np.iinfo(np.int64).max)
    order = chosen[np.lexsort((rng.random(len(chosen)), cells[chosen]))]
    first = np.searchsorted(cells[order], cells[order], side="left")
    ranks[order] = np.arange(len(order)) - first
    return ranks
