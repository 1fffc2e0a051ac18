"""The analyse report.md, for callers that render it themselves: the CLI, until it lets
``outputs.write_outputs`` render it (report/markdown/analyse.py is where it is rendered)."""

from __future__ import annotations

from anchorspend.report.markdown.analyse import render_analyse_md as render

__all__ = ["render"]
