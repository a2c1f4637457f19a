"""Writing generated sounds (breath tones, counted breaths) into the user's cache."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile

from calmkit import locations
from calmkit.audio import synth
from calmkit.audio.oggfile import write_ogg


def write_private_ogg(samples: np.ndarray, path: Path) -> None:
    """A generated clip in the user's own (private) folder."""
    locations.ensure_private_dir(path.parent)
    write_ogg(samples, path, synth.SAMPLE_RATE)


def write_breath_tone(phase: synth.BreathPhase, seconds: float, path: Path) -> None:
    write_private_ogg(synth.breath_tone(phase, seconds), path)


def write_spaced_clips(
    clip_paths: Sequence[str], spacing: float, seconds: float, path: Path
) -> None:
    """Clips placed ``spacing`` seconds apart in one clip ``seconds`` long (a count)."""
    total = round(seconds * synth.SAMPLE_RATE)
    mixed = np.zeros(total, dtype=np.float32)
    for number, clip_path in enumerate(clip_paths):
        samples, rate = soundfile.read(clip_path, dtype="float32", always_2d=True)
        mono = samples.mean(axis=1)
        if rate != synth.SAMPLE_RATE:
            # Narration is stored at 22050 Hz (older clips at 44100): bring it to the mix's rate.
            from calmkit.audio.mastering import resample

            mono = resample(mono, rate, synth.SAMPLE_RATE).astype(np.float32)
        start = round(number * spacing * synth.SAMPLE_RATE)
        if start >= total:
            break
        # A word may run into the next second, but never past the phase.
        room = min(len(mono), total - start)
        mixed[start : start + room] += mono[:room]
    write_private_ogg(np.clip(mixed, -1.0, 1.0), path)
