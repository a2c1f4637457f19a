"""Getting a session ready to play: its timeline with real clips, a backend, the ambient bed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calmkit.audio.backend import AudioBackend, BackendStatus, open_backend
from calmkit.audio.clips import SessionClips, ambient_path
from calmkit.audio.narration import available_voices
from calmkit.content.library import Library
from calmkit.content.model import Plan
from calmkit.content.timeline import Timeline
from calmkit.playback.targets import SessionRequest, resolve


@dataclass
class PreparedSession:
    request: SessionRequest
    timeline: Timeline
    backend: AudioBackend
    status: BackendStatus
    ambient: str | None  # the bed's file, or None for quiet
    # The same session without sound, for the player to go on with if the sound goes
    # away mid-session; None when there is no sound to lose, or nothing would change.
    quiet: Timeline | None = None


def prepare_session(
    target: str,
    library: Library,
    age: int | None = None,
    together: bool = False,
    want_sound: bool = True,
    want_ambient: bool = True,
    day: dt.date | None = None,
    ambient_override: str | None = None,
    session_index: int = 0,
    active_plan: Plan | None = None,
    narrator: str | None = None,
) -> PreparedSession:
    """Raises TargetError when the target cannot be played.

    ``ambient_override`` is the family's own choice of bed from the settings,
    which wins over the script's and the plan's; ``narrator`` their choice of
    voice (see session_clips).
    """
    request = resolve(
        target,
        library,
        age=age,
        day=day,
        together=together,
        session_index=session_index,
        active_plan=active_plan,
    )
    backend, status = open_backend(want_sound)
    # The timeline is compiled for what will be heard: lines that announce sounds only
    # when sound plays (a script's `when: sound` and `when: no-sound` steps).
    sound = status.backend != "null"
    clips = session_clips(request, narrator)
    timeline = request.timeline(clips, sound=sound)
    quiet = request.timeline(clips, sound=False) if sound else None
    bed_name = ambient_override or timeline.ambient
    bed = ambient_path(bed_name) if want_ambient and want_sound else None
    return PreparedSession(
        request, timeline, backend, status, bed, None if quiet == timeline else quiet
    )


def session_clips(request: SessionRequest, narrator: str | None = None) -> SessionClips:
    """The clips a session plays, in the family's chosen voice where it has every line.

    ``narrator`` is the voice folder picked in the settings. It wins over the
    plan's voice only where it says every line of this session (at some rate):
    a choice never makes a line silent that another voice would say.
    """
    if narrator and narrator in available_voices():
        chosen = SessionClips(narrator)
        request.timeline(chosen)
        if not chosen.silent:
            return chosen
    return SessionClips(request.settings.voice, scripts=request.scripts)
