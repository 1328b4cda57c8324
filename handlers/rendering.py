"""Files from tables and series: a PNG chart (matplotlib), an XLSX workbook (openpyxl), CSV.

Nothing here knows the domain: callers hand in translated labels and plain values.

Chinese labels need a CJK font. The chart uses the first of ``CJK_FAMILIES`` that matplotlib's
font manager knows (looking once more through the system's fonts, in case one was installed
after matplotlib built its cache). With none installed ``cjk_font()`` is None: callers then
label the chart in English, and a chart with Chinese text raises ``MissingFont`` rather than
draw empty boxes.

Rendering is CPU work: run it in a thread (``asyncio.to_thread``). matplotlib is not
thread-safe, so one chart is drawn at a time. Text a worker typed is written to both file kinds
as text, never as a formula (XLSX cell type; CSV values prefixed with ``'``).
"""

import csv
import io
import logging
import math
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache

__all__ = [
    "CJK_FAMILIES",
    "Cell",
    "MissingFont",
    "RenderedChart",
    "Sheet",
    "WeeklyChart",
    "cjk_font",
    "csv_bytes",
    "render_chart",
    "workbook_bytes",
]

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_TICK_LABELS = 14
MAX_COLUMN_WIDTH = 48
_MATPLOTLIB = threading.RLock()
"""matplotlib is not thread-safe: one chart, or one font search, at a time."""

Cell = str | int | float | Decimal | datetime | None


class MissingFont(RuntimeError):
    """Chinese text to draw and no CJK font installed."""


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

    def texts(self) -> list[str]:
        labels = [self.received_label, self.resolved_label, self.counts_title, self.days_title]
        return [self.title, *self.weeks, *labels]


@dataclass(frozen=True, slots=True)
class RenderedChart:
    png: bytes
    font: str | None
    """The CJK family the text was drawn in; None for matplotlib's default."""


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    column_formats: Mapping[int, str] = field(default_factory=dict)
    """Excel number format by column index (0-based)."""
    row_formats: Mapping[int, str] = field(default_factory=dict)
    """Excel number format by row index (0-based, header excluded)."""


@cache
def cjk_font() -> str | None:
    """The first CJK family matplotlib can use, or None."""
    with _MATPLOTLIB:
        found = _installed_family()
        if found is None:
            _add_system_fonts()
            found = _installed_family()
    if found is None:
        log.warning(
            "no CJK font found (tried %s): charts are labelled in English; install one, "
            "e.g. apt-get install fonts-wqy-microhei",
            ", ".join(CJK_FAMILIES),
        )
    return found


def render_chart(chart: WeeklyChart) -> RenderedChart:
    font = cjk_font()
    if font is None and any(_is_wide(text) for text in chart.texts()):
        raise MissingFont("Chinese chart labels need a CJK font; none is installed")
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


def _draw(chart: WeeklyChart, font: str | None) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import MaxNLocator

    family = [font] if font else None
    text = FontProperties(family=family)
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
    figure.suptitle(chart.title, fontproperties=FontProperties(family=family, size="x-large"))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _installed_family() -> str | None:
    from matplotlib.font_manager import FontProperties, findfont

    for family in CJK_FAMILIES:
        try:
            findfont(FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return family
    return None


def _add_system_fonts() -> None:
    """Fonts installed after matplotlib cached its font list are unknown to it until added."""
    from matplotlib.font_manager import findSystemFonts, fontManager

    known = {entry.fname for entry in fontManager.ttflist}
    for path in findSystemFonts():
        if path not in known:
            try:
                fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                log.debug("matplotlib cannot read font %s", path)


def _is_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(char) in "WF" for char in text)


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
