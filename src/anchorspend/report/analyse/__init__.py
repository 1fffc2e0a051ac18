"""The ``analyse`` reports: report.html (html.py, with charts.py and places.py) and report.xlsx
(xlsx.py). Its report.md is rendered by report/markdown/analyse.py."""
