"""Speed benchmarks (`make bench`): each module here has a `run()` that prints a table."""
