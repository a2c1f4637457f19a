"""`calmkit play --plain`: the player with captions printed as lines, no terminal app.

For screen readers, scripts and tests. Ctrl-C stops the session cleanly.
On a terminal the plan's check-ins are asked as typed questions (Enter skips);
when standard input is not a terminal nothing is asked and nothing is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from calmkit.content.model import Plan
from calmkit.content.safetext import shown
from calmkit.playback.clock import Clock
from calmkit.playback.player import (
    CueStarted,
    FinishStatus,
    Notice,
    Player,
    PlayerEvent,
)
from calmkit.playback.practice import (
    Answered,
    PracticeLog,
    open_log,
    people_for,
    questions,
)
from calmkit.playback.prepare import PreparedSession
from calmkit.records.checkins import Question, ask_plain
from calmkit.records.counting import practised_sentence
from calmkit.records.journal import Journal
from calmkit.records.people import find_person
from calmkit.records.settings import load_settings
from calmkit.words import clock as clock_text  # `clock` is play_plain's Clock

GUEST_NOTE = (
    "note: a guest session, kept in the log as 'Guest'"
    " (--profile NAME keeps practice under someone's name)"
)
CAPTION_KINDS = frozenset({"say", "tense", "release", "breathe-in", "hold", "breathe-out", "rest"})


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


def _ask_typed(
    questions_now: list[Question], read: Callable[[], str], out: TextIO
) -> list[Answered]:
    """Each question asked on the terminal, answered by typing (Enter skips)."""
    return [(asked, ask_plain(asked, read, out)) for asked in questions_now]


def play_plain(
    prepared: PreparedSession,
    out: TextIO,
    profile: str | None = None,
    together_with: list[str] | None = None,
    *,
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
    before: list[Answered] = []
    if read is not None:
        before = _ask_typed(questions(log, "before", asked, plan_id, day, ages), read, out)
    log.begin(player, prepared.request, timeline, before=before)
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
            log.save(_ask_typed(questions(log, moment, asked, plan_id, day, ages), read, out))
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
