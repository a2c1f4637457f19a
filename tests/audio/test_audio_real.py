"""Real sound through pygame's mixer, checked by listening to what comes out.

No mocks and no skips (CI installs pulseaudio). Every session runs in its own
Python process, because SDL reads its environment when the mixer starts:

- SDL's disk driver writes what a child would have heard to a file: every clip
  is there, the ambient bed sits at least 20 dB under the voice while it speaks,
  pause is silence and resume goes on where the clip stopped.
  The disk driver does not keep exact time, so timing is checked elsewhere:
- A PulseAudio null sink, recorded with parec, keeps real time: each clip starts
  within one mixer buffer of where the timeline put it. The fixture reuses a
  running PulseAudio server, or starts one and leaves it running, and plays into
  a null sink of its own. If a loaded machine underruns the stream and a clip
  comes out with a silent stretch in it, that recording is made again (up to
  three times): a damaged recording says nothing about when a clip started.
- A driver that does not exist: calmkit says so and plays captions only.

The test clips are noise bursts made here, each from its own seed, so
cross-correlation finds each one at exactly one place.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

# Every test here times or records real sound: each runs while no other test runs.
pytestmark = pytest.mark.alone

REPO_ROOT = Path(__file__).resolve().parents[2]
SRC = REPO_ROOT / "src"
AMBIENT = REPO_ROOT / "audio" / "ambient" / "rain.ogg"  # the steadiest bed: a fair level check
CHIME = REPO_ROOT / "audio" / "chimes" / "start.ogg"

RATE = 44100
BUFFER_SECONDS = 512 / RATE  # the mixer's buffer: a clip starts at most this late
# The null sink runs at 40 kHz, resampling the mixer's 44.1 kHz: at 44.1 kHz it counts
# time in whole microseconds per rendered block, and with the mixer's small blocks it
# renders ~400 ppm more samples than real time. At 40 kHz a sample is exactly 25 us.
SINK_RATE = 40000
ONSET_TOLERANCE = 0.015
SPEECH_RMS_DBFS = -20.0  # about where narration normalised to -19 LUFS sits
SILENCE_DBFS = -60.0
PAUSE_SECONDS = 1.0
CHILD_TIMEOUT = 60


# --- test clips ----------------------------------------------------------------------------


def noise_burst(seed: int, seconds: float, rms_dbfs: float = SPEECH_RMS_DBFS) -> np.ndarray:
    """Noise up to 5 kHz with 5 ms raised-cosine ends: its autocorrelation is one sharp peak.

    Band-limited, so that resampled and a fraction of a sample off it still matches
    itself closely (a white burst half a 40 kHz sample off correlates only ~0.9).
    """
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[np.fft.rfftfreq(n, 1 / RATE) > 5000] = 0
    burst = np.fft.irfft(spectrum, n)
    edge = round(0.005 * RATE)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(edge) / edge)
    burst[:edge] *= ramp
    burst[n - edge :] *= ramp[::-1]
    burst *= 10 ** (rms_dbfs / 20) / np.sqrt(np.mean(burst**2))
    return np.clip(burst, -1.0, 1.0).astype(np.float32)


def write_clip(samples: np.ndarray, path: Path) -> Path:
    """An OGG Vorbis clip, written the way calmkit writes its own."""
    from calmkit.audio.synth_files import write_ogg

    write_ogg(samples, path)
    return path


def decoded(path: Path | str, rate: int = RATE) -> np.ndarray:
    """A clip as mono float, as the mixer would read it (resampled to ``rate``)."""
    samples, file_rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    assert file_rate == RATE
    mono = samples.mean(axis=1)
    if rate == RATE:
        return mono
    size = round(mono.size * rate / RATE)
    spectrum = np.zeros(size // 2 + 1, dtype=complex)
    source = np.fft.rfft(mono)
    keep = min(spectrum.size, source.size)
    spectrum[:keep] = source[:keep]
    return np.fft.irfft(spectrum, size) * size / mono.size


# --- finding clips in a recording ------------------------------------------------------------


def _next_pow2(n: int) -> int:
    return 1 << (n - 1).bit_length()


def find_clip(signal: np.ndarray, template: np.ndarray) -> tuple[int, float]:
    """(sample where the template best matches, normalised correlation there, -1..1)."""
    n = signal.size + template.size
    size = _next_pow2(n)
    spectrum = np.fft.rfft(signal, size) * np.conj(np.fft.rfft(template, size))
    correlation = np.fft.irfft(spectrum, size)[: signal.size - template.size + 1]
    energy = np.concatenate([[0.0], np.cumsum(signal.astype(np.float64) ** 2)])
    local = energy[template.size :] - energy[: signal.size - template.size + 1]
    norm = np.sqrt(np.maximum(local, 1e-12)) * np.sqrt(np.sum(template**2))
    score = correlation / norm
    # Quiet stretches give a large ratio from nothing: only look where there is sound.
    score[local < 1e-6 * np.max(local)] = 0.0
    best = int(np.argmax(score))
    return best, float(score[best])


def rms_db(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.asarray(samples, dtype=np.float64) ** 2)))
    return 20 * np.log10(rms) if rms > 0 else float("-inf")


def read_raw(path: Path) -> np.ndarray:
    """Raw s16le stereo as float (n, 2)."""
    data = np.fromfile(path, dtype="<i2")
    return data[: data.size // 2 * 2].reshape(-1, 2).astype(np.float64) / 32768.0


# --- running a session in its own process ----------------------------------------------------


def child_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SDL_", "CALMKIT_AUDIO", "PULSE_SINK"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
    env.update(overrides)
    return env


def run_session(config: dict[str, object], work: Path, env: dict[str, str]) -> dict[str, object]:
    """Play a timeline with the real Player and PygameBackend in a fresh process."""
    config_path = work / "session.json"
    result_path = work / "result.json"
    config_path.write_text(json.dumps({**config, "result": str(result_path)}))
    done = subprocess.run(
        [sys.executable, __file__, str(config_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    assert done.returncode == 0, f"session process failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(result_path.read_text())


def child_main(config_path: str) -> None:
    """In the session process: play the configured timeline, write what happened."""
    import threading

    from calmkit.audio.backend import open_backend
    from calmkit.content.timeline import Cue, Timeline
    from calmkit.playback.player import CueStarted, Player, PlayerEvent, Volumes

    config = json.loads(Path(config_path).read_text())
    cues = tuple(Cue(**cue) for cue in config["cues"])
    timeline = Timeline(id="test", title="test", tier="kid", cues=cues, step_count=len(cues))
    backend, status = open_backend()
    # A fresh PulseAudio stream takes a moment to settle into its steady latency.
    time.sleep(config.get("settle", 0.0))
    events: list[tuple[float, str, int]] = []
    started: dict[int, threading.Event] = {index: threading.Event() for index in range(len(cues))}

    def listen(event: PlayerEvent) -> None:
        if isinstance(event, CueStarted):
            events.append((time.monotonic(), "cue", event.index))
            started[event.index].set()

    player = Player(
        timeline,
        backend,
        listener=listen,
        ambient_path=config.get("ambient"),
        volumes=Volumes(**config.get("volumes", {})),
    )
    outcome: list[str] = []
    runner = threading.Thread(target=lambda: outcome.append(player.run()))
    runner.start()
    pause = config.get("pause")
    if pause:
        started[pause["cue"]].wait(30)
        time.sleep(pause["after"])
        events.append((time.monotonic(), "pause", pause["cue"]))
        player.pause()
        time.sleep(pause["seconds"])
        events.append((time.monotonic(), "resume", pause["cue"]))
        player.resume()
    runner.join(60)
    time.sleep(config.get("tail", 0.3))  # let the last buffers reach the output
    backend.close()
    Path(config["result"]).write_text(
        json.dumps(
            {
                "backend": status.backend,
                "device": status.device,
                "notice": status.notice,
                "status": outcome[0] if outcome else None,
                "events": events,
            }
        )
    )


def say(start: float, seconds: float, audio: Path, step: int, speech: float | None = None) -> dict:
    return {
        "start": start,
        "duration": seconds,
        "kind": "say",
        "step": step,
        "text": f"line {step}",
        "audio": str(audio),
        "speech": seconds if speech is None else speech,
    }


# --- PulseAudio ----------------------------------------------------------------------------


def _pactl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=15)


def _pulse_running() -> bool:
    try:
        return _pactl("info").returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def ensure_pulse() -> None:
    """Reuse a running PulseAudio server, or start one (as root too); it is left running."""
    if _pulse_running():
        return
    if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
        pytest.fail("PulseAudio is needed: apt-get install -y pulseaudio pulseaudio-utils")
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
    errors = []
    for extra in ([], ["--system=false"]):
        started = subprocess.run(base + extra, capture_output=True, text=True, timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _pulse_running():
                return
            time.sleep(0.1)
        errors.append(f"{' '.join(base + extra)}: {started.returncode} {started.stderr.strip()}")
    pytest.fail("could not start PulseAudio:\n" + "\n".join(errors))


@pytest.fixture(scope="module")
def pulse_sink() -> Iterator[str]:
    """A null sink of our own, so a concurrent run never plays into our recording."""
    ensure_pulse()
    name = f"calmkit_test_{os.getpid()}"
    loaded = _pactl(
        "load-module",
        "module-null-sink",
        f"sink_name={name}",
        f"rate={SINK_RATE}",
        "channels=2",
        "format=s16le",
    )
    assert loaded.returncode == 0, loaded.stderr
    yield name
    _pactl("unload-module", loaded.stdout.strip())


class Recorder:
    """parec on a sink's monitor, raw s16le stereo at SINK_RATE, with little buffering."""

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
        # An idle null sink's monitor only starts to deliver after a second or two:
        # start playing before that and the start of the session is lost.
        deadline = time.monotonic() + 15
        while path.stat().st_size == 0:
            assert self._process.poll() is None, "parec stopped"
            assert time.monotonic() < deadline, "parec recorded nothing"
            time.sleep(0.02)

    def stop(self) -> np.ndarray:
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._file.close()
        return read_raw(self.path)


