"""Demo outcomes for seed_demo: years of readings with margins, neighbourhood breakdowns,
targets and comparators, chosen so that every status appears on the dashboard."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from improveplan.models import Organisation, Plan
from outcomes import arithmetic, trajectories
from outcomes.models import (
    Comparator,
    ComparatorReading,
    Evidence,
    ExternalFactor,
    ImportMapping,
    Indicator,
    MappedIndicator,
    Outcome,
    Reading,
    Risk,
    Target,
)

NEIGHBOURHOODS = ["Northfield", "Old Town", "Riverside Park", "Eastgate"]


def _pooled(first_year, value, lower, upper, count=None, denominator=None) -> dict:
    """Three calendar years pooled, labelled as the public health profiles write it
    ("2019 - 21"), with 99.8% limits."""
    return {
        "period_start": date(first_year, 1, 1),
        "period": date(first_year + 2, 12, 31),
        "period_label": f"{first_year} - {(first_year + 2) % 100:02d}",
        "value": value,
        "lower": lower,
        "upper": upper,
        "confidence_level": "99.8",
        "count": count,
        "denominator": denominator,
    }


def _counted(year_ending, count, denominator) -> dict:
    """A financial year's percentage from its count and denominator, with Wilson's 95%
    limits, as the profiles publish a proportion."""
    lower, upper = arithmetic.wilson_interval(count, denominator)
    return {
        "period_start": date(year_ending - 1, 4, 1),
        "period": date(year_ending, 3, 31),
        "value": round(100 * count / denominator, 1),
        "lower": round(100 * lower, 1),
        "upper": round(100 * upper, 1),
        "count": count,
        "denominator": denominator,
    }


# Each indicator: its fields, its yearly (or quarterly) whole-area series, how wide its margin
# of error is, how its neighbourhoods differ from the whole, its target, and its comparators.
OUTCOMES = [
    {
        "statement": "Fewer adults smoke",
        "priority": 1,
        "why_it_matters": "Smoking is the largest single cause of the gap in life expectancy "
        "between Riverside's richest and poorest wards.",
        "target_groups": "Adults, especially routine and manual workers and pregnant women",
        "places": "Northfield and Eastgate",
        "assumptions": "Stop-smoking funding continues at today's level; the national ban on "
        "sales to younger age groups takes effect as planned.",
        "indicators": [
            {
                "code": "SM-01",
                "name": "Adults who smoke",
                "definition": "Adults aged 18 and over who say they smoke, from the Annual "
                "Population Survey.",
                "unit": Indicator.Unit.PERCENT,
                "direction": Indicator.Direction.LOWER,
                "frequency": Indicator.Frequency.ANNUAL,
                "source": "Annual Population Survey (ONS)",
                "owner": "Riverside Integrated Care Board",
                "denominator": 152000,
                "series": [19.8, 19.1, 18.6, 18.2, 17.1, 16.9, 16.2, 15.4, 14.9, 14.1],
                "start": date(2016, 3, 31),
                "step_months": 12,
                "margin": 1.4,
                "spread": {
                    "Northfield": 1.45,
                    "Old Town": 1.0,
                    "Riverside Park": 0.6,
                    "Eastgate": 1.3,
                },
                "target": ("local", 16.9, date(2021, 3, 31), 12.0, date(2029, 3, 31)),
                # The path agreed with the stop-smoking service: the same fall every year.
                "trajectory": {"trajectory_shape": "straight"},
                # The survey moved to the telephone in 2020/21: a break in the series, so the
                # trend starts there (and its five readings are just enough for a trend).
                "series_break": 5,
                "break_note": "Collected by telephone from 2020/21, face to face before",
                "comparators": {
                    "England": [15.8, 15.1, 14.7, 14.4, 13.9, 13.3, 13.0, 12.9, 12.3, 11.9],
                    "Similar areas": [18.1, 17.6, 17.3, 16.8, 16.3, 15.9, 15.5, 15.0, 14.6, 14.2],
                },
            },
        ],
    },
    {
        "statement": "Older people live independently at home for longer",
        "priority": 2,
        "why_it_matters": "Falls and avoidable hospital stays are the commonest reasons older "
        "people lose their independence.",
        "target_groups": "People aged 65 and over",
        "places": "The whole borough",
        "assumptions": "Reablement capacity grows by a fifth by 2027.",
        "indicators": [
            {
                "code": "OP-01",
                "name": "Emergency admissions after a fall, aged 65+",
                "definition": "Emergency hospital admissions for injuries from falls, per "
                "100,000 people aged 65 and over.",
                "unit": Indicator.Unit.RATE,
                "rate_per": 100000,
                "direction": Indicator.Direction.LOWER,
                "frequency": Indicator.Frequency.ANNUAL,
                "source": "Hospital Episode Statistics",
                # Issue 24: the agreement behind the source
                "data_sharing": "Riverside ICB and council data-sharing agreement DSA-14, "
                "signed March 2026, renewed each April",
                "owner": "Riverside Integrated Care Board",
                "denominator": 41000,
                # Each reading's count of admissions over this population: the change is
                # judged by the exact test of two Poisson rates.
                "counts_of": 41000,
                "series": [2010, 2045, 2090, 2060, 2140, 2185, 2230, 2210, 2290, 2320],
                "start": date(2016, 3, 31),
                "step_months": 12,
                "margin": 90,
                "spread": {
                    "Northfield": 1.2,
                    "Old Town": 1.05,
                    "Riverside Park": 0.85,
                    "Eastgate": 1.1,
                },
                "target": ("national", 2100, date(2024, 3, 31), 1900, date(2028, 3, 31)),
                "comparators": {
                    "England": [2100, 2115, 2125, 2050, 2020, 2040, 2050, 2045, 2060, 2070]
                },
            },
            {
                "code": "OP-02",
                "name": "Still at home 91 days after leaving hospital",
                "definition": "People aged 65+ still at home 91 days after discharge from "
                "hospital into reablement.",
                "unit": Indicator.Unit.PERCENT,
                "direction": Indicator.Direction.HIGHER,
                "frequency": Indicator.Frequency.ANNUAL,
                "source": "Adult Social Care Outcomes Framework",
                "owner": "Riverside Borough Council",
                "series": [79.1, 80.6, 79.4, 81.2, 80.3, 81.9, 81.0, 82.3, 82.0, 83.1],
                "start": date(2016, 3, 31),
                "step_months": 12,
                "margin": 1.8,
                # The lead starts the trend after the reablement service was redesigned.
                "trend_from": date(2019, 3, 31),
                "target": ("local", 81.4, date(2024, 3, 31), 84.0, date(2028, 3, 31)),
                "comparators": {
                    "England": [82.5, 82.9, 82.0, 82.4, 79.1, 81.8, 82.3, 82.1, 83.0, 83.1]
                },
            },
            {
                "code": "OP-03",
                "name": "Deaths under 75 from causes considered preventable",
                "definition": "Directly standardised rate per 100,000 people under 75, over "
                "three calendar years pooled.",
                "unit": Indicator.Unit.RATE,
                "rate_per": 100000,
                "direction": Indicator.Direction.LOWER,
                "frequency": Indicator.Frequency.ANNUAL,
                "year_end_month": 12,
                "source": "Public health profiles (OHID)",
                "owner": "Riverside Integrated Care Board",
                # Rolling three-year periods as the profiles publish them, with 99.8% limits
                # (Dobson's, not symmetric) and the deaths and person-years behind each rate.
                "readings": [
                    _pooled(2014, 171.6, 159.2, 184.7, 1093, 915600),
                    _pooled(2015, 169.9, 157.6, 182.9, 1086, 917400),
                    _pooled(2016, 168.1, 155.9, 181.0, 1077, 919500),
                    _pooled(2017, 168.8, 156.6, 181.7, 1084, 921300),
                    _pooled(2018, 170.2, 157.9, 183.2, 1096, 922800),
                    _pooled(2019, 168.7, 156.5, 181.6, 1089, 924900),
                    _pooled(2020, 166.9, 154.8, 179.7, 1080, 926700),
                    _pooled(2021, 165.3, 153.3, 178.0, 1072, 928200),
                ],
                "target": ("local", 166.9, date(2022, 12, 31), 150.0, date(2030, 12, 31)),
                "comparator_readings": {
                    "England": (
                        "E92000001",
                        [
                            _pooled(2019, 142.0, 141.2, 142.8),
                            _pooled(2020, 142.9, 142.1, 143.7),
                            _pooled(2021, 142.0, 141.3, 142.7),
                        ],
                    ),
                    "North West": (
                        "E12000002",
                        [
                            _pooled(2019, 163.1, 161.1, 165.1),
                            _pooled(2020, 162.0, 160.0, 164.0),
                            _pooled(2021, 160.2, 158.2, 162.2),
                        ],
                    ),
                },
            },
        ],
    },
    {
        "statement": "Fewer households lose their home",
        "priority": 3,
        "why_it_matters": "Homelessness harms children's schooling and adults' health, and "
        "temporary accommodation costs the council more every year.",
        "target_groups": "Families with children; young people leaving care",
        "places": "The whole borough",
        "assumptions": "Housing benefit rates keep pace with local rents.",
        "indicators": [
            {
                "code": "HS-01",
                "name": "Households helped to keep their home",
                "definition": "Households owed a prevention duty whose homelessness was prevented.",
                "unit": Indicator.Unit.PERCENT,
                "direction": Indicator.Direction.HIGHER,
                "frequency": Indicator.Frequency.QUARTERLY,
                "source": "Council housing options service",
                "owner": "Riverside Community Housing",
                "series": [51.0, 52.4, 51.8, 53.9, 54.6, 55.1, 56.9, 57.2, 58.8, 59.5, 60.1, 61.7],
                "start": date(2023, 3, 31),
                "step_months": 3,
                "margin": 2.5,
                "target": ("local", 54.6, date(2024, 3, 31), 62.0, date(2027, 3, 31)),
                # A new prevention team each April: three steps, one a year.
                "trajectory": {"trajectory_shape": "stepped", "trajectory_steps": 3},
            },
            {
                "code": "HS-02",
                "name": "Families in temporary accommodation",
                "definition": "Households with children living in temporary accommodation on "
                "the last night of the quarter.",
                "unit": Indicator.Unit.COUNT,
                "direction": Indicator.Direction.LOWER,
                "frequency": Indicator.Frequency.QUARTERLY,
                "source": "Council housing options service",
                "owner": "Riverside Community Housing",
                "series": [212, 221, 235, 229, 246, 252, 249, 263, 271, 268, 280, 291],
                "start": date(2023, 3, 31),
                "step_months": 3,
                "target": ("local", 246, date(2024, 3, 31), 200, date(2027, 3, 31)),
                # Outside the partnership's control: frozen housing allowances push more
                # families out of private rented homes.
                "external_factors": [
                    ("Local housing allowance frozen", 15, 5, 25, date(2026, 4, 1), 12)
                ],
                # The quarterly trajectory the council sent the department, typed in: slow
                # at first while new homes are bought, faster once they are let.
                "trajectory": {
                    "trajectory_shape": "values",
                    "trajectory_values": [
                        [when.isoformat(), value]
                        for when, value in zip(
                            trajectories.period_ends(date(2024, 3, 31), date(2027, 3, 31), 3),
                            [245, 244, 242, 240, 236, 232, 228, 222, 216, 210, 205, 200],
                            strict=True,
                        )
                    ],
                },
            },
            {
                "code": "HS-03",
                "name": "People sleeping rough on a single night",
                "definition": "The autumn street count.",
                "unit": Indicator.Unit.COUNT,
                "direction": Indicator.Direction.LOWER,
                "frequency": Indicator.Frequency.ANNUAL,
                "source": "Autumn rough sleeping count",
                "owner": "Riverside Council for Voluntary Service",
                "series": [14, 11],
                "start": date(2024, 11, 30),
                "step_months": 12,
                "target": ("local", 14, date(2024, 11, 30), 5, date(2027, 11, 30)),
            },
            {
                "code": "HS-04",
                "name": "Care leavers aged 19 to 21 in suitable accommodation",
                "definition": "Care leavers aged 19 to 21 whose accommodation is suitable, of "
                "those the council is in touch with.",
                "unit": Indicator.Unit.PERCENT,
                "direction": Indicator.Direction.HIGHER,
                "frequency": Indicator.Frequency.ANNUAL,
                "source": "Children looked after in England (DfE)",
                "owner": "Riverside Borough Council",
                # Counted care leavers: Wilson limits, and Newcombe's method for a change. The
                # 2021/22 figure was never published.
                "readings": [
                    _counted(2018, 62, 80),
                    _counted(2019, 66, 84),
                    _counted(2020, 64, 79),
                    _counted(2021, 70, 85),
                    {
                        **_counted(2022, 0, 1),
                        "value": None,
                        "lower": None,
                        "upper": None,
                        "count": None,
                        "denominator": None,
                        "suppression_mark": "x",
                        "value_note": "Not published: the return for this year was incomplete",
                    },
                    _counted(2023, 74, 88),
                    _counted(2024, 79, 91),
                    _counted(2025, 85, 94),
                ],
                "target": ("local", 84.1, date(2023, 3, 31), 92.0, date(2028, 3, 31)),
                "comparator_readings": {
                    "England": (
                        "E92000001",
                        [
                            _counted(2023, 37150, 43200),
                            _counted(2024, 38320, 44010),
                            _counted(2025, 39440, 44810),
                        ],
                    ),
                    "Similar areas": (
                        "",
                        [
                            _counted(2023, 1130, 1650),
                            _counted(2024, 1175, 1662),
                            _counted(2025, 1210, 1680),
                        ],
                    ),
                },
            },
        ],
    },
]

EVIDENCE = {
    "Fewer adults smoke": [
        (Evidence.Kind.NEED, "One adult in five smokes in Northfield and Eastgate", "local", {}),
        (Evidence.Kind.CAUSE, "Smoking is most common in routine and manual jobs", "", {}),
        (Evidence.Kind.BARRIER, "Stop-smoking clinics are open only in working hours", "", {}),
        (
            Evidence.Kind.INTERVENTION,
            "Community stop-smoking service",
            "",
            {
                "lead_organisation": "Riverside Integrated Care Board",
                "scale": "1,900 quit attempts a year",
                "cost": Decimal("410000"),
                "effect": "Four in ten who set a quit date have stopped four weeks later.",
            },
        ),
        (
            Evidence.Kind.GAP,
            "We do not know smoking rates among people with a mental illness",
            "",
            {},
        ),
        (
            Evidence.Kind.SOURCE,
            "Local Tobacco Control Profiles",
            "",
            {"link": "https://fingertips.phe.org.uk/profile/tobacco-control"},
        ),
    ],
    "Fewer households lose their home": [
        (Evidence.Kind.NEED, "Evictions from private rented homes doubled since 2022", "area", {}),
        (Evidence.Kind.CAUSE, "Rents rose faster than housing benefit", "", {}),
        (Evidence.Kind.OPPORTUNITY, "A new landlord forum meets from spring", "", {}),
    ],
}

RISKS = {
    "Fewer adults smoke": [
        (
            "Stop-smoking grant ends in 2027",
            3,
            5,
            "Director of Public Health",
            "Make the case for recurrent funding in the 2026 budget round.",
            False,
        ),
        (
            "Illicit tobacco undercuts prices",
            2,
            3,
            "Trading Standards",
            "Joint operations with the police twice a year.",
            True,
        ),
    ],
    "Fewer households lose their home": [
        (
            "Temporary accommodation providers leave the market",
            4,
            4,
            "Head of Housing Options",
            "Block-book units on two-year contracts.",
            True,
        ),
    ],
}


def _add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    candidate = date(start.year + year, month + 1, 1)
    # The last day of that month, as periods are dated by their last day.
    next_month = date(candidate.year + (candidate.month // 12), candidate.month % 12 + 1, 1)
    return date.fromordinal(next_month.toordinal() - 1)


def seed_outcomes(plan: Plan, organisations: dict[str, Organisation]) -> None:
    rng = random.Random(2026)  # noqa: S311 - the same demo every time, not a secret
    for spec in OUTCOMES:
        fields = {k: v for k, v in spec.items() if k not in {"statement", "indicators"}}
        outcome, _ = Outcome.objects.update_or_create(
            plan=plan, statement=spec["statement"], defaults=fields
        )
        for item in spec["indicators"]:
            seed_indicator(plan, outcome, item, organisations, rng)
        for kind, summary, level, extra in EVIDENCE.get(spec["statement"], []):
            extra = dict(extra)
            if "lead_organisation" in extra:
                extra["lead_organisation"] = organisations[extra["lead_organisation"]]
            Evidence.objects.update_or_create(
                outcome=outcome, kind=kind, summary=summary, defaults={"level": level, **extra}
            )
        for description, likelihood, impact, owner, mitigation, local in RISKS.get(
            spec["statement"], []
        ):
            Risk.objects.update_or_create(
                outcome=outcome,
                description=description,
                defaults={
                    "plan": plan,
                    "likelihood": likelihood,
                    "impact": impact,
                    "owner": owner,
                    "mitigation": mitigation,
                    "manageable_locally": local,
                },
            )


SEEDING = {
    "external_factors",
    "trajectory",
    "series",
    "start",
    "step_months",
    "margin",
    "spread",
    "target",
    "comparators",
    "series_break",
    "break_note",
    "counts_of",
    "readings",
    "comparator_readings",
}


def seed_indicator(plan, outcome, item, organisations, rng) -> None:
    """An indicator from its spec: a regular ``series`` from ``start`` every ``step_months``
    (with a ``margin``, neighbourhoods' ``spread``, a ``series_break`` at an index, and counts
    ``counts_of`` a population), or ``readings`` given one by one as the source publishes
    them; its ``target``, and ``comparators`` (values for the same periods) or
    ``comparator_readings`` (an area code and readings of their own)."""
    fields = {k: v for k, v in item.items() if k not in SEEDING | {"code", "owner"}}
    indicator, _ = Indicator.objects.update_or_create(
        plan=plan,
        code=item["code"],
        defaults={**fields, "outcome": outcome, "owner": organisations[item["owner"]]},
    )
    if "readings" in item:
        _seed_readings(indicator, item)
        return
    periods = [
        _add_months(item["start"], i * item["step_months"]) for i in range(len(item["series"]))
    ]
    margin = item.get("margin")
    for number, (period, value) in enumerate(zip(periods, item["series"], strict=True)):
        extra = {}
        if item.get("counts_of"):
            extra["count"] = Decimal(round(value * item["counts_of"] / indicator.rate_per))
            extra["denominator"] = Decimal(item["counts_of"])
        if number == item.get("series_break"):
            extra |= {"series_break": True, "value_note": item["break_note"]}
        _reading(indicator, period, value, margin, "", **extra)
    # Neighbourhoods for the last three periods, each with a wider margin (smaller samples).
    for name, factor in item.get("spread", {}).items():
        for period, value in zip(periods[-3:], item["series"][-3:], strict=True):
            local = value * factor * (1 + rng.uniform(-0.03, 0.03))
            _reading(indicator, period, local, margin * 2 if margin else None, name)
    _seed_target(indicator, item["target"], item.get("trajectory"))
    for name, size, low, high, starts, months in item.get("external_factors", []):
        ExternalFactor.objects.update_or_create(
            indicator=indicator,
            name=name,
            defaults={
                "size": Decimal(str(size)),
                "low": Decimal(str(low)),
                "high": Decimal(str(high)),
                "starts": starts,
                "build_up_months": months,
            },
        )
    for name, values in item.get("comparators", {}).items():
        comparator, _ = Comparator.objects.update_or_create(
            indicator=indicator, name=name, defaults={"kind": _comparator_kind(name)}
        )
        for period, value in zip(periods, values, strict=True):
            ComparatorReading.objects.update_or_create(
                comparator=comparator, period=period, defaults={"value": Decimal(str(value))}
            )


def _reading(indicator, period, value, margin, breakdown, **extra) -> None:
    rounded = Decimal(str(round(value, 1)))
    bounds = {}
    if margin:
        bounds = {
            "lower": Decimal(str(round(value - margin, 1))),
            "upper": Decimal(str(round(value + margin, 1))),
        }
    Reading.objects.update_or_create(
        indicator=indicator,
        period=period,
        breakdown=breakdown,
        defaults={"value": rounded, "source_note": indicator.source, **bounds, **extra},
    )


def _decimals(reading: dict) -> dict:
    return {
        name: Decimal(str(value)) if isinstance(value, float | int) else value
        for name, value in reading.items()
    }


def _seed_readings(indicator, item) -> None:
    """Readings and comparator values given one by one, each with its own period."""
    for reading in map(_decimals, item["readings"]):
        period_start, period = reading.pop("period_start"), reading.pop("period")
        Reading.objects.update_or_create(
            indicator=indicator,
            period_start=period_start,
            period=period,
            breakdown="",
            defaults={"source_note": indicator.source, **reading},
        )
    _seed_target(indicator, item["target"], item.get("trajectory"))
    for name, (area_code, readings) in item.get("comparator_readings", {}).items():
        comparator, _ = Comparator.objects.update_or_create(
            indicator=indicator,
            name=name,
            defaults={"kind": _comparator_kind(name), "area_code": area_code},
        )
        for reading in map(_decimals, readings):
            period_start, period = reading.pop("period_start"), reading.pop("period")
            ComparatorReading.objects.update_or_create(
                comparator=comparator, period_start=period_start, period=period, defaults=reading
            )


def _comparator_kind(name: str) -> str:
    if name == "England":
        return Comparator.Kind.NATIONAL
    return Comparator.Kind.SIMILAR if name == "Similar areas" else Comparator.Kind.REGIONAL


def _seed_target(indicator, target, trajectory: dict | None = None) -> None:
    kind, base_value, base_date, target_value, target_date = target
    Target.objects.update_or_create(
        indicator=indicator,
        kind=kind,
        defaults={
            "baseline_value": Decimal(str(base_value)),
            "baseline_date": base_date,
            "target_value": Decimal(str(target_value)),
            "target_date": target_date,
            **(trajectory or {}),
        },
    )


# A lead overruled one computed status, as leads do when they know more than the published
# series says: the pages and the board report show both statuses, who, when and why, and the
# board report still lists the indicator among its exceptions.
STATUS_OVERRIDE = {
    "code": "OP-01",
    "status": "at_risk",
    "reason": "The falls service's own counts for April to October 2026, not yet in the "
    "published series, show admissions a tenth lower than a year before.",
    "when": datetime(2026, 11, 20, 10, 30),
}


def seed_status_override(plan: Plan, lead) -> None:
    indicator = Indicator.objects.get(plan=plan, code=STATUS_OVERRIDE["code"])
    indicator.status_override = STATUS_OVERRIDE["status"]
    indicator.override_reason = STATUS_OVERRIDE["reason"]
    indicator.overridden_by = lead
    indicator.overridden_at = timezone.make_aware(STATUS_OVERRIDE["when"])
    indicator.save(
        update_fields=["status_override", "override_reason", "overridden_by", "overridden_at"]
    )


# The plan has matched a public health profiles download once (docs/examples/
# riverside-profile-download.csv): its next download is read straight away.
PROFILE_MATCHING = {
    "area_code": "E06000099",
    "area_name": "Riverside",
    "areas": {"E92000001": True, "E12000002": True, "E06000098": True},
    "indicators": [
        ("22401", "Emergency hospital admissions due to falls in people aged 65 and over", "OP-01"),
        ("90366", "Life expectancy at birth", None),  # not one of the plan's: left out
    ],
}


def seed_import_mapping(plan: Plan, lead) -> None:
    spec = PROFILE_MATCHING
    mapping, _ = ImportMapping.objects.update_or_create(
        plan=plan,
        defaults={
            "area_code": spec["area_code"],
            "area_name": spec["area_name"],
            "areas": spec["areas"],
            "updated_by": lead,
        },
    )
    for source, name, code in spec["indicators"]:
        MappedIndicator.objects.update_or_create(
            mapping=mapping,
            source_id=source,
            defaults={
                "source_name": name,
                "indicator": Indicator.objects.get(plan=plan, code=code) if code else None,
            },
        )
