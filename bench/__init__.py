"""Per-request cost of CORS handling: bare Flask vs Flask-CORS vs flask_cors_bp.

Run ``python bench/run.py`` from the repository root; its docstring describes the method.

- ``libs``: the libraries measured (``--before`` exports an older flask_cors_bp), column labels
- ``apps``: the Flask apps, built bare, with Flask-CORS or with a flask_cors_bp
- ``variants``: variants of a scenario, response checks, one request to a variant
- ``scenarios``: the scenarios measured
- ``timing``: interleaved timed rounds, medians, exact call counts, results
- ``report``: the table and the notes under it
- ``targets``: the performance goals, checked against the results
- ``docs_page``: ``docs/benchmarks.rst``
- ``diagnostics``: ``--profile`` and ``--call-diff``
- ``run``: the command line
"""
