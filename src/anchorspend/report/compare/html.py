"""compare.html: an anchor network's members side by side, rendered from the compare document.

The page follows the analyse report's rules: how sure the figures are comes first
(reconciliation, then each member's classification coverage), no script and no network (the same
Content-Security-Policy), everything escaped by Jinja2 or by the chart helpers, ids built from
counters, and the same document always gives the same bytes.

Template context: ``document`` (the dict, as given) and ``report`` (a
:class:`~anchorspend.report.compare.view.CompareReport`), with the filters of
report/templating.py. ``--templates DIR`` may hold its own ``compare.html.j2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anchorspend.report.compare.view import build_compare_report
from anchorspend.report.templating import environment

TEMPLATE = "compare.html.j2"


def render_compare_html(document: dict[str, Any], *, templates: Path | None = None) -> str:
    """compare.html for the compare document; the same document always gives the same bytes."""
    template = environment(templates).get_template(TEMPLATE)
    return template.render(document=document, report=build_compare_report(document))
