"""`calmkit play --plain`: the player with captions printed as lines, no terminal app.

For screen readers, scripts and tests. Nothing is read from standard input:
Ctrl-C stops the session cleanly.
"""

from __future__ import annotations

from typing import TextIO

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
        timeline.title,
        f"tier: {timeline.tier}{together}  length: {clock_text(timeline.duration)}  audio: {audio}",
    ]
    if status.notice:
        lines.append(f"note: {status.notice}")
    return lines


def play_plain(
    prepared: PreparedSession,
    out: TextIO,
    profile: str | None = None,
    together_with: list[str] | None = None,
) -> FinishStatus:
    for line in header_lines(prepared):
        print(line, file=out, flush=True)
    journal, notice = open_log()
    if notice:
        print(f"note: {notice}", file=out, flush=True)
    log = PracticeLog(journal, people_for(profile, together_with or []))

    def show(event: PlayerEvent) -> None:
        if isinstance(event, CueStarted) and event.cue.kind in CAPTION_KINDS and event.cue.text:
            print(f"[{clock_text(event.cue.start)}] {event.cue.text}", file=out, flush=True)
        elif isinstance(event, Notice):
            print(f"note: {event.message}", file=out, flush=True)

    player = Player(
        prepared.timeline,
        prepared.backend,
        listener=show,
        ambient_path=prepared.ambient,
        volumes=load_settings().volumes,
    )
    timeline = prepared.timeline
    log.begin(player, timeline.id, timeline.title, timeline.tier)
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
        if journal is not None:
            journal.close()
    minutes = max(1, round(player.elapsed / 60))
    if status == "completed":
        print(
            f"All done. You practised for {minutes} minute{'s' if minutes != 1 else ''}. Well done.",
            file=out,
        )
    else:
        print(f"Stopped after {clock_text(player.elapsed)}. Any practice counts.", file=out)
    return status
