"""gunicorn's own settings for ImprovePlan (``gunicorn -c python:improveplan.gunicorn_config``):
with LOG_FORMAT=json its lines (starting, stopping, a worker timed out) are JSON like the
site's, so that every line a web host writes is one JSON object."""

from improveplan.env import env_choice

if env_choice("LOG_FORMAT", "TEXT", ["TEXT", "JSON"]) == "JSON":
    # Merged over gunicorn's defaults, whose handlers use the formatter named "generic".
    logconfig_dict = {
        "formatters": {"generic": {"()": "improveplan.logs.JsonFormatter"}},
    }
