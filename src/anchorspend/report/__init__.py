"""Human-readable reports rendered from the machine document (see DOCUMENT.md).

``render_html(document)`` gives report.html (self-contained, no script, inline SVG charts);
``write_xlsx(document, path)`` writes report.xlsx (typed cells, formula-looking text kept as text).
"""

from anchorspend.report.html import render_html
from anchorspend.report.xlsx import write_xlsx

__all__ = ["render_html", "write_xlsx"]
