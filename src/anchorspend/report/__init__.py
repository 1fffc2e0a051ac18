"""Human-readable reports rendered from the machine document (see DOCUMENT.md).

``render_html(document)`` gives report.html (self-contained, no script, inline SVG charts);
``write_xlsx(document, path)`` writes report.xlsx (typed cells, formula-looking text kept as text).
For ``compare``: ``render_compare_html``, ``render_compare_md`` and ``write_compare_xlsx`` do the
same for the compare document (the analyse document plus ``network``).
"""

from anchorspend.report.compare_html import render_compare_html
from anchorspend.report.compare_md import render_compare_md
from anchorspend.report.compare_xlsx import write_compare_xlsx
from anchorspend.report.html import render_html
from anchorspend.report.xlsx import write_xlsx

__all__ = [
    "render_compare_html",
    "render_compare_md",
    "render_html",
    "write_compare_xlsx",
    "write_xlsx",
]
