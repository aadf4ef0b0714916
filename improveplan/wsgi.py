import os

from django.core.wsgi import get_wsgi_application

from improveplan import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improveplan.settings")

application = get_wsgi_application()

# The collector set for a long-running process (improveplan/collector.py).
collector.settle()
