"""The golden reports: report.md and report.html of ``analyse`` and ``compare``, and payments.md
and payments.html of ``payments --s70``, on the bundled examples, as tests/test_golden.py holds
the current renders to them.

``make golden`` (this script) writes them again; review the change as a diff before committing.
Each command runs as a user would run it, from the repository's root (the reports show input
paths as given). The only thing normalised is the version in the generator line
("anchorspend 0.1.0"), which changes with every release; nothing else in them varies.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
LOOKUPS = ["--lookup", "examples/lookups/suppliers.csv", "--config", "examples/anchorspend.toml"]
# command → (its arguments, the reports kept)
RUNS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "analyse": (["analyse", "examples/spend/", *LOOKUPS], ("report.md", "report.html")),
    "compare": (["compare", "examples/spend/", *LOOKUPS], ("report.md", "report.html")),
    "payments": (
        ["payments", "examples/payments/", *LOOKUPS, "--s70"],
        ("payments.md", "payments.html"),
    ),
}
VERSION = re.compile(r"\banchorspend \d+(?:\.\d+)+[\w.+-]*")


def normalise(text: str) -> str:
    """The report with the release it was made by written as ``anchorspend VERSION``."""
    return VERSION.sub("anchorspend VERSION", text)


def render() -> dict[str, str]:
    """Every golden file's current text, by its path under tests/golden/ ("analyse/report.md")."""
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    found: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (args, reports) in RUNS.items():
            out = Path(tmp) / name
            command = [sys.executable, "-m", "anchorspend", *args, "--out", str(out), "--quiet"]
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
            for report in reports:
                text = (out / report).read_text(encoding="utf-8")
                found[f"{name}/{report}"] = normalise(text)
    return found


def main() -> None:
    for relative, text in render().items():
        path = GOLDEN / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
