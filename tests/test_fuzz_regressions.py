"""Replay every input the fuzzer (or a bug hunt) found: a clean result or an AnchorspendError,
never another exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.targets import TARGETS

REGRESSIONS = sorted((Path(__file__).parent / "fuzz_regressions").glob("*.bin"))


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_fuzz_regression(path: Path) -> None:
    TARGETS[path.name.split("-", 1)[0]](path.read_bytes())


def test_every_regression_names_a_target() -> None:
    assert REGRESSIONS
    assert {p.name.split("-", 1)[0] for p in REGRESSIONS} <= set(TARGETS)
