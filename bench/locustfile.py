"""The people bench/load.py sends at gunicorn, run by locust in a second process.

MemberUser signs in through the real sign-in form (fetching the page for its CSRF token, then
posting email and password as a browser does) as a different member each, opens its four pages
once (the pages are then kept, as they are once anyone has looked since the plan last
changed), then opens its plan's dashboard, an outcome page, the action plan table and My
actions, one after another with no pause. HelloUser asks for the hello-world view. Timing
starts once every user is ready (signed in, pages opened once), lasts BENCH_SECONDS, and every
request that ends in that window is written to BENCH_LOAD_OUT as [name, ended (s), took (ms),
ok] for bench/load.py to summarise.
"""

from __future__ import annotations

import json
import os
import re
import time
from itertools import count
from pathlib import Path

import gevent
from locust import HttpUser, constant, events, task

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
USERS = int(os.environ.get("BENCH_USERS", "25"))
OUT = Path(os.environ.get("BENCH_LOAD_OUT", "/dev/null"))
MEMBERS = json.loads(Path(os.environ["BENCH_MEMBERS"]).read_text())
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')

window = {"from": None, "until": None, "began": time.time()}
samples: list[list] = []
ready = count(1)
seats = count()


@events.request.add_listener
def measured(name, response_time, exception, **kwargs) -> None:
    """Every request that ends inside the window counts: completions per second is the
    throughput, whatever the length of the requests."""
    ended = time.time()
    if window["from"] is not None and window["from"] <= ended <= window["until"]:
        samples.append([name, ended, response_time, exception is None])


def one_more_ready(environment) -> None:
    """When the last user is ready, open the measuring window and close it SECONDS later."""
    if next(ready) < USERS:
        return
    window["from"] = time.time()
    window["until"] = window["from"] + SECONDS

    def stop() -> None:
        gevent.sleep(SECONDS + 0.5)
        ready_after = window["from"] - window["began"]
        OUT.write_text(
            json.dumps(
                {
                    "from": window["from"],
                    "window": SECONDS,
                    "ready_after": ready_after,
                    "samples": samples,
                }
            )
        )
        environment.runner.quit()

    gevent.spawn(stop)


class HelloUser(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        one_more_ready(self.environment)

    @task
    def hello(self) -> None:
        self.client.get("/bench/hello/", name="hello")


class MemberUser(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.member = MEMBERS[next(seats) % len(MEMBERS)]
        page = self.client.get("/account/sign-in/", name="sign-in form")
        token = TOKEN.search(page.content)
        with self.client.post(
            "/account/sign-in/",
            data={
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
                "username": self.member["email"],
                "password": self.member["password"],
            },
            headers={"Referer": page.url},
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}, not a redirect")
        self.browse()  # before the window: the first look at each page computes it
        one_more_ready(self.environment)

    def page(self, url: str, name: str) -> None:
        # A redirect would mean the session was lost: a failure, not a fast page.
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as got:
            if got.status_code != 200:
                got.failure(f"{name} answered {got.status_code}")

    @task
    def browse(self) -> None:
        self.page(self.member["dashboard"], "dashboard")
        self.page(self.member["outcome"], "outcome page")
        self.page(self.member["action_plan"], "action plan")
        self.page("/my-actions/", "My actions")
