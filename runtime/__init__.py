"""How the app runs, not what it builds: the fast provider loader (Python and Node halves)
that `main.py`, the tests and the benchmark install before importing the provider bindings."""
