"""History: practice days, minutes against the plan's goal, stress before and after,
activities per week, and pain only if the plan collected it.

The figures come from the same report the psychologist reads (session/report.py),
so the family and the clinician never see two different counts.
"""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from calmkit.session.checkins import ACTIVITIES
from calmkit.session.report import CheckinFigure, ProfileReport

CALENDAR_WEEKS = 4
CHART_DAYS = 14
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
        f"You practised on {count} day{'s' if count != 1 else ''} in these four weeks."
        if count
        else "Your practice days will show here.",
        style="italic",
    )
    return text


def activities_table(section: ProfileReport) -> Table | Text:
    weeks = [week for week in section.weeks if week.days_reported]
    if not weeks:
        return Text("What you do each day will show here, week by week.", style="italic")
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("Week")
    for activity in ACTIVITIES:
        table.add_column(activity.capitalize(), justify="right")
    for week in weeks[-4:]:
        table.add_row(
            week.label, *(str(week.activities.get(activity, 0)) for activity in ACTIVITIES)
        )
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
            yield Static(f"{section.profile}'s practice", id="history-title")
            yield Static(calendar_strip(section, self.today), id="calendar")
            yield Static("Minutes each day", classes="heading")
            yield PlotextPlot(id="minutes-chart", classes="chart")
            if section.stress.readings:
                yield Static("Stress before and after each practice", classes="heading")
                yield PlotextPlot(id="stress-chart", classes="chart")
            yield Static("What you did, week by week (days)", classes="heading")
            yield Static(activities_table(section), id="activities")
            if section.pain is not None and section.pain.readings:
                yield Static("Pain before and after (your plan asks for it)", classes="heading")
                yield PlotextPlot(id="pain-chart", classes="chart")
        yield Footer()

    def on_mount(self) -> None:
        self._minutes_chart()
        if self.section.stress.readings:
            self._before_after_chart("#stress-chart", self.section.stress)
        if self.section.pain is not None and self.section.pain.readings:
            self._before_after_chart("#pain-chart", self.section.pain)

    def _minutes_chart(self) -> None:
        plot = self.query_one("#minutes-chart", PlotextPlot)
        days = [day for day in self.section.days if day.day <= self.today][-CHART_DAYS:]
        plt = plot.plt
        # Numbers on the x axis, with the dates as tick labels: plotext reads text as dates.
        positions = list(range(1, len(days) + 1))
        plt.bar(positions, [round(day.minutes, 1) for day in days], label="practised")
        goals = [round(day.goal_minutes, 1) for day in days]
        if any(goals):
            plt.plot(positions, goals, label="plan's goal", marker="braille")
        plt.xticks(positions, [f"{day.day:%d}" for day in days])
        plt.ylabel("min")

    def _before_after_chart(self, selector: str, figure: CheckinFigure) -> None:
        plot = self.query_one(selector, PlotextPlot)
        readings = figure.readings[-CHART_DAYS:]
        plt = plot.plt
        positions = list(range(1, len(readings) + 1))
        before = [reading.before if reading.before is not None else 0 for reading in readings]
        after = [reading.after if reading.after is not None else 0 for reading in readings]
        plt.multiple_bar(positions, [before, after], labels=["before", "after"])
        plt.xticks(positions, [f"{reading.started:%d %b}" for reading in readings])
        plt.ylim(figure.low, figure.high)

    def action_close(self) -> None:
        self.dismiss(None)
