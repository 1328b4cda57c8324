"""The Redis that tests of the shared rate limit use: ``TEST_REDIS_URL``, else the machine's."""

import os

__all__ = ["REDIS_URL"]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
