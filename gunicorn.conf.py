"""How gunicorn serves ImprovePlan: read by `gunicorn improveplan.wsgi` when started in this
folder (or named with --config), by the multi-host test and by the load benchmark
(bench/load.py), so that what is measured and tested is what is deployed. Anything here can be
overridden on gunicorn's command line.

Two sync workers a core and one more. bench/serving.py measures them against the same number
of workers with 4 threads each (gthread): with the pages kept in the cache, a request is a
few milliseconds of Python and little waiting, and threads were no faster on 2 cores
(docs/benchmarks.md); with PostgreSQL or Redis on another host, measure again.
"""

import os

from improveplan.env import env_choice

workers = 2 * (os.cpu_count() or 1) + 1
worker_class = "sync"
# A request still running after this long is stopped and its worker replaced.
timeout = 30

# With LOG_FORMAT=json gunicorn's own lines (starting, stopping, a worker timed out) are JSON
# like the site's, so every line a web host writes is one JSON object. Merged over gunicorn's
# defaults, whose handlers use the formatter named "generic".
if env_choice("LOG_FORMAT", "TEXT", ["TEXT", "JSON"]) == "JSON":
    logconfig_dict = {
        "formatters": {"generic": {"()": "improveplan.logs.JsonFormatter"}},
    }
