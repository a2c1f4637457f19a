"""Getting a session ready to play: its timeline with real clips, a backend, the ambient bed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calmkit.audio.backend import AudioBackend, BackendStatus, open_backend
from calmkit.audio.clips import SessionClips, ambient_path
from calmkit.content.library import Library
from calmkit.content.model import Plan
from calmkit.content.timeline import Timeline
from calmkit.session.targets import SessionRequest, resolve


@dataclass
class PreparedSession:
    request: SessionRequest
    timeline: Timeline
    backend: AudioBackend
    status: BackendStatus
    ambient: str | None  # the bed's file, or None for quiet


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
) -> PreparedSession:
    """Raises TargetError when the target cannot be played.

    ``ambient_override`` is the family's own choice of bed from the settings,
    which wins over the script's and the plan's.
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
    clips = SessionClips(request.settings.voice, scripts=request.scripts)
    timeline = request.timeline(clips)
    backend, status = open_backend(want_sound)
    bed_name = ambient_override or timeline.ambient
    bed = ambient_path(bed_name) if want_ambient and want_sound else None
    return PreparedSession(request, timeline, backend, status, bed)
