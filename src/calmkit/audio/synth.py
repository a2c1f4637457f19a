"""Synthesised chimes, breath tones and ambient beds (plain numpy, no downloads).

Everything here is pure: same arguments, same samples. Levels are fixed constants
so that the mixer never has to measure anything at play time:

- narration is normalised to -19 LUFS and peaks near -3..-1 dBFS;
- chimes peak at ``CHIME_PEAK_DBFS``, comfortably more than 6 dB below that;
- breath tones peak at ``BREATH_TONE_PEAK_DBFS``, a quiet guide, not a signal;
- ambient beds sit at ``AMBIENT_RMS_DBFS``, far below speech even before ducking.

Mono results have shape ``(n,)``, stereo results ``(n, 2)``; all are float32 in -1..1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from calmkit.audio.rates import SAMPLE_RATE

FloatArray = npt.NDArray[np.float32]
ChimeName = Literal["start", "end", "soft"]
BreathPhase = Literal["in", "out"]
AmbientName = Literal["ocean", "rain", "wind", "meadow"]


CHIME_NAMES: tuple[ChimeName, ...] = ("start", "end", "soft")
# Peak of the start and end chimes; the soft chime is quieter still.
CHIME_PEAK_DBFS = -20.0
SOFT_CHIME_PEAK_DBFS = -26.0
BREATH_TONE_PEAK_DBFS = -24.0
AMBIENT_NAMES: tuple[AmbientName, ...] = ("meadow", "ocean", "rain", "wind")
AMBIENT_RMS_DBFS = -35.0
DEFAULT_SEED = 1

# Long enough that the onset is heard as a soft bell stroke, never a click.
CHIME_ATTACK_SECONDS = 0.012
CHIME_FADE_OUT_SECONDS = 0.050
BREATH_TONE_FADE_SECONDS = 0.080
BREATH_TONE_LOW_HZ = 220.0
BREATH_TONE_HIGH_HZ = 330.0
# Shorter beds would make the slow swells of the ocean and wind audibly repeat.
AMBIENT_MIN_SECONDS = 2.0

# Bell-like inharmonic partials: (frequency ratio, relative amplitude).
_BELL_PARTIALS: tuple[tuple[float, float], ...] = (
    (1.0, 1.0),
    (1.003, 0.30),  # a slightly detuned twin gives the slow shimmer of a real bell
    (2.76, 0.45),
    (5.40, 0.22),
    (8.93, 0.10),
)
# How far the fundamental has decayed by the end of the chime (before the final fade).
_BELL_END_LEVEL_DB = -50.0


@dataclass(frozen=True)
class _ChimeVoice:
    fundamental_hz: float
    seconds: float
    peak_dbfs: float
    brightness: float  # scales the upper partials: 1 = full, lower = mellower


_CHIME_VOICES: dict[str, _ChimeVoice] = {
    "start": _ChimeVoice(
        fundamental_hz=659.26, seconds=3.5, peak_dbfs=CHIME_PEAK_DBFS, brightness=1.0
    ),
    "end": _ChimeVoice(
        fundamental_hz=392.00, seconds=4.5, peak_dbfs=CHIME_PEAK_DBFS, brightness=0.7
    ),
    "soft": _ChimeVoice(
        fundamental_hz=523.25, seconds=2.5, peak_dbfs=SOFT_CHIME_PEAK_DBFS, brightness=0.5
    ),
}


# --- small helpers -------------------------------------------------------------------------


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def peak_dbfs(samples: npt.ArrayLike) -> float:
    """Sample peak in dBFS (-inf for silence)."""
    peak = float(np.max(np.abs(np.asarray(samples, dtype=np.float64)), initial=0.0))
    return 20.0 * float(np.log10(peak)) if peak > 0 else float("-inf")


def rms_dbfs(samples: npt.ArrayLike) -> float:
    """RMS over every sample of every channel, in dBFS (-inf for silence)."""
    values = np.asarray(samples, dtype=np.float64)
    if values.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(values * values)))
    return 20.0 * float(np.log10(rms)) if rms > 0 else float("-inf")


def _sample_count(seconds: float, sample_rate: int) -> int:
    if not np.isfinite(seconds) or seconds < 0:
        raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate!r}")
    return round(seconds * sample_rate)


def _raised_cosine(length: int) -> npt.NDArray[np.float64]:
    """0 -> 1 over ``length`` samples, with zero slope at both ends."""
    if length <= 1:
        return np.ones(length)
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(length) / (length - 1))


def _scale_to_peak(samples: npt.NDArray[np.float64], target_dbfs: float) -> FloatArray:
    peak = float(np.max(np.abs(samples), initial=0.0))
    if peak == 0.0:
        return samples.astype(np.float32)
    return (samples * (db_to_gain(target_dbfs) / peak)).astype(np.float32)


# --- chimes --------------------------------------------------------------------------------


def chime(name: ChimeName, sample_rate: int = SAMPLE_RATE) -> FloatArray:
    """A gentle bell: soft attack, long exponential decay, ends in true silence (mono)."""
    if name not in _CHIME_VOICES:
        raise ValueError(f"unknown chime {name!r}; expected one of {CHIME_NAMES}")
    voice = _CHIME_VOICES[name]
    n = _sample_count(voice.seconds, sample_rate)
    t = np.arange(n) / sample_rate

    # Time constant that brings the fundamental down to _BELL_END_LEVEL_DB at the end.
    fundamental_tau = voice.seconds / (-_BELL_END_LEVEL_DB / 20.0 * np.log(10.0))
    bell = np.zeros(n)
    for ratio, amplitude in _BELL_PARTIALS:
        frequency = voice.fundamental_hz * ratio
        if frequency >= sample_rate / 2:
            continue
        # Upper partials fade faster, as in a struck bell, and are tamed for mellow chimes.
        tau = fundamental_tau / ratio**0.6
        weight = amplitude * (voice.brightness ** (ratio - 1.0) if ratio > 1.01 else 1.0)
        # Sine phase 0: every partial starts at exactly zero, so the onset cannot click.
        bell += weight * np.exp(-t / tau) * np.sin(2.0 * np.pi * frequency * t)

    attack = min(round(CHIME_ATTACK_SECONDS * sample_rate), n)
    bell[:attack] *= _raised_cosine(attack)
    fade = min(round(CHIME_FADE_OUT_SECONDS * sample_rate), n)
    bell[n - fade :] *= _raised_cosine(fade)[::-1]
    return _scale_to_peak(bell, voice.peak_dbfs)


# --- breath tones --------------------------------------------------------------------------


def breath_tone(phase: BreathPhase, seconds: float, sample_rate: int = SAMPLE_RATE) -> FloatArray:
    """A soft sine that glides up while breathing in and down while breathing out (mono).

    Exactly ``round(seconds * sample_rate)`` samples, so the pacer and the sound agree.
    """
    if phase == "in":
        start_hz, end_hz = BREATH_TONE_LOW_HZ, BREATH_TONE_HIGH_HZ
    elif phase == "out":
        start_hz, end_hz = BREATH_TONE_HIGH_HZ, BREATH_TONE_LOW_HZ
    else:
        raise ValueError(f"unknown breath phase {phase!r}; expected 'in' or 'out'")
    n = _sample_count(seconds, sample_rate)
    if n == 0:
        return np.zeros(0, dtype=np.float32)

    # Raised-cosine glide: the pitch starts and settles gently instead of bending at the ends.
    progress = _raised_cosine(n)
    frequency = start_hz + (end_hz - start_hz) * progress
    # Integrating frequency keeps the phase continuous (a stepped sine would click).
    phase_radians = 2.0 * np.pi * (np.cumsum(frequency) - frequency[0]) / sample_rate
    tone = np.sin(phase_radians)

    fade = min(round(BREATH_TONE_FADE_SECONDS * sample_rate), n // 2)
    if fade > 0:
        ramp = _raised_cosine(fade)
        tone[:fade] *= ramp
        tone[n - fade :] *= ramp[::-1]
    return _scale_to_peak(tone, BREATH_TONE_PEAK_DBFS)


# --- ambient beds --------------------------------------------------------------------------
#
# Every bed is built to be exactly periodic in its own length, so it loops without a
# seam and needs no crossfade: noise is shaped in the frequency domain of the whole
# buffer (an inverse FFT is circular), slow envelopes are sums of whole cycles of the
# loop length, and short events (droplets, chirps) wrap around the end onto the start.


def ambient_bed(
    name: AmbientName,
    seconds: float = 60.0,
    sample_rate: int = SAMPLE_RATE,
    seed: int = DEFAULT_SEED,
) -> FloatArray:
    """A seamlessly looping stereo texture, shape ``(n, 2)``, at ``AMBIENT_RMS_DBFS``."""
    if name not in _BED_BUILDERS:
        raise ValueError(f"unknown ambient bed {name!r}; expected one of {AMBIENT_NAMES}")
    n = _sample_count(seconds, sample_rate)
    if n < AMBIENT_MIN_SECONDS * sample_rate:
        raise ValueError(f"an ambient bed must last at least {AMBIENT_MIN_SECONDS} s")
    # The bed's index is mixed into the seed so the four beds never share their noise.
    rng = np.random.default_rng([seed, AMBIENT_NAMES.index(name)])
    bed = _BED_BUILDERS[name](rng, n, sample_rate)
    rms = float(np.sqrt(np.mean(bed * bed)))
    return (bed * (db_to_gain(AMBIENT_RMS_DBFS) / rms)).astype(np.float32)


_Gain = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


def _band_gain(low_hz: float, high_hz: float, tilt: float = 1.0, order: int = 2) -> _Gain:
    """A soft band-pass magnitude response with a 1/f**tilt power slope (tilt 1 = pink)."""

    def gain(freqs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        f = np.maximum(freqs, 1e-3)
        high_pass = 1.0 / np.sqrt(1.0 + (low_hz / f) ** (2 * order))
        low_pass = 1.0 / np.sqrt(1.0 + (f / high_hz) ** (2 * order))
        return high_pass * low_pass * f ** (-tilt / 2.0)

    return gain


def _log_band_gain(centre_hz: float, octaves: float) -> _Gain:
    """A bell-shaped band around ``centre_hz``, ``octaves`` wide (standard deviation)."""

    def gain(freqs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        distance = np.log2(np.maximum(freqs, 1e-3) / centre_hz) / octaves
        return np.exp(-0.5 * distance * distance) / np.sqrt(np.maximum(freqs, 1.0))

    return gain


def _shaped_noise(
    rng: np.random.Generator, n: int, sample_rate: int, gain: _Gain, width: float = 0.5
) -> npt.NDArray[np.float64]:
    """Periodic stereo noise with the given spectrum, unit RMS, shape (n, 2).

    ``width`` mixes an independent part into each channel: 0 is mono, 1 is very wide.
    """
    # (float64 already: numpy's stubs say only "some float"; copy=False makes no copy)
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate).astype(np.float64, copy=False)
    shape = gain(freqs)
    shape[0] = 0.0  # no DC offset
    bins = freqs.size
    spectra = rng.standard_normal((3, bins)) + 1j * rng.standard_normal((3, bins))
    common, left_only, right_only = spectra
    left = np.fft.irfft(shape * (common + width * left_only), n)
    right = np.fft.irfft(shape * (common + width * right_only), n)
    stereo = np.stack([left, right], axis=1)
    return stereo / np.sqrt(np.mean(stereo * stereo))


def _slow_wander(
    rng: np.random.Generator, n: int, sample_rate: int, shortest_period_s: float
) -> npt.NDArray[np.float64]:
    """A smooth random curve in 0..1, periodic in ``n``, changing no faster than the period."""
    cycles = max(1, int(n / sample_rate / shortest_period_s))
    spectrum = np.zeros(n // 2 + 1, dtype=np.complex128)
    harmonics = np.arange(1, cycles + 1)
    # A falling 1/k amplitude gives a meandering rather than jittery curve.
    amplitudes = 1.0 / harmonics
    phases = rng.uniform(0.0, 2.0 * np.pi, cycles)
    spectrum[1 : cycles + 1] = amplitudes * np.exp(1j * phases)
    curve = np.fft.irfft(spectrum, n)
    low, high = float(curve.min()), float(curve.max())
    return (curve - low) / (high - low)


def _pan_gains(position: float) -> tuple[float, float]:
    """Equal-power pan: -1 is left, +1 is right."""
    angle = (position + 1.0) * np.pi / 4.0
    return float(np.cos(angle)), float(np.sin(angle))


def _add_wrapped(
    bed: npt.NDArray[np.float64], event: npt.NDArray[np.float64], start: int, pan: float
) -> None:
    """Mix a short mono event into the bed, wrapping past the end onto the start."""
    where = (start + np.arange(event.size)) % bed.shape[0]
    left_gain, right_gain = _pan_gains(pan)
    bed[where, 0] += left_gain * event
    bed[where, 1] += right_gain * event


def _ocean(rng: np.random.Generator, n: int, sample_rate: int) -> npt.NDArray[np.float64]:
    seconds = n / sample_rate
    waves = max(1, round(seconds / 10.0))  # one swell every ~10 s, a whole number per loop
    # A little wandering in phase and size keeps the waves from sounding mechanical.
    drift = (_slow_wander(rng, n, sample_rate, 15.0) - 0.5) * 1.2
    size = 0.6 + 0.4 * _slow_wander(rng, n, sample_rate, 20.0)
    theta = 2.0 * np.pi * waves * np.arange(n) / n + drift
    swell = ((0.5 - 0.5 * np.cos(theta)) ** 1.5 * size)[:, None]
    # The right ear hears each wave a moment later: the sea has width.
    delay = round(0.35 * sample_rate)
    swell = np.concatenate([swell, np.roll(swell, delay, axis=0)], axis=1)

    rumble = _shaped_noise(rng, n, sample_rate, _band_gain(40.0, 450.0), width=0.4)
    wash = _shaped_noise(rng, n, sample_rate, _band_gain(250.0, 2500.0), width=0.7)
    foam = _shaped_noise(rng, n, sample_rate, _band_gain(1500.0, 6000.0), width=1.0)
    return (
        rumble * (0.35 + 0.65 * swell) + 0.6 * wash * (0.1 + 0.9 * swell) + 0.25 * foam * swell**3
    )


def _rain(rng: np.random.Generator, n: int, sample_rate: int) -> npt.NDArray[np.float64]:
    seconds = n / sample_rate
    intensity = (0.85 + 0.15 * _slow_wander(rng, n, sample_rate, 8.0))[:, None]
    bed = _shaped_noise(rng, n, sample_rate, _band_gain(500.0, 9000.0), width=0.8) * intensity
    bed += 0.3 * _shaped_noise(rng, n, sample_rate, _band_gain(80.0, 600.0), width=0.5)

    # Soft droplets: tiny rising sine "plinks" with a rounded onset, scattered at random.
    length = round(0.030 * sample_rate)
    t = np.arange(length) / sample_rate
    onset = _raised_cosine(round(0.002 * sample_rate))
    for _ in range(round(seconds * 7)):
        frequency = rng.uniform(1800.0, 4200.0)
        glide = frequency * (1.0 + 2.0 * t)  # a water drop's resonance rises as it closes
        phase = 2.0 * np.pi * np.cumsum(glide) / sample_rate
        drop = np.sin(phase) * np.exp(-t / 0.006)
        drop[: onset.size] *= onset
        drop *= rng.uniform(0.25, 0.9)
        _add_wrapped(bed, drop, int(rng.integers(n)), pan=rng.uniform(-0.8, 0.8))
    return bed


def _wind(rng: np.random.Generator, n: int, sample_rate: int) -> npt.NDArray[np.float64]:
    gust = _slow_wander(rng, n, sample_rate, 5.0)
    # Stronger gusts whistle a little higher, as real wind does.
    pitch = 0.7 * gust + 0.3 * _slow_wander(rng, n, sample_rate, 7.0)
    low_hz, high_hz = 220.0, 1300.0
    centre = np.log2(low_hz) + pitch * np.log2(high_hz / low_hz)
    shift = round(0.4 * sample_rate)
    centres = np.stack([centre, np.roll(centre, shift)], axis=1)
    loudness = 0.3 + 0.7 * np.stack([gust, np.roll(gust, shift)], axis=1) ** 1.5

    # A bank of band-pass noises, each faded in as the wandering centre passes by.
    bed = np.zeros((n, 2))
    for band_hz in np.geomspace(150.0, 1800.0, 10):
        band = _shaped_noise(rng, n, sample_rate, _log_band_gain(band_hz, 0.25), width=0.6)
        distance = (np.log2(band_hz) - centres) / 0.45
        bed += band * np.exp(-0.5 * distance * distance)
    bed *= loudness
    bed += 0.25 * _shaped_noise(rng, n, sample_rate, _band_gain(50.0, 400.0), width=0.5)
    return bed


def _meadow(rng: np.random.Generator, n: int, sample_rate: int) -> npt.NDArray[np.float64]:
    seconds = n / sample_rate
    breeze = (0.8 + 0.2 * _slow_wander(rng, n, sample_rate, 6.0))[:, None]
    bed = _shaped_noise(rng, n, sample_rate, _band_gain(80.0, 4500.0), width=0.9) * breeze

    # Occasional birds: a few short sine glides at a time, one group every ~5 s, spread
    # on a jittered grid round the loop so no two groups crowd together at the seam.
    groups = max(1, round(seconds / 5.0))
    spacing = n / groups
    for group in range(groups):
        start = round((group + rng.uniform(-0.3, 0.3)) * spacing)
        pan = rng.uniform(-0.7, 0.7)  # each bird stays in one place while it sings
        base_hz = rng.uniform(2500.0, 4200.0)
        for _ in range(int(rng.integers(2, 5))):
            length = round(rng.uniform(0.06, 0.14) * sample_rate)
            start_hz = base_hz * rng.uniform(0.92, 1.08)
            end_hz = start_hz * rng.uniform(0.75, 1.35)
            glide = start_hz + (end_hz - start_hz) * _raised_cosine(length)
            phase = 2.0 * np.pi * (np.cumsum(glide) - glide[0]) / sample_rate
            envelope = np.sin(np.pi * np.arange(length) / (length - 1)) ** 2
            chirp = np.sin(phase) * envelope * rng.uniform(0.6, 1.2)
            _add_wrapped(bed, chirp, start, pan=pan + rng.uniform(-0.1, 0.1))
            start += length + round(rng.uniform(0.06, 0.2) * sample_rate)
    return bed


_BED_BUILDERS: dict[str, Callable[[np.random.Generator, int, int], npt.NDArray[np.float64]]] = {
    "meadow": _meadow,
    "ocean": _ocean,
    "rain": _rain,
    "wind": _wind,
}
