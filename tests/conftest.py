"""Pytest fixtures and the Hypothesis profiles. Shared helpers and paths live in
``tests/helpers.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import PUBLIC


@pytest.fixture
def public() -> Path:
    if not PUBLIC.is_dir():
        pytest.skip(f"public data not found at {PUBLIC} (CI has it beside the repo)")
    return PUBLIC


# Hypothesis profiles: "ci" (the default, used by `make test`) keeps property tests to bounded
# examples; "fuzz" (HYPOTHESIS_PROFILE=fuzz, used by `make fuzz`) runs many more.
settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
