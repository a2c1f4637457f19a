"""Narration clips carried in a pack, so a family hears a clinician's scripts with no
text-to-speech engine installed.

A pack holds them as the narration cache does: ``narration/<engine>-<voice>/`` with
``<key>.ogg`` clips and a ``manifest.json`` giving each clip's text, rate and length.
Nothing in a pack is taken on trust: every key is worked out again from its text
(so a clip can only be found for the words it was listed with), every text must be
one the pack's scripts say, every clip must play, and a clip off the loudness target
is mastered again, so a pack's voice sits at the level of every other line.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from calmkit import locations
from calmkit.audio.narration import (
    MANIFEST_NAME,
    MANIFEST_VERSION,
    NARRATION_SAMPLE_RATE,
    VoiceFolder,
    clip_key,
    lines_for_script,
    voice_folder_name,
)
from calmkit.content.model import Script

NARRATION_FOLDER = "narration"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
# How far off the loudness target a packed clip may be and still be kept as it is.
LOUDNESS_SLACK_LU = 1.0


def narration_parts(rel: PurePosixPath) -> tuple[str, str] | None:
    """(voice folder, file name) when ``rel`` is ``.../narration/<voice>/<file>``."""
    parts = rel.parts
    if len(parts) >= 3 and parts[-3].lower() == NARRATION_FOLDER:
        return parts[-2], parts[-1]
    return None


@dataclass(frozen=True)
class NarrationClip:
    """A checked clip, ready to go into the user's narration cache."""

    voice_folder: str
    engine: str
    voice: str
    key: str
    data: bytes
    entry: dict[str, object]  # text, rate, seconds: the manifest's entry

    @property
    def target(self) -> Path:
        return locations.narration_cache_dir() / self.voice_folder / f"{self.key}.ogg"


Report = Callable[[str, str], None]


def _level(data: bytes) -> tuple[bytes, float]:
    """The clip at the loudness every clip has, and its length in seconds."""
    from calmkit.audio.mastering import (
        TARGET_LUFS,
        TRUE_PEAK_CEILING_DBTP,
        master_clip,
        measure,
    )

    with tempfile.TemporaryDirectory(prefix="calmkit-pack-") as work:
        given = Path(work) / "given.ogg"
        given.write_bytes(data)
        levels = measure(given)
        if (
            abs(levels.lufs - TARGET_LUFS) <= LOUDNESS_SLACK_LU
            and levels.true_peak_dbtp <= TRUE_PEAK_CEILING_DBTP + 0.1
        ):
            return data, levels.seconds
        mastered = Path(work) / "mastered.ogg"
        seconds = master_clip(given, mastered, sample_rate=NARRATION_SAMPLE_RATE)
        return mastered.read_bytes(), seconds


def check_narration(
    members: Iterable[tuple[PurePosixPath, str]],
    read: Callable[[PurePosixPath, int], bytes | None],
    scripts: Iterable[Script],
    error: Report,
    audio_problem: Callable[[bytes], str | None],
    max_clip_bytes: int,
) -> list[NarrationClip]:
    """Every narration clip of a pack, checked; problems go to ``error(label, text)``.

    ``members`` are (path in the pack, label) of the files under a narration folder;
    ``read`` returns a member's bytes (None when it was refused, already reported).
    """
    by_folder: dict[tuple[PurePosixPath, str], dict[str, tuple[PurePosixPath, str]]] = {}
    for rel, label in members:
        parts = narration_parts(rel)
        assert parts is not None
        folder, name = parts
        by_folder.setdefault((rel.parent, folder), {})[name] = (rel, label)
    spoken = set().union(*(lines_for_script(script) for script in scripts))
    clips: list[NarrationClip] = []
    for (where, folder), files in sorted(by_folder.items()):
        manifest = files.pop(MANIFEST_NAME, None)
        if manifest is None:
            for _, label in files.values():
                error(label, f"a narration clip without {where}/{MANIFEST_NAME} to say its words")
            continue
        entries = _manifest_entries(manifest, read, folder, error)
        if entries is None:
            continue
        engine, voice, listed = entries
        allowed = {clip_key(line.text, engine, voice, line.rate): line for line in spoken}
        for key, entry in sorted(listed.items()):
            rel_label = files.pop(f"{key}.ogg", None)
            text, rate = entry.get("text"), entry.get("rate")
            if not isinstance(text, str) or not isinstance(rate, int):
                error(manifest[1], f"narration entry '{key}' has no text and rate")
                continue
            if clip_key(text, engine, voice, rate) != key:
                error(manifest[1], f"narration entry '{key}' is not the clip of its text '{text}'")
                continue
            if key not in allowed:
                error(
                    manifest[1],
                    f"narration for '{text[:60]}', which no script in the pack says: "
                    "pack again after changing a script",
                )
                continue
            if rel_label is None:
                error(manifest[1], f"narration clip {key}.ogg for '{text[:60]}' is missing")
                continue
            data = read(rel_label[0], max_clip_bytes)
            if data is None:
                continue
            problem = audio_problem(data)
            if problem is not None:
                error(rel_label[1], problem)
                continue
            try:
                levelled, seconds = _level(data)
            except ValueError as failure:  # MasteringError: silent or unreadable
                error(rel_label[1], f"cannot be played: {failure}")
                continue
            clips.append(
                NarrationClip(
                    folder,
                    engine,
                    voice,
                    key,
                    levelled,
                    {"text": text, "rate": rate, "seconds": round(seconds, 4)},
                )
            )
        for _, label in files.values():
            error(label, f"a narration clip that {MANIFEST_NAME} does not list")
    return clips


def _manifest_entries(
    manifest: tuple[PurePosixPath, str],
    read: Callable[[PurePosixPath, int], bytes | None],
    folder: str,
    error: Report,
) -> tuple[str, str, dict[str, dict[str, object]]] | None:
    rel, label = manifest
    data = read(rel, MAX_MANIFEST_BYTES)
    if data is None:
        return None
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        error(label, "not a narration manifest calmkit can read (it is not JSON)")
        return None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("clips"), dict):
        error(label, "not a narration manifest calmkit can read (it lists no clips)")
        return None
    engine, voice = str(parsed.get("engine", "")), str(parsed.get("voice", ""))
    if not engine or voice_folder_name(engine, voice) != folder:
        error(label, f"the manifest's engine and voice do not match its folder '{folder}'")
        return None
    clips = {str(k): v for k, v in parsed["clips"].items() if isinstance(v, dict)}
    return engine, voice, clips


def merged_manifest(clips: list[NarrationClip]) -> dict[str, bytes]:
    """For each voice folder the clips go into: its manifest with theirs added, as
    bytes. Clips the cache already has keep their entry (they are the same words)."""
    out: dict[str, bytes] = {}
    for folder in sorted({clip.voice_folder for clip in clips}):
        current = VoiceFolder.read(locations.narration_cache_dir() / folder)
        first = next(clip for clip in clips if clip.voice_folder == folder)
        engine, voice = first.engine, first.voice
        entries = dict(current.clips)
        for clip in clips:
            if clip.voice_folder == folder:
                entries.setdefault(clip.key, clip.entry)
        data = {
            "version": MANIFEST_VERSION,
            "engine": current.engine or engine,
            "voice": current.voice or voice,
            "clips": dict(sorted(entries.items())),
        }
        out[folder] = (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    return out
