from __future__ import annotations

from improveplan.tests.test_access_sweep import sweep_world  # noqa: F401 (peer challenge tests)
