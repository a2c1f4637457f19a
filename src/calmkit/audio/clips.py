"""Finding the audio a timeline will play, and its length, without decoding it.

Lookup order for a narrated line (docs/architecture.md): a clinician's recorded clip
for the step id, then the user's narration cache, then the shipped clips, and
if none: captions only (the timeline then uses reading time).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from calmkit import locations
from calmkit.audio.narration import (
    VoiceFolder,
    breath_cue_words,
    clip_key,
    resolve_voice,
    voice_roots,
)
from calmkit.content import model
from calmkit.content.model import Script
from calmkit.content.timeline import BREATH_WORDS, Clip, NoClips

if TYPE_CHECKING:
    # only the name: synth brings numpy, which plain lookups here never need
    from calmkit.audio.synth import BreathPhase

RECORDING_EXTENSIONS = (".ogg", ".wav", ".flac")
TONE_KINDS: dict[str, BreathPhase] = {"breathe-in": "in", "breathe-out": "out"}


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
    """Everything a session plays, in one voice.

    A narration clip is found by the words spoken and the rate they were rendered
    at (the line's own tier's, which the timeline hands over), never by who
    listens; where no clip has that rate, the same words at the nearest other
    rate play rather than nothing.
    """

    def __init__(self, voice: str | None, *, scripts: Iterable[Script] = ()) -> None:
        self.voice = resolve_voice(voice, scripts)
        # (words, rate) asked for that no clip of this voice says: heard as captions only.
        self.silent: set[tuple[str, int]] = set()
        self.folders: list[VoiceFolder] = []
        if self.voice:
            self.folders = [VoiceFolder.read(root / self.voice) for root in voice_roots()]

    def recorded_step(self, script_id: str, step_id: str) -> Clip | None:
        folder = locations.recordings_dir() / script_id
        for extension in RECORDING_EXTENSIONS:
            path = folder / f"{step_id}{extension}"
            if locations.is_plain_file(path):  # never a link, a pipe or a device
                seconds = sound_file_seconds(path)
                if seconds is not None:
                    return Clip(str(path), seconds)
        return None

    def exactly(self, text: str, rate: int) -> Clip | None:
        """The clip of these words rendered at this rate, if there is one."""
        for folder in self.folders:
            clip = folder.clip(clip_key(text, folder.engine, folder.voice, rate))
            if clip is not None and locations.is_plain_file(Path(clip.path)):
                return clip
        return None

    def narrated(self, text: str, rate: int) -> Clip | None:
        """These words at this rate, else at the nearest rate they were rendered at."""
        clip = self.exactly(text, rate)
        if clip is not None:
            return clip
        others = sorted(
            (abs(other - rate), place, key)
            for place, folder in enumerate(self.folders)
            for other, key in folder.rates_of(text).items()
        )
        for _distance, place, key in others:
            clip = self.folders[place].clip(key)
            if clip is not None and Path(clip.path).is_file():
                return clip
        self.silent.add((text, rate))
        return None

    def narration(self, text: str, step_id: str | None, script_id: str, rate: int) -> Clip | None:
        if step_id:
            recorded = self.recorded_step(script_id, step_id)
            if recorded is not None:
                return recorded
        return self.narrated(text, rate)

    def breath_cue(self, kind: str, guide: str, seconds: float, rate: int) -> Clip | None:
        if guide == "tones":
            return breath_tone_clip(kind, seconds)
        if guide == "words":
            return self.narrated(BREATH_WORDS[kind], rate)
        if guide == "counts":
            return self.counted(kind, seconds, rate)
        return None

    def counted(self, kind: str, seconds: float, rate: int) -> Clip | None:
        """The phase word, then a count on every following second, as one clip."""
        found = [self.narrated(word, rate) for word in breath_cue_words(kind, "counts", seconds)]
        clips = [clip for clip in found if clip is not None]
        if len(clips) < len(found):
            return clips[0] if found[0] is not None else None  # the phase word alone
        name = clip_key("|".join(clip.path for clip in clips), "counts", kind, int(seconds * 1000))
        path = _generated_dir() / f"count-{name}.ogg"
        if not _made(path):
            from calmkit.audio.synth_files import write_spaced_clips

            try:
                write_spaced_clips([clip.path for clip in clips], 1.0, seconds, path)
            except (OSError, RuntimeError):
                # A full or read-only folder, or a clip libsndfile cannot read
                # (soundfile's errors are RuntimeErrors): the phase word alone.
                return clips[0]
        return Clip(str(path), seconds)


def _generated_dir() -> Path:
    return locations.narration_cache_dir() / "generated"


def _made(path: Path) -> bool:
    """A generated clip is there; an empty file (an older calmkit on a full disk) is made again."""
    try:
        return locations.is_plain_file(path) and path.stat().st_size > 0
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
