"""Python imports this module at start-up when its folder is on PYTHONPATH (see ``site``).

The benchmarks put it there for the bot processes they start, so that ``bench.instrument`` can
measure the unchanged bot from inside; without the ``BENCH_*`` variables it does nothing.
"""

import os

if os.environ.get("BENCH_TIMINGS") or os.environ.get("BENCH_PROFILE"):
    from bench.instrument import install

    install()