# --- a: what a child hears (disk driver) -------------------------------------------------------

DISK_VOICE_SECONDS = (1.2, 1.0, 2.0, 1.4)
DISK_GAPS = (1.6, 1.6, 1.6, 1.6)  # long enough for the bed to come back up between lines
DISK_PAUSED_CLIP = 2  # paused PAUSE_AFTER seconds into this clip for PAUSE_SECONDS
PAUSE_AFTER = 0.7
# The last line starts 3 s before the end, as the bed starts to fade out.
DISK_LAST_CLIP = 3


@pytest.fixture(scope="module")
def disk_session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    work = tmp_path_factory.mktemp("disk")
    clips = [
        write_clip(noise_burst(100 + number, seconds), work / f"voice{number}.ogg")
        for number, seconds in enumerate(DISK_VOICE_SECONDS)
    ]
    # A chime first, as in every script; the voice comes once the bed has faded in (3 s).
    cues: list[dict] = [
        {"start": 0.0, "duration": 4.0, "kind": "chime", "step": 0, "audio": str(CHIME)}
    ]
    start = 4.0
    for number, (clip, seconds, gap) in enumerate(
        zip(clips, DISK_VOICE_SECONDS, DISK_GAPS, strict=True)
    ):
        cues.append(say(start, seconds + gap, clip, number + 1, speech=seconds))
        start += seconds + gap
    out = work / "heard.raw"
    env = child_env(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(out), CALMKIT_AUDIO="pygame")
    result = run_session(
        {
            "cues": cues,
            "ambient": str(AMBIENT),
            # The loudest bed a user can choose: only ducking keeps it 20 dB under the voice.
            "volumes": {"ambient": 1.0},
            "pause": {"cue": DISK_PAUSED_CLIP + 1, "after": PAUSE_AFTER, "seconds": PAUSE_SECONDS},
        },
        work,
        env,
    )
    heard = read_raw(out)
    voices = [decoded(clip) for clip in clips]
    onsets = []
    for number, voice in enumerate(voices):
        # The paused clip is found by its start, before the pause.
        template = voice[: round(0.5 * RATE)] if number == DISK_PAUSED_CLIP else voice
        onsets.append(find_clip(heard.mean(axis=1), template))
    return {"result": result, "heard": heard, "voices": voices, "onsets": onsets}


