"""The rules of the work, in plain Python: no database, no I/O, no translated texts."""
