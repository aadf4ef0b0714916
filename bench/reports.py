"""How long does a large quarterly board report take to render, and how much memory?

Run from the project root: `.venv/bin/python bench/reports.py [--quick]`, with DATABASE_URL
set to the database to measure (make bench uses PostgreSQL). It builds a scratch plan with
10 outcomes, 20 indicators (20 charts) and 300 actions, each with an update, and measures:
WeasyPrint's render of the board report (median of a few runs), its peak memory (the render
alone, in a child process), serving the kept copy a second time, and headless Chromium
printing the same HTML, for the ratio (each WeasyPrint run followed by a Chromium run). It
renders the same plan's delivery plan and public summary (time and peak memory), and each of
the three reports again with every long text a report prints at its maximum length (issue
25). It then times how table length and the chart format change WeasyPrint's time. It
deletes what it made, also when it fails.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from common import ROOT, delete_scratch, median_ms, record, setup_django, timings

setup_django()

from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from actions.models import Action, Option, Update
from improveplan.celery import app
from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from outcomes.models import Evidence, Indicator, Outcome, Reading, Risk, Target
from reports import reports, stored
from reports.templatetags.reports import svg_data_uri

OUTCOMES = 10
INDICATORS = 2  # an outcome: 20 charts
ACTIONS = 300
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TODAY = date(2026, 8, 14)
NOTE = "Two of the three venues are booked and the advisers start next month, as planned."


def scratch_plan(tag: str) -> Plan:
    randomly = random.Random(tag)
    with transaction.atomic():
        partnership = Partnership.objects.create(name=f"Benchmark {tag}")
        organisations = Organisation.objects.bulk_create(
            Organisation(partnership=partnership, name=f"Bench Organisation {n}") for n in range(6)
        )
        user = User.objects.create_user(f"bench-{tag}@example.invalid", full_name="Bench Board")
        Membership.objects.create(
            user=user, partnership=partnership, organisation=organisations[0], role=Role.BOARD
        )
        plan = Plan.objects.create(
            partnership=partnership,
            title="Benchmark plan",
            period_start=date(2026, 4, 1),
            period_end=date(2029, 3, 31),
            last_action_number=ACTIONS,
        )
        outcomes = Outcome.objects.bulk_create(
            Outcome(plan=plan, statement=f"Benchmark outcome {n}", priority=n + 1)
            for n in range(OUTCOMES)
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(
                plan=plan,
                outcome=outcome,
                code=f"B-{outcome.priority:02d}{n}",
                name=f"Indicator {n} of {outcome}",
                owner=organisations[n],
            )
            for outcome in outcomes
            for n in range(INDICATORS)
        )
        Reading.objects.bulk_create(
            Reading(
                indicator=indicator,
                period=date(2016 + year, 3, 31),
                value=Decimal(30 - year * 0.8 + randomly.uniform(-1, 1)).quantize(Decimal("0.1")),
                lower=Decimal(28 - year * 0.8),
                upper=Decimal(32 - year * 0.8),
            )
            for indicator in indicators
            for year in range(10)
        )
        Target.objects.bulk_create(
            Target(
                indicator=indicator,
                baseline_value=Decimal(22),
                baseline_date=date(2024, 3, 31),
                target_value=Decimal(18),
                target_date=date(2029, 3, 31),
            )
            for indicator in indicators
        )
        Risk.objects.bulk_create(
            Risk(
                plan_id=outcome.plan_id,
                outcome=outcome,
                description=f"Risk {n}",
                likelihood=3,
                impact=n + 2,
            )
            for outcome in outcomes
            for n in range(2)
        )
        statuses = list(Action.Status)
        actions = Action.objects.bulk_create(
            Action(
                plan=plan,
                number=number,
                reference=f"A-{number:03d}",
                title=f"Benchmark action {number}: reach the households most at risk",
                lead_organisation=organisations[number % 6],
                owner=user,
                start=date(2026, 4, 1),
                due=date(2026, 4, 1) + timedelta(days=number * 3),
                status=statuses[number % len(statuses)],
            )
            for number in range(1, ACTIONS + 1)
        )
        Action.outcomes.through.objects.bulk_create(
            Action.outcomes.through(action=action, outcome=outcomes[action.number % OUTCOMES])
            for action in actions
        )
        Update.objects.bulk_create(
            Update(action=action, author=user, status=action.status, progress=50, note=NOTE)
            for action in actions
        )
    return plan


def clean_up(tag: str) -> None:
    delete_scratch(
        Partnership.objects.filter(name=f"Benchmark {tag}"),
        User.objects.filter(email=f"bench-{tag}@example.invalid"),
    )


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def weasyprint_seconds(html: str, runs: int) -> list[float]:
    return timings(lambda: reports.html_to_pdf(html), runs=runs, warmup=0)


def peak_memory_mb(html_file: Path) -> float:
    """The render alone, in a child process, as the product renders (reports.html_to_pdf,
    with its collector settings): the child's peak resident memory, Django included. The
    child reads its own (VmHWM): the rusage figures count the memory of this process too,
    which the child held from the fork until it began the render."""
    code = (
        "import sys, django; django.setup(); from reports import reports; "
        "reports.html_to_pdf(open(sys.argv[1]).read()); "
        "print(next(line.split()[1] for line in open('/proc/self/status') "
        "if line.startswith('VmHWM')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code, str(html_file)],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return int(found.stdout.split()[-1]) / 1024


def at_their_longest(plan: Plan) -> None:
    """One of each long text that a report prints written to its field's maximum length: the
    plan's vision, an outcome's why it matters, who and where, an action's title, outputs,
    outcomes, success measure, monitoring and staff time, its latest update's note, a risk,
    a piece of evidence and a favoured option with its reason and pilot's evaluation."""

    def longest(model, name: str) -> str:
        size = model._meta.get_field(name).max_length
        return ("Every word of this text was written by a partner, " * (size // 40 + 1))[:size]

    def fill(row, *names: str) -> None:
        for name in names:
            setattr(row, name, longest(type(row), name))
        row.save(update_fields=names)

    fill(plan, "vision")
    outcome = plan.outcomes.order_by("priority").first()
    fill(outcome, "why_it_matters", "target_groups", "places")
    action = Action.objects.filter(plan=plan, outcomes=outcome).order_by("number").first()
    fill(
        action,
        "title",
        "expected_outputs",
        "expected_outcomes",
        "success_measure",
        "monitoring",
        "staff_time",
    )
    fill(Update.objects.filter(action=action).first(), "note")
    fill(Risk.objects.filter(outcome=outcome).first(), "description", "mitigation", "owner")
    Evidence.objects.create(
        outcome=outcome,
        kind="need",
        summary=longest(Evidence, "summary"),
        detail=longest(Evidence, "detail"),
    )
    option = Option(outcome=outcome, decision=Option.Decision.FAVOURED, is_pilot=True)
    for name in ["title", "description", "decision_reason", "pilot_evaluation"]:
        setattr(option, name, longest(Option, name))
    option.save()


def render_seconds(plan: Plan, kind: str, runs: int) -> tuple[list[float], float, str]:
    """The whole render of one report, as the product does it (its HTML, then its PDF): the
    seconds of each run, the processor time of one (less moved by load), and the HTML."""
    html = reports.report_html(plan, kind=kind, year=2026, quarter=3, today=TODAY)
    before = time.process_time()
    seconds = timings(
        lambda: reports.render_report(plan, kind=kind, year=2026, quarter=3, today=TODAY),
        runs=runs,
        warmup=0,
    )
    return seconds, (time.process_time() - before) / runs, html


def side_by_side(html: str, html_file: Path, runs: int) -> tuple[list[float], list[float], float]:
    """WeasyPrint's render and Chromium's print of the same HTML, in turn, run by run (one
    Chromium profile for all, as one run after another had): this machine's speed moves by a
    fifth within the hour, and taken in turn both move alike, so their ratio less. The seconds
    of each, and WeasyPrint's processor time a run."""
    weasy, chromium, cpu = [], [], 0.0
    with tempfile.TemporaryDirectory() as profile:
        for _ in range(runs):
            before = time.process_time()
            weasy += weasyprint_seconds(html, 1)
            cpu += time.process_time() - before
            started = time.perf_counter()
            chromium_print(html_file, profile)
            chromium.append(time.perf_counter() - started)
    return weasy, chromium, cpu / runs


def chromium_print(html_file: Path, profile: str) -> None:
    """Headless Chromium, a new process, printing the HTML file to PDF beside it."""
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={html_file.with_suffix('.chromium.pdf')}",
            html_file.as_uri(),
        ],
        check=True,
        capture_output=True,
    )


