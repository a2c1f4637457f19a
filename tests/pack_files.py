"""Files for import and pack tests: scripts, plans and short voice-like recordings.

Shared by the packs tests and by the records and own-files tests that import packs."""

from __future__ import annotations

import io
from pathlib import Path
from textwrap import dedent

import numpy as np
import soundfile


def script_text(script_id: str, extra_steps: str = "") -> str:
    return (
        dedent(
            f"""\
            calmkit: 1
            # written by Dr. Okafor for Sam: keep this comment
            id: {script_id}
            title: Calm Lake
            kind: imagery
            ages: 6-12
            steps:
              - id: welcome
                say: Hello, welcome to the lake.
              - id: slow-breaths
                breathe: {{count: 2}}
            """
        )
        + extra_steps
    )


def plan_text(plan_id: str, scripts: str) -> str:
    return dedent(
        f"""\
        calmkit: 1
        plan: {plan_id}
        for: Sam
        age: 9
        schedule:
          - weeks: 1-4
            sessions:
              - scripts: {scripts}
        """
    )


def clip_bytes(
    seconds: float = 1.0, fmt: str = "OGG", rate: int = 22050, silent: bool = False
) -> bytes:
    """A real, short recording: a voice-like buzz (a 140 Hz pitch with harmonics, in
    syllables four times a second), or silence."""
    buffer = io.BytesIO()
    soundfile.write(buffer, voice_like(seconds, rate, silent), rate, format=fmt)
    return buffer.getvalue()


def voice_like(seconds: float, rate: int, silent: bool = False, level: float = 0.1) -> np.ndarray:
    time = np.arange(int(rate * seconds)) / rate
    if silent:
        return np.zeros(len(time), dtype=np.float32)
    buzz = sum(np.sin(2 * np.pi * 140 * k * time) / k for k in range(1, 8))
    syllables = 0.5 - 0.5 * np.cos(2 * np.pi * 4 * time)
    return (level * buzz * syllables / 2).astype(np.float32)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path
