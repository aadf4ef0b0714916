"""System checks for promises Django's own checks do not make."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register()
def no_wildcard_hosts(app_configs, **kwargs) -> list[Error]:
    if "*" in settings.ALLOWED_HOSTS:
        return [
            Error(
                "ALLOWED_HOSTS contains '*', which accepts requests for any host name.",
                hint="List the site's real host names in the ALLOWED_HOSTS variable.",
                id="improveplan.E001",
            )
        ]
    return []


@register()
def content_security_policy_is_strict(app_configs, **kwargs) -> list[Error]:
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives = policy.get("DIRECTIVES", {})
    problems = []
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE:
        problems.append("the CSP middleware is not installed")
    if not directives.get("default-src"):
        problems.append("CONTENT_SECURITY_POLICY has no default-src")
    for name in ("script-src", "style-src", "default-src"):
        if "'unsafe-inline'" in directives.get(name, []):
            problems.append(f"{name} allows 'unsafe-inline'")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append("frame-ancestors is not 'none'")
    return (
        [
            Error(
                f"The Content-Security-Policy is missing or weak: {'; '.join(problems)}.",
                id="improveplan.E002",
            )
        ]
        if problems
        else []
    )
