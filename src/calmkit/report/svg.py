"""The report's charts as inline SVG, built with ElementTree so every text is escaped.

Each chart has a <title> and a <desc> for screen readers. Journal text (week
labels, activity names, dates) only ever goes in as element text or attribute
values, which ElementTree escapes: nothing here writes markup by hand.
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from calmkit.records.checkins import ACTIVITIES
from calmkit.report.figures import CheckinFigure, ProfileReport, short_date
from calmkit.report.wording import (
    figure_sentence,
    item_words,
    minutes_words,
    number,
    reading_words,
)
from calmkit.words import plural

# More days than this and the minutes chart shows weeks instead of days.
MAX_DAY_BARS = 62
WIDTH = 820

ACCENT = "#2f7d74"  # minutes practised, 'after'
GOAL = "#b3641f"  # the plan's goal, 'before'
MUTED = "#6b665f"
GRID = "#e4ded4"
AXIS = "#b8b0a3"
# Okabe-Ito colours: distinguishable with the common colour-vision differences.
ACTIVITY_COLOURS = {
    "school": "#0072B2",
    "exercise": "#009E73",
    "friends": "#E69F00",
    "chores": "#CC79A7",
    "hobby": "#56B4E9",
}
OTHER_COLOUR = "#9a948a"

Point = tuple[int, str]  # a slot's index and the label under it


@dataclass(frozen=True)
class Chart:
    """One chart: the SVG, and the words the page puts around it."""

    key: str  # the figure's id on the page
    heading: str
    note: str
    svg: str
    legend: tuple[tuple[str, str, str], ...]  # (words, colour, swatch kind)


@dataclass(frozen=True)
class _Frame:
    height: int
    left: int = 44
    right: int = 24
    top: int = 22
    bottom: int = 30

    @property
    def plot_width(self) -> float:
        return WIDTH - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def base(self) -> float:
        return self.top + self.plot_height


def _add(parent: ET.Element, tag: str, attributes: dict[str, str], text: str = "") -> ET.Element:
    """A child element; ElementTree escapes ``text`` and every attribute value."""
    child = ET.SubElement(parent, tag, attributes)
    if text:
        child.text = text
    return child


def _text(svg: ET.Element, x: float | str, y: float | str, words: str, anchor: str) -> None:
    x_text = x if isinstance(x, str) else f"{x:.1f}"
    y_text = y if isinstance(y, str) else f"{y:.1f}"
    _add(svg, "text", {"x": x_text, "y": y_text, "text-anchor": anchor}, words)


def _serialized(element: ET.Element) -> str:
    return ET.tostring(element, encoding="unicode")


def _nice_scale(value: float, ticks: int = 4, whole: bool = False) -> tuple[float, float]:
    """(top, step) with a round step and at most about ``ticks`` gridlines."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    if whole:
        raw = max(raw, 1.0)
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10):
        step = multiple * power
        if step >= raw:
            break
    top = math.ceil(value / step - 1e-9) * step
    return float(top), float(step)


def _svg_open(frame: _Frame, key: str, title: str, desc: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "viewBox": f"0 0 {WIDTH} {frame.height}",
            "role": "img",
            "aria-labelledby": f"{key}-title {key}-desc",
            "xmlns": "http://www.w3.org/2000/svg",
            "font-size": "12",
            "fill": MUTED,
        },
    )
    _add(svg, "title", {"id": f"{key}-title"}, title)
    _add(svg, "desc", {"id": f"{key}-desc"}, desc)
    return svg


def _grid(svg: ET.Element, frame: _Frame, top: float, step: float, low: float = 0.0) -> None:
    value = low
    while value <= top + 1e-9:
        y = frame.base - (value - low) / (top - low) * frame.plot_height
        _add(
            svg,
            "line",
            {
                "x1": str(frame.left),
                "x2": str(WIDTH - frame.right),
                "y1": f"{y:.1f}",
                "y2": f"{y:.1f}",
                "stroke": GRID,
                "stroke-width": "1",
            },
        )
        _text(svg, str(frame.left - 6), y + 4, f"{value:g}", "end")
        value += step


def _baseline(svg: ET.Element, frame: _Frame) -> None:
    _add(
        svg,
        "line",
        {
            "x1": str(frame.left),
            "x2": str(WIDTH - frame.right),
            "y1": str(frame.base),
            "y2": str(frame.base),
            "stroke": AXIS,
        },
    )


