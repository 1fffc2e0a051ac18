"""Reports for people, rendered from the machine documents alone (see DOCUMENT.md).

One package per command, on shared pieces:

- ``analyse/``: report.html and report.xlsx for ``analyse``;
- ``compare/``: report.html and report.xlsx for ``compare`` (the view both it and its Markdown
  render, ``compare/view.py``);
- ``payments/``: payments.html and payments.xlsx for ``payments``;
- ``markdown/``: every command's Markdown report;
- shared: ``format`` (money, shares, counts, cells), ``tables`` (tables as shown), ``svg``
  (inline SVG charts), ``templating`` (the Jinja2 environment), ``xlsx`` (workbook helpers) and
  ``at_a_glance`` (the section every report opens with).

HTML is self-contained (no script, inline SVG charts); XLSX cells are typed (formula-looking
text kept as text); the same document always gives the same bytes.
"""
