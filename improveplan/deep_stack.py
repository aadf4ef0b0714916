"""Long, deep work called from one large frame, so that Python 3.11 does not map and unmap
memory at every turn of it.

Python 3.11 keeps its frames in chunks of 16 KiB: a call that does not fit in the current
chunk maps a new one from the kernel, and the chunk is unmapped as soon as that call returns
(CPython gh-142183, mended in 3.13 by keeping one spare chunk). Code that goes up and down
across such a border – a request through Django's middleware and templates, WeasyPrint laying
out a report – maps and unmaps a chunk each time: a thousand times in a test of the access
sweep, 17,600 times in a render of the large board report.

``on_a_deep_stack(function, ...)`` calls ``function`` from a frame of DEEP_SLOTS slots. Its
chunk is the next power of two that holds it with room to spare (1 MiB), and every frame of
the call fits in what is left, so the work maps one chunk and unmaps it once. Called again
further up (a request in a test, a render in a request), it is a plain call: the thread is on
a deep stack already. On Python 3.13 and later it is a plain call.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

DEEP_SLOTS = 64_600  # 8 bytes each: 517 kB of a 1 MiB chunk, and 520 kB left for the call

_SOURCE = (
    "def from_a_large_frame(function, /, *args, **kwargs):\n"
    "    __tracebackhide__ = True  # pytest leaves this frame out of a failure's trace\n"
    "    if function is None:  # never: the names below only make the frame that large\n"
    f"        {' = '.join(f'_{n}' for n in range(DEEP_SLOTS))} = None\n"
    "    return function(*args, **kwargs)\n"
)


def _made() -> Callable[..., Any]:
    if sys.version_info >= (3, 13):

        def on_a_deep_stack(function, /, *args, **kwargs):
            return function(*args, **kwargs)

        return on_a_deep_stack
    made: dict[str, Any] = {}
    exec(compile(_SOURCE, "<improveplan.deep_stack>", "exec"), made)  # noqa: S102 - ours, above
    from_a_large_frame = made["from_a_large_frame"]
    here = threading.local()

    def on_a_deep_stack(function, /, *args, **kwargs):
        __tracebackhide__ = True
        if getattr(here, "deep", False):
            return function(*args, **kwargs)
        here.deep = True
        try:
            return from_a_large_frame(function, *args, **kwargs)
        finally:
            here.deep = False

    return on_a_deep_stack


on_a_deep_stack = _made()