def _x_labels(
    svg: ET.Element, frame: _Frame, slot: float, labels: Sequence[Point], y: float
) -> None:
    """Labels under their slots, leaving out any that would touch the one before."""
    last_end = -math.inf
    for index, text in labels:
        x = frame.left + (index + 0.5) * slot
        half = 3.5 * len(text) + 4  # about half the text's width at 12px
        if x - half < last_end:
            continue
        last_end = x + half
        _text(svg, x, y, text, "middle")


def _thin(labels: list[Point], most: int) -> list[Point]:
    if len(labels) <= most:
        return labels
    every = math.ceil(len(labels) / most)
    return labels[::every]


def swatch(colour: str, kind: str = "bar") -> str:
    """A legend's little sample of a bar, a dashed line, a ring or a dot."""
    svg = ET.Element("svg", {"viewBox": "0 0 22 12", "aria-hidden": "true"})
    if kind == "line":
        shape = {"x1": "1", "x2": "21", "y1": "6", "y2": "6", "stroke": colour}
        _add(svg, "line", {**shape, "stroke-width": "2.5", "stroke-dasharray": "5 3"})
    elif kind == "ring":
        ring = {"cx": "11", "cy": "6", "r": "4.5", "fill": "#fff", "stroke": colour}
        _add(svg, "circle", {**ring, "stroke-width": "2"})
    elif kind == "dot":
        _add(svg, "circle", {"cx": "11", "cy": "6", "r": "4.5", "fill": colour})
    else:
        bar = {"x": "3", "y": "1", "width": "16", "height": "10", "rx": "2", "fill": colour}
        _add(svg, "rect", bar)
    return _serialized(svg)


# --- minutes practised ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    label: str  # under the axis, or '' for none
    name: str  # the whole name, for the description
    minutes: float
    goal: float


def _day_label(section: ProfileReport, index: int, day: dt.date) -> str:
    """A date at the start and at each week's start, the day's number between (short
    periods), or nothing."""
    plan_starts = section.plan.starts if section.plan else None
    if plan_starts is not None:
        week_start = (day - plan_starts).days % 7 == 0
    else:
        week_start = day.weekday() == 0
    if index == 0 or week_start:
        return short_date(day)
    return str(day.day) if len(section.days) <= 21 else ""


def _minute_bars(section: ProfileReport) -> tuple[list[_Bar], str]:
    if len(section.days) <= MAX_DAY_BARS:
        bars = [
            _Bar(
                _day_label(section, index, day.day),
                short_date(day.day),
                day.minutes,
                day.goal_minutes,
            )
            for index, day in enumerate(section.days)
        ]
        return bars, "day"
    return [
        _Bar(week.label, week.label, week.minutes, week.goal_minutes) for week in section.weeks
    ], "week"


def _minutes_description(section: ProfileReport, bars: Sequence[_Bar], unit: str) -> str:
    adherence = section.adherence
    desc = f"Minutes practised each {unit}: {minutes_words(adherence.minutes_total)} in all"
    if adherence.goal_minutes_total:
        desc += f", against a planned {minutes_words(adherence.goal_minutes_total)}"
    return (
        desc
        + ". "
        + "; ".join(
            f"{bar.name}: {number(bar.minutes)}" + (f" of {number(bar.goal)}" if bar.goal else "")
            for bar in bars
            if bar.minutes or bar.goal
        )
    )


class _Scale:
    """Minutes to a y position on a chart from 0 to ``top``."""

    def __init__(self, frame: _Frame, top: float) -> None:
        self.frame = frame
        self.top = top

    def y(self, value: float) -> float:
        return self.frame.base - value / self.top * self.frame.plot_height


def _minute_rects(svg: ET.Element, bars: Sequence[_Bar], scale: _Scale, slot: float) -> None:
    frame = scale.frame
    width = min(26.0, slot * 0.7)
    for index, bar in enumerate(bars):
        if bar.minutes <= 0:
            continue
        x = frame.left + (index + 0.5) * slot - width / 2
        top = scale.y(bar.minutes)
        rect = _add(
            svg,
            "rect",
            {
                "x": f"{x:.1f}",
                "y": f"{top:.1f}",
                "width": f"{width:.1f}",
                "height": f"{frame.base - top:.1f}",
                "rx": "2",
                "fill": ACCENT,
            },
        )
        _add(rect, "title", {}, f"{bar.name}: {number(bar.minutes)} min")
        if len(bars) <= 21:
            above = {"x": f"{x + width / 2:.1f}", "y": f"{top - 4:.1f}", "text-anchor": "middle"}
            halo = {"fill": "#2b2a28", "stroke": "#fff", "stroke-width": "3"}
            words = "<1" if bar.minutes < 1 else str(round(bar.minutes))
            _add(svg, "text", {**above, **halo, "paint-order": "stroke"}, words)


