"""A report renderer that draws nothing: it keeps what handlers asked it to render."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from handlers.ports_reports import Cell, Sheet, WeeklyChart

__all__ = ["RecordingRenderer"]


@dataclass
class RecordingRenderer:
    """Returns bytes naming the kind of file, so a test sees which output went where."""

    charts: list[WeeklyChart] = field(default_factory=list)
    workbooks: list[Sequence[Sheet]] = field(default_factory=list)
    csvs: list[tuple[Sequence[str], Sequence[Sequence[Cell]]]] = field(default_factory=list)

    def chart_png(self, chart: WeeklyChart) -> bytes:
        self.charts.append(chart)
        return b"chart"

    def workbook(self, sheets: Sequence[Sheet]) -> bytes:
        self.workbooks.append(sheets)
        return b"workbook"

    def csv(self, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
        self.csvs.append((header, rows))
        return b"csv"
