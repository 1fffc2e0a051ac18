"""The catalogue of finding codes: every code the source emits is in it, README.md's table of
codes lists exactly it, and the one findings frame groups and flattens as the documents need."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from anchorspend.errors import Finding
from anchorspend.findings import (
    CATALOGUE,
    FINDINGS_SCHEMA,
    code_columns,
    findings_frame,
    flatten,
    group,
    make,
    message,
    message_expr,
)

SRC = Path(__file__).resolve().parent.parent / "src" / "anchorspend"
README = SRC.parent.parent / "README.md"
KEBAB = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")


def _modules() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))}


def _constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level ``NAME = "text"`` across the source (a name given two texts is left out)."""
    seen: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        seen.setdefault(target.id, set()).add(node.value.value)
    return {name: next(iter(texts)) for name, texts in seen.items() if len(texts) == 1}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _code_positions(trees: dict[Path, ast.Module]) -> dict[str, int]:
    """Every function of the source that takes a ``code`` (the catalogue's ``make``,
    ``code_columns``, ``message``… and helpers that pass one on), with its position; and
    ``partial(f, ...)`` of one, under the name it is bound to."""
    out: dict[str, int] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
                if "code" in params:
                    out[node.name] = params.index("code")
    for tree in trees.values():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and _name(node.value.func) == "partial"
                and node.value.args
                and _name(node.value.args[0]) in out
                and len(node.value.args) == 1
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        out[target.id] = out[_name(node.value.args[0]) or ""]
    return out


def _emitted() -> Iterator[tuple[str, str]]:
    """(where, code) for every code the source gives as a literal (or a module constant): to
    a function taking a ``code``, to ``Finding``, as ``pl.lit(...).alias("code")``, bound to a
    name ``code``, or compared with a finding's ``.code``. Codes held in a table (a dict of
    codes a loop reads) are not followed: :func:`anchorspend.findings.make` refuses a code the
    catalogue lacks when the tests run that loop."""
    trees = _modules()
    constants = _constants(trees)
    takes = _code_positions(trees)

    def texts(node: ast.expr | None) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):  # a code chosen between two
            return texts(node.body) + texts(node.orelse)
        return [constants[node.id]] if isinstance(node, ast.Name) and node.id in constants else []

    for path, tree in trees.items():
        if path.name == "findings.py":
            continue
        where = str(path.relative_to(SRC))
        for node in ast.walk(tree):
            got: list[ast.expr | None] = []
            if isinstance(node, ast.Call):
                name = _name(node.func)
                at = 0 if name == "Finding" else takes.get(name or "")
                if at is not None:
                    got.append(node.args[at] if len(node.args) > at else None)
                    got += [k.value for k in node.keywords if k.arg == "code"]
                if (  # pl.lit("…").alias("code")
                    name == "alias"
                    and texts(node.args[0] if node.args else None) == ["code"]
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Call)
                    and _name(node.func.value.func) == "lit"
                ):
                    got += node.func.value.args[:1]
            elif isinstance(node, ast.Assign) and any(  # code = "…" (then given to make)
                isinstance(t, ast.Name) and t.id == "code" for t in node.targets
            ):
                got.append(node.value)
            elif (
                isinstance(node, ast.Compare)
                and isinstance(node.left, ast.Attribute)
                and node.left.attr == "code"
            ):
                for right in node.comparators:
                    got += right.elts if isinstance(right, ast.Tuple | ast.List) else [right]
            for code in (c for g in got for c in texts(g)):
                if KEBAB.match(code):
                    yield where, code


def test_the_scan_finds_codes_made_every_way() -> None:
    """The scan sees codes given to make, to a partial of it, to a helper that passes one on,
    by a module constant, and in a comparison: the test below cannot pass by seeing nothing."""
    found = {code for _, code in _emitted()}
    assert {
        "repeated-header",  # make(...) through partial(make, ...)
        "merged-cells",  # partial(make, ...) bound as `at`
        "amount-rounded",  # canonical's rows(cond, code, ...)
        "extra-cell",  # code_columns(...)
        "duplicate-in-another-file",  # make(DUPLICATE_RULE, ...)
        "organisation-from-folder",  # FOLDER_NOTE
        "duplicate-key",  # f.code == "duplicate-key"
        "organisation-from-filename",  # code = FOLDER_NOTE if … else "…"
        "sheet-not-read",
    } <= found


def test_every_code_the_source_emits_is_in_the_catalogue() -> None:
    missing = sorted({(where, code) for where, code in _emitted() if code not in CATALOGUE})
    assert missing == []


