"""The ``compare`` reports: view.py builds every section as formatted tables, which html.py
renders as report.html and report/markdown/compare.py as report.md; xlsx.py writes
report.xlsx."""
