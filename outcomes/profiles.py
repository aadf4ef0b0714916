"""The public health profiles' standard CSV download, read as it comes.

Its rows are every area's values of some indicators: ours, England's, the region's and other
areas', for persons and each sex, for ages and categories (deprivation deciles, say). A lead
matches the file's indicator ids to the plan's indicators and says which area is "us"
(outcomes/views.py's import mapping page); the plan keeps that matching (ImportMapping) for
the next download. Then each row becomes a row in our layout (outcomes/readings_io.py): our
area's rows are readings, with sexes, ages and categories other than the indicator's own as
breakdowns; another area's rows are that comparator's values.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from outcomes.models import Comparator, ImportMapping, MappedIndicator

# The columns read (their headings lower case, spaces as underscores); the download has more
# (trends, comparisons, sortable periods), which are left as they are.
READ = frozenset(
    [
        "indicator_id",
        "indicator_name",
        "parent_code",
        "area_code",
        "area_name",
        "area_type",
        "sex",
        "age",
        "category_type",
        "category",
        "time_period",
        "value",
        "lower_ci_95.0_limit",
        "upper_ci_95.0_limit",
        "lower_ci_99.8_limit",
        "upper_ci_99.8_limit",
        "count",
        "denominator",
        "value_note",
    ]
)
NEEDED = frozenset(["indicator_id", "area_code", "time_period", "value"])
ENGLAND = "E92000001"
# A file with more is a whole profile for every area: download fewer indicators or areas.
MOST_INDICATORS = 200
MOST_AREAS = 400
ALL_PERSONS = "Persons"
ALL_AGES = "All ages"


def is_profile(names: list[str]) -> bool:
    """Whether a heading row (lower case, spaces as underscores) is a profiles download's."""
    return set(names) >= NEEDED


def kind_of(area_code: str, name_or_type: str) -> str:
    """What kind of comparator an area is: England, an English region, or a similar area."""
    code = area_code.upper()
    if code == ENGLAND or name_or_type.strip().lower() == "england":
        return Comparator.Kind.NATIONAL
    if code.startswith("E12") or "region" in name_or_type.lower():
        return Comparator.Kind.REGIONAL
    return Comparator.Kind.SIMILAR


def survey(rows) -> dict | str:
    """What a download holds, for a lead to match: its indicators (id, name, rows) and its
    areas (code, name, type, the code of the area it is part of, rows). A message instead if
    it holds more than a lead could match on one page."""
    indicators: dict[str, list] = {}
    areas: dict[str, list] = {}
    for row in rows:
        source = row.get("indicator_id", "")
        if source:
            found = indicators.get(source)
            if found is None:
                found = indicators[source] = [source, row.get("indicator_name", "")[:255], 0]
            found[2] += 1
        code = row.get("area_code", "")
        if code:
            area = areas.get(code)
            if area is None:
                area = areas[code] = [
                    code,
                    row.get("area_name", "")[:100],
                    row.get("area_type", "")[:100],
                    row.get("parent_code", "")[:20],
                    0,
                ]
            area[4] += 1
    if len(indicators) > MOST_INDICATORS or len(areas) > MOST_AREAS:
        return (
            f"The file has {len(indicators):,} indicators and {len(areas):,} areas; the most we "
            f"match at once is {MOST_INDICATORS} indicators and {MOST_AREAS} areas. Download "
            "the indicators of this plan, for your area and those you compare with."
        )
    if any(len(source) > 20 for source in indicators) or any(len(code) > 20 for code in areas):
        return "The file's indicator ids and area codes should be at most 20 characters."
    return {"indicators": list(indicators.values()), "areas": list(areas.values())}


@dataclass(frozen=True)
class Matching:
    """A plan's saved matching, ready to read a download with."""

    area_code: str
    areas: dict[str, bool]  # compare with each area seen, or leave its rows out
    # The file's indicator id → (the plan's indicator code, confidence level), or None for
    # an indicator whose rows are left out.
    indicators: dict[str, tuple[str, str] | None]


def saved_mapping(plan) -> Matching | None:
    mapping = ImportMapping.objects.filter(plan=plan).first()
    if mapping is None:
        return None
    indicators = {
        mapped.source_id: (
            (mapped.indicator.code, mapped.confidence_level) if mapped.indicator else None
        )
        for mapped in mapping.indicators.select_related("indicator")
    }
    return Matching(mapping.area_code, dict(mapping.areas), indicators)


def covers(mapping: Matching | None, found: dict) -> bool:
    """Whether a saved matching says what to do with every indicator and area of a download,
    and "us" is among its areas."""
    if mapping is None:
        return False
    codes = {area[0] for area in found["areas"]}
    return (
        mapping.area_code in codes
        and all(area in mapping.areas for area in codes - {mapping.area_code})
        and all(source[0] in mapping.indicators for source in found["indicators"])
        and any(mapping.indicators.values())
    )


# What a profile's columns are called in our layout, for the problems found in its rows.
HEADINGS = {
    "indicator": "Indicator ID",
    "period": "Time period",
    "value": "Value",
    "lower": "Lower CI limit",
    "upper": "Upper CI limit",
    "confidence_level": "Lower CI limit",
    "count": "Count",
    "denominator": "Denominator",
    "value_note": "Value note",
    "breakdown": "Sex, Age or Category",
    "comparator": "Area Name",
    "area_code": "Area Code",
}
COLUMNS = frozenset(HEADINGS)
LEFT_OUT_INDICATORS = "rows of indicators not matched to the plan's"
LEFT_OUT_AREAS = "rows of areas not compared with"
LEFT_OUT_BREAKDOWNS = "other areas' rows for a sex, age or category"


