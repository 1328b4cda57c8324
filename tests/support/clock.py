"""A clock that tests move by hand."""

from datetime import UTC, datetime, timedelta

__all__ = ["FakeClock", "OffsetClock"]


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class OffsetClock:
    """The machine's clock set ``seconds`` ahead (or behind): an instance whose clock is off."""

    def __init__(self, seconds: float) -> None:
        self.offset = timedelta(seconds=seconds)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset
