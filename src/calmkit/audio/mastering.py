"""Turning a raw TTS render into a finished narration clip.

Every clip ends up the same way: mono at the rate asked for (engine narration at
narration.NARRATION_SAMPLE_RATE, a clinician's recording at the mix's SAMPLE_RATE),
leading and trailing silence trimmed, integrated loudness at TARGET_LUFS with the true peak at or below
TRUE_PEAK_CEILING_DBTP, stored as OGG Vorbis. One loudness for every clip means
the child never reaches for the volume between lines.

numpy, soundfile and pyloudnorm are imported inside the functions so that
importing calmkit.audio stays fast for commands that never master anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from calmkit.audio.oggfile import write_ogg
from calmkit.audio.rates import SAMPLE_RATE

if TYPE_CHECKING:
    import numpy as np

TARGET_LUFS = -19.0
TRUE_PEAK_CEILING_DBTP = -1.0

# Vorbis moves peaks and loudness a little, so master with some headroom and
# check the encoded file; these are how far off it may be before a correction.
_ENCODER_PEAK_HEADROOM_DB = 0.5
_LOUDNESS_TOLERANCE_LU = 0.2
_MAX_ENCODE_ATTEMPTS = 4

# BS.1770 gating needs at least one 400 ms block; shorter clips are padded
# with silence for measurement only.
_MIN_MEASURE_SECONDS = 0.5

# The limiter: gain starts falling this long before a peak (look-ahead), stays
# down this long after it, and its edges are smoothed over the look-ahead too.
_LIMITER_LOOKAHEAD_MS = 3.0
_LIMITER_HOLD_MS = 40.0

_OVERSAMPLING = 4  # what BS.1770-4 asks for a true-peak estimate at 44.1/48 kHz
_EDGE_FADE_MS = 5.0


class MasteringError(ValueError):
    """The raw audio cannot become a clip (unreadable, empty or silent): bad input, a ValueError."""


@dataclass(frozen=True)
class ClipLevels:
    lufs: float
    true_peak_dbtp: float
    seconds: float


def _db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)


def _gain_to_db(gain: float) -> float:
    return 20.0 * math.log10(gain) if gain > 0 else -math.inf


def _fast_multiple(minimum: int, step: int) -> int:
    """Smallest multiple of ``step`` >= ``minimum`` whose factor is 2^a 3^b 5^c.

    FFT time depends on the length's prime factors: an awkward length (a large
    prime) is tens of times slower than a smooth one.
    """
    need = -(-minimum // step)
    best = None
    power_of_five = 1
    while power_of_five < 2 * need:
        power_of_three = power_of_five
        while power_of_three < 2 * need:
            candidate = power_of_three
            while candidate < need:
                candidate *= 2
            if best is None or candidate < best:
                best = candidate
            power_of_three *= 3
        power_of_five *= 5
    return (best or 1) * step


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling of mono audio through the FFT.

    The signal is zero-padded to a length whose resampled length is an exact
    integer (so timing is exact) and FFT-friendly, with room at the end so
    the FFT's wrap-around lands in silence that is cut off again.
    """
    import numpy as np

    if rate_in == rate_out:
        return np.asarray(samples, dtype=np.float64)
    samples = np.asarray(samples, dtype=np.float64)
    common = math.gcd(rate_in, rate_out)
    step_in = rate_in // common
    step_out = rate_out // common
    margin = rate_in // 20  # 50 ms of silence takes the wrap-around ringing
    padded_length = _fast_multiple(len(samples) + margin, step_in)
    length_out = padded_length // step_in * step_out
    spectrum = np.fft.rfft(samples, n=padded_length)
    bins_out = length_out // 2 + 1
    if bins_out <= len(spectrum):
        spectrum = spectrum[:bins_out].copy()
        if length_out % 2 == 0:
            # The new Nyquist bin stands for two mirrored bins of a real signal.
            spectrum[-1] = spectrum[-1].real
    else:
        if padded_length % 2 == 0:
            # The old Nyquist bin is shared between +/- frequencies: split it.
            spectrum = spectrum.copy()
            spectrum[-1] *= 0.5
        spectrum = np.concatenate([spectrum, np.zeros(bins_out - len(spectrum), complex)])
    resampled = np.fft.irfft(spectrum, n=length_out) * (length_out / padded_length)
    wanted = round(len(samples) * rate_out / rate_in)
    return resampled[:wanted]


def true_peak(samples: np.ndarray, sample_rate: int) -> float:
    """Highest absolute value of the signal between samples too (4x oversampled), linear."""
    import numpy as np

    if len(samples) == 0:
        return 0.0
    oversampled = resample(samples, sample_rate, sample_rate * _OVERSAMPLING)
    return float(max(np.max(np.abs(oversampled)), np.max(np.abs(samples))))


def true_peak_dbtp(samples: np.ndarray, sample_rate: int) -> float:
    return _gain_to_db(true_peak(samples, sample_rate))


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """BS.1770 integrated loudness in LUFS (-inf for silence)."""
    import numpy as np
    import pyloudnorm

    samples = np.asarray(samples, dtype=np.float64)
    shortest = int(_MIN_MEASURE_SECONDS * sample_rate)
    if len(samples) < shortest:
        # Centre the clip in silence: the gate ignores silent blocks, and
        # overlapping blocks then see the whole clip.
        before = (shortest - len(samples)) // 2
        samples = np.pad(samples, (before, shortest - len(samples) - before))
    if not np.any(samples):
        return -math.inf
    return float(pyloudnorm.Meter(sample_rate).integrated_loudness(samples))


def _moving_average(values: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average over ``width`` samples (odd), edges padded with the edge value."""
    import numpy as np

    half = width // 2
    padded = np.pad(values, (half, half), mode="edge")
    sums = np.cumsum(np.concatenate([[0.0], padded]))
    return (sums[width:] - sums[:-width]) / width


def _sliding_min(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """out[n] = min(values[n - before : n + after + 1]), clipped at the ends.

    Van Herk / Gil-Werman: block-wise running minima from both sides give every
    window's minimum in O(n), where a plain sliding window would be O(n * width).
    """
    import numpy as np

    width = before + after + 1
    padded = np.pad(values, (before, after), mode="constant", constant_values=np.inf)
    blocks = -(-len(padded) // width)
    padded = np.pad(padded, (0, blocks * width - len(padded)), constant_values=np.inf)
    grid = padded.reshape(blocks, width)
    from_left = np.minimum.accumulate(grid, axis=1).ravel()
    from_right = np.minimum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    count = len(values)
    # A window starting at i ends at i + width - 1: the right-running minimum of
    # its first block and the left-running minimum of its last block cover it.
    return np.minimum(from_right[:count], from_left[width - 1 : width - 1 + count])


def trim_silence(
    samples: np.ndarray,
    sample_rate: int,
    threshold_db: float = -50.0,
    keep_ms: float = 30.0,
) -> np.ndarray:
    """Cut leading and trailing silence, leaving ``keep_ms`` before and after the speech.

    ``threshold_db`` is in dBFS as the clip will sound once normalised to
    TARGET_LUFS: engines render at very different levels, and their noise
    floors sit 10 dB or more under -50 dBFS at that loudness, while a fixed
    level relative to the loudest moment lands in flite's hiss. Speech is
    where a 10 ms RMS reaches it, so a margin can be up to 5 ms longer than
    ``keep_ms``. An engine that starts speaking on the first sample (espeak-ng
    does) gets silence added, so every clip has the same lead-in. The margins
    get a short fade so a cut never clicks.
    """
    import numpy as np

    samples = np.asarray(samples, dtype=np.float64)
    loudness = integrated_loudness(samples, sample_rate)
    if not math.isfinite(loudness):
        return samples[:0]
    threshold = _db_to_gain(threshold_db - (TARGET_LUFS - loudness))
    window = max(1, int(0.010 * sample_rate)) | 1
    rms = np.sqrt(_moving_average(samples**2, window))
    speaking = np.flatnonzero(rms >= threshold)
    if len(speaking) == 0:
        return samples[:0]
    keep = int(keep_ms / 1000.0 * sample_rate)
    first, last = int(speaking[0]), int(speaking[-1]) + 1
    start, end = max(0, first - keep), min(len(samples), last + keep)
    trimmed = np.pad(samples[start:end], (keep - (first - start), keep - (end - last)))
    fade = min(int(_EDGE_FADE_MS / 1000.0 * sample_rate), keep)
    if fade > 0:
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False)
        trimmed[:fade] *= ramp
        trimmed[-fade:] *= ramp[::-1]
    return trimmed


def _limit(samples: np.ndarray, sample_rate: int, ceiling: float) -> np.ndarray:
    """Look-ahead peak limiter: a smooth gain that keeps true peaks under ``ceiling``.

    The gain each sample needs is held over the look-ahead before and the hold
    after (a sliding minimum), then smoothed by a moving average no wider than
    the look-ahead, which can only lower the gain where a peak needs it.
    """
    import numpy as np

    oversampled = np.abs(resample(samples, sample_rate, sample_rate * _OVERSAMPLING))
    usable = len(samples) * _OVERSAMPLING
    # The loudest in-between value around each original sample.
    peaks = np.maximum(oversampled[:usable].reshape(-1, _OVERSAMPLING).max(axis=1), np.abs(samples))
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    lookahead = max(1, int(_LIMITER_LOOKAHEAD_MS / 1000.0 * sample_rate))
    hold = max(lookahead, int(_LIMITER_HOLD_MS / 1000.0 * sample_rate))
    # A peak at p must pull the gain down from p - lookahead to p + hold, so
    # sample n takes the lowest need over [n - hold, n + lookahead].
    held = _sliding_min(needed, before=hold, after=lookahead)
    smooth_width = lookahead | 1
    gain = _moving_average(held, smooth_width)
    return samples * np.minimum(gain, 1.0)


def normalise_loudness(
    samples: np.ndarray,
    sample_rate: int,
    target_lufs: float = TARGET_LUFS,
    ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP,
) -> np.ndarray:
    """Bring the clip to ``target_lufs``, limiting peaks so the true peak stays under the ceiling.

    Gain and limiting alternate because limiting lowers the loudness a
    little; a few rounds settle it. If they do not, the peak wins: a plain
    gain cut leaves the clip a touch quieter but never clipped.
    """
    import numpy as np

    samples = np.asarray(samples, dtype=np.float64)
    loudness = integrated_loudness(samples, sample_rate)
    if not math.isfinite(loudness):
        raise MasteringError("the clip is silent, so it cannot be normalised")
    ceiling = _db_to_gain(ceiling_dbtp)
    # The limiter's gain is smooth, not exact between samples: aim a hair lower.
    limiter_ceiling = ceiling * _db_to_gain(-0.1)
    for _ in range(6):
        samples = samples * _db_to_gain(target_lufs - loudness)
        if true_peak(samples, sample_rate) <= ceiling:
            return samples
        samples = _limit(samples, sample_rate, limiter_ceiling)
        loudness = integrated_loudness(samples, sample_rate)
        if abs(loudness - target_lufs) <= 0.05 and true_peak(samples, sample_rate) <= ceiling:
            return samples
    peak = true_peak(samples, sample_rate)
    if peak > ceiling:
        samples = samples * (ceiling / peak)
    return np.asarray(samples)


def _read_mono(path: Path) -> tuple[np.ndarray, int]:
    import soundfile

    try:
        data, sample_rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (RuntimeError, OSError) as error:  # soundfile raises LibsndfileError(RuntimeError)
        raise MasteringError(f"cannot read {path}: {error}") from error
    # Average channels: engines that write stereo write the same voice twice.
    return data.mean(axis=1), int(sample_rate)


def master_clip(
    raw_wav: Path,
    out_ogg: Path,
    sample_rate: int = SAMPLE_RATE,
    compression_level: float | None = None,
) -> float:
    """Make the finished clip ``out_ogg`` from an engine's WAV; return its length in seconds.

    The encoded file is measured again, because Vorbis shifts peaks and
    loudness slightly; the gain is corrected and the clip re-encoded until
    the file itself meets the target.
    """
    import numpy as np

    samples, raw_rate = _read_mono(Path(raw_wav))
    if len(samples) == 0:
        raise MasteringError(f"{raw_wav} holds no audio")
    samples = resample(samples, raw_rate, sample_rate)
    samples = trim_silence(samples, sample_rate)
    if len(samples) == 0:
        raise MasteringError(f"{raw_wav} holds only silence")
    ceiling_dbtp = TRUE_PEAK_CEILING_DBTP - _ENCODER_PEAK_HEADROOM_DB
    mastered = normalise_loudness(samples, sample_rate, TARGET_LUFS, ceiling_dbtp)
    out_ogg = Path(out_ogg)
    correction_db = 0.0
    for _ in range(_MAX_ENCODE_ATTEMPTS):
        write_ogg(
            np.clip(mastered * _db_to_gain(correction_db), -1.0, 1.0),
            out_ogg,
            sample_rate,
            compression_level,
        )
        levels = measure(out_ogg)
        loudness_error = levels.lufs - TARGET_LUFS
        peak_excess = levels.true_peak_dbtp - TRUE_PEAK_CEILING_DBTP
        if abs(loudness_error) <= _LOUDNESS_TOLERANCE_LU and peak_excess <= 0.0:
            break
        # Meet the loudness unless that pushes the peak over; then the peak wins.
        step = -loudness_error
        if levels.true_peak_dbtp + step > TRUE_PEAK_CEILING_DBTP - 0.05:
            step = TRUE_PEAK_CEILING_DBTP - 0.05 - levels.true_peak_dbtp
        correction_db += step
    return levels.seconds


def measure(path: Path) -> ClipLevels:
    """Loudness, true peak and length of an audio file, as a mixed-down mono signal."""
    samples, sample_rate = _read_mono(Path(path))
    return ClipLevels(
        lufs=integrated_loudness(samples, sample_rate),
        true_peak_dbtp=true_peak_dbtp(samples, sample_rate),
        seconds=len(samples) / sample_rate,
    )


# A clinician's recording voices one narrated step: a word or two at the least, a long
# guided passage at the most. Anything outside is not a recording of a step (a stray
# click, a whole album) and is refused rather than played in a child's session.
MIN_RECORDING_SECONDS = 0.3
MAX_RECORDING_SECONDS = 5 * 60.0


@dataclass(frozen=True)
class MasteredRecording:
    data: bytes  # OGG Vorbis, mono 44.1 kHz, at the narration's loudness and peak ceiling
    before: ClipLevels  # as it came in the pack
    after: ClipLevels


def master_recording(data: bytes, work_folder: Path) -> MasteredRecording:
    """A pack's recording made like every narration clip (master_clip): measured, edges
    trimmed, brought to TARGET_LUFS under TRUE_PEAK_CEILING_DBTP, as OGG.

    Raises MasteringError, in words for the clinician, for audio that cannot be a
    recorded step: unreadable, silent, or not speech-length (MIN/MAX_RECORDING_SECONDS).
    """
    import io
    import tempfile

    import soundfile

    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float64", always_2d=True)
    except (RuntimeError, OSError, ValueError, TypeError, EOFError) as error:
        raise MasteringError(f"cannot be played: {error}") from error
    mono = samples.mean(axis=1)
    seconds = len(mono) / rate if rate > 0 else 0.0
    before = ClipLevels(
        integrated_loudness(mono, rate) if len(mono) else -math.inf,
        true_peak_dbtp(mono, rate) if len(mono) else -math.inf,
        seconds,
    )
    limits = f"a recorded step is speech, {MIN_RECORDING_SECONDS:g} s to {MAX_RECORDING_SECONDS / 60:g} minutes"
    if seconds > MAX_RECORDING_SECONDS:
        raise MasteringError(f"is {seconds / 60:.1f} minutes long: {limits}")
    if not math.isfinite(before.lufs):
        raise MasteringError("holds only silence: nobody would hear this step")
    trimmed = trim_silence(resample(mono, rate, SAMPLE_RATE), SAMPLE_RATE)
    spoken = len(trimmed) / SAMPLE_RATE
    if spoken < MIN_RECORDING_SECONDS:
        raise MasteringError(f"holds {spoken:.2f} s of sound: {limits}")
    with tempfile.TemporaryDirectory(prefix="master-", dir=work_folder) as work:
        raw = Path(work) / "raw.wav"
        soundfile.write(str(raw), mono, rate, subtype="FLOAT")
        out = Path(work) / "clip.ogg"
        master_clip(raw, out)
        after = measure(out)
        return MasteredRecording(out.read_bytes(), before, after)
