"""A pack's recordings are measured on import and evened out to the narration's loudness.

Real audio files (a full-scale noise burst, a quiet voice-like buzz, silence,
too short, too long) in a real pack; the installed clip is measured with
pyloudnorm (mastering.measure): -19 LUFS within the narration's tolerance, the
true peak at or under -1 dBTP.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile
from test_import import messages

from calmkit import locations
from calmkit.audio.mastering import TARGET_LUFS, TRUE_PEAK_CEILING_DBTP, measure
from calmkit.packs.importer import format_result, import_path
from pack_files import script_text, voice_like, write


def wav(samples: np.ndarray, rate: int = 22050) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV")
    return buffer.getvalue()


def pack_with(tmp_path: Path, data: bytes, name: str = "welcome.wav") -> Path:
    pack = tmp_path / "pack"
    write(pack / "lake.yaml", script_text("calm-lake"))
    write(pack / "recordings" / "calm-lake" / name, data)
    return pack


def installed() -> Path:
    return locations.recordings_dir() / "calm-lake" / "welcome.ogg"


@pytest.mark.parametrize(
    ("what", "samples"),
    [
        ("full-scale noise", np.random.default_rng(1).uniform(-1, 1, 22050 * 2)),
        ("a quiet voice", voice_like(2.0, 22050, level=0.003)),
        ("a loud voice", np.clip(voice_like(2.0, 22050, level=2.0), -1, 1)),
    ],
)
def test_a_recording_is_evened_out_to_the_narrations_loudness(
    tmp_path: Path, what: str, samples: np.ndarray
) -> None:
    result = import_path(pack_with(tmp_path, wav(samples.astype(np.float32))))
    assert result.ok, messages(result)
    levels = measure(installed())
    assert abs(levels.lufs - TARGET_LUFS) <= 0.5, (what, levels)
    assert levels.true_peak_dbtp <= TRUE_PEAK_CEILING_DBTP + 0.05, (what, levels)
    assert 1.5 < levels.seconds < 2.2
    assert any("evened out to -19 LUFS" in line for line in format_result(result))
    # The player finds it, and importing the same pack again changes nothing.
    from calmkit.audio.clips import SessionClips

    assert SessionClips(None).recorded_step("calm-lake", "welcome") is not None
    again = import_path(pack_with(tmp_path, wav(samples.astype(np.float32))))
    assert again.ok and [item.action for item in again.installed] == ["unchanged", "unchanged"]


@pytest.mark.parametrize(
    ("samples", "rate", "words"),
    [
        (np.zeros(22050 * 2, dtype=np.float32), 22050, "holds only silence"),
        (voice_like(0.15, 22050), 22050, "holds 0.20 s of sound"),
        (voice_like(6 * 60, 8000), 8000, "is 6.0 minutes long"),
    ],
)
def test_what_is_not_a_recording_of_a_step_is_refused(
    tmp_path: Path, samples: np.ndarray, rate: int, words: str
) -> None:
    result = import_path(pack_with(tmp_path, wav(samples, rate)))
    assert not result.ok
    text = messages(result)
    assert words in text and "welcome.wav: error:" in text, text
    if "minutes" in words or "holds 0" in words:
        assert "a recorded step is speech, 0.3 s to 5 minutes" in text
    assert not locations.recordings_dir().exists() or not any(
        locations.recordings_dir().rglob("*.ogg")
    )
    assert not (locations.user_data_dir() / ".staging").exists()
