"""The reports on the bundled examples are exactly the golden files in tests/golden/: a change to
any report shows up here as a diff to review, and ``make golden`` accepts it."""

from __future__ import annotations

import difflib

import pytest

from tests.golden.regenerate import GOLDEN, RUNS, render


@pytest.fixture(scope="module")
def current() -> dict[str, str]:
    return render()


def test_every_golden_file_is_rendered(current: dict[str, str]) -> None:
    kept = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.glob("*/*") if p.suffix != ".py"}
    assert sorted(current) == sorted(kept)
    assert {name.split("/")[0] for name in current} == set(RUNS)


@pytest.mark.parametrize(
    "name", [f"{command}/{report}" for command, (_, reports) in RUNS.items() for report in reports]
)
def test_report_matches_golden(current: dict[str, str], name: str) -> None:
    golden = (GOLDEN / name).read_text(encoding="utf-8")
    if current[name] != golden:
        diff = difflib.unified_diff(
            golden.splitlines(keepends=True),
            current[name].splitlines(keepends=True),
            f"tests/golden/{name}",
            f"{name} as rendered now",
        )
        pytest.fail(
            f"{name} differs from its golden file; if the change is meant, run `make golden` "
            "and review the diff before committing.\n" + "".join(diff),
            pytrace=False,
        )
