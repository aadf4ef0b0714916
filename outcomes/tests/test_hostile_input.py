"""Hostile input into the outcomes app's forms: outcomes, indicators, readings, targets,
comparators, evidence and risks, the readings import and an indicator's status.

The values, the kinds of field and the checks are the core's (improveplan/tests/hostile.py,
which says what every post must do); here are the forms, and what the app adds to the world.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Model, QuerySet
from hypothesis import strategies as st

from conftest import World
from improveplan.models import Organisation, Plan
from improveplan.tests.hostile import (
    BOOLEAN,
    CORE,
    DATE,
    DECIMAL,
    EXAMPLES_PER_BUTTON,
    FIXED,
    LINK,
    NUMBER,
    ONERROR,
    ORGANISATION_ID,
    RANDOM_TEXT,
    SCRIPT,
    TEXT,
    TEXT_EDGES,
    HostileForm,
    Kind,
    Layer,
    Targets,
    Upload,
    Value,
    by_pk,
    choice,
    dates_taken,
    foreign_or_absent_ids,
    hostile_tests_of,
    named,
    one_of_ours,
    our,
    targets_in,
    their,
)
from improveplan.tests.kept_rows import kept_rows
from outcomes import arithmetic, imports
from outcomes.models import (
    Comparator,
    ComparatorReading,
    Evidence,
    ExternalFactor,
    ImportJob,
    ImportMapping,
    Indicator,
    Outcome,
    Reading,
    Risk,
    Target,
)
from outcomes.tests.factories import (
    AchievementFactory,
    ComparatorFactory,
    ComparatorReadingFactory,
    EvidenceFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    RiskFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


PROFILE_SURVEY = {
    "indicators": [["92443", "Smoking prevalence in adults", 2]],
    "areas": [
        ["E06000008", "Blackburn with Darwen", "Counties & UAs", "E12000002", 1],
        ["E92000001", "England", "England", "", 1],
    ],
}
PROFILE_FILE = (
    "Indicator ID,Area Code,Area Name,Sex,Age,Time period,Value\n"
    "92443,E06000008,Blackburn with Darwen,Persons,18+ yrs,2023,17.7\n"
    "92443,E92000001,England,Persons,18+ yrs,2023,11.6\n"
)


def _waiting_import(plan: Plan) -> ImportJob:
    """A profiles download waiting for a lead to match it, its file kept."""
    return imports.import_job_create(
        plan=plan,
        user=None,
        kind=ImportJob.Kind.READINGS,
        upload=SimpleUploadedFile("profile.csv", PROFILE_FILE.encode()),
        survey=PROFILE_SURVEY,
    )


def _plan_contents(plan: Plan, owner: Organisation, made: dict[str, Model]) -> dict[str, Model]:
    outcome = OutcomeFactory(plan=plan)
    indicator = IndicatorFactory(outcome=outcome, owner=owner)
    comparator = ComparatorFactory(indicator=indicator)
    return {
        "import_job": _waiting_import(plan),
        "outcome": outcome,
        "indicator": indicator,
        "reading": ReadingFactory(indicator=indicator),
        "target": TargetFactory(indicator=indicator),
        "comparator": comparator,
        "comparator_reading": ComparatorReadingFactory(comparator=comparator),
        "evidence": EvidenceFactory(outcome=outcome, lead_organisation=owner),
        "risk": RiskFactory(outcome=outcome),
        "achievement": AchievementFactory(outcome=outcome),  # Issue 5
        "external_factor": ExternalFactor.objects.create(  # Issue 26
            indicator=indicator,
            name="Benefit change",
            size=-1,
            low=-2,
            high=0,
            starts=date(2026, 4, 1),
        ),
    }


def _crossed_links() -> dict[str, QuerySet]:
    return {
        "owner elsewhere": Indicator.objects.exclude(owner__partnership=F("plan__partnership")),
        "lead organisation elsewhere": Evidence.objects.filter(
            lead_organisation__isnull=False
        ).exclude(lead_organisation__partnership=F("outcome__plan__partnership")),
    }


def _taken_dates(ours: dict[str, Model]) -> list[date]:
    return [
        ours["reading"].period,
        ours["comparator_reading"].period,
        ours["target"].baseline_date,
        ours["target"].target_date,
    ]


OUTCOMES = Layer(
    contents=_plan_contents,
    partnership_of={
        Outcome: "plan__partnership",
        Indicator: "plan__partnership",
        Reading: "indicator__plan__partnership",
        Target: "indicator__plan__partnership",
        Comparator: "indicator__plan__partnership",
        ComparatorReading: "comparator__indicator__plan__partnership",
        ImportJob: "plan__partnership",
        ImportMapping: "plan__partnership",
        Evidence: "outcome__plan__partnership",
        Risk: "plan__partnership",
    },
    crossed_links=_crossed_links,
    taken_dates=_taken_dates,
)
LAYERS = (CORE, OUTCOMES)


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


# What the app's forms take --------------------------------------------------------------

INDICATOR_CODE = named("NEW-01", lambda t: t.ours["indicator"].code)
COMPARATOR_NAME = named("Similar areas", lambda t: t.ours["comparator"].name)
# A reading's period: one that has ended (a period after today is refused, issue 15).
PAST_DATE = Kind(
    typical="2024-06-30",
    plausible=lambda t: st.one_of(
        st.dates(date(1990, 1, 1), date(2025, 12, 31)).map(date.isoformat),
        *dates_taken(t),
    ),
    edges=DATE.edges,
    odd=DATE.odd,
)


# A period as sources write it, or a date: the forms read both (issue 17).
PERIOD = Kind(
    typical="2024-06-30",
    plausible=lambda t: st.one_of(
        PAST_DATE.plausible(t),
        st.sampled_from(["2023/24", "Q3 2024", "2024/25 Q3", "Mar 2024", "2020 - 22", "45382"]),
    ),
    edges={**DATE.edges, "two-years-pooled": "2021 - 22", "ambiguous": "2011-12"},
    odd=DATE.odd,
)
# A value, or the source's mark for one held back.
FIGURE = Kind(
    typical=DECIMAL.typical,
    plausible=lambda t: st.one_of(DECIMAL.plausible(t), st.sampled_from(["*", "<5", "x", ".."])),
    edges={**DECIMAL.edges, "held-back": "*", "pounds": "£1,200", "percent": "12.5%"},
    odd=DECIMAL.odd,
)
LEVEL = choice(["95", "99.8"])
GRID_LINES = Kind(
    typical="2024/25\t12.5\t11\t14\t95\t120\t960\tRevised",
    plausible=lambda t: st.lists(
        st.lists(_grid_cell(), min_size=1, max_size=9).map("\t".join), max_size=4
    ).map("\n".join),
    edges={
        **TEXT_EDGES,
        "header-only": "Period\tValue",
        "too-many-cells": "2024\t1\t\t\t\t\t\t\t\textra",
        "script-in-every-cell": "\t".join([SCRIPT] * 8),
        "other-partnerships-indicator-code": lambda t: t.theirs["indicator"].code + "\t1",
    },
)
AREAS = Kind(
    typical=["E92000001"],
    plausible=lambda t: st.lists(st.sampled_from(["E92000001", "E06000008", "XX"]), max_size=3),
    edges={"unknown": ["E99999999"], "none": [], "script": [SCRIPT]},
)


def _grid_cell() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["2023/24", "Q3 2024", "2024-06-30", "12.5", "*", "<5", "95", "99.8", ""]),
        st.sampled_from(FIXED),
        RANDOM_TEXT,
    )


# Spreadsheets of readings ---------------------------------------------------------------

READINGS_HEADER = ["indicator", "period", "value", "lower", "upper", "breakdown", "source_note"]


def _csv(rows: list[list[str]], *, name: str = "readings.csv", before: bytes = b"") -> Upload:
    text = io.StringIO()
    csv.writer(text).writerows([READINGS_HEADER, *rows])
    return Upload(name, before + text.getvalue().encode(), "text/csv")


def _row(t: Targets, **cells: str) -> list[str]:
    """A row a lead may import, with some cells changed."""
    row = {
        "indicator": t.ours["indicator"].code,
        "period": "2024-06-30",
        "value": "12.5",
        "lower": "",
        "upper": "",
        "breakdown": "Northfield",
        "source_note": "APS 2030/31",
        **cells,
    }
    return [row[column] for column in READINGS_HEADER]


def _workbook(rows: list[list]) -> Upload:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in [READINGS_HEADER, *rows]:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return Upload("readings.xlsx", content.getvalue(), "application/octet-stream")


FILE_EDGES: dict[str, Value] = {
    "script-in-every-cell": lambda t: _csv([[SCRIPT, ONERROR, SCRIPT, SCRIPT, "", SCRIPT, ""]]),
    "other-partnerships-indicator": lambda t: _csv([_row(t, indicator=t.theirs["indicator"].code)]),
    "formulas": lambda t: _csv(
        [_row(t, breakdown='=HYPERLINK("https://evil.example","x")', source_note="@SUM(1+1)")]
    ),
    "controls": lambda t: _csv([_row(t, breakdown="\x1b[31m\u202eevil", source_note="\x7f\x08")]),
    # A NUL in the first 8 KB marks a file as binary; after them it reaches the rows.
    "null-after-8-KB": lambda t: _csv([_row(t, breakdown="North\x00field")], before=b"\n" * 8200),
    "impossible-periods": lambda t: _csv(
        [_row(t, period=period) for period in ("2026-02-30", "0000-00-00", "99999-01-01", "2101")]
    ),
    "huge-numbers": lambda t: _csv([_row(t, value="1e308", lower="NaN", upper="Infinity")]),
    "10001-character-cell": lambda t: _csv([_row(t, breakdown="A" * 10_001)]),
    "10000-columns": lambda t: Upload(
        "readings.csv", (",".join(READINGS_HEADER + ["x"] * 10_000) + "\n").encode(), "text/csv"
    ),
    "header-only": lambda t: _csv([]),
    "empty": lambda t: Upload("readings.csv", b"", "text/csv"),
    "utf-16": lambda t: Upload("readings.csv", "indicator,period,value\n".encode("utf-16"), ""),
    "latin-1": lambda t: Upload(
        "readings.csv", "indicator,period,value\nCafé,".encode("latin-1"), ""
    ),
    "png": lambda t: Upload("readings.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"),
    "broken-zip": lambda t: Upload("readings.xlsx", b"PK\x03\x04" + b"\xff" * 100, ""),
    "workbook-with-hostile-cells": lambda t: _workbook(
        [
            [t.ours["indicator"].code, date(2031, 6, 30), 1e308, None, None, SCRIPT, "=1+1"],
            [SCRIPT, "2026-02-30", float("inf"), -1, 2**63, ONERROR, "😀" * 100],
        ]
    ),
    "script-file-name": lambda t: _csv([_row(t)], name=f'{SCRIPT}"><.csv'),
}


def _any_cell(t: Targets) -> st.SearchStrategy[str]:
    known = [t.ours["indicator"].code, t.theirs["indicator"].code, "2024-06-30", "12.5", ""]
    return st.one_of(st.sampled_from(known), st.sampled_from(FIXED), RANDOM_TEXT)


FILE = Kind(
    typical=lambda t: _csv([_row(t)]),
    plausible=lambda t: st.builds(
        _csv, st.lists(st.lists(_any_cell(t), min_size=3, max_size=7), max_size=4)
    ),
    edges=FILE_EDGES,
    odd=lambda t: st.sampled_from(list(FILE_EDGES.values())).map(lambda upload: upload(t)),
)


# The forms ------------------------------------------------------------------------------

FORMS: dict[str, HostileForm] = {}
# Steps 1–3: each kind is added under its parent, and edited and deleted by its own id.
RISK_OWNER = Kind(  # any member of the partnership; an outsider is refused
    typical=lambda t: str(t.world.lead.pk),
    plausible=lambda t: st.sampled_from(["", str(t.world.lead.pk), str(t.world.partner.pk)]),
    edges={
        "other-partnerships": lambda t: str(t.world.outsider.pk),
        "absent": str(2**31 - 1),
        "beyond-64-bits": str(2**63),
        "sql": "1 OR 1=1",
    },
    odd=foreign_or_absent_ids,
)
# Issue 24: owner, the score after mitigation (both or neither) and the next review.
RISK_FIELDS = {
    "description": TEXT,
    "likelihood": choice(["1", "2", "3", "4", "5"]),
    "impact": choice(["1", "2", "3", "4", "5"]),
    "owned_by": RISK_OWNER,
    "owner": TEXT,
    "mitigation": TEXT,
    "likelihood_after": choice(["2", "1", "3", "4", "5", ""]),
    "impact_after": choice(["2", "1", "3", "4", "5", ""]),
    "review_date": DATE,
    "manageable_locally": BOOLEAN,
}
OUTCOME_FORMS: dict[str, tuple[str, dict[str, Kind]]] = {
    "outcome": (
        "plan",
        {
            "statement": TEXT,
            "why_it_matters": TEXT,
            "priority": NUMBER,
            "target_groups": TEXT,
            "places": TEXT,
            "assumptions": TEXT,
        },
    ),
    "indicator": (
        "outcome",
        {
            "code": INDICATOR_CODE,
            "name": TEXT,
            "definition": TEXT,
            "kind": choice(Indicator.Kind.values),
            "unit": choice(Indicator.Unit.values),
            "rate_per": NUMBER,
            "direction": choice(Indicator.Direction.values),
            "frequency": choice(Indicator.Frequency.values),
            "source": TEXT,
            "data_sharing": TEXT,
            "owner": ORGANISATION_ID,
            "denominator": NUMBER,
            # A percentage from 1 to 99, around the readings already entered.
            "minimum": Kind(typical="1", plausible=DECIMAL.plausible, edges=DECIMAL.edges),
            "maximum": Kind(typical="99", plausible=DECIMAL.plausible, edges=DECIMAL.edges),
            "year_end_month": choice([str(month) for month in range(1, 13)]),
            "trend_from": DATE,
        },
    ),
    "reading": (
        "indicator",
        {
            "period": PERIOD,
            "value": FIGURE,
            "lower": DECIMAL,
            "upper": DECIMAL,
            "confidence_level": LEVEL,
            "count": DECIMAL,
            "denominator": DECIMAL,
            "value_note": TEXT,
            "series_break": BOOLEAN,
            "breakdown": TEXT,
            "source_note": TEXT,
        },
    ),
    "target": (
        "indicator",
        {
            "kind": choice(Target.Kind.values),
            "baseline_value": DECIMAL,
            "baseline_date": DATE,
            "target_value": DECIMAL,
            "target_date": DATE,
            "trajectory_shape": choice(["", "straight", "stepped", "values"]),
            "trajectory_steps": NUMBER,
            "trajectory_text": TEXT,
        },
    ),
    "comparator": ("indicator", {"name": COMPARATOR_NAME, "kind": choice(Comparator.Kind.values)}),
    "external_factor": (
        "indicator",
        {
            "name": TEXT,
            "size": DECIMAL,
            "low": DECIMAL,
            "high": DECIMAL,
            "starts": DATE,
            "build_up_months": NUMBER,
        },
    ),
    "comparator_reading": (
        "comparator",
        {
            "period": PERIOD,
            "value": FIGURE,
            "lower": DECIMAL,
            "upper": DECIMAL,
            "confidence_level": LEVEL,
            "count": DECIMAL,
            "denominator": DECIMAL,
            "value_note": TEXT,
        },
    ),
    "evidence": (
        "outcome",
        {
            "kind": choice(Evidence.Kind.values),
            "summary": TEXT,
            "detail": TEXT,
            "level": choice(["", *Evidence.Level.values]),
            "lead_organisation": ORGANISATION_ID,
            "scale": TEXT,
            "cost": DECIMAL,
            "effect": TEXT,
            "link": LINK,
        },
    ),
    "risk": ("outcome", RISK_FIELDS),
}
# A target of the existing target's kind, or one that ends before it starts, is refused.
OUTCOME_TYPICAL: dict[str, dict[str, Value]] = {
    "target": {"kind": Target.Kind.STRETCH, "baseline_date": "2026-03-31"},
}
for _kind, (_parent, _fields) in OUTCOME_FORMS.items():
    FORMS[f"outcomes:{_kind}_create"] = HostileForm(
        fields=_fields,
        typical=OUTCOME_TYPICAL.get(_kind, {}),
        **by_pk(f"outcomes:{_kind}_create", own=our(_parent), foreign=their(_parent)),
    )
    FORMS[f"outcomes:{_kind}_edit"] = HostileForm(
        fields=_fields,
        typical=OUTCOME_TYPICAL.get(_kind, {}),
        **by_pk(f"outcomes:{_kind}_edit", own=our(_kind), foreign=their(_kind)),
    )
    FORMS[f"outcomes:{_kind}_delete"] = HostileForm(
        fields={},
        examples=EXAMPLES_PER_BUTTON,
        **by_pk(f"outcomes:{_kind}_delete", own=our(_kind), foreign=their(_kind)),
    )
DECIMAL_STYLE = choice(["point", "comma"])
FORMS["outcomes:readings_import"] = HostileForm(
    fields={"file": FILE, "decimal_style": DECIMAL_STYLE, "review_mapping": BOOLEAN},
    **by_pk("outcomes:readings_import", own=our("plan"), foreign=their("plan")),
)
FORMS["outcomes:readings_grid"] = HostileForm(
    fields={"lines": GRID_LINES, "decimal_style": DECIMAL_STYLE},
    **by_pk("outcomes:readings_grid", own=our("indicator"), foreign=their("indicator")),
)
FORMS["outcomes:import_mapping"] = HostileForm(
    fields={
        "area": choice([area[0] for area in PROFILE_SURVEY["areas"]]),
        "compare_with": AREAS,
        "indicator_0": one_of_ours("indicator", required=False),
        "level_0": LEVEL,
    },
    **by_pk("outcomes:import_mapping", own=our("import_job"), foreign=their("import_job")),
)
FORMS["outcomes:indicator_status"] = HostileForm(
    fields={
        "status": choice(["", *(status.value for status in arithmetic.Status)]),
        "reason": TEXT,
    },
    shown_on=lambda t: (t.ours["indicator"].get_absolute_url(), "override_form"),
    **by_pk("outcomes:indicator_status", own=our("indicator"), foreign=their("indicator")),
)


# The tests ------------------------------------------------------------------------------

(
    _write_example_counts,
    test_the_registry_names_every_field_the_form_takes,
    test_each_form_accepts_its_typical_input,
    test_each_edge_value_in_each_field,
    test_hostile_input_is_refused_or_saved_safely,
) = hostile_tests_of(FORMS)
