"""How gunicorn serves ImprovePlan: read by `gunicorn improveplan.wsgi` when started in this
folder (or named with --config), and by the load benchmark (bench/load.py), so that what is
measured is what is deployed. Anything here can be overridden on gunicorn's command line.

Two sync workers a core and one more. bench/serving.py measures them against the same number
of workers with 4 threads each (gthread): with the pages kept in the cache, a request is a
few milliseconds of Python and little waiting, and threads were no faster on 2 cores
(docs/benchmarks.md); with PostgreSQL or Redis on another host, measure again.
"""

import os

workers = 2 * (os.cpu_count() or 1) + 1
worker_class = "sync"
# A request still running after this long is stopped and its worker replaced.
timeout = 30
