"""In-memory implementations of ``handlers.ports`` for use-case tests: no database, no I/O."""
