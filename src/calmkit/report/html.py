"""The report as one self-contained HTML page: a one-page summary first, details after.

No external resources and no JavaScript: the CSS (report.css, with an A4 print
layout) inline, and svg.py's charts inline, each with a <title> and <desc>.
Every piece of text from the journal or the library goes through ``esc``
(html.escape) on its way into the page; the charts are escaped by ElementTree.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from importlib.resources import files

from calmkit import __version__
from calmkit.records.checkins import ACTIVITIES
from calmkit.records.counting import PRACTICE_SHARE
from calmkit.report.figures import (
    ProfileReport,
    Report,
    SessionRow,
    WeekFigure,
    short_date,
    short_range,
)
from calmkit.report.followup import FollowUp, WeekWindow
from calmkit.report.svg import Chart, activities_chart, minutes_chart, readings_chart, swatch
from calmkit.report.wording import (
    ITEM_WORDS,
    long_date,
    minutes_words,
    number,
    percent,
    signed,
    weekday_date,
)
from calmkit.words import joined_names, plural, status_word, steps_words

# A data file beside this module, so the page's look is edited as CSS; packaged with it.
CSS = files("calmkit.report").joinpath("report.css").read_text(encoding="utf-8")

DISCLAIMER = (
    "This is a record of home practice kept by calmkit on the family's own computer. "
    "It is not a clinical assessment and not medical advice."
)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _status_words(status: str) -> str:
    # The report lists a running session but counts it nowhere, and says so.
    return "in progress (not counted)" if status == "running" else status_word(status)


def _chart(chart: Chart) -> str:
    note = f'<p class="note">{esc(chart.note)}</p>' if chart.note else ""
    entries = "".join(
        f"<li>{swatch(colour, kind)}{esc(words)}</li>" for words, colour, kind in chart.legend
    )
    return (
        f'<figure class="chart" id="{chart.key}"><h3>{esc(chart.heading)}</h3>{note}'
        f'{chart.svg}<ul class="legend">{entries}</ul></figure>'
    )


# --- the summary page ----------------------------------------------------------------------


def _period_line(section: ProfileReport) -> str:
    period = section.period
    if period.since == period.until:
        parts = [long_date(period.since)]
    else:
        parts = [
            f"{long_date(period.since)} – {long_date(period.until)} ({plural(period.days, 'day')})"
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
                f"{plural(item.sessions, 'session')}{esc(where)}"
            )
        items.append("<strong>Stopped early:</strong> " + "; ".join(stops) + ".")
    else:
        items.append("<strong>Stopped early:</strong> no session was stopped early.")
    for week in summary.pain or ():

        def average(value: float | None, n: int) -> str:
            return f"{number(value)} ({plural(n, 'answer')})" if value is not None else "no answers"

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
        sub = f"{percent(adherence.planned_days_practised or 0, adherence.days_planned)} of planned days"
        if extra:
            sub += f", and {plural(extra, 'other day')}"
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
                f"{plural(adherence.sessions_completed, 'session')} completed in all"
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
            esc(minutes_words(adherence.minutes_total)),
            f"planned: {minutes_words(goal)}" if goal else "all sessions, stopped ones too",
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
                f"{number(shown.average_before)} → {number(shown.average_after)}",
                f"before → after; change {signed(change)} over {plural(shown.n, 'session')}",
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
            sentence += f", and on {plural(adherence.unplanned_days_practised, 'other day')}"
        sentences.append(sentence + ".")
    else:
        sentences.append(
            f"{name} practised on {plural(adherence.days_practised, 'day')} "
            f"of the {adherence.days_in_period} in this period."
        )
    amount = f"In all, {minutes_words(adherence.minutes_total)} of practice"
    if adherence.goal_minutes_total:
        amount += f" (the plan asked for about {minutes_words(adherence.goal_minutes_total)})"
    sentences.append(amount + ".")
    if adherence.sessions_stopped or adherence.sessions_interrupted:
        bits = []
        if adherence.sessions_stopped:
            bits.append(f"{plural(adherence.sessions_stopped, 'session')} stopped early")
        if adherence.sessions_interrupted:
            bits.append(f"{plural(adherence.sessions_interrupted, 'session')} interrupted")
        sentences.append(
            joined_names(bits).capitalize() + ": their minutes count, but not as completed."
        )
    short = adherence.sessions_counted - adherence.sessions_practice
    if adherence.sessions_with_skips or short:
        bits = []
        if adherence.sessions_with_skips:
            bits.append(f"{plural(adherence.sessions_with_skips, 'session')} skipped steps forward")
        if short:
            bits.append(f"{plural(short, 'session')} heard too little to count as practice")
        sentences.append(joined_names(bits).capitalize() + " (see the sessions below).")
    together = section.together
    if together:
        people = sorted({person for s in together for person in s.together_with})
        sentences.append(
            f"Practised together with {', '.join(people)} in {plural(len(together), 'session')}."
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
    return esc(session.heard_of_length(_minutes_number, " (not counted as practice)"))


def _minutes_number(seconds: float) -> str:
    return number(seconds / 60)


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
            esc(weekday_date(session.day)),
            esc(f"{session.started:%H:%M}"),
            esc(session.title or session.target),
            esc(_status_words(session.status)),
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
            esc(number(script.minutes)),
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
            esc(weekday_date(answer.day)),
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


def _summary(section: ProfileReport, key: str) -> list[str]:
    """Page 1: who and when, the follow-up box, the cards and the charts (or the empty box)."""
    out = [f'<section class="profile" id="{key}">']
    out.append('<p class="kicker">calmkit · practice record</p>')
    out.append(f"<h1>{esc(section.label)}</h1>")
    out.append(f'<p class="meta">{esc(_period_line(section))}</p>')
    if section.follow_up is not None:
        out.append(_follow_up(section.follow_up))
    has_activities = any(week.days_reported for week in section.weeks)
    if not section.counted_sessions:
        out.append(
            '<div class="empty"><p><strong>No practice recorded in this period.</strong></p>'
            f"<p>{esc(_empty_words(section))}</p></div>"
        )
        if has_activities:
            out.append(_chart(activities_chart(section, f"{key}-activities")))
    else:
        out.append(_cards(section))
        out.append(_lead(section))
        out.append(_chart(minutes_chart(section, f"{key}-minutes")))
        out.append(_chart(readings_chart(section.stress, f"{key}-stress")))
        if section.stress_faces is not None and section.stress_faces.readings:
            out.append(_chart(readings_chart(section.stress_faces, f"{key}-stress-faces")))
        if has_activities:
            out.append(_chart(activities_chart(section, f"{key}-activities")))
        else:
            out.append('<p class="muted">No daily activities were reported in this period.</p>')
    out.append(f'<p class="disclaimer">{esc(DISCLAIMER)}</p>')
    return out


def _together_list(section: ProfileReport) -> str:
    return (
        "<ul>"
        + "".join(
            f"<li>{esc(short_date(s.day))} {esc(f'{s.started:%H:%M}')}: "
            f"{esc(s.title or s.target)}, with {esc(', '.join(s.together_with))}</li>"
            for s in section.together
        )
        + "</ul>"
    )


def _notes_list(section: ProfileReport) -> str:
    return "<ul>" + "".join(f"<li>{esc(n)}</li>" for n in section.notes) + "</ul>"


# The details' parts in order: a heading, whether the section has anything for it, and
# what shows it.
_DETAILS: tuple[
    tuple[str, Callable[[ProfileReport], object], Callable[[ProfileReport], str]], ...
] = (
    ("What was practised", lambda section: section.scripts, _scripts_table),
    ("Every session", lambda section: section.sessions, _sessions_table),
    ("Practised together", lambda section: section.together, _together_list),
    ("Week by week", lambda section: section.weeks, _weeks_table),
    ("Daily activities", lambda section: section.daily_activities, _daily_table),
    ("Notes", lambda section: section.notes, _notes_list),
    ("How these figures are counted", lambda section: True, _definitions),
)


def _details(section: ProfileReport, key: str) -> list[str]:
    """After a page break: the plan's note, pain and mood, and every table."""
    details = ['<div class="details">', f"<h2>Details for {esc(section.profile)}</h2>"]
    if section.plan is not None and section.plan.note:
        details.append(f'<p class="plan-note">{esc(section.plan.note)}</p>')
    for figure, name in ((section.pain, "pain"), (section.mood, "mood")):
        if figure is not None and figure.readings:
            details.append(_chart(readings_chart(figure, f"{key}-{name}")))
    for heading, has_some, shown in _DETAILS:
        if has_some(section):
            details += [f"<h3>{heading}</h3>", shown(section)]
    details.append("</div>")
    return details


def _section(section: ProfileReport, place: int) -> str:
    key = f"p{place}"
    out = _summary(section, key)
    if section.counted_sessions or section.daily_activities or section.sessions:
        out += _details(section, key)
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
        words += (
            f" The plan had {plural(section.adherence.days_planned, 'planned day')} in this period."
        )
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
        f"<title>{esc(title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n<footer>{footer}</footer>\n</main>\n</body>\n</html>\n"
    )
