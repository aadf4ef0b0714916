"""Demo plans for seed_demo, one for each method beside the Five Steps plan, so that every
method's pages have something real to show: a Turn the Curve plan, a LEAP plan part-way
round its cycle, a Future-basing plan with a vision date and dependent actions, and a care
service's improvement action plan answering its inspection findings. Policy proofing is
answered for some outcomes and not for others.

Built in the formats of outcomes/demo.py and actions/demo.py; safe to run again.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from actions.demo import (
    AT_RISK,
    CLOSED,
    COMPLETE,
    COUNCIL,
    CVS,
    HOUSING,
    ICB,
    LONG,
    NOT_STARTED,
    ON_TRACK,
    POLICE,
    QUICK_WIN,
    SHORT,
    M,
    U,
    seed_action,
    seed_criteria,
    seed_option,
    write_history,
)
from actions.models import Finding, Option
from improveplan.models import Organisation, Plan, User
from outcomes.demo import seed_indicator
from outcomes.models import Achievement, Evidence, Indicator, Outcome, Proofing, Risk

PERCENT = Indicator.Unit.PERCENT
COUNT = Indicator.Unit.COUNT
HIGHER = Indicator.Direction.HIGHER
LOWER = Indicator.Direction.LOWER
ANNUAL = Indicator.Frequency.ANNUAL
QUARTERLY = Indicator.Frequency.QUARTERLY


def _indicator(
    code,
    name,
    owner,
    series,
    target,
    *,
    kind="population",
    unit=PERCENT,
    direction=HIGHER,
    start=date(2019, 3, 31),
    step=12,
    comparators=None,
    source="",
    definition="",
    maximum=None,
):
    return {
        "code": code,
        "name": name,
        "definition": definition,
        "kind": kind,
        "unit": unit,
        "direction": direction,
        "frequency": ANNUAL if step == 12 else QUARTERLY,
        "source": source,
        "owner": owner,
        "series": series,
        "start": start,
        "step_months": step,
        "margin": None,
        "target": target,
        "comparators": comparators or {},
        **({"maximum": Decimal(maximum)} if maximum is not None else {}),
    }


# Results-Based Accountability: Turn the Curve on school readiness ----------------------------

READY = "Children start school ready to learn"

RBA = {
    "plan": {
        "title": "Ready for School in Riverside 2026–2028",
        "period_start": date(2026, 4, 1),
        "period_end": date(2028, 3, 31),
        "method": Plan.Method.RBA,
        "vision": "Every child in Riverside starts school able to talk, play and learn "
        "alongside their classmates.",
    },
    "outcomes": [
        {
            "statement": READY,
            "why_it_matters": "Children who start behind at five rarely catch up by eleven.",
            "target_groups": "Children under five, especially in families on low incomes",
            "places": "Northfield and Eastgate",
            "assumptions": "Funded nursery places for two-year-olds continue nationally.",
            "indicators": [
                _indicator(
                    "RS-01",
                    "Children with a good level of development at the end of Reception",
                    COUNCIL,
                    [61.8, 62.4, 59.1, 60.0, 61.2, 62.0, 62.6, 63.1],
                    ("local", 61.2, date(2022, 3, 31), 68.0, date(2028, 3, 31)),
                    source="Early Years Foundation Stage Profile",
                    comparators={"England": [64.9, 65.2, 63.0, 64.1, 65.0, 66.2, 67.1, 67.7]},
                ),
                _indicator(
                    "RS-02",
                    "New-birth visits by a health visitor",
                    ICB,
                    [2890, 2840, 2910, 2860, 2900, 2870, 2880, 2850],
                    ("local", 2860, date(2022, 3, 31), 2950, date(2028, 3, 31)),
                    kind=Indicator.Kind.HOW_MUCH,
                    unit=COUNT,
                    source="Health visiting service records",
                ),
                _indicator(
                    "RS-03",
                    "New-birth visits made within 14 days",
                    ICB,
                    [81.0, 82.5, 74.0, 78.2, 83.9, 85.1, 86.0, 87.2],
                    ("local", 78.2, date(2022, 3, 31), 95.0, date(2028, 3, 31)),
                    kind=Indicator.Kind.HOW_WELL,
                    source="Health visiting service records",
                ),
                _indicator(
                    "RS-04",
                    "Eligible two-year-olds in a funded nursery place",
                    COUNCIL,
                    [64.0, 66.0, 58.0, 61.0, 65.0, 67.0, 69.0, 70.0],
                    ("local", 61.0, date(2022, 3, 31), 80.0, date(2028, 3, 31)),
                    kind=Indicator.Kind.BETTER_OFF,
                    source="Early years funding returns",
                ),
            ],
        },
    ],
    "evidence": {
        READY: [
            (
                Evidence.Kind.NEED,
                "Speech and language delay is twice as common in Northfield",
                "local",
                {},
            ),
            (
                Evidence.Kind.CAUSE,
                "Fewer books and less shared reading at home in low-income families",
                "",
                {},
            ),
            (
                Evidence.Kind.BARRIER,
                "Families new to the area do not know the family hubs exist",
                "",
                {},
            ),
            (
                Evidence.Kind.OPPORTUNITY,
                "Every family already sees a health visitor at 1 and 2 years",
                "",
                {},
            ),
            (
                Evidence.Kind.INTERVENTION,
                "Chatter Matters groups at the family hubs",
                "",
                {
                    "lead_organisation": COUNCIL,
                    "scale": "180 families a year",
                    "effect": "Children who attended were twice as likely to reach the expected "
                    "level for language at two and a half.",
                },
            ),
        ],
    },
    "options": {
        "library": {
            "outcome": READY,
            "kind": Option.Kind.BETTER,
            "title": "Health visitors give every one-year-old a library card and a book",
            "evidence": "Bookstart studies link early book gifting with more shared reading.",
            "cost": Decimal("0"),
            "decision": Option.Decision.FAVOURED,
            "decision_reason": "No cost: the libraries give the cards and books already.",
            "scores": (4, 3, 4, 5, 5, 2),
            "notes": {},
        },
        "leaflets": {
            "outcome": READY,
            "kind": Option.Kind.NEW,
            "title": "Chatter Matters tips in GP waiting rooms and pharmacy bags",
            "evidence": "Similar campaigns raised attendance at language groups by a fifth.",
            "cost": Decimal("3500"),
            "decision": Option.Decision.UNDECIDED,
            "decision_reason": "",
            "scores": (3, 2, 3, 5, 4, 2),
            "notes": {},
        },
        "outreach": {
            "outcome": READY,
            "kind": Option.Kind.MORE,
            "title": "Family hub outreach workers for families new to the area",
            "evidence": "Outreach doubled two-year-old nursery take-up in a similar borough.",
            "cost": Decimal("120000"),
            "decision": Option.Decision.FAVOURED,
            "decision_reason": "The largest expected impact on take-up of nursery places.",
            "scores": (5, 5, 4, 2, 3, 3),
            "notes": {},
        },
    },
    "actions": [
        {
            "key": "rs-cards",
            "title": "Give a library card and a book at every one-year check",
            "description": "Health visitors give every one-year-old a library card and a "
            "picture book at the one-year review, in all four Riverside neighbourhoods.",
            "outcomes": [READY],
            "option": "library",
            "lead": ICB,
            "supporting": [COUNCIL],
            "start": "2026-06-01",
            "due": "2027-03-31",
            "term": QUICK_WIN,
            "staff_time": "Five minutes of each one-year review",
            "success_measure": "2,000 library cards given by March 2027",
            "monitoring": "Libraries count new cards each quarter.",
            "status": ON_TRACK,
            "progress": 45,
            "updates": [U("2026-10-02 09:00", "grace", ON_TRACK, 45, "930 cards given so far.")],
        },
        {
            "key": "rs-outreach",
            "title": "Three outreach workers visit families new to Northfield and Eastgate",
            "description": "Three family hub outreach workers visit every family with a child "
            "under three who moves into Northfield or Eastgate, and help them take up a funded "
            "nursery place.",
            "outcomes": [READY],
            "option": "outreach",
            "indicator": "RS-04",
            "lead": COUNCIL,
            "supporting": [HOUSING, CVS],
            "start": "2026-09-01",
            "due": "2027-08-31",
            "term": SHORT,
            "amount": "120000",
            "provider": COUNCIL,
            "monitoring": "Monthly visit counts; nursery take-up each term.",
            "status": ON_TRACK,
            "progress": 20,
            "milestones": [M("Three workers in post", "2026-10-31", "2026-10-28")],
        },
        {
            "key": "rs-visits",
            "title": "Make 95 in 100 new-birth visits within 14 days",
            "description": "The ICB rosters health visitors so that 95 in every 100 new-birth "
            "visits happen within 14 days, with weekend visits in Northfield.",
            "outcomes": [READY],
            "indicator": "RS-03",
            "lead": ICB,
            "supporting": [],
            "start": "2026-04-01",
            "due": "2028-03-31",
            "term": LONG,
            "staff_time": "Two health visitors' weekend rota",
            "monitoring": "Monthly from the health visiting records.",
            "status": AT_RISK,
            "progress": 30,
            "milestones": [
                M("Weekend rota agreed", "2026-07-31", "2026-08-15"),
                M("90 in 100 within 14 days", "2027-03-31"),
            ],
        },
    ],
    "proofing": {
        READY: {
            Proofing.Topic.AFFECTED_DIFFERENTLY: (
                "concern",
                "Children with English as an additional language score lowest; the outreach "
                "workers will include a Polish and an Urdu speaker.",
            ),
            Proofing.Topic.MISSING_FROM_DATA: (
                "concern",
                "Traveller families are rarely registered with a health visitor; the CVS will "
                "help us reach them.",
            ),
            Proofing.Topic.RURAL: ("none", "Riverside has no rural wards."),
            Proofing.Topic.ENVIRONMENT: (
                "none",
                "Home visits are on foot or by bus where possible.",
            ),
        },
    },
}


# LEAP: a community plan part-way round its cycle -------------------------------------------

LONELY = "Older people in Eastgate are less lonely"
VOICE = "Eastgate residents shape what happens in their neighbourhood"

LEAP = {
    "plan": {
        "title": "Stronger Together in Eastgate 2026–2029",
        "period_start": date(2026, 4, 1),
        "period_end": date(2029, 3, 31),
        "method": Plan.Method.LEAP,
        "vision": "Eastgate is a neighbourhood where people know their neighbours, older people "
        "are not left alone, and residents have a say in what changes.",
    },
    "outcomes": [
        {
            "statement": LONELY,
            "why_it_matters": "Loneliness harms health as much as smoking, and Eastgate has "
            "the most people over 75 living alone.",
            "target_groups": "People over 75 living alone",
            "places": "Eastgate",
            "indicators": [
                _indicator(
                    "EG-01",
                    "Older people who say they often feel lonely",
                    CVS,
                    [19.0, 21.0, 24.0, 23.0, 22.0],
                    ("local", 23.0, date(2023, 3, 31), 15.0, date(2029, 3, 31)),
                    direction=LOWER,
                    start=date(2021, 3, 31),
                    source="Eastgate residents' survey",
                ),
            ],
        },
        {
            "statement": VOICE,
            "why_it_matters": "Residents said at the spring meetings that decisions are made "
            "about Eastgate, not with it.",
            "target_groups": "",
            "places": "Eastgate",
            "indicators": [],
        },
    ],
    "evidence": {
        LONELY: [
            (
                Evidence.Kind.NEED,
                "1,400 people over 75 live alone in Eastgate",
                "local",
                {},
            ),
        ],
    },
    "options": {},
    "actions": [
        {
            "key": "eg-lunch",
            "title": "Run a weekly lunch club in two Eastgate churches",
            "description": "The CVS runs a weekly lunch club in St Mark's and Eastgate "
            "Methodist church for up to 40 older people each, with transport.",
            "outcomes": [LONELY],
            "lead": CVS,
            "supporting": [COUNCIL],
            "start": "2026-05-01",
            "due": "2026-09-30",
            "term": QUICK_WIN,
            "amount": "8000",
            "provider": COUNCIL,
            "success_measure": "60 older people attend at least monthly",
            "monitoring": "Attendance registers, reported each month.",
            "status": COMPLETE,
            "progress": 100,
            "closure": CLOSED,
            "completion_evidence": "72 people attended at least monthly over the summer.",
            "lessons_learned": "Transport mattered more than the food: half would not have come "
            "without the minibus. Ask the bus company early.",
        },
        {
            "key": "eg-befriend",
            "title": "Train 30 volunteer befrienders for people over 75 living alone",
            "description": "The CVS recruits and trains 30 volunteers to phone or visit one "
            "older person each week, matched by the council's adult social care team.",
            "outcomes": [LONELY],
            "lead": CVS,
            "supporting": [COUNCIL, ICB],
            "start": "2026-07-01",
            "due": "2027-06-30",
            "term": SHORT,
            "amount": "25000",
            "provider": ICB,
            "success_measure": "30 befrienders matched by June 2027",
            "monitoring": "",
            "status": ON_TRACK,
            "progress": 35,
        },
    ],
    "proofing": {},
}


# Future-basing: homes for everyone by 2030 ----------------------------------------------------

ROUGH = "Nobody sleeps rough in Riverside"
LEAVERS = "Young people leaving care have a home of their own"

FUTURE = {
    "plan": {
        "title": "Riverside 2030: Homes for Everyone",
        "period_start": date(2026, 4, 1),
        "period_end": date(2030, 3, 31),
        "vision_date": date(2030, 3, 31),
        "method": Plan.Method.FUTURE_BASING,
        "vision": "It is a bright spring morning at the end of March 2030. The night shelter "
        "on Mill Street has closed for good because nobody needs it, and the care leavers' "
        "forum is meeting in a flat one of its members now rents.",
    },
    "outcomes": [
        {
            "statement": ROUGH,
            "why_it_matters": "Sleeping rough shortens lives by decades.",
            "target_groups": "People sleeping rough or at risk of it",
            "places": "Riverside town centre",
            "indicators": [
                _indicator(
                    "HF-01",
                    "People sleeping rough on a single night",
                    HOUSING,
                    [31, 27, 24, 29, 26, 22],
                    ("local", 29, date(2023, 11, 30), 0, date(2030, 3, 31)),
                    unit=COUNT,
                    direction=LOWER,
                    start=date(2020, 11, 30),
                    source="Autumn street count",
                ),
            ],
        },
        {
            "statement": LEAVERS,
            "why_it_matters": "A third of young people sleeping rough were once in care.",
            "target_groups": "Care leavers aged 18 to 25",
            "places": "All of Riverside",
            "indicators": [],
        },
    ],
    "achievements": {
        ROUGH: [
            "Nobody has slept on Riverside's streets for a whole year.",
            "Everyone who leaves prison or hospital has an address to go to.",
        ],
        LEAVERS: [
            "Every care leaver has a flat of their own by their 21st birthday.",
            "We will have a forum of care leavers advising the council.",
        ],
    },
    "achieved_by": {
        "Nobody has slept on Riverside's streets for a whole year.": [
            "hf-outreach",
            "hf-housing-first",
        ],
    },
    "options": {},
    "actions": [
        {
            "key": "hf-outreach",
            "title": "A street outreach team out every night from 6 pm",
            "description": "Riverside Community Housing runs a four-person outreach team every "
            "night, so that anyone found sleeping rough is offered a bed the same night.",
            "outcomes": [ROUGH],
            "lead": HOUSING,
            "supporting": [POLICE, CVS],
            "start": "2026-06-01",
            "due": "2027-03-31",
            "term": SHORT,
            "amount": "210000",
            "provider": COUNCIL,
            "success_measure": "Everyone found is offered a bed the same night",
            "monitoring": "Nightly log; monthly report.",
            "status": ON_TRACK,
            "progress": 50,
            "milestones": [M("Team recruited", "2026-07-31", "2026-07-20")],
        },
        {
            "key": "hf-housing-first",
            "is_key": True,
            "title": "Open 40 Housing First tenancies",
            "description": "Riverside Community Housing lets 40 flats as Housing First "
            "tenancies, with support workers from the CVS for as long as each tenant needs.",
            "outcomes": [ROUGH],
            "lead": HOUSING,
            "supporting": [CVS, ICB],
            "start": "2027-04-01",
            "due": "2029-03-31",
            "term": LONG,
            "amount": "960000",
            "provider": HOUSING,
            "success_measure": "40 tenancies, 8 in 10 kept for a year",
            "monitoring": "Quarterly tenancy report to the board.",
            "status": NOT_STARTED,
            "progress": 0,
            "after": ["hf-outreach"],
            "milestones": [
                M("First ten tenancies", "2027-09-30"),
                M("Twenty-five tenancies", "2028-06-30"),
                M("All forty tenancies", "2029-03-31"),
            ],
        },
        {
            "key": "hf-shelter",
            "title": "Close the Mill Street night shelter",
            "description": "When the Housing First tenancies are full, the council closes the "
            "Mill Street night shelter and moves its staff into tenancy support.",
            "outcomes": [ROUGH],
            "lead": COUNCIL,
            "supporting": [HOUSING],
            "start": "2029-04-01",
            "due": "2029-12-31",
            "term": LONG,
            "staff_time": "Shelter manager, half time",
            "success_measure": "Shelter closed; no one sleeping rough at the next count",
            "monitoring": "Street count and shelter use each month.",
            "status": NOT_STARTED,
            "progress": 0,
            "after": ["hf-housing-first"],
            "milestones": [M("Staff consultation finished", "2029-06-30")],
        },
        {
            "key": "hf-leavers",
            "title": "Reserve 25 council flats a year for care leavers",
            "description": "The council and Riverside Community Housing set aside 25 flats a "
            "year for young people leaving care, offered at 18 with a support package.",
            "outcomes": [LEAVERS],
            "lead": COUNCIL,
            "supporting": [HOUSING],
            "start": "2026-09-01",
            "due": "2027-08-31",
            "term": SHORT,
            "staff_time": "Leaving-care personal advisers",
            "success_measure": "25 flats let to care leavers in the year",
            "monitoring": "Lettings report each quarter.",
            "status": ON_TRACK,
            "progress": 25,
        },
    ],
    "proofing": {
        ROUGH: {
            Proofing.Topic.AFFECTED_DIFFERENTLY: (
                "concern",
                "Women sleeping rough are hidden and rarely counted; a women-only outreach "
                "session will run twice a week.",
            ),
        },
    },
}


# A care service's improvement action plan after an inspection -----------------------------

CARE = "Residents of Riverside's council care homes get safe, good care"

CARE_PLAN = {
    "plan": {
        "title": "Riverside Care Homes 2026–2027",
        "period_start": date(2026, 6, 1),
        "period_end": date(2027, 5, 31),
        "method": Plan.Method.CARE_SERVICE,
        "vision": "Rated good in every key question at the re-inspection in spring 2027.",
        # Issue 24: the result expected, when, and (below) the named manager
        "scope": "The council's three care homes: Ashdown, Brook House and The Willows.",
        "expected_rating": Plan.ExpectedRating.GOOD,
        "reinspection_date": date(2027, 4, 30),
    },
    "manager": "lead@demo.improveplan.test",
    "outcomes": [
        {
            "statement": CARE,
            "why_it_matters": "The May 2026 inspection rated the homes as requiring improvement.",
            "target_groups": "The 96 residents of the council's three care homes",
            "places": "Ashdown, Brook House and The Willows",
            "indicators": [
                _indicator(
                    "CH-01",
                    "Medicine administration errors",
                    COUNCIL,
                    [14, 12, 15, 11, 8, 6],
                    ("local", 15, date(2026, 3, 31), 2, date(2027, 3, 31)),
                    unit=COUNT,
                    direction=LOWER,
                    # Six quarters to September 2026: the quarter under way has no figure yet.
                    start=date(2025, 6, 30),
                    step=3,
                    source="Monthly medicines audit",
                ),
                # A count with a ceiling: there are 96 residents to review, so the forecast
                # (fitted on the logit scale between 0 and 96) cannot promise a 97th.
                _indicator(
                    "CH-02",
                    "Residents whose medicines were reviewed in the quarter",
                    COUNCIL,
                    [38, 50, 61, 70, 79, 87],
                    ("local", 38, date(2025, 6, 30), 90, date(2027, 3, 31)),
                    unit=COUNT,
                    start=date(2025, 6, 30),
                    step=3,
                    source="Pharmacist's review log",
                    maximum=96,
                ),
            ],
        },
    ],
    "options": {},
    "actions": [
        {
            "key": "ch-mar",
            "title": "Check every medicine record at each shift handover",
            "description": "Senior carers check every medicine administration record at "
            "handover in all three homes and correct gaps the same day.",
            "outcomes": [CARE],
            "lead": COUNCIL,
            "supporting": [ICB],
            "start": "2026-06-01",
            "due": "2026-07-15",
            "term": QUICK_WIN,
            "staff_time": "Ten minutes a handover",
            "success_measure": "No gaps in records at the July audit",
            "monitoring": "Weekly spot checks by the registered manager.",
            "status": COMPLETE,
            "progress": 100,
            "closure": CLOSED,
            "completion_evidence": "The July audit found no gaps in 288 records.",
            "lessons_learned": "A one-page checklist at the drugs trolley worked better than "
            "training alone. Night staff needed their own briefing.",
        },
        {
            "key": "ch-training",
            "title": "Bring all 140 care staff up to date with mandatory training",
            "description": "Every member of care staff in the three homes completes moving and "
            "handling, safeguarding and medicines training, with cover for their shifts.",
            "outcomes": [CARE],
            "lead": COUNCIL,
            "supporting": [],
            "start": "2026-06-15",
            "due": "2026-12-31",
            "term": SHORT,
            "amount": "38000",
            "provider": COUNCIL,
            "success_measure": "140 staff up to date by 31 December 2026",
            "monitoring": "Training matrix reviewed monthly.",
            "status": AT_RISK,
            "progress": 60,
            "milestones": [M("Half of staff trained", "2026-09-30", "2026-10-10")],
        },
        {
            "key": "ch-families",
            "title": "Review every care plan with the resident and their family",
            "description": "Key workers review each of the 96 care plans with the resident "
            "and, where they wish, their family, and record what matters to them.",
            "outcomes": [CARE],
            "lead": COUNCIL,
            "supporting": [CVS],
            "start": "2026-07-01",
            "due": "2026-09-30",
            "term": QUICK_WIN,
            "staff_time": "An hour per resident",
            "success_measure": "96 care plans reviewed with residents",
            "monitoring": "Care plan audit in October.",
            "status": ON_TRACK,
            "progress": 80,
        },
        {
            "key": "ch-audit",
            "title": "A monthly quality meeting that acts on every audit",
            "description": "The registered managers and the head of service meet monthly to "
            "review each audit, agree actions with owners and check last month's are done.",
            "outcomes": [CARE],
            "lead": COUNCIL,
            "supporting": [ICB],
            "start": "2026-07-01",
            "due": "2027-05-31",
            "term": LONG,
            "staff_time": "Two hours a month for four managers",
            "success_measure": "Every audit action closed within 2 months",
            "monitoring": "Minutes and action log kept by the head of service.",
            "status": ON_TRACK,
            "progress": 40,
            "milestones": [M("Terms of reference agreed", "2026-07-31", "2026-07-29")],
        },
    ],
    "findings": [
        (
            Finding.KeyQuestion.SAFE,
            "Gaps in medicine administration records at two homes",
            "Inspection report, May 2026, page 6",
            ["ch-mar"],
        ),
        (
            Finding.KeyQuestion.EFFECTIVE,
            "A third of staff were out of date with mandatory training",
            "Inspection report, May 2026, page 9",
            ["ch-training"],
        ),
        (
            Finding.KeyQuestion.CARING,
            "Call bells were not always answered quickly at night",
            "Inspection report, May 2026, page 11",
            [],
        ),
        (
            Finding.KeyQuestion.RESPONSIVE,
            "Care plans were not reviewed with residents or families",
            "Inspection report, May 2026, page 13",
            ["ch-families"],
        ),
        (
            Finding.KeyQuestion.WELL_LED,
            "Audits found problems but nothing was done about them",
            "Inspection report, May 2026, page 16",
            ["ch-audit", "ch-mar"],
        ),
    ],
    "proofing": {
        CARE: {
            Proofing.Topic.AFFECTED_DIFFERENTLY: (
                "concern",
                "Residents living with dementia cannot always say what matters to them; "
                "families and advocates join their care plan reviews.",
            ),
            Proofing.Topic.MISSING_FROM_DATA: ("none", "Every resident is in the audits."),
            Proofing.Topic.RURAL: ("none", "All three homes are in the town."),
            Proofing.Topic.ENVIRONMENT: ("none", "No change to travel or energy use."),
        },
    },
}

PLANS = [RBA, LEAP, FUTURE, CARE_PLAN]

# The Five Steps plan's outcomes: one proofed in full, one in part, the rest not yet.
FIVE_STEPS_PROOFING = {
    "Fewer adults smoke": {
        Proofing.Topic.AFFECTED_DIFFERENTLY: (
            "concern",
            "Routine and manual workers and people with a mental illness smoke far more; the "
            "evening clinics and the mental health pathway aim at them.",
        ),
        Proofing.Topic.MISSING_FROM_DATA: (
            "concern",
            "The survey under-counts people in insecure housing; the CVS will ask at the "
            "food banks.",
        ),
        Proofing.Topic.RURAL: ("none", "Riverside has no rural wards."),
        Proofing.Topic.ENVIRONMENT: ("none", "Fewer cigarette ends in the streets and river."),
    },
    "Fewer households lose their home": {
        Proofing.Topic.AFFECTED_DIFFERENTLY: (
            "concern",
            "Single parents and disabled people are over-represented among those made homeless.",
        ),
    },
}


def seed_method_plans(
    partnership, organisations: dict[str, Organisation], users_by_email: dict[str, User]
) -> None:
    """The four plans beside the Five Steps plan, and policy proofing for them all."""
    five_steps = partnership.plans.filter(method=Plan.Method.FIVE_STEPS).first()
    if five_steps is not None:
        _seed_proofing(five_steps, FIVE_STEPS_PROOFING)
    for spec in PLANS:
        fields = spec["plan"]
        manager = spec.get("manager")
        plan, _ = Plan.objects.update_or_create(
            partnership=partnership,
            title=fields["title"],
            defaults={**fields, "manager": users_by_email[manager] if manager else None},
        )
        _seed_plan(plan, spec, organisations, users_by_email)


def _seed_plan(plan: Plan, spec: dict, organisations, users_by_email) -> None:
    rng = random.Random(2030)  # noqa: S311 - the same demo every time, not a secret
    for priority, item in enumerate(spec["outcomes"], 1):
        fields = {
            key: value for key, value in item.items() if key not in {"statement", "indicators"}
        }
        outcome, _ = Outcome.objects.update_or_create(
            plan=plan, statement=item["statement"], defaults={"priority": priority, **fields}
        )
        for indicator in item["indicators"]:
            seed_indicator(plan, outcome, indicator, organisations, rng)
    outcomes = {outcome.statement: outcome for outcome in plan.outcomes.all()}
    for statement, rows in spec.get("evidence", {}).items():
        for kind, summary, level, extra in rows:
            extra = dict(extra)
            if "lead_organisation" in extra:
                extra["lead_organisation"] = organisations[extra["lead_organisation"]]
            Evidence.objects.update_or_create(
                outcome=outcomes[statement],
                kind=kind,
                summary=summary,
                defaults={"level": level, **extra},
            )
    if outcomes and plan.method == Plan.Method.RBA:
        Risk.objects.update_or_create(
            outcome=outcomes[READY],
            description="Health visitor vacancies rise again",
            defaults={
                "plan": plan,
                "likelihood": 3,
                "impact": 4,
                "owner": "ICB head of children's services",
            },
        )
    criteria = seed_criteria(plan) if spec["options"] else []
    lead = users_by_email["lead@demo.improveplan.test"]
    options = {
        key: seed_option(option, outcomes, criteria, lead)
        for key, option in spec["options"].items()
    }
    indicators = {indicator.code: indicator for indicator in plan.indicators.all()}
    actions, new = {}, []
    for item in spec["actions"]:
        action, created = seed_action(
            plan, item, organisations, users_by_email, outcomes, indicators, options
        )
        actions[item["key"]] = action
        if created:
            new.append((action, item))
    for item in spec["actions"]:
        actions[item["key"]].depends_on.set([actions[key] for key in item.get("after", [])])
    for action, item in new:
        write_history(action, item, users_by_email)
    for statement, statements in spec.get("achievements", {}).items():
        for order, text in enumerate(statements, 1):
            Achievement.objects.update_or_create(
                outcome=outcomes[statement], statement=text, defaults={"order": order}
            )
    # Issue 24: the actions each achievement comes true through (the rest show as lacking).
    for text, keys in spec.get("achieved_by", {}).items():
        achievement = Achievement.objects.get(outcome__plan=plan, statement=text)
        for key in keys:
            actions[key].achievements.add(achievement)
    for key_question, summary, source, answered_by in spec.get("findings", []):
        finding, _ = Finding.objects.update_or_create(
            plan=plan,
            summary=summary,
            defaults={"key_question": key_question, "source": source},
        )
        finding.actions.set([actions[key] for key in answered_by])
    _seed_proofing(plan, spec.get("proofing", {}))


def _seed_proofing(plan: Plan, answers: dict) -> None:
    for outcome in plan.outcomes.filter(statement__in=list(answers)):
        for topic, (finding, note) in answers[outcome.statement].items():
            Proofing.objects.update_or_create(
                outcome=outcome, topic=topic, defaults={"finding": finding, "note": note}
            )
