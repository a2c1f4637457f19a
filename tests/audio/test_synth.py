"""Synthesised chimes, breath tones and ambient beds, and the shipped files made from them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from calmkit.audio import synth

REPO_ROOT = Path(__file__).resolve().parents[2]

SR = synth.SAMPLE_RATE
AUDIO_DIR = REPO_ROOT / "audio"
# Narration is normalised to -19 LUFS with a true peak of at most -1 dBTP.
NARRATION_MAX_PEAK_DBFS = -1.0
# Short beds keep the suite quick; the construction does not depend on the length.
TEST_BED_SECONDS = 10.0


def zero_crossing_hz(samples: np.ndarray, sample_rate: int = SR) -> float:
    signs = np.signbit(samples)
    crossings = np.count_nonzero(signs[1:] != signs[:-1])
    return crossings / 2.0 / (samples.size / sample_rate)


def dominant_hz(samples: np.ndarray, sample_rate: int = SR) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(samples.size, 1.0 / sample_rate)[np.argmax(spectrum)])


@pytest.fixture(scope="module")
def beds() -> dict[str, np.ndarray]:
    return {name: synth.ambient_bed(name, TEST_BED_SECONDS) for name in synth.AMBIENT_NAMES}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((AUDIO_DIR / "manifest.json").read_text(encoding="utf-8"))


# --- breath tones ----------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["in", "out"])
@pytest.mark.parametrize("seconds", [0.05, 0.5, 1.0, 3.7, 4.0, 5.55, 7.0123])
def test_breath_tone_has_exact_length(phase: str, seconds: float) -> None:
    tone = synth.breath_tone(phase, seconds)
    assert tone.shape == (round(seconds * SR),)
    assert tone.dtype == np.float32


def test_breath_tone_length_follows_the_sample_rate() -> None:
    assert synth.breath_tone("in", 2.5, sample_rate=22050).shape == (55125,)
    assert synth.breath_tone("out", 0.0).shape == (0,)


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf")])
def test_breath_tone_rejects_impossible_durations(seconds: float) -> None:
    with pytest.raises(ValueError):
        synth.breath_tone("in", seconds)


@pytest.mark.parametrize("phase", ["in", "out"])
@pytest.mark.parametrize("seconds", [0.05, 4.0])
def test_breath_tone_starts_and_ends_silently(phase: str, seconds: float) -> None:
    tone = synth.breath_tone(phase, seconds)
    assert abs(tone[0]) < 1e-3
    assert abs(tone[-1]) < 1e-3
    # The fade is gradual: 5 ms in, the tone is still far below its peak.
    five_ms = round(0.005 * SR)
    assert np.max(np.abs(tone[:five_ms])) < 0.1 * np.max(np.abs(tone))


@pytest.mark.parametrize("phase", ["in", "out"])
def test_breath_tone_is_quiet_and_click_free(phase: str) -> None:
    tone = synth.breath_tone(phase, 4.0)
    assert synth.peak_dbfs(tone) == pytest.approx(synth.BREATH_TONE_PEAK_DBFS, abs=0.1)
    # No step anywhere larger than the steepest slope of the loudest sine (330 Hz).
    steepest = 2 * np.pi * synth.BREATH_TONE_HIGH_HZ / SR * np.max(np.abs(tone))
    assert np.max(np.abs(np.diff(tone))) <= steepest * 1.01


def test_breath_in_rises_and_breath_out_falls() -> None:
    for phase, rising in (("in", True), ("out", False)):
        tone = synth.breath_tone(phase, 4.0)
        quarter = tone.size // 4
        first = zero_crossing_hz(tone[:quarter])
        last = zero_crossing_hz(tone[-quarter:])
        low, high = (first, last) if rising else (last, first)
        assert high - low > 60.0, (phase, first, last)
        assert 200.0 < low < 250.0
        assert 300.0 < high < 340.0


# --- chimes ----------------------------------------------------------------------------------


def test_chimes_stay_well_below_the_voice() -> None:
    # At least 6 dB under narration's loudest peaks.
    assert synth.CHIME_PEAK_DBFS <= NARRATION_MAX_PEAK_DBFS - 6.0
    assert synth.SOFT_CHIME_PEAK_DBFS < synth.CHIME_PEAK_DBFS


@pytest.mark.parametrize(
    ("name", "peak"),
    [
        ("start", synth.CHIME_PEAK_DBFS),
        ("end", synth.CHIME_PEAK_DBFS),
        ("soft", synth.SOFT_CHIME_PEAK_DBFS),
    ],
)
def test_chime_peaks_at_its_fixed_level(name: str, peak: float) -> None:
    bell = synth.chime(name)
    assert bell.dtype == np.float32
    assert bell.ndim == 1
    assert synth.peak_dbfs(bell) == pytest.approx(peak, abs=0.1)
    assert synth.peak_dbfs(bell) <= synth.CHIME_PEAK_DBFS + 0.1


@pytest.mark.parametrize("name", synth.CHIME_NAMES)
def test_chime_attack_is_soft(name: str) -> None:
    bell = synth.chime(name)
    assert abs(bell[0]) < 1e-3
    assert np.argmax(np.abs(bell)) >= round(0.005 * SR)
    one_ms = round(0.001 * SR)
    assert np.max(np.abs(bell[:one_ms])) < 0.1 * np.max(np.abs(bell))


@pytest.mark.parametrize("name", synth.CHIME_NAMES)
def test_chime_decays_slowly_to_true_silence(name: str) -> None:
    bell = synth.chime(name)
    assert bell[-1] == 0.0
    half_second = SR // 2
    early = synth.rms_dbfs(bell[:half_second])
    late = synth.rms_dbfs(bell[-half_second:])
    assert early - late > 30.0  # it really dies away...
    second = bell[SR : 2 * SR]
    assert early - synth.rms_dbfs(second) < 25.0  # ...but rings on after a second


def test_chimes_differ_in_pitch_and_length() -> None:
    start, end, soft = (synth.chime(name) for name in ("start", "end", "soft"))
    assert dominant_hz(start) > dominant_hz(end)
    assert end.size > start.size > soft.size
    assert start.size >= 3 * SR


def test_unknown_names_are_rejected() -> None:
    with pytest.raises(ValueError):
        synth.chime("gong")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        synth.breath_tone("hold", 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        synth.ambient_bed("traffic")  # type: ignore[arg-type]


# --- ambient beds ----------------------------------------------------------------------------


def test_ambient_names() -> None:
    assert synth.AMBIENT_NAMES == ("meadow", "ocean", "rain", "wind")


@pytest.mark.parametrize("name", synth.AMBIENT_NAMES)
def test_ambient_bed_shape_and_level(beds: dict[str, np.ndarray], name: str) -> None:
    bed = beds[name]
    assert bed.shape == (round(TEST_BED_SECONDS * SR), 2)
    assert bed.dtype == np.float32
    assert synth.rms_dbfs(bed) == pytest.approx(synth.AMBIENT_RMS_DBFS, abs=0.1)
    assert synth.peak_dbfs(bed) < -6.0
    # Genuinely stereo, but not two unrelated noises.
    correlation = np.corrcoef(bed[:, 0], bed[:, 1])[0, 1]
    assert 0.2 < correlation < 0.98


def test_ambient_level_is_far_below_speech() -> None:
    assert synth.AMBIENT_RMS_DBFS <= -30.0


@pytest.mark.parametrize("name", synth.AMBIENT_NAMES)
def test_ambient_bed_loops_without_a_seam(beds: dict[str, np.ndarray], name: str) -> None:
    bed = beds[name].astype(np.float64)
    steps = np.abs(np.diff(bed, axis=0))
    seam = np.abs(bed[-1] - bed[0])
    assert np.all(seam <= np.percentile(steps, 99.9, axis=0)), (seam, np.median(steps, axis=0))


def test_ambient_loop_holds_for_an_odd_length() -> None:
    bed = synth.ambient_bed("ocean", 7.3)
    assert bed.shape == (round(7.3 * SR), 2)
    steps = np.abs(np.diff(bed.astype(np.float64), axis=0))
    assert np.all(np.abs(bed[-1] - bed[0]) <= np.percentile(steps, 99.9, axis=0))


@pytest.mark.parametrize("name", synth.AMBIENT_NAMES)
def test_ambient_bed_is_deterministic(beds: dict[str, np.ndarray], name: str) -> None:
    again = synth.ambient_bed(name, TEST_BED_SECONDS)
    assert np.array_equal(beds[name], again)
    other_seed = synth.ambient_bed(name, TEST_BED_SECONDS, seed=synth.DEFAULT_SEED + 1)
    assert not np.array_equal(beds[name], other_seed)


def test_ambient_beds_differ_from_each_other(beds: dict[str, np.ndarray]) -> None:
    ocean, rain = beds["ocean"][:, 0], beds["rain"][:, 0]
    # Ocean is dark, rain is bright: compare where their energy sits.
    assert dominant_hz(ocean) < 500.0
    spectrum = np.abs(np.fft.rfft(rain)) ** 2
    freqs = np.fft.rfftfreq(rain.size, 1.0 / SR)
    assert np.sum(freqs * spectrum) / np.sum(spectrum) > 1000.0


def test_ambient_bed_rejects_too_short_a_loop() -> None:
    with pytest.raises(ValueError):
        synth.ambient_bed("rain", 0.5)


# --- helpers ---------------------------------------------------------------------------------


def test_synth_does_not_import_pygame() -> None:
    # The layering rule: audio/ only touches pygame lazily, inside the pygame backend.
    code = "import sys, calmkit.audio.synth; assert 'pygame' not in sys.modules, 'pygame'"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT / "src"))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --- shipped files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", synth.AMBIENT_NAMES)
def test_shipped_ambient_file(manifest: dict, name: str) -> None:
    entry = manifest["ambient"][name]
    path = AUDIO_DIR / entry["file"]
    assert path == AUDIO_DIR / "ambient" / f"{name}.ogg"
    info = soundfile.info(path)
    assert info.format == "OGG"
    assert info.subtype == "VORBIS"
    assert info.channels == 2
    assert info.samplerate == SR
    assert info.frames / info.samplerate == pytest.approx(entry["seconds"], abs=0.05)
    assert entry["seconds"] == pytest.approx(60.0, abs=0.05)
    assert path.stat().st_size < 1_000_000

    decoded, _ = soundfile.read(path, dtype="float64")
    assert synth.rms_dbfs(decoded) == pytest.approx(synth.AMBIENT_RMS_DBFS, abs=1.0)
    # Lossy coding adds its own small errors everywhere, so allow the 99.99th percentile.
    steps = np.abs(np.diff(decoded, axis=0))
    assert np.all(np.abs(decoded[-1] - decoded[0]) <= np.percentile(steps, 99.99, axis=0))


@pytest.mark.parametrize("name", synth.CHIME_NAMES)
def test_shipped_chime_file(manifest: dict, name: str) -> None:
    entry = manifest["chimes"][name]
    path = AUDIO_DIR / entry["file"]
    assert path == AUDIO_DIR / "chimes" / f"{name}.ogg"
    decoded, sample_rate = soundfile.read(path, dtype="float64")
    assert sample_rate == SR
    assert decoded.size / sample_rate == pytest.approx(entry["seconds"], abs=0.05)
    assert synth.peak_dbfs(decoded) <= synth.CHIME_PEAK_DBFS + 0.5