def as_readings(rows, mapping: Matching, left_out: Counter) -> Iterator[tuple[int, dict]]:
    """The download's rows in our layout: each row's number and its cells by our columns
    (COLUMNS). Counts in ``left_out`` the rows left out, by why: indicators not matched, areas
    not compared with, and other areas' rows for one sex, age or category (a comparator has one
    value a period)."""
    main = _main_groups(rows)
    for row in rows:
        get = row.get
        source = get("indicator_id", "")
        mapped = mapping.indicators.get(source)
        if source and mapped is None:
            left_out[LEFT_OUT_INDICATORS] += 1
            continue
        code, level = mapped or ("", "95")
        area = get("area_code", "")
        ours = area == mapping.area_code
        if area and not ours and not mapping.areas.get(area):
            left_out[LEFT_OUT_AREAS] += 1
            continue
        breakdown = _breakdown(row, main.get(source))
        if not ours and breakdown:
            left_out[LEFT_OUT_BREAKDOWNS] += 1
            continue
        values = {"indicator": code}
        if not ours:
            values["comparator"] = get("area_name", "") or area
            values["area_code"] = area
        if breakdown:
            values["breakdown"] = breakdown
        for column, heading in (
            ("period", "time_period"),
            ("value", "value"),
            ("count", "count"),
            ("denominator", "denominator"),
            ("value_note", "value_note"),
        ):
            if text := get(heading):
                values[column] = text
        first, second = ("95.0", "99.8") if level == "95" else ("99.8", "95.0")
        for chosen in (first, second):
            lower, upper = get(f"lower_ci_{chosen}_limit"), get(f"upper_ci_{chosen}_limit")
            if lower or upper:
                values.update(lower=lower or "", upper=upper or "", confidence_level=chosen)
                break
        yield row.number, values


@dataclass
class _Main:
    """An indicator's own sex and age (its rows for everyone), and the categories whose names
    more than one kind of category uses."""

    sex: str | None
    age: str | None
    shared_categories: frozenset[str]


def _main_groups(rows) -> dict[str, _Main]:
    sexes: dict[str, set[str]] = defaultdict(set)
    ages: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        get = row.get
        source, sex, category = get("indicator_id", ""), get("sex", ""), get("category", "")
        sexes[source].add(sex)
        if category:
            kinds[(source, category)].add(get("category_type", ""))
        else:
            ages[(source, sex)][get("age", "")] += 1
    shared: dict[str, set[str]] = defaultdict(set)
    for (source, category), types in kinds.items():
        if len(types) > 1:
            shared[source].add(category)
    main = {}
    for source, found in sexes.items():
        # Persons; else the one sex an indicator is of (breastfeeding: women); else none, and
        # each sex is a breakdown.
        sex = ALL_PERSONS if ALL_PERSONS in found else (min(found) if len(found) == 1 else None)
        main[source] = _Main(sex, _main_age(ages.get((source, sex))), frozenset(shared[source]))
    return main


def _main_age(found: Counter[str] | None) -> str | None:
    """The ages an indicator is of: all ages; else those of most of its rows (18+ yrs, with
    18-24 yrs for some areas only); else none, and each age is a breakdown."""
    if not found:
        return None
    if ALL_AGES in found:
        return ALL_AGES
    (first, most), *rest = found.most_common(2)
    return first if not rest or rest[0][1] < most else None


def _breakdown(row, main: _Main | None) -> str:
    """The group a row is for, as a breakdown: "" for the indicator's own sex, age and no
    category; else "Male", "Female, 65+ yrs", "Most deprived decile (IMD2019)"."""
    get = row.get
    sex, age, category = get("sex", ""), get("age", ""), get("category", "")
    parts = []
    if main is None or (sex and sex != main.sex):
        parts.append(sex)
    if main is None or (age and age != main.age):
        parts.append(age)
    if category:
        if main is not None and category in main.shared_categories:
            # The kind of category, shortly: without its brackets, and cut to fit.
            kind = get("category_type", "").split(" (", 1)[0]
            room = BREAKDOWN_LENGTH - len(category) - 2 - sum(len(part) + 2 for part in parts)
            if len(kind) > room:
                kind = kind[: max(room - 1, 0)].rstrip() + "…"
            parts.append(f"{kind}: {category}")
        else:
            parts.append(category)
    return ", ".join(part for part in parts if part)


BREAKDOWN_LENGTH = 100  # Reading.breakdown's


@transaction.atomic
def mapping_save(*, plan, found: dict, area_code: str, compare_with: set[str], chosen, user):
    """Keep a lead's matching of a download for the plan: ``chosen`` maps each of the file's
    indicator ids to (the plan's indicator or None, confidence level). Ids the plan matched
    before and this file lacks are kept, so that another download of them needs no matching."""
    names = {area[0]: area[1] for area in found["areas"]}
    mapping, _ = ImportMapping.objects.update_or_create(
        plan=plan,
        defaults={
            "area_code": area_code,
            "area_name": names.get(area_code, "")[:100],
            "updated_by": user,
        },
    )
    areas = dict(mapping.areas)
    areas.update({code: code in compare_with for code in names if code != area_code})
    mapping.areas = areas
    mapping.save(update_fields=["areas"])
    sources = {source[0]: source[1] for source in found["indicators"]}
    for source, (indicator, level) in chosen.items():
        MappedIndicator.objects.update_or_create(
            mapping=mapping,
            source_id=source,
            defaults={
                "source_name": sources.get(source, "")[:255],
                "indicator": indicator,
                "confidence_level": level,
            },
        )
    return mapping
