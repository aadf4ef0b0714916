#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improveplan.settings")
    # manage.py is the developer's tool, so it defaults to development mode. The web server
    # (improveplan.wsgi) and the Celery worker default to production mode, and refuse to start
    # without SECRET_KEY; operators set DEBUG=0 for manage.py in production too
    # (docs/admin/deployment.md).
    os.environ.setdefault("DEBUG", "1")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A bad setting is the operator's to fix: say which, without a traceback.
        sys.stderr.write(f"ImprovePlan cannot start: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
