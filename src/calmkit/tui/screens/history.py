"""History: practice days, minutes against the plan's goal, stress before and after,
activities per week, and pain only if the plan collected it.

The figures come from the same report the psychologist reads (report/figures.py),
so the family and the clinician never see two different counts.
"""

from __future__ import annotations

import datetime as dt
import math

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual_plotext import PlotextPlot

from calmkit.records.answers import SCALES, face_of
from calmkit.records.checkins import ACTIVITIES
from calmkit.report.figures import CheckinFigure, ProfileReport
from calmkit.tui.literal import LiteralStatic
from calmkit.tui.widgets.footer import WholeKeysFooter
from calmkit.words import plural

CALENDAR_WEEKS = 4
CHART_DAYS = 14
# The widest before/after bar, in cells; a 0 still gets a thin mark of its own.
BAR_CELLS = 20
ZERO_MARK = "▏"
BEFORE_COLOUR = "#b8a9c9"
AFTER_COLOUR = "#9fd8cb"
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def calendar_strip(section: ProfileReport, today: dt.date) -> Text:
    """The last four weeks, Monday first: a filled dot on each day practised."""
    practised = {day.day for day in section.days if day.practised}
    first = today - dt.timedelta(days=today.weekday() + 7 * (CALENDAR_WEEKS - 1))
    text = Text("   ".join(f"{name:>2}" for name in WEEKDAYS) + "\n", style="bold")
    for week in range(CALENDAR_WEEKS):
        cells = []
        for weekday in range(7):
            day = first + dt.timedelta(days=7 * week + weekday)
            if day > today:
                cells.append(Text("    "))
            elif day in practised:
                cells.append(Text(f"{day.day:>2}● ", style="bold #9fd8cb"))
            else:
                cells.append(Text(f"{day.day:>2}  ", style="dim"))
            cells.append(Text(" "))
        text.append_text(Text.assemble(*cells))
        text.append("\n")
    count = len([day for day in practised if first <= day <= today])
    text.append(
        f"You practised on {plural(count, 'day')} in these four weeks."
        if count
        else "Your practice days will show here.",
        style="italic",
    )
    return text


def _answer_cells(figure: CheckinFigure, value: int | None, face: str | None, colour: str) -> Text:
    """One answer: a bar as long as the number (0 a thin visible mark), a face as its
    words, and nothing answered as a dash, never as 0."""
    if value is None:
        return Text("–  not answered", style="dim")
    if figure.faces or face:
        drawn = face_of(figure.item, "faces", value)
        return Text(f"{drawn.drawing} {drawn.words}" if drawn else f"face {value}", style=colour)
    span = max(1, figure.high - figure.low)
    cells = round((value - figure.low) / span * BAR_CELLS)
    return Text(f"{'█' * cells if cells else ZERO_MARK} {value}", style=colour)


def before_after_text(figure: CheckinFigure) -> Text:
    """The latest sessions' answers, before and after, one row each."""
    readings = figure.readings[-CHART_DAYS:]
    width = BAR_CELLS + 4
    text = Text()
    text.append(f"{'':<14}{'before':<{width}}after\n", style="bold")
    for reading in readings:
        text.append(f"{reading.started:%d %b %H:%M}  ")
        before = _answer_cells(figure, reading.before, reading.before_face, BEFORE_COLOUR)
        before.pad_right(max(0, width - before.cell_len))
        text.append_text(before)
        text.append_text(_answer_cells(figure, reading.after, reading.after_face, AFTER_COLOUR))
        text.append("\n")
    if figure.faces:
        text.append("Answered with faces.", style="italic")
    else:
        scale = SCALES[figure.item]
        text.append(
            f"{figure.low} is {scale.low_words}, {figure.high} is {scale.high_words}.",
            style="italic",
        )
    return text


def activities_table(section: ProfileReport) -> Table | Text:
    weeks = [week for week in section.weeks if week.days_reported]
    if not weeks:
        return Text("What you do each day will show here, week by week.", style="italic")
    # Each week on one line at 60x20, every heading whole: "30 Nov–6 Dec", no edge padding.
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    table.add_column("Week", no_wrap=True)
    for activity in ACTIVITIES:
        table.add_column(activity.capitalize(), justify="right")
    for week in weeks[-4:]:
        label = f"{week.first_day.day} {week.first_day:%b}–{week.last_day.day} {week.last_day:%b}"
        table.add_row(label, *(str(week.activities.get(activity, 0)) for activity in ACTIVITIES))
    return table


class HistoryScreen(Screen[None]):
    BINDINGS = [Binding("escape,q,h", "close", "Back home")]

    def __init__(self, section: ProfileReport, today: dt.date) -> None:
        super().__init__()
        self.section = section
        self.today = today

    def compose(self) -> ComposeResult:
        section = self.section
        with VerticalScroll(id="history"):
            yield LiteralStatic(f"{section.profile}'s practice", id="history-title")
            yield LiteralStatic(calendar_strip(section, self.today), id="calendar")
            yield LiteralStatic("Minutes each day", classes="heading")
            yield PlotextPlot(id="minutes-chart", classes="chart")
            if section.stress.readings:
                yield LiteralStatic("Stress before and after each practice", classes="heading")
                yield LiteralStatic(before_after_text(section.stress), id="stress-chart")
            faces = section.stress_faces
            if faces is not None and faces.readings:
                yield LiteralStatic("How you felt before and after, with faces", classes="heading")
                yield LiteralStatic(before_after_text(faces), id="stress-faces-chart")
            yield LiteralStatic("What you did, week by week (days)", classes="heading")
            yield LiteralStatic(activities_table(section), id="activities")
            if section.pain is not None and section.pain.readings:
                yield LiteralStatic(
                    "Pain before and after (your plan asks for it)", classes="heading"
                )
                yield LiteralStatic(before_after_text(section.pain), id="pain-chart")
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        self._minutes_chart()

    def _minutes_chart(self) -> None:
        plot = self.query_one("#minutes-chart", PlotextPlot)
        days = [day for day in self.section.days if day.day <= self.today][-CHART_DAYS:]
        plt = plot.plt
        # Numbers on the x axis, with the dates as tick labels: plotext reads text as dates.
        positions: list[float] = list(range(1, len(days) + 1))
        minutes = [round(day.minutes, 1) for day in days]
        plt.bar(positions, minutes, label="practised")
        # The goal only on the plan's days: a line from 0 before it began read as a ramp.
        goal_days = [(place, day.goal_minutes) for place, day in zip(positions, days, strict=True)
                     if day.goal_minutes > 0]  # fmt: skip
        if goal_days:
            plt.plot(
                [place for place, _ in goal_days],
                [round(goal, 1) for _, goal in goal_days],
                label="plan's goal",
                marker="braille",
            )
        plt.xticks(positions, [f"{day.day:%d}" for day in days])
        # Whole minutes on the axis (never "0.083"), from 0 to at least 1.
        top = max([1.0, *minutes, *(goal for _, goal in goal_days)])
        step = max(1, math.ceil(top / 5))
        ticks: list[float] = list(range(0, math.ceil(top / step) * step + 1, step))
        plt.ylim(0, ticks[-1])
        plt.yticks(ticks, [str(int(tick)) for tick in ticks])
        plt.ylabel("min")

    def action_close(self) -> None:
        self.dismiss(None)
