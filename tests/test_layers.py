"""The import graph follows the data: read → spend → classify → locate → measure → document →
report → cli. A module may import its own stage or an earlier one, never a later one (a lazy
import inside a function counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "anchorspend"

# stage → the modules in it (a package name covers its modules, unless listed elsewhere)
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("__init__", "errors", "schemas", "config", "normalise", "console", "files")),
    ("read", ("ingest",)),
    ("spend", ("spend",)),
    ("classify", ("classify", "payees", "suppliers")),
    ("locate", ("geo", "areas")),
    ("measure", ("measures", "payments")),
    (
        "document",
        (
            "views",
            "glance",
            "pipeline",
            "store",
            "check",
            "compare",
            "suppliers.match",
            "payments_doc",
        ),
    ),
    ("report", ("report", "report_md", "outputs")),
    ("cli", ("cli", "__main__")),
]


def stage_of(module: str) -> int:
    """The stage of ``module`` (dotted, without ``anchorspend.``): the longest listed prefix."""
    best, rank = -1, -1
    for i, (_, names) in enumerate(STAGES):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, rank = len(name), i
    return rank


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        out[".".join(parts)] = path
    return out


def imports(path: Path, module: str) -> set[str]:
    """The anchorspend modules ``path`` imports (``from anchorspend.x import y`` counts as x,
    or as x.y where that is a module)."""
    known = modules()
    found: set[str] = set()
    package = module.rsplit(".", 1)[0] if "." in module else ""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                base = ".".join(filter(None, ["anchorspend", package, base]))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}"[12:] in known else base
                     for a in node.names]  # fmt: skip
        else:
            continue
        found |= {n[len("anchorspend.") :] for n in names if n.startswith("anchorspend.")}
    return found


def test_every_module_has_a_stage() -> None:
    assert [m for m in modules() if stage_of(m) < 0] == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_imports_a_later_stage(module: str) -> None:
    mine = stage_of(module)
    later = sorted(
        f"{m} ({STAGES[stage_of(m)][0]})"
        for m in imports(modules()[module], module)
        if stage_of(m) > mine
    )
    assert later == [], f"{module} ({STAGES[mine][0]}) imports a later stage"


def test_the_check_can_fail() -> None:
    """The classifier of stages sees a late import for what it is."""
    assert stage_of("cli") > stage_of("pipeline") > stage_of("measures") > stage_of("spend")
    assert stage_of("suppliers.match") > stage_of("suppliers.build")
    assert "pipeline" in imports(SRC / "store.py", "store")
