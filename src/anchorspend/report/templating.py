"""The Jinja2 environment every HTML report renders with, and the filters its templates use.

Templates are in report/templates; ``--templates DIR`` may hold files of the same names, which are
used instead. Filters: ``money``, ``money_short``, ``percent``, ``count``, ``measure_label``,
``org_label``, ``rows_list``, ``text``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2

from anchorspend.glance import measure_label
from anchorspend.report.format import count, money, money_short, org_label, percent, rows_list, text

PERIOD_KINDS = {
    "quarter": "UK financial-year quarters (Q1 is April to June)",
    "calendar": "calendar quarters",
    "month": "months",
    "fy": "UK financial years (April to March)",
}


FILTERS: dict[str, Callable[..., str]] = {
    "money": money,
    "money_short": money_short,
    "percent": percent,
    "count": count,
    "measure_label": measure_label,
    "org_label": org_label,
    "rows_list": rows_list,
    "text": text,
}


def environment(templates: Path | None = None) -> jinja2.Environment:
    """Autoescaping, strict Jinja2; a user directory (``--templates DIR``) overrides ours."""
    ours = jinja2.PackageLoader("anchorspend.report", "templates")
    loader: jinja2.BaseLoader = (
        jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates)), ours]) if templates else ours
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env
