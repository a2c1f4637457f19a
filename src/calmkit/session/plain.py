"""`calmkit play --plain`: the player with captions printed as lines, no terminal app.

For screen readers, scripts and tests. Ctrl-C stops the session cleanly.
On a terminal the plan's check-ins are asked as typed questions (Enter skips);
when standard input is not a terminal nothing is asked and nothing is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from calmkit.content.model import CheckinSettings, Plan
from calmkit.content.safetext import shown
from calmkit.session.ages import is_young
from calmkit.session.answers import Answer
from calmkit.session.checkins import answered_today, ask_plain, items_for_person
from calmkit.session.clock import Clock
from calmkit.session.counting import practised_sentence
from calmkit.session.journal import Journal
from calmkit.session.people import Person, find_person
from calmkit.session.player import (
    CueStarted,
    FinishStatus,
    Notice,
    Player,
    PlayerEvent,
)
from calmkit.session.practice import PracticeLog, open_log, people_for
from calmkit.session.settings import load_settings
from calmkit.session.setup import PreparedSession

GUEST_NOTE = (
    "note: a guest session, kept in the log as 'Guest'"
    " (--profile NAME keeps practice under someone's name)"
)
CAPTION_KINDS = frozenset({"say", "tense", "release", "breathe-in", "hold", "breathe-out", "rest"})


def clock_text(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def header_lines(prepared: PreparedSession) -> list[str]:
    timeline = prepared.timeline
    status = prepared.status
    together = " (together)" if timeline.together else ""
    audio = f"{status.backend}" + (f" ({status.device})" if status.device != "none" else "")
    lines = [
        shown(timeline.title),
        f"tier: {timeline.tier}{together}  length: {clock_text(timeline.duration)}  audio: {audio}",
    ]
    if status.notice:
        lines.append(f"note: {status.notice}")
    return lines


def _ask_everyone(
    log: PracticeLog,
    moment: str,
    asked: CheckinSettings,
    plan_id: str | None,
    read: Callable[[], str],
    out: TextIO,
    day: dt.date,
    ages: Sequence[int | None],
) -> list[tuple[str, str, Answer | None]]:
    """Each person's answers, asked as what they are (a child by their practice age,
    ``ages`` in the same order; a grown-up as a grown-up; a guest nothing); the daily
    record only from whoever has not given it today."""
    together = len(log.people) > 1
    answers = []
    for index, name in enumerate(log.people):
        person = find_person(log.journal, name) or Person(name, None)
        young = is_young(ages[index] if index < len(ages) else None)
        own_plan = plan_id is not None and person.plan_id == plan_id
        for item in items_for_person(asked, moment, person.kind, own_plan):
            if item == "activities" and answered_today(log.journal, name, item, day):
                continue
            who = name if together else None
            answer = ask_plain(item, moment, who, read, out, young, grown_up=person.grown_up)
            answers.append((name, item, answer))
    return answers


def play_plain(
    prepared: PreparedSession,
    out: TextIO,
    profile: str | None = None,
    together_with: list[str] | None = None,
    read: Callable[[], str] | None = None,
    day: dt.date | None = None,
    clock: Clock | None = None,
    opened: tuple[Journal | None, str | None] | None = None,
    ages: Sequence[int | None] = (),
    plans: Mapping[str, Plan | None] | None = None,
) -> FinishStatus:
    """Play with captions as lines. ``read`` (like ``input``) asks the check-ins;
    None asks nothing. ``opened`` is a journal the caller opened already, with the
    notice that came with it (a damaged journal moved aside), so neither is lost."""
    day = day or dt.date.today()
    for line in header_lines(prepared):
        print(line, file=out, flush=True)
    journal, notice = opened if opened is not None else open_log()
    if notice:
        print(f"note: {notice}", file=out, flush=True)
    people = people_for(profile, together_with or [])
    log = PracticeLog(journal, people, plans=dict(plans or {}))
    main = find_person(journal, log.people[0])
    if main is None or main.guest:
        print(GUEST_NOTE, file=out, flush=True)

    def show(event: PlayerEvent) -> None:
        if isinstance(event, CueStarted) and event.cue.kind in CAPTION_KINDS and event.cue.text:
            # One caption, one line: a newline in it must not forge another "[mm:ss]" line.
            print(f"[{clock_text(event.cue.start)}] {shown(event.cue.text)}", file=out, flush=True)
        elif isinstance(event, Notice):
            print(f"note: {event.message}", file=out, flush=True)

    player = Player(
        prepared.timeline,
        prepared.backend,
        clock=clock,
        listener=show,
        ambient_path=prepared.ambient,
        volumes=load_settings().volumes,
        quiet_timeline=prepared.quiet,
    )
    timeline = prepared.timeline
    asked = prepared.request.settings.checkin
    plan_id = prepared.request.plan.id if prepared.request.plan else None
    # Asked before the journal row exists, saved once it does.
    before = _ask_everyone(log, "before", asked, plan_id, read, out, day, ages) if read else []
    log.begin(player, prepared.request, timeline)
    for person, item, value in before:
        log.checkin(person, "before", item, value)
    notices_shown = len(log.notices)
    for message in log.notices:
        print(f"note: {message}", file=out, flush=True)
    try:
        status = player.run()
    except KeyboardInterrupt:
        player.stop()
        status = "stopped"
    finally:
        prepared.backend.close()
        log.finish()
    if read is not None:
        for moment in ("after", "daily"):
            for person, item, value in _ask_everyone(
                log, moment, asked, plan_id, read, out, day, ages
            ):
                log.checkin(person, moment, item, value)
    for message in log.notices[notices_shown:]:
        print(f"note: {message}", file=out, flush=True)
    if journal is not None:
        journal.close()
    # Time heard, as on the end screen: pausing and skipping forward add nothing.
    practised = practised_sentence(player.seconds_heard)
    if status == "completed":
        print(f"All done. {practised} Well done.", file=out)
    else:
        print(
            f"Stopped after {clock_text(player.elapsed)}. {practised} Any practice counts.",
            file=out,
        )
    return status
