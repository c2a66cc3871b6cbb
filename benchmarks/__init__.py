"""Side-by-side benchmarks of ChatOpenRouterFree (``python -m benchmarks``).

See docs/benchmarks/index.md for the method. Not part of the installed package.
"""
