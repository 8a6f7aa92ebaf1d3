"""Tools for developers: synthetic data for benchmarks, the OWL reasoner check."""
