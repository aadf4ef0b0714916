"""Fixtures every app's tests share: a partnership with one member of each role,
an outsider who leads another partnership, and the real services we run; and what keeps the
worker processes of a parallel run (pytest-xdist) apart."""

from __future__ import annotations

import functools
import inspect
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from io import StringIO
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import settings as hypothesis_settings

from improveplan import collector
from improveplan.deep_stack import on_a_deep_stack
from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from improveplan.tests import emptying
from improveplan.tests.artifacts import forget_parts
from improveplan.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PlanFactory,
)
from improveplan.tests.kept_rows import KEPT, commits, kept_rows, order_by_kept_fixtures

# The hostile-input checks every app's tests call assert there: show what they compared.
pytest.register_assert_rewrite("improveplan.tests.hostile")

# Hypothesis examples have no deadline: the tests run beside others (a worker per core, and
# whatever else the machine runs), where an example may wait for a core; how long one takes
# is not what any of them checks.
hypothesis_settings.register_profile("improveplan", deadline=None)
hypothesis_settings.load_profile("improveplan")

STRICT_SERVICES = os.environ.get("STRICT_SERVICES") == "1"
REDIS_DATABASES = 16  # Redis's default: numbers 0 to 15


# Each test on a deep stack ----------------------------------------------------------------
# Python 3.11 maps and unmaps a chunk of its frame stack each time a call crosses a chunk's
# border (improveplan/deep_stack.py): a request through Django's middleware and templates
# does it a thousand times, two thirds of the access sweep's system time and a sixth of its
# run. Each test function is called from a frame large enough for all of it to fit above.


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    test = pyfuncitem.obj
    if inspect.iscoroutinefunction(test) or inspect.isasyncgenfunction(test):
        return (yield)

    @functools.wraps(test)
    def called_on_a_deep_stack(**arguments):
        __tracebackhide__ = True
        return on_a_deep_stack(test, **arguments)

    pyfuncitem.obj = called_on_a_deep_stack
    try:
        return (yield)
    finally:
        pyfuncitem.obj = test


# The collector as the site sets it ----------------------------------------------------------
# Each test process, once it has collected its tests (every module imported), freezes what it
# has and collects the young generation less often, as a web process does once started
# (improveplan/collector.py): with Python's defaults a process of 817 request-heavy tests spent
# 8.5 s of its 104 s in the collector, 29 full collections of 160 ms each.


def pytest_collection_finish(session) -> None:
    collector.settle()


# A parallel run ---------------------------------------------------------------------------
# Each worker process of pytest-xdist (gw0, gw1, ...) has a database of its own (pytest-django
# names it test_<name>_gw0, ...), free ports (the live server, the SMTP server and gunicorn each
# ask for one), and, set here, a Redis database of its own: the broker's number plus the
# worker's. Real Celery workers started by two test processes on one queue would take each
# other's tasks, and one process's purge would empty the other's queue.


def pytest_configure(config) -> None:
    emptying.install()  # after a test that commits (improveplan/tests/emptying.py)
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker:
        _use_redis_database_of_worker(int(worker.removeprefix("gw")))


def _use_redis_database_of_worker(index: int) -> None:
    from django.conf import settings

    from improveplan.celery import app

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + index
    if number >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"Worker {index} would use Redis database {number} ({url} plus {index}): Redis has "
            f"{REDIS_DATABASES} (0 to {REDIS_DATABASES - 1}). Run fewer workers (-n) or give "
            "CELERY_BROKER_URL a lower database number."
        )
    own = urlunsplit(parts._replace(path=f"/{number}"))
    settings.CELERY_BROKER_URL = own
    app.conf.broker_url = own
    os.environ["CELERY_BROKER_URL"] = own  # for the processes a test starts


