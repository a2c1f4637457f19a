"""Narration: which lines a script needs, rendering them for real, caching, and lookup order."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest
import soundfile

from calmkit.audio import narration
from calmkit.audio.clips import SessionClips
from calmkit.audio.narration import NARRATION_SAMPLE_RATE, Line, clip_key, lines_for_script
from calmkit.audio.oggfile import write_ogg
from calmkit.cli import main
from calmkit.content import model
from calmkit.content.loader import load_text
from calmkit.content.timeline import GENTLE_WORDS

SCRIPT = dedent(
    """\
    calmkit: 1
    id: tiny-calm
    title: Tiny Calm
    kind: breathing
    ages: 7-10
    steps:
      - say:
          young: Hello little one.
          kid: Hello there.
          together: Hello everyone.
        id: hello
      - say: Let us breathe.
        pause: 0.5
      - breathe: {in: 2, out: 3, count: 1, guide: words}
      - tense: {area: hands, say: Squeeze a little., hold: 1}
      - release: {area: hands, say: And let go., rest: 1}
    """
)


def write_script(folder: Path, text: str = SCRIPT) -> Path:
    path = folder / "tiny-calm.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_cover_every_tier_together_gentle_and_breath_words() -> None:
    script = load_text(SCRIPT).script
    assert script is not None
    young, kid = model.WORDS_PER_MINUTE["young"], model.WORDS_PER_MINUTE["kid"]
    lines = lines_for_script(script)
    expected = {
        Line("Hello little one.", young),
        Line("Hello there.", kid),
        Line("Hello everyone.", young),
        Line("Hello everyone.", kid),
        Line("Let us breathe.", young),
        Line("Let us breathe.", kid),
        Line("breathe in", young),
        Line("breathe out", kid),
        Line("Squeeze a little.", kid),
        Line("And let go.", young),
        Line(GENTLE_WORDS["hands"], young),
        Line(GENTLE_WORDS["hands"], kid),
    }
    assert expected <= lines
    # Ages 7-10 are young and kid: no teen rate anywhere.
    assert {line.rate for line in lines} == {young, kid}


def _narrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["narrate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.system("espeak-ng")
def test_narrate_renders_caches_and_renders_only_what_changed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path
) -> None:
    path = write_script(tmp_path)
    script = load_text(SCRIPT).script
    assert script is not None
    expected = len(lines_for_script(script))

    code, out, err = _narrate(capsys, str(path), "--engine", "espeak-ng")
    assert code == 0, err
    assert f"espeak-ng-en-us: {expected} new clips, 0 already there, 0 failed" in out
    folder = isolated_home / "narration" / "espeak-ng-en-us"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["clips"]) == expected
    for key, entry in manifest["clips"].items():
        info = soundfile.info(str(folder / f"{key}.ogg"))
        assert (info.samplerate, info.channels, info.format) == (NARRATION_SAMPLE_RATE, 1, "OGG")
        assert entry["seconds"] == pytest.approx(info.frames / info.samplerate, abs=0.01)
        assert key == clip_key(entry["text"], "espeak-ng", "en-us", entry["rate"])

    code, out, _ = _narrate(capsys, str(path), "--engine", "espeak-ng")
    assert code == 0
    assert f"0 new clips, {expected} already there" in out

    write_script(tmp_path, SCRIPT.replace("Let us breathe.", "Let us breathe slowly."))
    code, out, _ = _narrate(capsys, str(path), "--engine", "espeak-ng")
    assert code == 0
    # One edited line, heard at two tiers' speaking rates: two clips, nothing else.
    assert "2 new clips" in out


# What a calmkit narrate process has loaded when it ends, and whether it rendered.
LOADED_AFTER_NARRATE = dedent(
    """\
    import sys
    from calmkit.cli import main
    code = main(["narrate", *sys.argv[1:]])
    heavy = {"numpy", "scipy", "pyloudnorm", "soundfile", "rich"}
    print(code, *sorted(heavy & set(sys.modules)))
    """
)


@pytest.mark.system("espeak-ng")
def test_narrate_loads_the_mastering_libraries_only_to_master(tmp_path: Path) -> None:
    """They are most of the time a narrate takes: nothing to render, nothing loaded; and
    rich's progress bar only on a terminal."""
    import subprocess
    import sys

    from calmkit_child import calmkit_env

    path = write_script(tmp_path)

    def narrate() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", LOADED_AFTER_NARRATE, str(path), "--engine", "espeak-ng"],
            env=calmkit_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-1].split()

    assert narrate() == ["0", "numpy", "pyloudnorm", "scipy", "soundfile"]  # it rendered
    assert narrate() == ["0"]  # nothing changed: nothing to master


