"""payments.html, rendered from the payments document through the view in payments/view.py."""

from __future__ import annotations

from typing import Any

from anchorspend.report.payments.view import (
    PERIOD_KINDS,
    TYPE_LABELS,
    days,
    meaning,
    notices,
    percent2,
    reconciliation_rows,
)
from anchorspend.report.templating import environment


def render_payments_html(doc: dict[str, Any]) -> str:
    """payments.html; the same document always gives the same bytes."""
    template = environment().get_template("payments.html.j2")
    return template.render(
        document=doc,
        notices=notices(doc),
        reconciliation=reconciliation_rows(doc["payments_reconciliation"]),
        period_kind=PERIOD_KINDS[doc["period"]],
        types=TYPE_LABELS,
        meaning=meaning,
        percent2=percent2,
        days=days,
    )
