import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improveplan.settings")

application = get_wsgi_application()

# A dashboard builds tens of thousands of small objects, and Python's default collector
# thresholds then run full collections in the middle of requests: the 95th percentile of the
# benchmark dashboard was 200–290 ms against a median of 75 ms. Freezing what start-up loaded
# (also kinder to copy-on-write after gunicorn forks) and collecting the young generation
# less often brings the 95th percentile to within a few ms of the median (bench/dashboard.py).
gc.freeze()
gc.set_threshold(50_000, 20, 100)
