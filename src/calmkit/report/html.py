"""The report as one self-contained HTML page: a one-page summary first, details after.

No external resources and no JavaScript: inline CSS (with an A4 print layout)
and inline SVG charts, each with a <title> and <desc>. Every piece of text
from the journal or the library goes through html.escape.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from calmkit import __version__
from calmkit.records.checkins import ACTIVITIES
from calmkit.records.counting import PRACTICE_SHARE, steps_words
from calmkit.report.figures import (
    MONTHS,
    WEEKDAYS,
    CheckinFigure,
    ProfileReport,
    Report,
    SessionRow,
    WeekFigure,
    short_date,
    short_range,
)
from calmkit.report.followup import FollowUp, WeekWindow

# More days than this and the minutes chart shows weeks instead of days.
MAX_DAY_BARS = 62

ACCENT = "#2f7d74"  # minutes practised, 'after'
GOAL = "#b3641f"  # the plan's goal, 'before'
MUTED = "#6b665f"
GRID = "#e4ded4"
# Okabe-Ito colours: distinguishable with the common colour-vision differences.
ACTIVITY_COLOURS = {
    "school": "#0072B2",
    "exercise": "#009E73",
    "friends": "#E69F00",
    "chores": "#CC79A7",
    "hobby": "#56B4E9",
}
OTHER_COLOUR = "#9a948a"

STATUS_WORDS = {
    "completed": "completed",
    "stopped": "stopped early",
    "interrupted": "interrupted",
    "running": "in progress (not counted)",
}
ITEM_WORDS = {
    "stress": ("Stress", "the 0–10 stress thermometer (0 calm, 10 most upset)"),
    "pain": ("Pain", "the 0–10 pain scale"),
    "mood": ("Mood", "the 1–5 mood faces (5 happiest)"),
    "stress_faces": (
        "Stress, answered with faces",
        "the five stress faces (1 very calm, 5 very upset)",
    ),
}

DISCLAIMER = (
    "This is a record of home practice kept by calmkit on the family's own computer. "
    "It is not a clinical assessment and not medical advice."
)

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0; background: #f4f1ec; color: #2b2a28;
  font: 15px/1.45 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial,
        "Liberation Sans", "DejaVu Sans", sans-serif;
}
main { max-width: 980px; margin: 0 auto; padding: 28px 24px 40px; }
.profile { background: #fff; border-radius: 10px; padding: 30px 36px 26px;
           box-shadow: 0 1px 3px rgba(0,0,0,.08); margin-bottom: 28px; }
.kicker { margin: 0; color: #2f7d74; font-size: 12px; letter-spacing: .08em;
          text-transform: uppercase; font-weight: 600; }
h1 { margin: 2px 0 4px; font-size: 28px; font-weight: 650; }
h2 { font-size: 18px; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #e4ded4; }
h3 { font-size: 15px; margin: 18px 0 2px; }
.meta { margin: 0; color: #6b665f; }
.summary { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 18px 0 14px; }
.card { border: 1px solid #e4ded4; border-radius: 8px; padding: 10px 12px; background: #fbfaf7; }
.card .label { font-size: 12px; color: #6b665f; text-transform: uppercase; letter-spacing: .04em; }
.card .big { font-size: 24px; font-weight: 650; line-height: 1.2; margin-top: 2px; }
.card .big small { font-size: 14px; font-weight: 500; color: #6b665f; }
.card .sub { font-size: 12.5px; color: #6b665f; margin-top: 2px; }
.lead { margin: 6px 0 4px; }
.followup { border-left: 4px solid #2f7d74; background: #f3f8f6; border-radius: 0 8px 8px 0;
            padding: 8px 14px; margin: 14px 0 4px; }
.followup h2 { font-size: 13px; margin: 0 0 2px; padding: 0; border: 0; color: #2f7d74;
               text-transform: uppercase; letter-spacing: .06em; }
.followup ul { margin: 0; padding-left: 18px; }
.followup li { margin: 1px 0; }
.chart { margin: 10px 0 4px; break-inside: avoid; page-break-inside: avoid; }
.chart h3 { margin-bottom: 0; }
.chart .note { margin: 0 0 2px; color: #6b665f; font-size: 13px; }
.chart svg { display: block; width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 2px 0 0; padding: 0;
          list-style: none; font-size: 12.5px; color: #4a4640; }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.legend svg { width: 22px; height: 12px; }
.empty { border: 1px dashed #cfc7ba; border-radius: 8px; padding: 18px 20px; margin: 16px 0;
         background: #fbfaf7; }
.empty p { margin: 0; }
.empty p + p { margin-top: 6px; color: #6b665f; }
.disclaimer { margin: 18px 0 0; font-size: 12.5px; color: #6b665f;
              border-top: 1px solid #e4ded4; padding-top: 8px; }
.details { margin-top: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0 4px; }
th, td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid #eee8df;
         vertical-align: top; }
th { font-weight: 600; color: #4a4640; border-bottom: 1px solid #cfc7ba; }
td.num, th.num { text-align: right; padding-right: 10px; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
.muted { color: #6b665f; }
.nowrap { white-space: nowrap; }
.plan-note { border-left: 3px solid #2f7d74; padding: 4px 12px; margin: 8px 0; color: #4a4640; }
ul.defs { padding-left: 18px; font-size: 13px; color: #4a4640; }
ul.defs li { margin: 2px 0; }
footer { text-align: center; font-size: 12px; color: #6b665f; }
@page { size: A4 portrait; margin: 13mm 14mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .profile { box-shadow: none; border-radius: 0; padding: 0; margin: 0; }
  .profile + .profile { break-before: page; page-break-before: always; }
  .details { break-before: page; page-break-before: always; }
  h1 { font-size: 20pt; }
  .summary { gap: 8px; margin: 10px 0 8px; }
  .card { padding: 6px 8px; }
  .card .big { font-size: 16pt; }
  .chart { margin: 4px 0 0; }
  .chart svg { max-height: 34mm; }  /* with the follow-up box, page 1 still holds it all */
  .chart h3 { margin-top: 8px; }
  .chart .note { font-size: 8.5pt; }
  .lead { font-size: 9pt; margin: 2px 0; }
  .followup { padding: 2px 8px; margin: 6px 0 0; font-size: 9pt; line-height: 1.3; }
  footer { margin-top: 10px; }
}
@media (max-width: 640px) { .summary { grid-template-columns: repeat(2, 1fr); } }
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _num(value: float, places: int = 1) -> str:
    text = f"{value:.{places}f}"
    return "0" if text in ("0", "-0") else text.replace("-", "−")


def _signed(value: float) -> str:
    text = f"{value:+.1f}"
    if text in ("+0.0", "-0.0"):
        return "0.0"
    return text.replace("-", "−")


def _minutes(minutes: float) -> str:
    if minutes <= 0:
        return "0 min"
    if minutes < 1:
        return "under 1 min"
    return f"{round(minutes)} min"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


# --- charts ------------------------------------------------------------------------------

WIDTH = 820


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


def _svg_open(frame: _Frame, key: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg viewBox="0 0 {WIDTH} {frame.height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="12" fill="{MUTED}">',
        f'<title id="{key}-title">{esc(title)}</title>',
        f'<desc id="{key}-desc">{esc(desc)}</desc>',
    ]


def _grid(frame: _Frame, top: float, step: float, low: float = 0.0, unit: str = "") -> list[str]:
    parts = []
    value = low
    while value <= top + 1e-9:
        y = frame.base - (value - low) / (top - low) * frame.plot_height
        parts.append(
            f'<line x1="{frame.left}" x2="{WIDTH - frame.right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        label = f"{value:g}{unit}"
        parts.append(
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(label)}</text>'
        )
        value += step
    return parts


def _x_labels(frame: _Frame, slot: float, labels: Sequence[tuple[int, str]], y: float) -> list[str]:
    """Labels under their slots, leaving out any that would touch the one before."""
    parts = []
    last_end = -math.inf
    for index, text in labels:
        x = frame.left + (index + 0.5) * slot
        half = 3.5 * len(text) + 4  # about half the text's width at 12px
        if x - half < last_end:
            continue
        last_end = x + half
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{esc(text)}</text>')
    return parts


def _thin(labels: list[tuple[int, str]], most: int) -> list[tuple[int, str]]:
    if len(labels) <= most:
        return labels
    every = math.ceil(len(labels) / most)
    return labels[::every]


def _swatch(colour: str, kind: str = "bar") -> str:
    if kind == "line":
        shape = f'<line x1="1" x2="21" y1="6" y2="6" stroke="{colour}" stroke-width="2.5" stroke-dasharray="5 3"/>'
    elif kind == "ring":
        shape = f'<circle cx="11" cy="6" r="4.5" fill="#fff" stroke="{colour}" stroke-width="2"/>'
    elif kind == "dot":
        shape = f'<circle cx="11" cy="6" r="4.5" fill="{colour}"/>'
    else:
        shape = f'<rect x="3" y="1" width="16" height="10" rx="2" fill="{colour}"/>'
    return f'<svg viewBox="0 0 22 12" aria-hidden="true">{shape}</svg>'


def _legend(items: Sequence[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<li>{_swatch(colour, kind)}{esc(text)}</li>" for text, colour, kind in items
    )
    return f'<ul class="legend">{entries}</ul>'


def _chart(key: str, heading: str, note: str, svg: str, legend: str = "") -> str:
    note_html = f'<p class="note">{esc(note)}</p>' if note else ""
    return (
        f'<figure class="chart" id="{key}"><h3>{esc(heading)}</h3>{note_html}{svg}{legend}</figure>'
    )


@dataclass(frozen=True)
class _Bar:
    label: str  # under the axis, or '' for none
    name: str  # the whole name, for the description
    minutes: float
    goal: float


def _minute_bars(section: ProfileReport) -> tuple[list[_Bar], str]:
    if len(section.days) <= MAX_DAY_BARS:
        plan_starts = section.plan.starts if section.plan else None
        bars = []
        for index, day in enumerate(section.days):
            if plan_starts is not None:
                week_start = (day.day - plan_starts).days % 7 == 0
            else:
                week_start = day.day.weekday() == 0
            if index == 0 or week_start:
                label = short_date(day.day)
            elif len(section.days) <= 21:
                label = str(day.day.day)
            else:
                label = ""
            bars.append(_Bar(label, short_date(day.day), day.minutes, day.goal_minutes))
        return bars, "day"
    return [
        _Bar(week.label, week.label, week.minutes, week.goal_minutes) for week in section.weeks
    ], "week"


def minutes_chart(section: ProfileReport, key: str) -> str:
    bars, unit = _minute_bars(section)
    frame = _Frame(height=180)
    has_goal = any(bar.goal > 0 for bar in bars)
    top, step = _nice_scale(max([bar.minutes for bar in bars] + [bar.goal for bar in bars] + [1]))
    slot = frame.plot_width / max(1, len(bars))
    width = min(26.0, slot * 0.7)
    adherence = section.adherence
    desc = f"Minutes practised each {unit}: {_minutes(adherence.minutes_total)} in all"
    if adherence.goal_minutes_total:
        desc += f", against a planned {_minutes(adherence.goal_minutes_total)}"
    desc += ". " + "; ".join(
        f"{bar.name}: {_num(bar.minutes)}" + (f" of {_num(bar.goal)}" if bar.goal else "")
        for bar in bars
        if bar.minutes or bar.goal
    )
    parts = _svg_open(frame, key, f"Minutes practised per {unit}", desc)
    parts += _grid(frame, top, step)

    def y(value: float) -> float:
        return frame.base - value / top * frame.plot_height

    for index, bar in enumerate(bars):
        if bar.minutes <= 0:
            continue
        x = frame.left + (index + 0.5) * slot - width / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y(bar.minutes):.1f}" width="{width:.1f}" '
            f'height="{frame.base - y(bar.minutes):.1f}" rx="2" fill="{ACCENT}">'
            f"<title>{esc(bar.name)}: {esc(_num(bar.minutes))} min</title></rect>"
        )
        if len(bars) <= 21:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{y(bar.minutes) - 4:.1f}" '
                f'text-anchor="middle" fill="#2b2a28" stroke="#fff" stroke-width="3" '
                f'paint-order="stroke">{"&lt;1" if bar.minutes < 1 else round(bar.minutes)}</text>'
            )
    # The goal: one dashed step line over each run of slots with the same goal.
    index = 0
    while index < len(bars):
        goal = bars[index].goal
        end = index
        while end + 1 < len(bars) and bars[end + 1].goal == goal:
            end += 1
        if goal > 0:
            x1, x2 = frame.left + index * slot + 1, frame.left + (end + 1) * slot - 1
            parts.append(
                f'<line class="goal" x1="{x1:.1f}" x2="{x2:.1f}" y1="{y(goal):.1f}" '
                f'y2="{y(goal):.1f}" stroke="{GOAL}" stroke-width="2.5" '
                f'stroke-dasharray="6 4"/>'
            )
        index = end + 1
    parts.append(
        f'<line x1="{frame.left}" x2="{WIDTH - frame.right}" y1="{frame.base}" '
        f'y2="{frame.base}" stroke="#b8b0a3"/>'
    )
    labels = [(i, bar.label) for i, bar in enumerate(bars) if bar.label]
    if len(labels) > 22:
        labels = _thin(labels, 12)
    parts += _x_labels(frame, slot, labels, frame.base + 16)
    parts.append(f'<text x="{frame.left - 6}" y="10" text-anchor="end">min</text>')
    parts.append("</svg>")
    legend = [("minutes practised", ACCENT, "bar")]
    if has_goal:
        legend.append(("the plan's goal", GOAL, "line"))
    note = (
        "Each bar is one day; the dashed line is what the plan asked for that day."
        if unit == "day" and has_goal
        else ("Each bar is one day." if unit == "day" else "Each bar is one week.")
    )
    return _chart(key, f"Minutes practised per {unit}", note, "".join(parts), _legend(legend))


def readings_chart(figure: CheckinFigure, key: str) -> str:
    """Before (ring) and after (dot) each session, joined by a line."""
    heading, scale_words = ITEM_WORDS.get(figure.key, (figure.item.title(), ""))
    readings = figure.readings
    frame = _Frame(height=165)
    span = figure.high - figure.low
    step = 2.0 if span >= 6 else 1.0
    slot = frame.plot_width / max(1, len(readings))
    radius = 5.5 if slot >= 14 else 4.0

    def y(value: float) -> float:
        return frame.base - (value - figure.low) / span * frame.plot_height

    summary = _figure_sentence(figure)
    parts = _svg_open(
        frame,
        key,
        f"{heading} before and after each session",
        f"{summary} Each session is one column: a ring before, a dot after, on {scale_words}.",
    )
    parts += _grid(frame, float(figure.high), step, low=float(figure.low))
    for index, reading in enumerate(readings):
        x = frame.left + (index + 0.5) * slot
        name = f"{short_date(reading.started.date())} {reading.started:%H:%M}"
        if reading.before is not None and reading.after is not None:
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y(reading.before):.1f}" '
                f'y2="{y(reading.after):.1f}" stroke="#a59d90" stroke-width="2"/>'
            )
        if reading.before is not None:
            parts.append(
                f'<circle class="before" cx="{x:.1f}" cy="{y(reading.before):.1f}" '
                f'r="{radius}" fill="#fff" stroke="{GOAL}" stroke-width="2">'
                f"<title>{esc(name)}: before {esc(_reading_words(reading.before, reading.before_face))}</title></circle>"
            )
        if reading.after is not None:
            parts.append(
                f'<circle class="after" cx="{x:.1f}" cy="{y(reading.after):.1f}" '
                f'r="{radius - 1.5}" fill="{ACCENT}">'
                f"<title>{esc(name)}: after {esc(_reading_words(reading.after, reading.after_face))}</title></circle>"
            )
    parts.append(
        f'<line x1="{frame.left}" x2="{WIDTH - frame.right}" y1="{frame.base}" '
        f'y2="{frame.base}" stroke="#b8b0a3"/>'
    )
    labels: list[tuple[int, str]] = []
    last_day: dt.date | None = None
    for index, reading in enumerate(readings):
        if reading.started.date() != last_day:
            labels.append((index, short_date(reading.started.date())))
            last_day = reading.started.date()
    parts += _x_labels(frame, slot, _thin(labels, 10), frame.base + 16)
    parts.append("</svg>")
    legend = _legend([("before the session", GOAL, "ring"), ("after", ACCENT, "dot")])
    return _chart(key, f"{heading} before and after each session", summary, "".join(parts), legend)


def _reading_words(value: int, face: str | None) -> str:
    return f"face {value}, {face}" if face else str(value)


def activities_chart(section: ProfileReport, key: str) -> str:
    weeks = section.weeks
    names = list(ACTIVITIES) + sorted(
        {name for week in weeks for name in week.activities if name not in ACTIVITIES}
    )
    frame = _Frame(height=180, bottom=40)
    totals = [sum(week.activities.values()) for week in weeks]
    top, step = _nice_scale(max([*totals, 1]), whole=True)
    slot = frame.plot_width / max(1, len(weeks))
    width = min(46.0, slot * 0.62)

    def y(value: float) -> float:
        return frame.base - value / top * frame.plot_height

    desc = "Days each activity was reported, per week. " + "; ".join(
        f"{week.label}: "
        + (
            ", ".join(f"{name} {count}" for name, count in week.activities.items() if count)
            or "nothing reported"
        )
        for week in weeks
    )
    basis = "plan weeks" if section.week_basis == "plan" else "calendar weeks (Monday to Sunday)"
    parts = _svg_open(frame, key, "Activities reported per week", desc)
    parts += _grid(frame, top, step)
    for index, week in enumerate(weeks):
        x = frame.left + (index + 0.5) * slot - width / 2
        stacked = 0
        for name in names:
            count = week.activities.get(name, 0)
            if not count:
                continue
            colour = ACTIVITY_COLOURS.get(name, OTHER_COLOUR)
            parts.append(
                f'<rect class="activity" x="{x:.1f}" y="{y(stacked + count):.1f}" '
                f'width="{width:.1f}" height="{y(stacked) - y(stacked + count):.1f}" '
                f'fill="{colour}" stroke="#fff" stroke-width="1">'
                f"<title>{esc(week.label)}: {esc(name)} on {_plural(count, 'day')}</title></rect>"
            )
            stacked += count
    parts.append(
        f'<line x1="{frame.left}" x2="{WIDTH - frame.right}" y1="{frame.base}" '
        f'y2="{frame.base}" stroke="#b8b0a3"/>'
    )
    most = 12
    labels = _thin([(i, week.label) for i, week in enumerate(weeks)], most)
    parts += _x_labels(frame, slot, labels, frame.base + 15)
    if len(weeks) <= most:
        answered = [(i, _plural(week.days_reported, "day")) for i, week in enumerate(weeks)]
        parts += _x_labels(frame, slot, answered, frame.base + 29)
    parts.append("</svg>")
    used = [name for name in names if any(week.activities.get(name) for week in weeks)]
    legend = _legend([(name, ACTIVITY_COLOURS.get(name, OTHER_COLOUR), "bar") for name in used])
    note = (
        f"In {basis}: each block is one activity on one day. Under each week, "
        "how many days had an answer."
    )
    return _chart(key, "Activities reported per week", note, "".join(parts), legend)


# --- words -------------------------------------------------------------------------------


def _figure_sentence(figure: CheckinFigure) -> str:
    heading, scale_words = ITEM_WORDS.get(figure.key, (figure.item.title(), ""))
    if figure.n == 0:
        count = len(figure.readings)
        if not count:
            return f"{heading} was not rated before and after any session."
        return (
            f"{heading} was rated in {_plural(count, 'session')}, but never both before "
            "and after the same session."
        )
    assert figure.average_before is not None and figure.average_after is not None
    assert figure.average_change is not None
    return (
        f"Rated before and after {_plural(figure.n, 'session')}: on average "
        f"{_num(figure.average_before)} before and {_num(figure.average_after)} after, "
        f"a change of {_signed(figure.average_change)} on {scale_words}."
    )


def _period_line(section: ProfileReport) -> str:
    period = section.period
    if period.since == period.until:
        parts = [long_date(period.since)]
    else:
        parts = [
            f"{long_date(period.since)} – {long_date(period.until)} ({_plural(period.days, 'day')})"
        ]
    if section.plan is not None:
        plan = section.plan
        parts.append(
            f"plan {plan.id}, {plan.weeks} weeks from {long_date(plan.starts)}"
            + ("" if plan.starts_given else " (first used)")
        )
    else:
        parts.append("no plan on this computer for this name")
    age = section.age if section.age is not None else (section.plan.age if section.plan else None)
    if age is not None:
        parts.append(f"age {age}")
    return " · ".join(parts)


def _days_words(week: WeekWindow) -> str:
    planned = f" of {week.days_planned} planned" if week.days_planned else ""
    return f"{week.days_practised}{planned}"


def _follow_up(summary: FollowUp) -> str:
    """The three things a 15-minute follow-up looks at first, in plain sentences."""
    this, last = summary.this_week, summary.last_week
    items = [
        f"<strong>Days practised:</strong> {esc(_days_words(this))} in the last 7 days "
        f"({esc(short_range(this.first, this.last))}); "
        + (
            f"{esc(_days_words(last))} in the 7 before ({esc(short_range(last.first, last.last))})."
            if last.complete
            else "the 7 days before are outside this report's period."
        )
    ]
    if summary.stopped:
        stops = []
        for item in summary.stopped:
            where = ""
            if item.step is not None:
                step = f"step {item.step} of {item.steps_total}"
                step += f" ({item.step_words})" if item.step_words else ""
                if item.at_that_step == item.stopped:
                    where = f", {'each time ' if item.stopped > 1 else ''}at {step}"
                elif item.at_that_step > 1:
                    where = f", most often at {step}: {item.at_that_step} times"
                else:
                    where = f", each time at another step, the earliest {step}"
            stops.append(
                f"{esc(item.title or ', '.join(item.scripts))}: {item.stopped} of "
                f"{_plural(item.sessions, 'session')}{esc(where)}"
            )
        items.append("<strong>Stopped early:</strong> " + "; ".join(stops) + ".")
    else:
        items.append("<strong>Stopped early:</strong> no session was stopped early.")
    for week in summary.pain or ():

        def average(value: float | None, n: int) -> str:
            return f"{_num(value)} ({_plural(n, 'answer')})" if value is not None else "no answers"

        items.append(
            f"<strong>Pain {esc(week.moment)} sessions</strong> (0–10, as the plan asks): "
            f"{average(week.this_week, week.this_week_n)} in the last 7 days, "
            f"{average(week.last_week, week.last_week_n)} in the 7 before."
        )
    return (
        '<div class="followup"><h2>For the follow-up</h2><ul>'
        + "".join(f"<li>{item}</li>" for item in items)
        + "</ul></div>"
    )


def _cards(section: ProfileReport) -> str:
    adherence = section.adherence
    cards = []
    if adherence.days_planned:
        extra = adherence.unplanned_days_practised
        sub = f"{_percent(adherence.planned_days_practised or 0, adherence.days_planned)} of planned days"
        if extra:
            sub += f", and {_plural(extra, 'other day')}"
        cards.append(
            (
                "Days practised",
                f"{adherence.planned_days_practised} <small>of {adherence.days_planned} planned</small>",
                sub,
            )
        )
        others = adherence.sessions_stopped + adherence.sessions_interrupted
        cards.append(
            (
                "Planned sessions",
                f"{adherence.plan_sessions_completed} <small>of {adherence.sessions_planned} done</small>",
                f"{_plural(adherence.sessions_completed, 'session')} completed in all"
                + (f", {others} stopped early or interrupted" if others else ""),
            )
        )
    else:
        cards.append(
            (
                "Days practised",
                f"{adherence.days_practised} <small>of {adherence.days_in_period} days</small>",
                "no plan to compare with"
                if section.plan is None
                else "the plan has no days in this period",
            )
        )
        others = adherence.sessions_stopped + adherence.sessions_interrupted
        cards.append(
            (
                "Sessions completed",
                str(adherence.sessions_completed),
                f"{others} stopped early or interrupted" if others else "none stopped early",
            )
        )
    goal = adherence.goal_minutes_total
    cards.append(
        (
            "Minutes practised",
            esc(_minutes(adherence.minutes_total)),
            f"planned: {_minutes(goal)}" if goal else "all sessions, stopped ones too",
        )
    )
    stress = section.stress
    faces = section.stress_faces
    # A young child's faces get their own card, on their own 1-5 scale, when the
    # thermometer has nothing to compare.
    shown = stress if stress.n or faces is None or not faces.n else faces
    label = "Stress (0–10)" if shown is stress else "Stress (faces 1–5)"
    if shown.n and shown.average_before is not None and shown.average_after is not None:
        change = shown.average_change or 0.0
        cards.append(
            (
                label,
                f"{_num(shown.average_before)} → {_num(shown.average_after)}",
                f"before → after; change {_signed(change)} over {_plural(shown.n, 'session')}",
            )
        )
    else:
        cards.append(("Stress (0–10)", "–", "not rated before and after a session"))
    body = "".join(
        f'<div class="card"><div class="label">{esc(label)}</div>'
        f'<div class="big">{big}</div><div class="sub">{esc(sub)}</div></div>'
        for label, big, sub in cards
    )
    return f'<div class="summary">{body}</div>'


def _lead(section: ProfileReport) -> str:
    name = section.profile
    adherence = section.adherence
    sentences = []
    if adherence.days_planned:
        sentence = (
            f"{name} practised on {adherence.planned_days_practised} of the "
            f"{adherence.days_planned} planned days"
        )
        if adherence.unplanned_days_practised:
            sentence += f", and on {_plural(adherence.unplanned_days_practised, 'other day')}"
        sentences.append(sentence + ".")
    else:
        sentences.append(
            f"{name} practised on {_plural(adherence.days_practised, 'day')} "
            f"of the {adherence.days_in_period} in this period."
        )
    amount = f"In all, {_minutes(adherence.minutes_total)} of practice"
    if adherence.goal_minutes_total:
        amount += f" (the plan asked for about {_minutes(adherence.goal_minutes_total)})"
    sentences.append(amount + ".")
    if adherence.sessions_stopped or adherence.sessions_interrupted:
        bits = []
        if adherence.sessions_stopped:
            bits.append(f"{_plural(adherence.sessions_stopped, 'session')} stopped early")
        if adherence.sessions_interrupted:
            bits.append(f"{_plural(adherence.sessions_interrupted, 'session')} interrupted")
        sentences.append(
            " and ".join(bits).capitalize() + ": their minutes count, but not as completed."
        )
    short = adherence.sessions_counted - adherence.sessions_practice
    if adherence.sessions_with_skips or short:
        bits = []
        if adherence.sessions_with_skips:
            bits.append(
                f"{_plural(adherence.sessions_with_skips, 'session')} skipped steps forward"
            )
        if short:
            bits.append(f"{_plural(short, 'session')} heard too little to count as practice")
        sentences.append(" and ".join(bits).capitalize() + " (see the sessions below).")
    together = section.together
    if together:
        people = sorted({person for s in together for person in s.together_with})
        sentences.append(
            f"Practised together with {', '.join(people)} in {_plural(len(together), 'session')}."
        )
    return f'<p class="lead">{esc(" ".join(sentences))}</p>'


# --- details -----------------------------------------------------------------------------


def _table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th{' class=num' if numeric else ''}>{esc(h)}</th>" for h, numeric in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if numeric else ''}>{cell}</td>"
            for cell, (_, numeric) in zip(row, headers, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _score(session: SessionRow, item: str) -> str:
    """'6 → 3', or faces as faces: '(ó_ò) upset → (^‿^) very calm'."""
    before, after = session.words(item, "before"), session.words(item, "after")
    if before is None and after is None:
        return ""
    return f"{esc('–' if before is None else before)} → {esc('–' if after is None else after)}"


def _heard_cell(session: SessionRow) -> str:
    """'2.1 of 7.0', marked when it does not count as practice."""
    text = _num(session.minutes)
    if session.script_seconds is not None:
        text += f" of {_num(session.script_seconds / 60)}"
    if session.counted and not session.practice:
        text += " (not counted as practice)"
    return esc(text)


def _steps_cell(session: SessionRow) -> str:
    return esc(steps_words(session.steps_done, session.steps_total, session.steps_skipped))


def _sessions_table(section: ProfileReport) -> str:
    items = ["stress"] + [
        item for item, figure in (("pain", section.pain), ("mood", section.mood)) if figure
    ]
    headers = [("Date", False), ("Time", False), ("Practice", False), ("Status", False)]
    headers += [("Min heard", True), ("Steps", True)]
    headers += [(ITEM_WORDS[item][0], False) for item in items]
    headers += [("Together with", False)]
    rows = []
    for session in section.sessions:
        row = [
            esc(f"{WEEKDAYS[session.day.weekday()]} {short_date(session.day)}"),
            esc(f"{session.started:%H:%M}"),
            esc(session.title or session.target),
            esc(STATUS_WORDS.get(session.status, session.status)),
            _heard_cell(session),
            _steps_cell(session),
        ]
        row += [_score(session, item) for item in items]
        row.append(esc(", ".join(session.together_with)))
        rows.append(row)
    return _table(headers, rows)


def _scripts_table(section: ProfileReport) -> str:
    rows = [
        [
            esc(script.title or script.id) + f' <span class="muted">{esc(script.id)}</span>',
            esc(script.sessions),
            esc(script.completed),
            esc(_num(script.minutes)),
        ]
        for script in section.scripts
    ]
    headers = [("Script", False), ("Sessions", True), ("Played in full", True), ("Minutes", True)]
    return _table(headers, rows)


def _weeks_table(section: ProfileReport) -> str:
    plan = section.plan is not None
    headers = [("Week", False)]
    if plan:
        headers += [("Practised / planned days", True), ("Minutes / goal", True)]
    else:
        headers += [("Days practised", True), ("Minutes", True)]
    headers += [(name.capitalize(), True) for name in ACTIVITIES]
    extras = sorted({n for week in section.weeks for n in week.activities if n not in ACTIVITIES})
    headers += [(name, True) for name in extras]
    headers += [("Days answered", True), ("“None”", True)]
    rows = []
    for week in section.weeks:
        dates = _day_range(week)
        row = [
            f'<span class="nowrap">{esc(week.label)}</span>'
            + (f'<br><span class="muted nowrap">{esc(dates)}</span>' if dates != week.label else "")
        ]
        if plan:
            row += [
                esc(f"{week.days_practised} / {week.days_planned}"),
                esc(f"{round(week.minutes)} / {round(week.goal_minutes)}"),
            ]
        else:
            row += [esc(week.days_practised), esc(round(week.minutes))]
        row += [esc(week.activities.get(name, 0)) for name in (*ACTIVITIES, *extras)]
        row += [esc(week.days_reported), esc(week.days_none)]
        rows.append(row)
    return _table(headers, rows)


def _day_range(week: WeekFigure) -> str:
    return short_range(week.first_day, week.last_day)


def _daily_table(section: ProfileReport) -> str:
    rows = [
        [
            esc(f"{WEEKDAYS[answer.day.weekday()]} {short_date(answer.day)}"),
            esc(", ".join(answer.activities) if answer.activities else "none"),
        ]
        for answer in section.daily_activities
    ]
    return _table([("Date", False), ("What they did", False)], rows)


def _definitions(section: ProfileReport) -> str:
    basis = (
        "Weeks are the plan's weeks: week 1 is the first seven days from the plan's start."
        if section.week_basis == "plan"
        else "Weeks are calendar weeks, Monday to Sunday."
    )
    share = round(PRACTICE_SHARE * 100)
    items = [
        "A session counts once it has finished: completed, stopped early, or interrupted "
        "(calmkit was closed). Sessions still in progress are listed but not counted.",
        "Minutes practised are minutes heard: time paused and steps skipped forward are "
        "left out. Stopped and interrupted sessions count, on the day they started.",
        f"A session counts as practice when at least {share}% of its length was heard "
        "(or the minutes the plan sets). A practice day has at least one.",
        "A planned day is a day on which the plan asks for at least one session. Its goal is "
        "the planned length of that day's sessions, read at the plan's age.",
        "Planned sessions done counts sessions that count as practice and played a planned "
        "session's scripts, on planned days, at most as many a day as the plan asks for.",
        "Before/after averages use only sessions rated both before and after.",
        basis,
    ]
    return '<ul class="defs">' + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def _section(section: ProfileReport, number: int) -> str:
    key = f"p{number}"
    out = [f'<section class="profile" id="{key}">']
    out.append('<p class="kicker">calmkit · practice record</p>')
    out.append(f"<h1>{esc(section.label)}</h1>")
    out.append(f'<p class="meta">{esc(_period_line(section))}</p>')
    if section.follow_up is not None:
        out.append(_follow_up(section.follow_up))
    counted = section.counted_sessions
    has_activities = any(week.days_reported for week in section.weeks)
    if not counted:
        out.append(
            '<div class="empty"><p><strong>No practice recorded in this period.</strong></p>'
            f"<p>{esc(_empty_words(section))}</p></div>"
        )
        if has_activities:
            out.append(activities_chart(section, f"{key}-activities"))
    else:
        out.append(_cards(section))
        out.append(_lead(section))
        out.append(minutes_chart(section, f"{key}-minutes"))
        out.append(readings_chart(section.stress, f"{key}-stress"))
        if section.stress_faces is not None and section.stress_faces.readings:
            out.append(readings_chart(section.stress_faces, f"{key}-stress-faces"))
        if has_activities:
            out.append(activities_chart(section, f"{key}-activities"))
        else:
            out.append('<p class="muted">No daily activities were reported in this period.</p>')
    out.append(f'<p class="disclaimer">{esc(DISCLAIMER)}</p>')

    details = ['<div class="details">', f"<h2>Details for {esc(section.profile)}</h2>"]
    if section.plan is not None and section.plan.note:
        details.append(f'<p class="plan-note">{esc(section.plan.note)}</p>')
    for figure, name in ((section.pain, "pain"), (section.mood, "mood")):
        if figure is not None and figure.readings:
            details.append(readings_chart(figure, f"{key}-{name}"))
    if section.scripts:
        details.append("<h3>What was practised</h3>")
        details.append(_scripts_table(section))
    if section.sessions:
        details.append("<h3>Every session</h3>")
        details.append(_sessions_table(section))
    if section.together:
        details.append("<h3>Practised together</h3>")
        details.append(
            "<ul>"
            + "".join(
                f"<li>{esc(short_date(s.day))} {esc(f'{s.started:%H:%M}')}: "
                f"{esc(s.title or s.target)}, with {esc(', '.join(s.together_with))}</li>"
                for s in section.together
            )
            + "</ul>"
        )
    if section.weeks:
        details.append("<h3>Week by week</h3>")
        details.append(_weeks_table(section))
    if section.daily_activities:
        details.append("<h3>Daily activities</h3>")
        details.append(_daily_table(section))
    if section.notes:
        details.append("<h3>Notes</h3>")
        details.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in section.notes) + "</ul>")
    details.append("<h3>How these figures are counted</h3>")
    details.append(_definitions(section))
    details.append("</div>")
    if counted or section.daily_activities or section.sessions:
        out += details
    out.append("</section>")
    return "\n".join(out)


def _empty_words(section: ProfileReport) -> str:
    period = section.period
    when = (
        f"on {long_date(period.since)}"
        if period.since == period.until
        else f"between {long_date(period.since)} and {long_date(period.until)}"
    )
    words = (
        f"Nothing was recorded for {section.profile} {when}. Practice done on another "
        "computer, or under another name, would not show here."
    )
    if section.adherence.days_planned:
        words += f" The plan had {_plural(section.adherence.days_planned, 'planned day')} in this period."
    return words


def render_html(report: Report) -> str:
    names = [section.profile for section in report.profiles]
    title = "calmkit practice record" + (f": {', '.join(names)}" if names else "")
    body = [_section(section, number) for number, section in enumerate(report.profiles, 1)]
    if not body:
        body.append(
            '<section class="profile"><p class="kicker">calmkit · practice record</p>'
            "<h1>Practice record</h1>"
            '<div class="empty"><p><strong>No practice recorded yet.</strong></p>'
            "<p>When someone practises with calmkit on this computer, it will show here.</p>"
            f'</div><p class="disclaimer">{esc(DISCLAIMER)}</p></section>'
        )
    generated = report.generated
    footer = (
        f"Made by calmkit {esc(__version__)} on {esc(long_date(generated.date()))} "
        f"at {esc(f'{generated:%H:%M}')}. A practice record, not medical advice."
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n<footer>{footer}</footer>\n</main>\n</body>\n</html>\n"
    )
