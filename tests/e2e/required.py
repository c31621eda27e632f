"""Python packages the end-to-end tests need."""

import importlib
import os

import pytest


def require_or_skip(module: str, install: str):
    """The module, or the test file skipped when it is not installed; once CI has installed
    the tools (KIYAKU_REQUIRE_TOOLS=1, as .ci/run sets it) a missing module is a failure, not
    a skip that passes."""
    if os.environ.get("KIYAKU_REQUIRE_TOOLS") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"{module} is not installed ({install})")
