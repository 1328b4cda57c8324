"""The database: SQLModel tables, the functions that read and write them, migrations."""

from storage.db import Database

__all__ = ["Database"]
