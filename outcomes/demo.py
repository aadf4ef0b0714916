"""Demo outcomes for seed_demo: years of readings with margins, neighbourhood breakdowns,
targets and comparators, chosen so that every status appears on the dashboard."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from improveplan.models import Organisation, Plan
from outcomes.models import (
    Comparator,
    ComparatorReading,
    Evidence,
    ImportMapping,
    Indicator,
    MappedIndicator,
    Outcome,
    Reading,
    Risk,
    Target,
)

NEIGHBOURHOODS = ["Northfield", "Old Town", "Riverside Park", "Eastgate"]

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
                "owner": "Riverside Integrated Care Board",
                "denominator": 41000,
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
                "target": ("local", 81.4, date(2024, 3, 31), 84.0, date(2028, 3, 31)),
                "comparators": {
                    "England": [82.5, 82.9, 82.0, 82.4, 79.1, 81.8, 82.3, 82.1, 83.0, 83.1]
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
                    "likelihood": likelihood,
                    "impact": impact,
                    "owner": owner,
                    "mitigation": mitigation,
                    "manageable_locally": local,
                },
            )


def seed_indicator(plan, outcome, item, organisations, rng) -> None:
    skip = {"series", "start", "step_months", "margin", "spread", "target", "comparators"}
    fields = {k: v for k, v in item.items() if k not in skip | {"code", "owner"}}
    indicator, _ = Indicator.objects.update_or_create(
        plan=plan,
        code=item["code"],
        defaults={**fields, "outcome": outcome, "owner": organisations[item["owner"]]},
    )
    periods = [
        _add_months(item["start"], i * item["step_months"]) for i in range(len(item["series"]))
    ]
    margin = item.get("margin")
    for period, value in zip(periods, item["series"], strict=True):
        _reading(indicator, period, value, margin, "")
    # Neighbourhoods for the last three periods, each with a wider margin (smaller samples).
    for name, factor in item.get("spread", {}).items():
        for period, value in zip(periods[-3:], item["series"][-3:], strict=True):
            local = value * factor * (1 + rng.uniform(-0.03, 0.03))
            _reading(indicator, period, local, margin * 2 if margin else None, name)
    kind, base_value, base_date, target_value, target_date = item["target"]
    Target.objects.update_or_create(
        indicator=indicator,
        kind=kind,
        defaults={
            "baseline_value": Decimal(str(base_value)),
            "baseline_date": base_date,
            "target_value": Decimal(str(target_value)),
            "target_date": target_date,
        },
    )
    for name, values in item.get("comparators", {}).items():
        comparator, _ = Comparator.objects.update_or_create(
            indicator=indicator,
            name=name,
            defaults={
                "kind": Comparator.Kind.NATIONAL if name == "England" else Comparator.Kind.SIMILAR
            },
        )
        for period, value in zip(periods, values, strict=True):
            ComparatorReading.objects.update_or_create(
                comparator=comparator, period=period, defaults={"value": Decimal(str(value))}
            )


def _reading(indicator, period, value, margin, breakdown) -> None:
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
        defaults={"value": rounded, "source_note": indicator.source, **bounds},
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
