"""The ``payments`` reports: view.py holds what they all show, html.py renders payments.html,
xlsx.py writes payments.xlsx and report/markdown/payments.py renders payments.md."""