def bed_under_voice(
    heard: np.ndarray, at: int, voice: np.ndarray, begin: float, end: float
) -> tuple[float, float]:
    """(voice, bed) levels in dBFS from ``begin`` to ``end`` seconds into a clip at ``at``.

    The voice is the same in both ears; what is left once it is taken out is the bed.
    """
    first, last = round(begin * RATE), round(end * RATE)
    window = heard[at + first : at + last]
    reference = voice[first:last]
    residuals, voiced = [], []
    for channel in range(2):
        gain = float(np.dot(window[:, channel], reference) / np.dot(reference, reference))
        voiced.append(gain * reference)
        residuals.append(window[:, channel] - gain * reference)
    return rms_db(np.stack(voiced, axis=1)), rms_db(np.stack(residuals, axis=1))


@pytest.mark.system()
def test_disk_every_clip_is_heard_in_order(disk_session: dict[str, object]) -> None:
    result = disk_session["result"]
    assert result["backend"] == "pygame", result  # type: ignore[index]
    assert result["status"] == "completed"  # type: ignore[index]
    onsets = disk_session["onsets"]
    for number, (_, score) in enumerate(onsets):  # type: ignore[arg-type]
        assert score > 0.95, f"voice clip {number} not found (correlation {score:.3f})"
    positions = [at for at, _ in onsets]  # type: ignore[attr-defined]
    assert positions == sorted(positions), positions
    heard = disk_session["heard"].mean(axis=1)  # type: ignore[union-attr]
    chime_at, chime_score = find_clip(heard, decoded(CHIME)[: RATE // 2])
    assert chime_score > 0.8, f"chime not found (correlation {chime_score:.3f})"
    assert chime_at < positions[0]


@pytest.mark.system()
def test_disk_ambient_is_20_db_under_the_voice(disk_session: dict[str, object]) -> None:
    heard, voices = disk_session["heard"], disk_session["voices"]
    rows = []
    for number, (at, _) in enumerate(disk_session["onsets"]):  # type: ignore[arg-type]
        if number == DISK_LAST_CLIP:
            continue  # see the next test
        voice = voices[number]  # type: ignore[index]
        # From just after the duck (a 0.15 s glide) to the end of the clip, or the pause.
        end = PAUSE_AFTER - 0.1 if number == DISK_PAUSED_CLIP else voice.size / RATE - 0.05
        speech, bed = bed_under_voice(heard, at, voice, 0.25, end)  # type: ignore[arg-type]
        gap = rms_db(heard[at - round(0.6 * RATE) : at - round(0.1 * RATE)])  # type: ignore[index]
        rows.append((speech, bed, gap))
    report = "voice, bed while speaking, bed before (dBFS): " + str(np.round(rows, 1).tolist())
    print(report)
    for speech, bed, gap in rows:
        assert speech - bed >= 20.0, report
        # The bed really plays, and really goes down while the voice speaks.
        assert bed > -75.0, report
        assert bed <= gap - 6.0, report


@pytest.mark.system()
def test_disk_ambient_stays_ducked_while_fading_out(disk_session: dict[str, object]) -> None:
    """A line in the session's last 3 s, while the bed fades out, is still 20 dB over it."""
    heard, voices = disk_session["heard"], disk_session["voices"]
    at, _ = disk_session["onsets"][DISK_LAST_CLIP]  # type: ignore[index]
    voice = voices[DISK_LAST_CLIP]  # type: ignore[index]
    speech, bed = bed_under_voice(heard, at, voice, 0.25, voice.size / RATE - 0.05)  # type: ignore[arg-type]
    print(f"last line: voice {speech:.1f} dBFS, bed {bed:.1f} dBFS")
    assert speech - bed >= 20.0, f"voice {speech:.1f} dBFS, bed {bed:.1f} dBFS"


@pytest.mark.system()
def test_disk_pause_is_silent_and_resume_goes_on(disk_session: dict[str, object]) -> None:
    heard = disk_session["heard"]
    voice = disk_session["voices"][DISK_PAUSED_CLIP]  # type: ignore[index]
    at, _ = disk_session["onsets"][DISK_PAUSED_CLIP]  # type: ignore[index]
    # Everything (voice and bed) stops: the longest quiet run after the onset is the pause.
    span = heard[at : at + voice.size + round((PAUSE_SECONDS + 1.0) * RATE)]  # type: ignore[index]
    loud = np.max(np.abs(span), axis=1) > 10 ** (SILENCE_DBFS / 20)
    edges = np.flatnonzero(np.diff(np.concatenate([[1], loud.astype(np.int8), [1]])))
    runs = edges.reshape(-1, 2)
    longest = runs[np.argmax(runs[:, 1] - runs[:, 0])]
    quiet_from, quiet_to = at + int(longest[0]), at + int(longest[1])
    quiet = (quiet_to - quiet_from) / RATE
    # The disk driver keeps close to real time, not exactly; on a busy machine it falls behind.
    assert 0.5 * PAUSE_SECONDS <= quiet <= 1.5 * PAUSE_SECONDS, f"quiet for {quiet:.3f} s"
    # Digital silence, not just quiet (the ends may hold a quiet sample of the clip).
    edge = round(0.005 * RATE)
    assert np.max(np.abs(heard[quiet_from + edge : quiet_to - edge])) == 0.0  # type: ignore[index]
    paused_at = (quiet_from - at) / RATE
    assert 0.3 < paused_at < voice.size / RATE - 0.3, paused_at
    # After the pause: the rest of the clip, from where it stopped, not from the start.
    rest = voice[quiet_from - at :]
    lead = 50  # samples of silence before the resume point, in case its edge read late
    window = heard[quiet_to - lead : quiet_to + rest.size + RATE // 10].mean(axis=1)  # type: ignore[index]
    offset, score = find_clip(window, rest)
    assert score > 0.95, f"rest of the clip not found after resuming ({score:.3f})"
    assert abs(offset - lead) <= 3, (
        f"the clip resumed {offset - lead} samples from where it stopped"
    )


# --- b: when a child hears it (PulseAudio null sink) -----------------------------------------------

PULSE_GAPS = (0.9, 1.7, 0.6, 2.3, 1.1, 1.4)  # seconds from one clip's start to the next
# A new stream into a null sink can be recorded unevenly for its first moments.
PULSE_SETTLE_SECONDS = 1.0


# Under load a stream can underrun, and then a stretch of a clip is heard as silence.
# That is a damaged recording, not a late start: it is measured again, this many times.
PULSE_ATTEMPTS = 3


def _record_pulse_session(
    pulse_sink: str, clips: list[Path], cues: list[dict[str, object]], work: Path
) -> tuple[list[float], list[float]]:
    """Play the cues into the sink: (each clip's onset in seconds, how well it matched)."""
    recorder = Recorder(pulse_sink, work / "recorded.raw")
    try:
        env = child_env(SDL_AUDIODRIVER="pulseaudio", PULSE_SINK=pulse_sink, CALMKIT_AUDIO="pygame")
        result = run_session({"cues": cues, "settle": PULSE_SETTLE_SECONDS}, work, env)
    finally:
        recorded = recorder.stop().mean(axis=1)
    assert result["backend"] == "pygame" and result["status"] == "completed", result
    found = [find_clip(recorded, decoded(clip, SINK_RATE)) for clip in clips]
    return [at / SINK_RATE for at, _ in found], [score for _, score in found]


@pytest.mark.system("pulseaudio", "parec", "pactl")
def test_pulse_each_clip_starts_within_one_buffer(pulse_sink: str, tmp_path: Path) -> None:
    clips = [
        write_clip(noise_burst(200 + number, 0.3), tmp_path / f"c{number}.ogg")
        for number in range(len(PULSE_GAPS))
    ]
    cues, start = [], 0.5
    for number, (clip, gap) in enumerate(zip(clips, PULSE_GAPS, strict=True)):
        cues.append(say(start, gap, clip, number, speech=0.3))
        start += gap
    damaged = []
    for attempt in range(PULSE_ATTEMPTS):
        work = tmp_path / f"attempt{attempt}"
        work.mkdir()
        onsets, scores = _record_pulse_session(pulse_sink, clips, cues, work)
        if min(scores) > 0.9:
            break
        damaged.append(np.round(scores, 3).tolist())
        print(f"attempt {attempt + 1}: a clip was damaged in the recording, match {damaged[-1]}")
    else:
        pytest.fail(f"every recording had a damaged clip (matches per attempt: {damaged})")
    errors_ms = [
        1000 * (onsets[number] - onsets[number - 1] - PULSE_GAPS[number - 1])
        for number in range(1, len(onsets))
    ]
    print("start errors (ms):", np.round(errors_ms, 2).tolist())
    assert max(abs(error) for error in errors_ms) <= 1000 * ONSET_TOLERANCE, (
        f"start errors {np.round(errors_ms, 2)} ms (one buffer is {1000 * BUFFER_SECONDS:.1f} ms)"
    )


# --- pygame's import -------------------------------------------------------------------------


def test_pygame_opens_without_loading_pkg_resources(tmp_path: Path) -> None:
    """pkg_resources is 10 MB for nothing calmkit uses; it is still there for anyone else."""
    probe = (
        "import sys\n"
        "from calmkit.audio.backend import PygameBackend\n"
        "backend = PygameBackend()\n"
        "backend.open()\n"
        "print('pygame' in sys.modules, 'pkg_resources' in sys.modules)\n"
        "backend.close()\n"
        "import pkg_resources\n"
        "print(pkg_resources.__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=child_env(SDL_AUDIODRIVER="dummy"),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "pkg_resources"]


# --- c: no sound device ----------------------------------------------------------------------


def test_no_sound_device_falls_back_to_captions(tmp_path: Path) -> None:
    clip = write_clip(noise_burst(300, 0.2), tmp_path / "c.ogg")
    cues = [say(0.0, 0.4, clip, 0), say(0.4, 0.4, clip, 1)]
    env = child_env(SDL_AUDIODRIVER="calmkit-no-such-driver")
    result = run_session({"cues": cues, "ambient": str(AMBIENT)}, tmp_path, env)
    assert result["backend"] == "null"
    assert result["notice"] == "no sound device found, showing captions only"
    assert result["status"] == "completed"
    assert [index for _, kind, index in result["events"] if kind == "cue"] == [0, 1]


if __name__ == "__main__":
    child_main(sys.argv[1])
