"""Finding the audio a timeline will play, and its length, without decoding it.

Lookup order for a narrated line (architecture.md): a clinician's recorded clip
for the step id, then the user's narration cache, then the shipped clips, and
if none: captions only (the timeline then uses reading time).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from calmkit import locations
from calmkit.audio.narration import (
    COUNT_PHASE_WORDS,
    COUNT_WORDS,
    VoiceFolder,
    clip_key,
    resolve_voice,
    voice_roots,
)
from calmkit.content import model
from calmkit.content.model import Script, Tier
from calmkit.content.timeline import BREATH_WORDS, Clip, NoClips

RECORDING_EXTENSIONS = (".ogg", ".wav", ".flac")
TONE_KINDS = {"breathe-in": "in", "breathe-out": "out"}


def sound_file_seconds(path: Path) -> float | None:
    """The length of a clip from its header, or None if it cannot be read."""
    import soundfile  # lazily: only sessions with audio need it

    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError, soundfile.LibsndfileError):
        return None
    if info.samplerate <= 0 or info.frames <= 0:
        return None
    return info.frames / info.samplerate


@cache
def shipped_manifest() -> dict[str, dict[str, dict[str, object]]]:
    """audio/manifest.json: the shipped chimes and ambient beds and their lengths."""
    try:
        data = json.loads((locations.builtin_audio_dir() / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _shipped(section: str, name: str) -> Clip | None:
    entry = shipped_manifest().get(section, {}).get(name)
    if not isinstance(entry, dict):
        return None
    path = locations.builtin_audio_dir() / str(entry.get("file", ""))
    seconds = entry.get("seconds")
    if not path.is_file() or not isinstance(seconds, int | float):
        return None
    return Clip(str(path), float(seconds))


def ambient_path(name: str | None) -> str | None:
    if not name or name == model.NO_AMBIENT:
        return None
    clip = _shipped("ambient", name)
    return clip.path if clip else None


class RecordedClips(NoClips):
    """Recorded `sound` steps beside their script, and the shipped chimes."""

    def recording(self, script_path: str, file: str) -> Clip | None:
        path = Path(script_path).parent / file
        seconds = sound_file_seconds(path)
        return None if seconds is None else Clip(str(path.resolve()), seconds)

    def chime(self, name: str) -> Clip | None:
        return _shipped("chimes", name)


class SessionClips(RecordedClips):
    """Everything a session plays, for one voice and one tier's speaking rate."""

    def __init__(self, voice: str | None, tier: Tier, scripts: Iterable[Script] = ()) -> None:
        self.rate = model.WORDS_PER_MINUTE[tier]
        self.voice = resolve_voice(voice, scripts)
        self.folders: list[VoiceFolder] = []
        if self.voice:
            self.folders = [VoiceFolder.read(root / self.voice) for root in voice_roots()]

    def recorded_step(self, script_id: str, step_id: str) -> Clip | None:
        folder = locations.recordings_dir() / script_id
        for extension in RECORDING_EXTENSIONS:
            path = folder / f"{step_id}{extension}"
            if path.is_file():
                seconds = sound_file_seconds(path)
                if seconds is not None:
                    return Clip(str(path), seconds)
        return None

    def narrated(self, text: str) -> Clip | None:
        for folder in self.folders:
            key = clip_key(text, folder.engine, folder.voice, self.rate)
            clip = folder.clip(key)
            if clip is not None and Path(clip.path).is_file():
                return clip
        return None

    def narration(self, text: str, step_id: str | None, script_id: str) -> Clip | None:
        if step_id:
            recorded = self.recorded_step(script_id, step_id)
            if recorded is not None:
                return recorded
        return self.narrated(text)

    def breath_cue(self, kind: str, guide: str, seconds: float) -> Clip | None:
        if guide == "tones":
            return breath_tone_clip(kind, seconds)
        if guide == "words":
            return self.narrated(BREATH_WORDS[kind])
        if guide == "counts":
            return self.counted(kind, seconds)
        return None

    def counted(self, kind: str, seconds: float) -> Clip | None:
        """The phase word, then a count on every following second, as one clip."""
        words = [COUNT_PHASE_WORDS[kind], *COUNT_WORDS[1 : int(seconds)]]
        clips = [self.narrated(word) for word in words]
        if any(clip is None for clip in clips):
            return self.narrated(BREATH_WORDS[kind])
        name = clip_key(
            "|".join(clip.path for clip in clips if clip), "counts", kind, int(seconds * 1000)
        )
        path = _generated_dir() / f"count-{name}.ogg"
        if not _made(path):
            from calmkit.audio.synth_files import write_spaced_clips

            try:
                write_spaced_clips([clip.path for clip in clips if clip], 1.0, seconds, path)
            except (OSError, RuntimeError):
                # A full or read-only folder, or a clip libsndfile cannot read
                # (soundfile's errors are RuntimeErrors): the phase word alone.
                return self.narrated(BREATH_WORDS[kind])
        return Clip(str(path), seconds)


def _generated_dir() -> Path:
    return locations.narration_cache_dir() / "generated"


def _made(path: Path) -> bool:
    """A generated clip is there; an empty file (an older calmkit on a full disk) is made again."""
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def breath_tone_clip(kind: str, seconds: float) -> Clip | None:
    """A rising or falling tone exactly as long as the phase, made once and kept."""
    phase = TONE_KINDS.get(kind)
    if phase is None:
        return None  # holds and rests stay quiet
    milliseconds = round(seconds * 1000)
    path = _generated_dir() / f"tone-{phase}-{milliseconds}.ogg"
    if not _made(path):
        from calmkit.audio.synth_files import write_breath_tone

        try:
            write_breath_tone(phase, milliseconds / 1000, path)
        except (OSError, RuntimeError):
            # A read-only or full data folder (libsndfile reports a full disk as a
            # RuntimeError): the phase is simply quiet.
            return None
    return Clip(str(path), seconds)
