"""Fixtures the integration tests share."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def stack(mariadb, sandbox):
    """Fresh demo data (the tests' sizes) for the module; the sandbox reset before and after."""
    from include.sandbox import stack as local_stack
    from include.sandbox.demo_data import test_sizes

    sandbox.reset()
    local_stack.reset_data(mariadb, sizes=test_sizes())
    yield sandbox
    sandbox.reset()
