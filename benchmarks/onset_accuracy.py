"""When does each clip really start? calmkit's Player against a naive sleep loop.

    python benchmarks/onset_accuracy.py [--minutes 20] [--naive-minutes M] [--json]

Plays a long timeline of short, distinctive clips (noise bursts, one every 2-7 s
at pseudo-random gaps) into a PulseAudio null sink, records the sink's monitor
with parec, and finds every onset in the recording by cross-correlation. Each
onset is compared with its schedule after removing the constant output latency
measured at the first clip. The same schedule is then played by a naive
reference player, ``sound.play(); time.sleep(gap)``, whose sleeps add up.

It starts a PulseAudio server if none is running (and leaves it running), and
plays into a null sink of its own, removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile

REPO_ROOT = Path(__file__).resolve().parent.parent
SRC = REPO_ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

RATE = 44100  # the mixer's rate, and the clips'
BUFFER_MS = 1000 * 512 / RATE
# The null sink runs at 40 kHz, resampling the mixer's 44.1 kHz: at 44.1 kHz it counts
# time in whole microseconds per rendered block, and with the mixer's small blocks it
# renders ~400 ppm more samples than real time (0.5 s over 20 minutes), which would
# read as drift. At 40 kHz a sample is exactly 25 us.
SINK_RATE = 40000
CLIP_SECONDS = 0.25
CLIP_COUNT = 8
CLIP_RMS_DBFS = -20.0
GAP_RANGE = (2.0, 7.0)
FIRST_CUE = 1.0
# A fresh stream into a null sink can be recorded unevenly for its first moments.
SETTLE_SECONDS = 1.0
SEARCH_SECONDS = 0.6  # how far from its predicted place an onset is looked for
MIN_SCORE = 0.8
AMBIENT = REPO_ROOT / "audio" / "ambient" / "rain.ogg"


# --- PulseAudio --------------------------------------------------------------------------


def _pactl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=15)


def pulse_running() -> bool:
    try:
        return _pactl("info").returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def ensure_pulse() -> None:
    """Reuse a running PulseAudio server, or start one (as root too); it is left running."""
    if pulse_running():
        return
    if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
        sys.exit("PulseAudio is needed: apt-get install -y pulseaudio pulseaudio-utils")
    base = [
        "pulseaudio",
        "-n",
        "--daemonize=yes",
        "--exit-idle-time=-1",
        "-L",
        "module-null-sink sink_name=test",
        "-L",
        "module-native-protocol-unix",
    ]
    for extra in ([], ["--system=false"]):
        subprocess.run(base + extra, capture_output=True, text=True, timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if pulse_running():
                return
            time.sleep(0.1)
    sys.exit("could not start PulseAudio")


@contextlib.contextmanager
def null_sink(prefix: str) -> Iterator[str]:
    """A null sink of our own, so nothing else plays into the recording."""
    ensure_pulse()
    name = f"{prefix}_{os.getpid()}"
    loaded = _pactl(
        "load-module",
        "module-null-sink",
        f"sink_name={name}",
        f"rate={SINK_RATE}",
        "channels=2",
        "format=s16le",
    )
    if loaded.returncode != 0:
        sys.exit(f"could not make a null sink: {loaded.stderr.strip()}")
    try:
        yield name
    finally:
        _pactl("unload-module", loaded.stdout.strip())


class Recorder:
    """parec on a sink's monitor into a raw s16le stereo file at SINK_RATE."""

    def __init__(self, sink: str, path: Path) -> None:
        self.path = path
        self._file = path.open("wb")
        self._process = subprocess.Popen(
            [
                "parec",
                "-d",
                f"{sink}.monitor",
                "--format=s16le",
                f"--rate={SINK_RATE}",
                "--channels=2",
                "--raw",
                "--latency-msec=20",
            ],
            stdout=self._file,
        )
        # An idle null sink's monitor only starts to deliver after a second or two.
        deadline = time.monotonic() + 15
        while path.stat().st_size == 0:
            if self._process.poll() is not None or time.monotonic() > deadline:
                sys.exit("parec recorded nothing")
            time.sleep(0.02)

    def stop(self) -> np.ndarray:
        """The recording as int16 (n, 2), mapped from the file."""
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._file.close()
        frames = self.path.stat().st_size // 4
        return np.memmap(self.path, dtype="<i2", mode="r", shape=(frames, 2))


