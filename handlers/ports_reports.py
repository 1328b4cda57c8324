"""The report renderer port: what a report's files hold, and who turns that into bytes.

Handlers decide what goes into the chart, the workbook and the CSV (translated labels, plain
values); the runtime draws and writes them (``bot.report_files``: matplotlib, openpyxl) and
hands its renderer to handlers in ``HandlerConfig.renderer``, so no handler imports a drawing
or spreadsheet library.

Rendering is CPU work: call it in a thread (``asyncio.to_thread``). Text a worker typed is
written to both file kinds as text, never as a formula.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

__all__ = ["Cell", "ReportRenderer", "Sheet", "WeeklyChart"]

Cell = str | int | float | Decimal | datetime | None


@dataclass(frozen=True, slots=True)
class WeeklyChart:
    """Bars of received and resolved cases per week over a line of average handling days."""

    title: str
    weeks: Sequence[str]
    received: Sequence[int]
    resolved: Sequence[int]
    average_days: Sequence[float | None]
    received_label: str
    resolved_label: str
    counts_title: str
    days_title: str


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    column_formats: Mapping[int, str] = field(default_factory=dict)
    """Excel number format by column index (0-based)."""
    row_formats: Mapping[int, str] = field(default_factory=dict)
    """Excel number format by row index (0-based, header excluded)."""


class ReportRenderer(Protocol):
    """Turns a report's chart and tables into file contents."""

    def chart_png(self, chart: WeeklyChart) -> bytes:
        """The chart as a PNG image, Chinese labels included."""
        ...

    def workbook(self, sheets: Sequence[Sheet]) -> bytes:
        """An XLSX workbook with one sheet per ``Sheet``, in order."""
        ...

    def csv(self, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
        """CSV that Excel opens with its Chinese intact."""
        ...