def test_every_catalogue_code_is_emitted_somewhere() -> None:
    """No entry outlives its code: each is written in the source outside the catalogue (some
    as a value in a table of codes, which the scan above does not follow)."""
    texts = {
        node.value
        for path, tree in _modules().items()
        if path.name != "findings.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert [code for code in CATALOGUE if code not in texts] == []


def test_no_finding_is_made_but_from_the_catalogue() -> None:
    """``Finding(...)`` is built only in ``findings`` (``store`` restores stored ones whole)."""
    built = []
    for path, tree in _modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "Finding":
                whole = len(node.keywords) == 1 and node.keywords[0].arg is None  # Finding(**n)
                if path.name != "findings.py" and not whole:
                    built.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert built == []


def _readme_table() -> list[tuple[str, tuple[str, ...]]]:
    """(code, severities) for each row of README.md's table of codes, under ``## Findings``."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Findings\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith("`"):
            rows.append((cells[0].strip("`"), tuple(s.strip() for s in cells[1].split(","))))
    return rows


def test_the_readme_lists_every_code_with_its_severities() -> None:
    table = _readme_table()
    assert [code for code, _ in table] == list(CATALOGUE)
    assert dict(table) == {code: e.severities for code, e in CATALOGUE.items()}


def test_a_finding_is_made_from_its_entry() -> None:
    made = make("repeated-header", path="a.csv", sheet="S", n=3)
    assert made == Finding(
        "repeated-header",
        "3 repeated header rows inside the data were skipped (they are not data rows)",
        "info",
        path="a.csv",
        sheet="S",
    )
    assert make("date-is-period", "used").severity == "info"
    assert make("date-is-period").severity == "error"
    # the template reads the coordinates too
    assert make("header-at-end", row=7).message.startswith("the header is row 7, below")
    with pytest.raises(KeyError):
        make("no-such-code")


def test_a_frame_made_by_expressions_says_what_make_says() -> None:
    frame = pl.DataFrame({"column": ["extra_1", "extra_2"]})
    got = frame.select(
        *code_columns("extra-cell"), message_expr("extra-cell", column=pl.col("column"))
    )
    assert got.rows() == [
        ("extra-cell", "warning", message("extra-cell", column=c)) for c in ("extra_1", "extra_2")
    ]


def _found() -> pl.DataFrame:
    rows = [
        make("type-error", path="a.csv", row=3, column="Amount", detail="not a number"),
        make("type-error", path="a.csv", row=5, column="Amount", detail="also not"),
        make("missing-value", path="a.csv", row=4, column="Date", detail="no date"),
        make("repeated-header", path="a.csv", n=2),
        make("type-error", path="b.csv", row=9, column="Amount", detail="not a number"),
    ]
    return findings_frame(rows)


def test_group_counts_per_file_code_and_column_in_the_order_first_found() -> None:
    assert group(_found()) == [
        {
            "path": "a.csv",
            "sheet": None,
            "code": "type-error",
            "column": "Amount",
            "severity": "error",
            "count": 2,
            "rows": [3, 5],
            "message": "not a number",
        },
        {
            "path": "a.csv",
            "sheet": None,
            "code": "missing-value",
            "column": "Date",
            "severity": "error",
            "count": 1,
            "rows": [4],
            "message": "no date",
        },
        {
            "path": "a.csv",
            "sheet": None,
            "code": "repeated-header",
            "column": None,
            "severity": "info",
            "count": 1,
            "rows": [],
            "message": "2 repeated header rows inside the data were skipped (they are not data "
            "rows)",
        },
        {
            "path": "b.csv",
            "sheet": None,
            "code": "type-error",
            "column": "Amount",
            "severity": "error",
            "count": 1,
            "rows": [9],
            "message": "not a number",
        },
    ]
    # check's terminal: per file, code and column, three example rows
    by_code = group(_found(), ("code",), examples=1)
    assert [(g["code"], g["count"], g["rows"]) for g in by_code] == [
        ("type-error", 3, [3]),
        ("missing-value", 1, [4]),
        ("repeated-header", 1, []),
    ]
    assert group(findings_frame([])) == []


def test_flatten_gives_back_the_findings_the_frame_was_made_of() -> None:
    found = _found()
    assert list(found.schema) == list(FINDINGS_SCHEMA)
    assert findings_frame(flatten(found)).equals(found)
    assert [(f.row, f.column, f.code) for f in flatten(found)][:2] == [
        (3, "Amount", "type-error"),
        (5, "Amount", "type-error"),
    ]