def _goal_lines(svg: ET.Element, bars: Sequence[_Bar], scale: _Scale, slot: float) -> None:
    """One dashed step line over each run of slots with the same goal."""
    left = scale.frame.left
    index = 0
    while index < len(bars):
        goal = bars[index].goal
        end = index
        while end + 1 < len(bars) and bars[end + 1].goal == goal:
            end += 1
        if goal > 0:
            x1, x2 = left + index * slot + 1, left + (end + 1) * slot - 1
            y = f"{scale.y(goal):.1f}"
            ends = {"class": "goal", "x1": f"{x1:.1f}", "x2": f"{x2:.1f}", "y1": y, "y2": y}
            dashes = {"stroke": GOAL, "stroke-width": "2.5", "stroke-dasharray": "6 4"}
            _add(svg, "line", {**ends, **dashes})
        index = end + 1


def minutes_chart(section: ProfileReport, key: str) -> Chart:
    bars, unit = _minute_bars(section)
    frame = _Frame(height=180)
    has_goal = any(bar.goal > 0 for bar in bars)
    top, step = _nice_scale(max([bar.minutes for bar in bars] + [bar.goal for bar in bars] + [1]))
    slot = frame.plot_width / max(1, len(bars))
    heading = f"Minutes practised per {unit}"
    svg = _svg_open(frame, key, heading, _minutes_description(section, bars, unit))
    _grid(svg, frame, top, step)
    scale = _Scale(frame, top)
    _minute_rects(svg, bars, scale, slot)
    _goal_lines(svg, bars, scale, slot)
    _baseline(svg, frame)
    labels = [(i, bar.label) for i, bar in enumerate(bars) if bar.label]
    if len(labels) > 22:
        labels = _thin(labels, 12)
    _x_labels(svg, frame, slot, labels, frame.base + 16)
    _text(svg, str(frame.left - 6), "10", "min", "end")
    legend = [("minutes practised", ACCENT, "bar")]
    if has_goal:
        legend.append(("the plan's goal", GOAL, "line"))
    note = (
        "Each bar is one day; the dashed line is what the plan asked for that day."
        if unit == "day" and has_goal
        else ("Each bar is one day." if unit == "day" else "Each bar is one week.")
    )
    return Chart(key, heading, note, _serialized(svg), tuple(legend))


# --- before and after ----------------------------------------------------------------------


def readings_chart(figure: CheckinFigure, key: str) -> Chart:
    """Before (ring) and after (dot) each session, joined by a line."""
    heading, scale_words = item_words(figure)
    heading = f"{heading} before and after each session"
    readings = figure.readings
    frame = _Frame(height=165)
    span = figure.high - figure.low
    slot = frame.plot_width / max(1, len(readings))
    radius = 5.5 if slot >= 14 else 4.0

    def y(value: float) -> str:
        return f"{frame.base - (value - figure.low) / span * frame.plot_height:.1f}"

    summary = figure_sentence(figure)
    desc = f"{summary} Each session is one column: a ring before, a dot after, on {scale_words}."
    svg = _svg_open(frame, key, heading, desc)
    _grid(svg, frame, float(figure.high), 2.0 if span >= 6 else 1.0, low=float(figure.low))
    for index, reading in enumerate(readings):
        x = f"{frame.left + (index + 0.5) * slot:.1f}"
        name = f"{short_date(reading.started.date())} {reading.started:%H:%M}"
        if reading.before is not None and reading.after is not None:
            joined = {"x1": x, "x2": x, "y1": y(reading.before), "y2": y(reading.after)}
            _add(svg, "line", {**joined, "stroke": "#a59d90", "stroke-width": "2"})
        if reading.before is not None:
            ring = {"class": "before", "cx": x, "cy": y(reading.before), "r": str(radius)}
            circle = _add(
                svg, "circle", {**ring, "fill": "#fff", "stroke": GOAL, "stroke-width": "2"}
            )
            words = reading_words(reading.before, reading.before_face)
            _add(circle, "title", {}, f"{name}: before {words}")
        if reading.after is not None:
            dot = {"class": "after", "cx": x, "cy": y(reading.after), "r": str(radius - 1.5)}
            circle = _add(svg, "circle", {**dot, "fill": ACCENT})
            _add(
                circle,
                "title",
                {},
                f"{name}: after {reading_words(reading.after, reading.after_face)}",
            )
    _baseline(svg, frame)
    _x_labels(svg, frame, slot, _thin(_first_of_each_day(figure), 10), frame.base + 16)
    legend = (("before the session", GOAL, "ring"), ("after", ACCENT, "dot"))
    return Chart(key, heading, summary, _serialized(svg), legend)


