"""The import graph follows the data: read → spend → gather → classify → locate → measure →
document → report → cli. A module may import its own stage or an earlier one, never a later
one (a lazy import inside a function counts too). ARCHITECTURE.md describes the same stages,
and is held to them here."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "anchorspend"

# stage → the modules in it (a package name covers its modules, unless listed elsewhere)
STAGES: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "__init__",
            "errors",
            "findings",
            "schemas",
            "config",
            "normalise",
            "console",
            "files",
            "areas",
            "periods",
        ),
    ),
    ("read", ("ingest",)),
    ("spend", ("spend",)),
    ("gather", ("gather", "store")),
    ("classify", ("classify", "payees", "suppliers")),
    ("locate", ("geo",)),
    ("measure", ("measures", "metrics", "payments")),
    (
        "document",
        (
            "views",
            "evidence",
            "geography",
            "glance",
            "document",
            "pipeline",
            "check",
            "compare",
            "network",
            "suppliers.match",
            "payments_doc",
        ),
    ),
    ("report", ("report", "outputs")),
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
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}"[12:] in known else base for a in node.names
            ]
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
    assert "gather.inputs" in imports(SRC / "store.py", "store")
    assert "store" in imports(SRC / "pipeline.py", "pipeline")
    assert stage_of("pipeline") > stage_of("store")


def test_the_cli_imports_no_polars() -> None:
    """The CLI parses, calls the library and renders plain rows: the frames stay in the
    library, so no module of the ``cli`` package imports Polars (at the top or in a function)."""
    found = []
    for path in sorted((SRC / "cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "polars"]
    assert found == []


ARCHITECTURE = SRC.parent.parent / "ARCHITECTURE.md"


def _section(heading: str) -> str:
    """The text of ARCHITECTURE.md under ``## heading``, up to the next ``## ``."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def _bullets(section: str) -> list[str]:
    return ["- " + b for b in ("\n" + section).split("\n- ")[1:]]


def test_architecture_lists_the_stages_enforced_here() -> None:
    """ARCHITECTURE.md's stages, in order, each with its modules: exactly ``STAGES``."""
    documented = []
    for bullet in _bullets(_section("The stages")):
        head = re.match(r"- \*\*(\w+)\*\* \(([^)]*)\)", bullet)
        assert head, bullet
        documented.append((head[1], tuple(re.findall(r"`([\w.]+)`", head[2]))))
    assert documented == STAGES


def test_architecture_names_real_files_and_names() -> None:
    """Every source file ARCHITECTURE.md names exists and has a stage; every name the "Where to
    add things" steps give (``measure_set``, ``SUPPORTED``…) is defined or imported at the top
    of a file the same step names."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    files = set(re.findall(r"`([\w/]+\.py)`", text)) - {"tests/test_layers.py"}
    for name in sorted(files):
        assert (SRC / name).is_file(), name
        assert stage_of(name.removesuffix(".py").replace("/", ".")) >= 0, name
    for bullet in _bullets(_section("Where to add things")):
        named = re.findall(r"`([\w/]+\.py)`", bullet)
        assert named, bullet
        defined = set().union(*(_top_level(SRC / f) for f in named))
        wanted = {n for n in re.findall(r"`(\w+)`", bullet) if "_" in n or not n.islower()}
        assert wanted - defined == set(), bullet


def _top_level(path: Path) -> set[str]:
    """Names a module defines or imports at its top level."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def test_a_measure_added_as_architecture_says_reaches_every_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ARCHITECTURE.md's newcomer's test, run: one entry more in ``measure_set`` and its label
    in ``glance.LABELS`` (nothing else) give the measure in analyse's document, its CSV and
    both reports."""
    from anchorspend import glance, measures, pipeline
    from tests.helpers import invoke

    def with_sme_vcse(*args: Any, **kwargs: Any) -> dict[str, pl.Expr]:
        found = measures.measure_set(*args, **kwargs)
        return {**found, "sme_vcse": pl.col("is_sme") & pl.col("is_vcse")}

    monkeypatch.setattr(pipeline, "measure_set", with_sme_vcse)
    monkeypatch.setitem(glance.LABELS, "sme_vcse", "SME and VCSE")
    examples = SRC.parents[1] / "examples"
    out = tmp_path / "out"
    result = invoke(
        "analyse",
        examples / "spend",
        "--lookup",
        examples / "lookups" / "suppliers.csv",
        "--out",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert {m["measure"] for m in doc["metrics"]} >= {"sme", "vcse", "sme_vcse"}
    assert ",sme_vcse," in (out / "metrics.csv").read_text(encoding="utf-8")
    assert "SME and VCSE" in (out / "report.md").read_text(encoding="utf-8")
    assert "SME and VCSE" in (out / "report.html").read_text(encoding="utf-8")
