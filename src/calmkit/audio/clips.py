"""Finding the audio a timeline will play, and its length, without decoding it."""

from __future__ import annotations

from pathlib import Path

from calmkit.content.timeline import Clip, NoClips


def sound_file_seconds(path: Path) -> float | None:
    """The length of a recorded clip from its header, or None if it cannot be read."""
    import soundfile  # lazily: only sessions with recorded clips need it

    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError, soundfile.LibsndfileError):
        return None
    if info.samplerate <= 0:
        return None
    return info.frames / info.samplerate


class RecordedClips(NoClips):
    """Recorded `sound` steps beside their script; narration comes later (captions only)."""

    def recording(self, script_path: str, file: str) -> Clip | None:
        path = Path(script_path).parent / file
        seconds = sound_file_seconds(path)
        return None if seconds is None else Clip(str(path.resolve()), seconds)