def test_the_warm_up_leaves_garbage_collection_as_it_found_it() -> None:
    """It pauses collections while it imports, and only then."""
    import subprocess
    import sys

    from calmkit_child import calmkit_env

    code = (
        "import gc, sys\n"
        "from calmkit.audio.narration import warm_up\n"
        "if sys.argv[1] == 'off':\n"
        "    gc.disable()\n"
        "warm_up().join()\n"
        "print(gc.isenabled(), 'pyloudnorm' in sys.modules, 'soundfile' in sys.modules)\n"
    )
    for before, after in (("on", "True"), ("off", "False")):
        done = subprocess.run(
            [sys.executable, "-c", code, before],
            env=calmkit_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert done.stdout.split() == [after, "True", "True"]


@pytest.mark.system("festival")
def test_festival_is_the_default_engine(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_script(tmp_path, SCRIPT.replace("ages: 7-10", "ages: 14"))
    code, out, err = _narrate(capsys, str(path))
    assert code == 0, err
    assert out.startswith("festival-cmu_us_slt_arctic_hts: ")


def test_a_missing_engine_names_what_to_install(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # a machine without flite
    code, _, err = _narrate(capsys, str(write_script(tmp_path)), "--engine", "flite")
    assert code == 1
    assert "flite is not installed: sudo apt-get install flite" in err
    assert "Traceback" not in err


@pytest.mark.system("espeak-ng")
def test_show_uses_the_narrated_clips(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path
) -> None:
    path = write_script(tmp_path)
    assert _narrate(capsys, str(path), "--engine", "espeak-ng")[0] == 0
    assert main(["show", str(path), "--age", "9", "--json"]) == 0
    timeline = json.loads(capsys.readouterr().out)
    says = [cue for cue in timeline["cues"] if cue["kind"] in ("say", "tense", "release")]
    assert len(says) == 4
    manifest = json.loads(
        (isolated_home / "narration" / "espeak-ng-en-us" / "manifest.json").read_text()
    )
    for cue in says:
        assert cue["audio"] and Path(cue["audio"]).is_file()
        entry = manifest["clips"][Path(cue["audio"]).stem]
        assert entry["text"] == cue["text"]
        assert cue["speech"] == pytest.approx(entry["seconds"], abs=0.001)
    breaths = [cue for cue in timeline["cues"] if cue["kind"].startswith("breathe")]
    assert all(cue["audio"] for cue in breaths)


def test_lookup_order_recorded_then_user_cache_then_shipped(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rate = model.WORDS_PER_MINUTE["kid"]
    voice = "espeak-ng-en-us"
    shipped_root = tmp_path / "shipped"
    monkeypatch.setattr(narration, "shipped_narration_dir", lambda: shipped_root)

    def make_clip(folder: Path, text: str, seconds: float) -> None:
        key = clip_key(text, "espeak-ng", "en-us", rate)
        write_ogg(
            np.zeros(int(seconds * 44100), dtype="float32") + 0.01,
            folder / f"{key}.ogg",
        )
        manifest = narration.VoiceFolder.read(folder)
        manifest.engine, manifest.voice = "espeak-ng", "en-us"
        manifest.clips[key] = {"text": text, "rate": rate, "seconds": seconds}
        manifest.write()

    make_clip(shipped_root / voice, "Hello there.", 1.0)
    make_clip(shipped_root / voice, "Only shipped.", 2.0)
    make_clip(isolated_home / "narration" / voice, "Hello there.", 3.0)

    clips = SessionClips(voice)
    assert clips.narration("Only shipped.", None, "tiny-calm", rate).seconds == pytest.approx(2.0)  # type: ignore[union-attr]
    assert clips.narration("Hello there.", "hello", "tiny-calm", rate).seconds == pytest.approx(3.0)  # type: ignore[union-attr]
    assert clips.narration("Never narrated.", None, "tiny-calm", rate) is None

    recorded = isolated_home / "recordings" / "tiny-calm" / "hello.wav"
    recorded.parent.mkdir(parents=True)
    soundfile.write(str(recorded), np.zeros(22050, dtype="float32"), 44100)
    clip = clips.narration("Hello there.", "hello", "tiny-calm", rate)
    assert clip is not None and clip.path == str(recorded) and clip.seconds == pytest.approx(0.5)
    # A recording belongs to its step id: the same words elsewhere use narration.
    assert clips.narration("Hello there.", "other", "tiny-calm", rate).seconds == pytest.approx(3.0)  # type: ignore[union-attr]


def test_a_corrupt_manifest_reads_as_no_clips(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert narration.VoiceFolder.read(tmp_path).clips == {}


def test_a_plans_voice_may_name_an_engine(isolated_home: Path) -> None:
    from calmkit.audio.narration import MANIFEST_NAME, resolve_voice

    for name in ("espeak-ng-en-us", "flite-slt"):
        folder = isolated_home / "narration" / name
        folder.mkdir(parents=True)
        (folder / MANIFEST_NAME).write_text('{"clips": {}}', encoding="utf-8")
    assert resolve_voice("espeak-ng") == "espeak-ng-en-us"
    assert resolve_voice("flite") == "flite-slt"
    assert resolve_voice("piper") is None  # no such voice here
    assert resolve_voice("festival") == "festival-cmu_us_slt_arctic_hts"  # shipped