BROWSER_TESTS = "improveplan/tests/browser/"
BROWSER_CRAWL = BROWSER_TESTS + "test_accessibility.py"
TESTS_PER_UNIT = 25  # at most, of one test function's parameters sent to a worker together


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's, called once a run
def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadgroup``, the tests go in units to whichever worker is free: the
    browser tests first, a unit for each file and for each role's crawl of the demo (each
    worker has its own browser), then the other long tests (``_long``), then each test
    function's parameters in units of up to TESTS_PER_UNIT, so that the rows they start from
    are built once for the unit (improveplan/tests/kept_rows.py) rather than once on each
    worker for every other test, the largest units first. (pytest-xdist's own groups, by the
    ``xdist_group`` mark, do nothing under pytest 9.2: it renames each test's node id, which
    pytest no longer reads.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class InUnits(LoadScopeScheduling):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.units: dict[str, str] = {}
            self.sent: Counter[str] = Counter()
            self.ordered = False

        def _split_scope(self, nodeid: str) -> str:
            unit = self.units.get(nodeid)
            if unit is None:
                if nodeid.startswith(BROWSER_CRAWL):
                    unit = nodeid  # each role's crawl is minutes long: alone
                elif nodeid.startswith(BROWSER_TESTS):
                    unit = nodeid.split("::", 1)[0]
                else:
                    function = nodeid.split("[", 1)[0]
                    unit = f"{function}#{self.sent[function] // TESTS_PER_UNIT}"
                    self.sent[function] += 1
                self.units[nodeid] = unit
            return unit

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:
                self.ordered = True
                cache = getattr(config, "cache", None)  # none under -p no:cacheprovider
                long = set(cache.get(LONG_TESTS, [])) if cache else set()
                units = _in_order(list(self.workqueue.items()), long)
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return InUnits(config, log)


def _in_order(units: list[tuple[str, dict]], long: set[str]) -> list[tuple[str, dict]]:
    """The browser tests' units first, a few tests of a minute or more each, each followed by
    its share of the other long tests, then the rest, each group in pytest-xdist's order (the
    units with the most tests first). Each unit is a name and its tests' node ids.

    Sent last, as units of one test, the long tests left one worker busy at the end of the run
    and the other idle. Sent together after the browser tests, they ran on both workers at
    once, and most of them wait on the workers, servers and browsers they start: both cores
    were a third to three quarters idle for half a minute. Between the browser tests, whose
    browser keeps both cores busy, a worker waits while the other works."""
    browser = [unit for unit in units if unit[0].startswith(BROWSER_TESTS)]
    others = [unit for unit in units if not unit[0].startswith(BROWSER_TESTS)]
    waiting = [unit for unit in others if not long.isdisjoint(unit[1])]
    rest = [unit for unit in others if long.isdisjoint(unit[1])]
    share = -(-len(waiting) // len(browser)) if browser else len(waiting)
    ordered = []
    for number, unit in enumerate(browser):
        ordered += [unit, *waiting[number * share : (number + 1) * share]]
    return ordered + waiting[len(browser) * share :] + rest


@pytest.hookimpl(trylast=True)  # after pytest-django has put the tests that commit last
def pytest_collection_modifyitems(config, items) -> None:
    order_by_kept_fixtures(items)
    if getattr(config, "workerinput", {}).get("workerid") == "gw0" and hasattr(config, "cache"):
        # For the scheduler, which sees node ids only; it reads them once every worker's
        # collection has come in.
        config.cache.set(LONG_TESTS, [item.nodeid for item in items if _long(item)])


LONG_TESTS = "improveplan/long-tests"  # in pytest's cache folder


def _long(item) -> bool:
    """Whether a test is one of those that take seconds rather than milliseconds: one that
    starts a service of its own (a browser, a Celery worker or beat, gunicorn, an SMTP
    server), or one that commits (most of these start a worker, or send from threads)."""
    return commits(item) or item.get_closest_marker("services") is not None


def pytest_sessionstart(session) -> None:
    if not hasattr(session.config, "workerinput"):  # once a run, before any worker starts
        forget_parts()


def service_missing(reason: str) -> None:
    """Skip a test whose service is absent, or fail it when CI says services must be there."""
    if STRICT_SERVICES:
        pytest.fail(f"STRICT_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class World:
    """Two partnerships. Everyone but the outsider belongs to the first."""

    partnership: Partnership
    council: Organisation
    housing: Organisation
    lead: User
    partner: User
    board: User
    plan: Plan
    other_partnership: Partnership
    other_organisation: Organisation
    outsider: User
    other_plan: Plan

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(user=user, partnership=self.partnership)


# Rows kept for many tests (improveplan/tests/kept_rows.py) ----------------------------------


@pytest.fixture
def _django_db_helper(_kept_rows, _django_db_helper):
    """pytest-django's, which gives each test its transaction, after the rows the test asks
    for are kept, rolled back or built (outside that transaction)."""
    return _django_db_helper


@pytest.fixture
def _kept_rows(request, _kept_rows_of_the_run, django_db_blocker, tmp_path_factory) -> None:
    with django_db_blocker.unblock():
        KEPT.prepare(request.node, lambda: tmp_path_factory.mktemp("kept-media"))


@pytest.fixture(scope="session")
def _kept_rows_of_the_run(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        KEPT.drop()


@kept_rows
def world() -> World:
    partnership = PartnershipFactory(name="Riverside Partnership")
    council = OrganisationFactory(partnership=partnership, name="Riverside Council")
    housing = OrganisationFactory(
        partnership=partnership, name="Riverside Housing", kind=Organisation.Kind.HOUSING
    )
    lead = MembershipFactory(organisation=council, role=Role.LEAD, user__full_name="Lena Lead").user
    partner = MembershipFactory(
        organisation=housing, role=Role.PARTNER, user__full_name="Pat Partner"
    ).user
    board = MembershipFactory(
        organisation=council, role=Role.BOARD, user__full_name="Bo Board"
    ).user
    other_partnership = PartnershipFactory(name="Hillside Partnership")
    other_organisation = OrganisationFactory(partnership=other_partnership, name="Hillside Council")
    outsider = MembershipFactory(
        organisation=other_organisation, role=Role.LEAD, user__full_name="Otto Outsider"
    ).user
    return World(
        partnership=partnership,
        council=council,
        housing=housing,
        lead=lead,
        partner=partner,
        board=board,
        plan=PlanFactory(partnership=partnership, title="Healthier Riverside"),
        other_partnership=other_partnership,
        other_organisation=other_organisation,
        outsider=outsider,
        other_plan=PlanFactory(partnership=other_partnership, title="Best Start in Hillside"),
    )


@kept_rows(copied=True)
def demo() -> str:
    """The demo, seeded as `make run` seeds it, from an empty database (some 7,000 queries,
    so kept, and copied for later builds: improveplan/tests/kept_rows.py); what the command
    printed."""
    from django.core.management import call_command
    from django.test import override_settings

    out = StringIO()
    with override_settings(DEBUG=True):  # the command runs only with DEBUG on
        call_command("seed_demo", stdout=out)
    return out.getvalue()


@kept_rows
def signed_in(world) -> dict:
    """The session cookie of each person of the world, signed in by the test client's
    `force_login` (a session, the sign-in's log, the time of the last sign-in: some ten
    queries), kept with the world's rows for the tests in a row."""
    from django.conf import settings
    from django.test import Client

    cookies = {}
    for user in (world.lead, world.partner, world.board, world.outsider):
        someone = Client()
        someone.force_login(user)
        cookies[user.pk] = someone.cookies[settings.SESSION_COOKIE_NAME]
    return cookies


def signed_in_client(client, user, signed_in: dict):
    """The test client with ``user``'s session cookie from ``signed_in``: as after
    ``client.force_login(user)``."""
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in[user.pk]
    return client


@pytest.fixture
def lead_client(client, world, signed_in):
    return signed_in_client(client, world.lead, signed_in)


@pytest.fixture
def partner_client(client, world, signed_in):
    return signed_in_client(client, world.partner, signed_in)


@pytest.fixture
def board_client(client, world, signed_in):
    return signed_in_client(client, world.board, signed_in)


@pytest.fixture
def outsider_client(client, world, signed_in):
    return signed_in_client(client, world.outsider, signed_in)


# Real services ----------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    """The Redis broker named by CELERY_BROKER_URL, if it answers."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url or not url.startswith("redis"):
        service_missing("CELERY_BROKER_URL does not name a Redis server")
    parts = urlsplit(url)
    if not port_open(parts.hostname, parts.port or 6379):
        service_missing(f"Redis does not answer at {parts.hostname}:{parts.port or 6379}")
    return url


@pytest.fixture
def postgresql(db) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("the tests are not running on PostgreSQL (set DATABASE_URL)")


class _Inbox:
    """Collects every message a real SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20) -> list:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return self.messages


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django's mail goes to it."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "improveplan.mail_backend.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches: kept rows (improveplan/tests/kept_rows.py) have the
    same ids from one test to the next, and what one test cached under them must not answer
    the next."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs a third of a second a user; the tests need none of its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run in the test's own process unless a test starts a real worker."""
    from improveplan.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files go to a folder of the test's own, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


# Object storage -------------------------------------------------------------------------------
# A real S3-compatible server (moto's standalone server) on a free local port, one for each test
# process, and a new bucket for each test that asks for one.

S3_REGION = "us-east-1"
S3_ACCESS_KEY = "test-access-key"
S3_SECRET_KEY = "test-secret-key"  # noqa: S105 - moto takes any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Server:
    endpoint_url: str

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
        )

    def new_bucket(self) -> str:
        name = f"improveplan-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def environment(self, bucket: str) -> dict[str, str]:
        """What a process started by a test needs to use the bucket, as production sets it."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_REGION": S3_REGION,
            "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        }


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server, started once for the test process."""
    port = free_port()
    log = tmp_path_factory.mktemp("s3") / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - our own Python, fixed arguments
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while not port_open("127.0.0.1", port):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            service_missing(f"the S3 server (moto) did not start: {log.read_text()[-1000:]}")
        time.sleep(0.1)
    yield S3Server(f"http://127.0.0.1:{port}")
    server.terminate()
    server.wait(timeout=10)


@dataclass
class Bucket:
    """The bucket a test's files go to, and a client to look inside it."""

    server: S3Server
    name: str

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.server.client().get_paginator("list_objects_v2")
        return sorted(
            entry["Key"]
            for page in pages.paginate(Bucket=self.name, Prefix=prefix)
            for entry in page.get("Contents", [])
        )

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_storage(settings, s3_server) -> Bucket:
    """Uploaded files and kept reports go to a new bucket on the S3 server, configured as
    S3_BUCKET and the other S3_* variables configure it."""
    from improveplan.env import s3_storage as storage_on

    bucket = Bucket(s3_server, s3_server.new_bucket())
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_on(
            bucket=bucket.name,
            endpoint_url=s3_server.endpoint_url,
            region=S3_REGION,
            access_key=S3_ACCESS_KEY,
            secret_key=S3_SECRET_KEY,
        ),
    }
    return bucket


@pytest.fixture(params=["disk", "s3"])
def storage(request, settings) -> Bucket | None:
    """Each test that asks for it runs twice: files on the local disk (None), then in a bucket."""
    if request.param == "s3":
        return request.getfixturevalue("s3_storage")
    return None
