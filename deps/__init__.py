"""The application layer of the analyser, arranged in rooms ranked from low to high.

``errors`` and ``config`` < ``store`` < ``access`` < ``ingest`` < ``services`` < ``reports`` < ``cli``.
A module imports only its own room or a lower one (``tests/test_architecture.py`` enforces it); the pure engines
``supplychain`` and ``optimizer`` are called from ``services`` and never import ``deps``.
"""
