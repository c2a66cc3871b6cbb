"""Generated data files (``scripts/build_registry.py``); imported lazily."""
