"""microhe benchmarks (issue 5, "Performance at scale"); not part of the test suite.

    python -m bench [--credentials N] [--quick]

See ``bench/RESULTS.md`` for what is measured, the latest figures and the targets.
"""
