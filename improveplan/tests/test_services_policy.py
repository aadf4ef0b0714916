"""The rule for tests that need a service: skip when it is absent, fail under STRICT_SERVICES."""

from __future__ import annotations

import pytest

import conftest


def test_an_absent_service_skips_the_test(monkeypatch):
    monkeypatch.setattr(conftest, "STRICT_SERVICES", False)
    with pytest.raises(pytest.skip.Exception, match="Redis does not answer"):
        conftest.service_missing("Redis does not answer")


def test_an_absent_service_fails_the_test_when_services_are_required(monkeypatch):
    monkeypatch.setattr(conftest, "STRICT_SERVICES", True)
    with pytest.raises(pytest.fail.Exception, match="STRICT_SERVICES=1 but Redis does not answer"):
        conftest.service_missing("Redis does not answer")
