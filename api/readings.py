"""Readings written through the API go through the import's own checks: one narrow call into
outcomes.readings_io, so that the API accepts exactly what a file would."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from outcomes import readings_io


def import_items(*, plan, items: Sequence[Mapping[str, object]], user, membership):
    """Check every item as a row of an import, then save all or none (readings_io's
    ``import_readings``). Each item's ``row`` in an error is its place in the list, from 1."""
    rows = [
        readings_io.Row(
            number,
            {name: "" if value is None else str(value) for name, value in item.items()},
        )
        for number, item in enumerate(items, start=1)
    ]
    return readings_io.import_readings(plan=plan, rows=rows, user=user, membership=membership)
