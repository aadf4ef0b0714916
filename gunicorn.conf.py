"""How gunicorn serves ImprovePlan: read by `gunicorn improveplan.wsgi` when started in this
folder (or named with --config), and by the load benchmark (bench/load.py), so that what is
measured is what is deployed. Anything here can be overridden on gunicorn's command line.

Workers: two a core and one more. Threads: a plan's page spends part of its time waiting for
PostgreSQL and the cache, and a worker's other threads use that time; bench/serving.py
measures these threads against gunicorn's plain sync workers (docs/benchmarks.md).
"""

import os

workers = 2 * (os.cpu_count() or 1) + 1
worker_class = "gthread"
threads = 4
# A request still running after this long is stopped and its worker replaced.
timeout = 30
