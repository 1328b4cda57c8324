"""The report renderer handlers are given: a PNG chart (matplotlib), an XLSX workbook
(openpyxl), CSV (``handlers.ports_reports.ReportRenderer``).

Nothing here knows the domain: handlers hand in translated labels and plain values.

Chinese labels need a CJK font. The chart is drawn in the one the package ships
(``bot/fonts``: WenQuanYi Micro Hei, Apache 2.0), so it looks the same on every server and
needs no system font package.

Rendering is CPU work: run it in a thread (``asyncio.to_thread``). matplotlib is not
thread-safe, so one chart is drawn at a time. Text a worker typed is written to both file kinds
as text, never as a formula (XLSX cell type; CSV values prefixed with ``'``).
"""

import csv
import io
import math
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from handlers.ports_reports import Cell, Sheet, WeeklyChart

__all__ = [
    "RenderedChart",
    "ReportFiles",
    "cjk_font",
    "csv_bytes",
    "render_chart",
    "workbook_bytes",
]

FONT_FILE = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_TICK_LABELS = 14
MAX_COLUMN_WIDTH = 48
_MATPLOTLIB = threading.RLock()
"""matplotlib is not thread-safe: one chart at a time."""


@dataclass(frozen=True, slots=True)
class RenderedChart:
    png: bytes
    font: str
    """The family the text was drawn in."""


@cache
def cjk_font() -> str:
    """The shipped CJK font's family, made known to matplotlib's font manager once."""
    from matplotlib.font_manager import FontProperties, fontManager

    with _MATPLOTLIB:
        fontManager.addfont(FONT_FILE)
        return FontProperties(fname=FONT_FILE).get_name()


class ReportFiles:
    """The ``ReportRenderer`` the runtime hands to handlers (``HandlerConfig.renderer``)."""

    def chart_png(self, chart: WeeklyChart) -> bytes:
        return render_chart(chart).png

    def workbook(self, sheets: Sequence[Sheet]) -> bytes:
        return workbook_bytes(sheets)

    def csv(self, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
        return csv_bytes(header, rows)


def render_chart(chart: WeeklyChart) -> RenderedChart:
    font = cjk_font()
    with _MATPLOTLIB:
        return RenderedChart(_draw(chart, font), font)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        page = book.create_sheet(sheet.title[:31])
        page.append(list(sheet.header))
        for cell in page[1]:
            cell.font = Font(bold=True)
        for index, values in enumerate(sheet.rows):
            page.append(list(values))
            for column, cell in enumerate(page[page.max_row]):
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                number_format = sheet.row_formats.get(index) or sheet.column_formats.get(column)
                if number_format and not isinstance(cell.value, str):
                    cell.number_format = number_format
        page.freeze_panes = "B2"
        for column in range(len(sheet.header)):
            values = [sheet.header[column], *(row[column] for row in sheet.rows)]
            width = max(_width(value) for value in values) + 2
            page.column_dimensions[get_column_letter(column + 1)].width = min(
                width, MAX_COLUMN_WIDTH
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_csv_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _draw(chart: WeeklyChart, font: str) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import MaxNLocator

    text = FontProperties(family=font)
    figure = Figure(figsize=(10, 6.5), dpi=110, layout="constrained")
    counts, days = figure.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    weeks = range(len(chart.weeks))
    counts.bar([x - 0.2 for x in weeks], chart.received, 0.4, label=chart.received_label)
    counts.bar([x + 0.2 for x in weeks], chart.resolved, 0.4, label=chart.resolved_label)
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))
    counts.set_title(chart.counts_title, fontproperties=text)
    counts.legend(prop=text)
    average = [math.nan if value is None else value for value in chart.average_days]
    days.plot(list(weeks), average, marker="o", color="tab:red")
    highest = max((value for value in chart.average_days if value is not None), default=0.0)
    days.set_ylim(0, highest * 1.2 or 1)
    days.set_title(chart.days_title, fontproperties=text)
    step = max(1, math.ceil(len(chart.weeks) / MAX_TICK_LABELS))
    labels = [label if i % step == 0 else "" for i, label in enumerate(chart.weeks)]
    days.set_xticks(list(weeks), labels, fontproperties=text)
    figure.suptitle(chart.title, fontproperties=FontProperties(family=font, size="x-large"))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _width(value: Cell) -> int:
    text = _csv_text(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return str(value)
