"""How long one indicator chart takes to draw (target: under 50 ms).

Run from the project root: `.venv/bin/python bench/charts.py [--quick]`. Draws the chart of
60 monthly readings with margins, a target, a forecast band and two comparators, and the
dashboard's sparkline, many times each; no database is needed.
"""

from __future__ import annotations

import argparse
from datetime import date

from common import median_ms, p95_ms, record, timings

from outcomes import arithmetic, charts


def month_end(index: int) -> date:
    year, month = divmod(index, 12)
    following = date(2020 + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    runs = 30 if parser.parse_args().quick else 200

    readings = [
        arithmetic.Point(
            month_end(m), 20 - m * 0.08 + (m % 4) * 0.3, 19 - m * 0.08, 21.5 - m * 0.08
        )
        for m in range(60)
    ]
    comparators = [
        charts.Series("England", [arithmetic.Point(p.when, p.value - 1.5) for p in readings]),
        charts.Series("Similar areas", [arithmetic.Point(p.when, p.value + 0.8) for p in readings]),
    ]
    target = charts.TargetLine(month_end(0), 20.0, date(2028, 3, 31), 12.0)

    def draw(small: bool):
        return charts.indicator_chart(
            title="Adults who smoke",
            unit="%",
            readings=readings,
            direction=arithmetic.Direction.LOWER_IS_BETTER,
            target=target,
            comparators=comparators,
            small=small,
        )

    full = timings(lambda: draw(False), runs=runs)
    small = timings(lambda: draw(True), runs=runs)
    record(
        "charts",
        [
            {
                "what": "One chart (60 readings, margins, target, forecast band, 2 comparators): "
                "median",
                "value": median_ms(full),
                "unit": "ms",
                "target": 50,
            },
            {"what": "One chart: 95th percentile", "value": p95_ms(full), "unit": "ms"},
            {"what": "One dashboard sparkline: median", "value": median_ms(small), "unit": "ms"},
        ],
    )


if __name__ == "__main__":
    main()