def chromium_warm_seconds(html_file: Path, runs: int) -> tuple[list[float], int]:
    """The same HTML printed by a Chromium already running, as WeasyPrint renders in a process
    that has already imported it: a new page for each run, the first not timed. Its own page
    size (A4 from @page) and a tagged PDF, as WeasyPrint writes. And the PDF's page count."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu"])
        try:

            def once() -> bytes:
                page = browser.new_page()
                try:
                    page.goto(html_file.as_uri())
                    return page.pdf(prefer_css_page_size=True, tagged=True)
                finally:
                    page.close()

            pages = page_count(once())
            return timings(once, runs=runs, warmup=0), pages
        finally:
            browser.close()


def variants(html: str, svgs: list[str], work: Path) -> dict[str, str]:
    """Documents that differ in one thing: table length, or how the charts are embedded."""
    head, _, _ = html.partition("<body")
    row = (
        "<tr><th scope='row'>A-{n:03d}</th><td>Benchmark action {n}</td><td>Organisation</td>"
        "<td>1 Apr 2027</td><td>On track</td><td>" + NOTE + "</td></tr>"
    )
    thead = "<thead><tr>" + "<th scope='col'>c</th>" * 6 + "</tr></thead>"
    rows = [row.format(n=n) for n in range(ACTIONS)]

    def tables(size: int, layout: str = "auto") -> str:
        parts = [
            f"<table class='data {layout}'>{thead}<tbody>{''.join(rows[i : i + size])}</tbody>"
            "</table>"
            for i in range(0, ACTIONS, size)
        ]
        style = "<style>table.fixed { table-layout: fixed; }</style>"
        fixed = head.replace("</head>", f"{style}</head>")
        return f"{fixed}<body>{''.join(parts)}</body></html>"

    # (Charts as <img> of SVG files are no longer measured: a report may load no file but its
    # own stylesheet, fonts and images, reports.may_fetch.)
    def charts(embed) -> str:
        figures = "".join(
            f"<figure class='chart'>{embed(number, svg)}</figure>"
            for number, svg in enumerate(svgs)
        )
        return f"{head}<body>{figures}</body></html>"

    def restyled(css: str) -> str:
        return html.replace("</head>", f"<style>{css}</style></head>")

    return {
        # The whole report as rendered, with one choice of docs/reports.md undone.
        "the report with its chart pairs as CSS columns": restyled(
            ".pair { columns: 2; column-gap: 6mm; } .pair > * { float: none; width: auto; }"
        ),
        "the report with its chart pairs as inline blocks": restyled(
            ".pair > * { float: none; display: inline-block; vertical-align: top; width: 48%; }"
        ),
        "the report set in DejaVu Sans": restyled('html { font-family: "DejaVu Sans"; }'),
        f"{ACTIONS} rows as one table": tables(ACTIONS),
        f"{ACTIONS} rows as one table, table-layout: fixed": tables(ACTIONS, "fixed"),
        f"{ACTIONS} rows as 10 tables": tables(ACTIONS // 10),
        f"{ACTIONS} rows as 30 tables": tables(ACTIONS // 30),
        "20 charts as inline SVG": charts(lambda number, svg: svg),
        "20 charts as <img> of data: URIs (as the reports do)": charts(
            lambda number, svg: f"<img alt='chart' src='{svg_data_uri(svg)}'>"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each, for development")
    quick = parser.parse_args().quick
    runs = 1 if quick else 3
    app.conf.task_always_eager = True  # the kept copy is rendered in the request here
    tag = uuid.uuid4().hex[:8]
    figures = []
    with tempfile.TemporaryDirectory() as folder, override_settings(MEDIA_ROOT=folder):
        work = Path(folder)
        (work / "static").symlink_to(ROOT / "static")  # the HTML links static/reports/print.css
        try:
            plan = scratch_plan(tag)
            started = time.perf_counter()
            html = reports.report_html(plan, kind="board", year=2026, quarter=3, today=TODAY)
            html_ms = (time.perf_counter() - started) * 1000
            html_file = work / "board.html"
            html_file.write_text(html)
            pdf = reports.html_to_pdf(html)
            pages = page_count(pdf)
            charts = html.count('<figure class="chart">')
            svgs = [
                report.chart.svg
                for report in reports.board_report_context(plan, year=2026, quarter=3, today=TODAY)[
                    "reports"
                ]
            ]
            rows = html.count("<tr>")
            print(f"{pages} pages, {charts} charts, {rows} table rows, HTML in {html_ms:.0f} ms")

            memory = peak_memory_mb(html_file)
            weasy, chromium, cpu_s = side_by_side(html, html_file, runs)
            warm, warm_pages = chromium_warm_seconds(html_file, runs)

            client = Client()
            client.force_login(User.objects.get(email=f"bench-{tag}@example.invalid"))
            url = reverse("reports:board_report", args=[plan.pk]) + "?quarter=2026-Q3"

            def download() -> None:
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                b"".join(response.streaming_content)

            download()  # renders and keeps it
            served = timings(download, runs=5 if quick else 20, warmup=1)
            fingerprinted = timings(
                lambda: stored.fingerprint(plan, kind="board", year=2026, quarter=3, today=TODAY),
                runs=5 if quick else 20,
            )

            # The other two reports of the same plan.
            others = {}
            for kind in ["plan", "public"]:
                seconds, cpu, other_html = render_seconds(plan, kind, runs)
                other_file = work / f"{kind}.html"
                other_file.write_text(other_html)
                others[kind] = (
                    seconds,
                    cpu,
                    peak_memory_mb(other_file),
                    page_count(reports.html_to_pdf(other_html)),
                )
                print(f"{kind}: {statistics.median(seconds):.2f} s, {others[kind][2]:.0f} MB")
            # And each again with every long text at its maximum length.
            at_their_longest(plan)
            longest = {kind: render_seconds(plan, kind, 1)[:2] for kind in reports.KINDS}
            print(f"long texts at their maximum: {longest}")
        finally:
            clean_up(tag)

        weasy_s, chromium_s = statistics.median(weasy), statistics.median(chromium)
        warm_s = statistics.median(warm)
        print(
            f"WeasyPrint {weasy_s:.2f} s, Chromium {chromium_s:.2f} s ({warm_s:.2f} s running, "
            f"{warm_pages} pages), peak {memory:.0f} MB"
        )
        # The what of each target is as bench/run.py's TARGETS names it.
        figures += [
            {
                "what": f"Board report PDF, ~30 pages, {charts} charts, {ACTIONS} action rows",
                "value": weasy_s,
                "unit": "s",
                "target": 5,
                "noise": max(weasy) - min(weasy),
            },
            {"what": "Board report PDF: pages", "value": pages, "unit": "pages"},
            {
                "what": "Board report PDF: processor time of the render (less moved by load)",
                "value": cpu_s,
                "unit": "s",
            },
            {
                "what": "Board report PDF: peak memory",
                "value": memory,
                "unit": "MB",
                "target": 300,
            },
            {
                "what": "Board report, unchanged, served again",
                "value": median_ms(served),
                "unit": "ms",
                "target": 50,
                "noise": (max(served) - min(served)) * 1000,
            },
            {
                "what": "Board report: fingerprint of the plan's data (one PostgreSQL query)",
                "value": median_ms(fingerprinted),
                "unit": "ms",
            },
            {
                "what": "Board report: the same HTML printed by headless Chromium (process start "
                "included)",
                "value": chromium_s,
                "unit": "s",
                "noise": max(chromium) - min(chromium),
            },
            {
                "what": "Board report: the same HTML printed by headless Chromium already running "
                f"(a new page each time; {warm_pages} pages)",
                "value": warm_s,
                "unit": "s",
                "noise": max(warm) - min(warm),
            },
            {
                "what": "Board report: WeasyPrint ÷ headless Chromium",
                "issue": 25,
                "value": weasy_s / chromium_s,
                "unit": "×",
                "target": 2,
            },
            {
                "what": "Board report: WeasyPrint ÷ headless Chromium already running (both warm)",
                "issue": 25,
                "value": weasy_s / warm_s,
                "unit": "×",
            },
        ]
        plan_s, plan_cpu, plan_mb, plan_pages = others["plan"]
        public_s, public_cpu, _, public_pages = others["public"]
        slowest = max(longest, key=lambda kind: longest[kind][0][0])
        figures += [
            {
                "what": f"Delivery plan PDF, {ACTIONS} actions ({plan_pages} pages)",
                "issue": 25,
                "value": statistics.median(plan_s),
                "unit": "s",
                "target": 5,
                "noise": max(plan_s) - min(plan_s),
            },
            {
                "what": "Delivery plan PDF: processor time of the render (less moved by load)",
                "issue": 25,
                "value": plan_cpu,
                "unit": "s",
            },
            {
                "what": "Delivery plan PDF: peak memory",
                "issue": 25,
                "value": plan_mb,
                "unit": "MB",
                "target": 300,
            },
            {
                "what": f"Public summary PDF, {ACTIONS} actions ({public_pages} pages)",
                "issue": 25,
                "value": statistics.median(public_s),
                "unit": "s",
                "target": 3,
                "noise": max(public_s) - min(public_s),
            },
            {
                "what": "Public summary PDF: processor time of the render",
                "issue": 25,
                "value": public_cpu,
                "unit": "s",
            },
            {
                "issue": 25,
                "what": "Slowest report with every long text at its maximum length "
                f"({reports.KINDS[slowest].name.lower()})",
                "value": longest[slowest][0][0],
                "unit": "s",
                "target": 15,
            },
            {
                "issue": 25,
                "what": "Slowest report with every long text at its maximum length: processor time",
                "value": longest[slowest][1],
                "unit": "s",
            },
        ]
        for what, document in variants(html, svgs, work).items():
            seconds = statistics.median(weasyprint_seconds(document, runs))
            print(f"{what}: {seconds:.2f} s")
            figures.append({"what": f"WeasyPrint, {what}", "value": seconds, "unit": "s"})
    record("reports", figures)


if __name__ == "__main__":
    main()
