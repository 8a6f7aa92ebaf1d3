"""Query execution: the evaluation and serialisation both engines share, the thread engine, and
the pool of killable worker processes (docs/query-execution.md)."""
