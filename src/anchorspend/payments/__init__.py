"""Payment performance from invoice rows: days to pay, and the figures of the payments
compliance notice. Everything here is Polars expressions over canonical payment rows, and money
stays integer pence. A module per subject, in the order a run uses them:

- ``rules``: the notice's definitions (read first), :class:`~anchorspend.payments.rules.Setup`
  and the reason codes a row is given;
- ``fields``: the export's extra fields (dates, VAT, gross, disputed, status, regime) read
  from text into values (:func:`~anchorspend.payments.fields.parse_fields`);
- ``periods``: the reporting periods and calendar quarters a day falls in;
- ``assess``: each row's place (measured, not measured and why, outside), its days to pay and
  periods;
- ``figures``: the ``payments`` list per organisation × period × supplier type;
- ``distribution``: the days-to-pay buckets;
- ``checks``: what ``check`` says of a payments export's rows.

``check`` imports :data:`DATE_FIELDS` and :func:`row_checks` from here.
"""

from anchorspend.payments.checks import row_checks
from anchorspend.payments.fields import DATE_FIELDS

__all__ = ["DATE_FIELDS", "row_checks"]