def _first_of_each_day(figure: CheckinFigure) -> list[Point]:
    labels: list[Point] = []
    last_day: dt.date | None = None
    for index, reading in enumerate(figure.readings):
        if reading.started.date() != last_day:
            labels.append((index, short_date(reading.started.date())))
            last_day = reading.started.date()
    return labels


# --- activities ----------------------------------------------------------------------------


def _activity_names(section: ProfileReport) -> list[str]:
    """The usual activities in their order, then any others reported, by name."""
    weeks = section.weeks
    return list(ACTIVITIES) + sorted(
        {name for week in weeks for name in week.activities if name not in ACTIVITIES}
    )


def _activities_description(section: ProfileReport) -> str:
    return "Days each activity was reported, per week. " + "; ".join(
        f"{week.label}: "
        + (
            ", ".join(f"{name} {count}" for name, count in week.activities.items() if count)
            or "nothing reported"
        )
        for week in section.weeks
    )


def _activity_blocks(
    svg: ET.Element, section: ProfileReport, names: Sequence[str], scale: _Scale, slot: float
) -> None:
    width = min(46.0, slot * 0.62)
    for index, week in enumerate(section.weeks):
        x = f"{scale.frame.left + (index + 0.5) * slot - width / 2:.1f}"
        stacked = 0
        for name in names:
            count = week.activities.get(name, 0)
            if not count:
                continue
            top, bottom = scale.y(stacked + count), scale.y(stacked)
            place = {"class": "activity", "x": x, "y": f"{top:.1f}", "width": f"{width:.1f}"}
            colour = ACTIVITY_COLOURS.get(name, OTHER_COLOUR)
            paint = {"fill": colour, "stroke": "#fff", "stroke-width": "1"}
            rect = _add(svg, "rect", {**place, "height": f"{bottom - top:.1f}", **paint})
            _add(rect, "title", {}, f"{week.label}: {name} on {plural(count, 'day')}")
            stacked += count


def activities_chart(section: ProfileReport, key: str) -> Chart:
    weeks = section.weeks
    names = _activity_names(section)
    frame = _Frame(height=180, bottom=40)
    top, step = _nice_scale(
        max([*(sum(week.activities.values()) for week in weeks), 1]), whole=True
    )
    slot = frame.plot_width / max(1, len(weeks))
    heading = "Activities reported per week"
    svg = _svg_open(frame, key, heading, _activities_description(section))
    _grid(svg, frame, top, step)
    _activity_blocks(svg, section, names, _Scale(frame, top), slot)
    _baseline(svg, frame)
    most = 12
    labels = _thin([(i, week.label) for i, week in enumerate(weeks)], most)
    _x_labels(svg, frame, slot, labels, frame.base + 15)
    if len(weeks) <= most:
        answered = [(i, plural(week.days_reported, "day")) for i, week in enumerate(weeks)]
        _x_labels(svg, frame, slot, answered, frame.base + 29)
    used = [name for name in names if any(week.activities.get(name) for week in weeks)]
    basis = "plan weeks" if section.week_basis == "plan" else "calendar weeks (Monday to Sunday)"
    note = (
        f"In {basis}: each block is one activity on one day. Under each week, "
        "how many days had an answer."
    )
    legend = tuple((name, ACTIVITY_COLOURS.get(name, OTHER_COLOUR), "bar") for name in used)
    return Chart(key, heading, note, _serialized(svg), legend)