def pulse_env(sink: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SDL_")}
    env.pop("CALMKIT_AUDIO", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.update(SDL_AUDIODRIVER="pulseaudio", PULSE_SINK=sink, PYGAME_HIDE_SUPPORT_PROMPT="1")
    return env


# --- the clips and the schedule ----------------------------------------------------------


def noise_burst(seed: int) -> np.ndarray:
    """Noise up to 5 kHz with 5 ms raised-cosine ends: one sharp correlation peak.

    Band-limited, so that resampled and a fraction of a sample off it still matches itself.
    """
    rng = np.random.default_rng(seed)
    n = round(CLIP_SECONDS * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[np.fft.rfftfreq(n, 1 / RATE) > 5000] = 0
    burst = np.fft.irfft(spectrum, n)
    edge = round(0.005 * RATE)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(edge) / edge)
    burst[:edge] *= ramp
    burst[n - edge :] *= ramp[::-1]
    burst *= 10 ** (CLIP_RMS_DBFS / 20) / np.sqrt(np.mean(burst**2))
    return np.clip(burst, -1.0, 1.0).astype(np.float32)


def make_clips(folder: Path) -> list[Path]:
    from calmkit.audio.synth_files import write_ogg

    paths = []
    for number in range(CLIP_COUNT):
        path = folder / f"burst{number}.ogg"
        write_ogg(noise_burst(1000 + number), path)
        paths.append(path)
    return paths


def schedule(minutes: float, seed: int) -> list[tuple[float, int]]:
    """(start in seconds, clip number) for one clip every 2-7 s."""
    rng = np.random.default_rng(seed)
    plan, start = [], FIRST_CUE
    while start < minutes * 60:
        plan.append((round(start, 4), int(rng.integers(CLIP_COUNT))))
        start += float(rng.uniform(*GAP_RANGE))
    return plan


# --- the two players (each in its own process) ---------------------------------------------


def play_calmkit(config: dict) -> list[float]:
    from calmkit.audio.backend import Group, open_backend
    from calmkit.content.timeline import Cue, Timeline
    from calmkit.playback.player import Player

    plan, clips = config["plan"], config["clips"]
    cues = []
    for index, (start, clip) in enumerate(plan):
        end = plan[index + 1][0] if index + 1 < len(plan) else start + 2.0
        cues.append(
            Cue(
                start=start,
                duration=end - start,
                kind="say",
                step=index,
                text=f"clip {index}",
                audio=clips[clip],
                speech=CLIP_SECONDS,
            )
        )
    timeline = Timeline("bench", "bench", "kid", tuple(cues), step_count=len(cues))
    backend, status = open_backend()
    if status.backend != "pygame":
        sys.exit(f"no sound: {status.notice}")
    calls: list[float] = []
    play = backend.play

    def timed_play(group: Group, path: str, *args: object, **kwargs: object) -> None:
        # When the Player asks for the clip, before anything else it does for the cue.
        if group == "voice":
            calls.append(time.monotonic())
        play(group, path, *args, **kwargs)  # type: ignore[arg-type]

    backend.play = timed_play  # type: ignore[method-assign]
    time.sleep(SETTLE_SECONDS)
    player = Player(timeline, backend, ambient_path=config["ambient"])
    player.run()
    time.sleep(0.5)
    backend.close()
    return calls


def play_naive(config: dict) -> list[float]:
    """The common small-player loop: play, then sleep for the gap; the sleeps add up."""
    import pygame

    pygame.mixer.init(RATE, -16, 2, 512)
    plan = config["plan"]
    sounds = [pygame.mixer.Sound(path) for path in config["clips"]]
    time.sleep(SETTLE_SECONDS)
    if config["ambient"]:
        bed = pygame.mixer.Sound(config["ambient"])
        bed.set_volume(0.5)
        bed.play(loops=-1, fade_ms=3000)
    calls: list[float] = []
    time.sleep(plan[0][0])
    for index, (start, clip) in enumerate(plan):
        calls.append(time.monotonic())
        sounds[clip].play()
        if index + 1 < len(plan):
            time.sleep(plan[index + 1][0] - start)
    time.sleep(0.5 + CLIP_SECONDS)
    pygame.mixer.quit()
    return calls


def child(player: str, config_path: str) -> None:
    config = json.loads(Path(config_path).read_text())
    calls = play_calmkit(config) if player == "calmkit" else play_naive(config)
    Path(config["result"]).write_text(json.dumps({"calls": calls}))


# --- finding the onsets --------------------------------------------------------------------


def correlate(signal: np.ndarray, template: np.ndarray) -> tuple[int, float]:
    """(best lag, normalised correlation there) of template within signal."""
    size = 1 << (signal.size + template.size - 1).bit_length()
    spectrum = np.fft.rfft(signal, size) * np.conj(np.fft.rfft(template, size))
    correlation = np.fft.irfft(spectrum, size)[: signal.size - template.size + 1]
    energy = np.concatenate([[0.0], np.cumsum(signal**2)])
    local = energy[template.size :] - energy[: signal.size - template.size + 1]
    score = correlation / (np.sqrt(np.maximum(local, 1e-12)) * np.sqrt(np.sum(template**2)))
    score[local < 1e-6 * max(float(np.max(local)), 1e-12)] = 0.0
    best = int(np.argmax(score))
    return best, float(score[best])


def resampled(samples: np.ndarray, rate: int) -> np.ndarray:
    """A band-limited clip at another sample rate (by its spectrum)."""
    size = round(samples.size * rate / RATE)
    spectrum = np.zeros(size // 2 + 1, dtype=complex)
    source = np.fft.rfft(samples)
    keep = min(spectrum.size, source.size)
    spectrum[:keep] = source[:keep]
    return np.fft.irfft(spectrum, size) * size / samples.size


def mono(recording: np.ndarray, first: int, last: int) -> np.ndarray:
    first, last = max(0, first), min(recording.shape[0], last)
    return recording[first:last].astype(np.float64).mean(axis=1) / 32768.0


def find_onsets(
    recording: np.ndarray, plan: list[tuple[float, int]], templates: list[np.ndarray]
) -> tuple[list[int | None], list[dict[str, float]]]:
    """Each clip's first sample in the recording, looked for near where the last one predicts.

    Also the clips not found: their number, schedule, and best match in the window.
    """
    size = templates[0].size
    head = mono(recording, 0, round((SETTLE_SECONDS + plan[0][0] + 30) * SINK_RATE))
    first, score = correlate(head, templates[plan[0][1]])
    if score < MIN_SCORE:
        sys.exit(f"the first clip is not in the recording (correlation {score:.2f})")
    onsets: list[int | None] = [first]
    misses: list[dict[str, float]] = []
    anchor, anchor_time = first, plan[0][0]
    reach = round(SEARCH_SECONDS * SINK_RATE)
    for index, (start, clip) in enumerate(plan[1:], start=1):
        predicted = anchor + round((start - anchor_time) * SINK_RATE)
        window = mono(recording, predicted - reach, predicted + reach + size)
        if window.size < size:
            onsets.append(None)
            misses.append({"index": index, "start": start, "score": 0.0, "recording_s": -1.0})
            continue
        lag, score = correlate(window, templates[clip])
        found = max(0, predicted - reach) + lag
        if score < MIN_SCORE:
            onsets.append(None)
            misses.append(
                {
                    "index": index,
                    "start": start,
                    "score": score,
                    "recording_s": found / SINK_RATE,
                    "predicted_s": predicted / SINK_RATE,
                }
            )
            continue
        onsets.append(found)
        anchor, anchor_time = found, start
    return onsets, misses


# --- figures -----------------------------------------------------------------------------


def summarise(times: list[float], errors_ms: list[float], missing: int) -> dict[str, float]:
    """p50/p99/max of |error| and the drift, for errors measured against the first onset."""
    t, e = np.asarray(times), np.asarray(errors_ms)
    late = np.abs(e[1:]) if e.size > 1 else np.abs(e)
    slope, _ = np.polyfit(t, e, 1) if t.size > 1 else (0.0, 0.0)
    span = float(t[-1] - t[0]) if t.size else 0.0
    first_minute = e[t < t[0] + 60]
    last_minute = e[t > t[-1] - 60]
    return {
        "clips": int(t.size),
        "missing": missing,
        "p50_ms": float(np.percentile(late, 50)),
        "p99_ms": float(np.percentile(late, 99)),
        "max_ms": float(np.max(late)),
        "drift_ms_per_session": float(slope * span),
        "last_minus_first_minute_ms": float(np.mean(last_minute) - np.mean(first_minute)),
        "session_seconds": span,
    }


def measure(
    player: str,
    sink: str,
    plan: list[tuple[float, int]],
    clips: list[Path],
    ambient: str | None,
    work: Path,
    keep: Path | None = None,
) -> dict[str, dict[str, float]]:
    config_path, result_path = work / f"{player}.json", work / f"{player}-result.json"
    config = {
        "plan": plan,
        "clips": [str(path) for path in clips],
        "ambient": ambient,
        "result": str(result_path),
    }
    config_path.write_text(json.dumps(config))
    recorder = Recorder(sink, work / f"{player}.raw")
    try:
        subprocess.run(
            [sys.executable, __file__, "--child", player, str(config_path)],
            env=pulse_env(sink),
            check=True,
        )
    finally:
        recording = recorder.stop()
    calls = json.loads(result_path.read_text())["calls"]
    templates = [
        resampled(soundfile.read(str(path), dtype="float64")[0], SINK_RATE) for path in clips
    ]
    onsets, misses = find_onsets(recording, plan, templates)
    first = onsets[0]
    assert first is not None
    times, errors = [], []
    for (start, _), onset in zip(plan, onsets, strict=True):
        if onset is not None:
            times.append(start)
            errors.append(1000 * ((onset - first) / SINK_RATE - (start - plan[0][0])))
    missing = sum(onset is None for onset in onsets)
    call_errors = [
        1000 * ((called - calls[0]) - (start - plan[0][0]))
        for (start, _), called in zip(plan, calls, strict=False)
    ]
    del recording
    if keep is not None:
        shutil.move(work / f"{player}.raw", keep / f"{player}.raw")
    else:
        (work / f"{player}.raw").unlink()
    return {
        "heard": summarise(times, errors, missing),
        "called": summarise([start for start, _ in plan[: len(calls)]], call_errors, 0),
        "not_found": misses,  # type: ignore[dict-item]
    }


def table(results: dict[str, dict[str, dict[str, float]]], minutes: dict[str, float]) -> str:
    names = {"calmkit": "calmkit Player", "naive": "naive play+sleep"}
    lines = [
        f"onset error, heard in the recording (PulseAudio null sink; mixer buffer {BUFFER_MS:.1f} ms)",
        f"{'player':<18} {'min':>5} {'clips':>6} {'miss':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        f" {'drift ms':>9} {'last-first min ms':>18}",
    ]
    for kind in ("heard", "called"):
        if kind == "called":
            lines += [
                "",
                "when the player called play() (the same figures, without the audio path)",
            ]
        for player, result in results.items():
            row = result[kind]
            lines.append(
                f"{names[player]:<18} {minutes[player]:>5.1f} {row['clips']:>6d} {row['missing']:>5d}"
                f" {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['max_ms']:>8.2f}"
                f" {row['drift_ms_per_session']:>9.2f} {row['last_minus_first_minute_ms']:>18.2f}"
            )
    for player, result in results.items():
        for miss in result.get("not_found", []):  # type: ignore[attr-defined]
            lines.append(
                f"{names[player]}: clip {miss['index']} (at {miss['start']:.3f} s) not found;"
                f" best correlation {miss['score']:.2f} at {miss['recording_s']:.3f} s of the recording"
            )
    lines.append("")
    lines.append(
        "errors: each onset against its schedule, after removing the output latency at the first clip;"
    )
    lines.append(
        "drift: linear fit of error over the session; last-first: mean error, last minute vs first"
    )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="length of each run")
    parser.add_argument(
        "--naive-minutes", type=float, help="length of the naive run (default: --minutes)"
    )
    parser.add_argument("--no-ambient", action="store_true", help="no ambient bed underneath")
    parser.add_argument("--no-naive", action="store_true", help="measure calmkit's Player only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep", type=Path, help="keep the recordings (raw s16le stereo, 40 kHz) in this folder"
    )
    parser.add_argument("--json", action="store_true", help="print JSON (the table goes to stderr)")
    args = parser.parse_args()
    ambient = None if args.no_ambient else str(AMBIENT)
    runs = {"calmkit": args.minutes}
    if not args.no_naive:
        runs["naive"] = args.naive_minutes or args.minutes
    results = {}
    with tempfile.TemporaryDirectory(prefix="calmkit-onsets-") as folder:
        work = Path(folder)
        clips = make_clips(work)
        with null_sink("calmkit_bench") as sink:
            for player, minutes in runs.items():
                print(f"playing {minutes:g} min with the {player} player...", file=sys.stderr)
                plan = schedule(minutes, args.seed)
                results[player] = measure(player, sink, plan, clips, ambient, work, args.keep)
    text = table(results, runs)
    if args.json:
        print(text, file=sys.stderr)
        print(json.dumps({"minutes": runs, "buffer_ms": BUFFER_MS, "results": results}, indent=2))
    else:
        print(text)


if __name__ == "__main__":
    main()
