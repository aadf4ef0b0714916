"""Files the tests leave in test-artifacts/ for people to read (CI keeps the folder).

`make test` runs the tests in several processes (pytest-xdist), each of which knows only what
it ran itself. So each process keeps its share as a part of its own, in test-artifacts/parts/,
and remakes the file from every part present, under a lock: whichever process writes last
writes the whole run's file. A run starts without the parts of an earlier one
(`forget_parts`, called by the root conftest before any test runs). A thing to be done once
in the whole run, by whichever process comes to it first, is claimed there (`first_to_claim`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PARTS = ARTIFACTS / "parts"


def forget_parts() -> None:
    shutil.rmtree(PARTS, ignore_errors=True)


def write_from_every_process(path: Path, mine, text_of: Callable[[list], str]) -> None:
    """Keep ``mine`` (anything JSON can hold) as this process's part of ``path``, and write
    ``path`` as ``text_of`` the parts of every process so far."""
    PARTS.mkdir(parents=True, exist_ok=True)
    process = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (PARTS / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        (PARTS / f"{path.name}.{process}.json").write_text(json.dumps(mine))
        parts = [json.loads(part.read_text()) for part in sorted(PARTS.glob(f"{path.name}.*.json"))]
        path.write_text(text_of(parts))


def first_to_claim(name: str) -> bool:
    """Whether this process is the first of the run to claim ``name`` (a file name)."""
    claims = PARTS / "claimed"
    claims.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(claims / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True
