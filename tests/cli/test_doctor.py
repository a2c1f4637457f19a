"""`calmkit doctor`: the report's shape, narration coverage, and the data folder's state."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pytest

from calmkit import doctor
from calmkit.audio import narration
from calmkit.audio.engines import ENGINE_ORDER
from calmkit.audio.narration import Line, VoiceFolder, clip_key, lines_for_script
from calmkit.audio.oggfile import write_ogg
from calmkit.content import model
from calmkit.content.library import Library, load_files
from calmkit.doctor import doctor_lines, doctor_report

SCRIPT = """\
calmkit: 1
id: tiny-doctor
title: Tiny Doctor
kind: breathing
ages: 7-10
steps:
  - say:
      young: Hello little one.
      kid: Hello there.
  - say: Let us breathe.
    speak: Let us breeth.
  - breathe: {in: 2, out: 3, count: 1, guide: words}
  - tense: {area: hands, say: Squeeze a little., hold: 1}
"""

VOICE = "festival-cmu_us_slt_arctic_hts"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    path = tmp_path / "scripts" / "tiny-doctor.yaml"
    path.parent.mkdir()
    path.write_text(SCRIPT, encoding="utf-8")
    loaded = load_files([path])
    assert loaded.problems == []
    return loaded


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty stand-in for the shipped audio/narration."""
    root = tmp_path / "shipped"
    root.mkdir()
    monkeypatch.setattr(narration, "shipped_narration_dir", lambda: root)
    return root


def fill_voice(
    root: Path, lines: set[narration.Line], leave_out: Collection[narration.Line] = ()
) -> VoiceFolder:
    """A festival voice folder with a (silent) clip for every line but those left out."""
    folder = VoiceFolder(root / VOICE, "festival", "cmu_us_slt_arctic_hts")
    for line in sorted(set(lines) - set(leave_out)):
        key = clip_key(line.text, folder.engine, folder.voice, line.rate)
        write_ogg(np.zeros(4410), folder.path / f"{key}.ogg")
        folder.clips[key] = {"text": line.text, "rate": line.rate, "seconds": 0.1}
    folder.write()
    return folder


def test_the_report_has_the_contracts_shape(library: Library, shipped: Path) -> None:
    report = doctor_report(library)
    json.dumps(report)  # all of it is JSON
    assert {"audio", "engines", "narration", "data_dir"} <= set(report)
    assert {"backend", "device", "ok"} <= set(report["audio"])
    # The tests' CALMKIT_AUDIO=null: the silent backend, which always works.
    assert (report["audio"]["backend"], report["audio"]["ok"]) == ("null", True)
    assert [engine["name"] for engine in report["engines"]] == list(ENGINE_ORDER)
    for engine in report["engines"]:
        assert {"name", "found", "voice"} <= set(engine)
        assert isinstance(engine["found"], bool)
        assert (engine["voice"] is not None) == engine["found"]
    assert {"lines", "missing"} <= set(report["narration"])
    assert report["data_dir"] == os.environ["CALMKIT_HOME"]
    assert isinstance(report["ok"], bool)


def test_missing_counts_every_line_without_a_clip(library: Library, shipped: Path) -> None:
    script = library.scripts["tiny-doctor"]
    wanted = lines_for_script(script)
    narration_report = doctor_report(library)["narration"]
    assert narration_report["lines"] == len(wanted)
    assert narration_report["missing"] == len(wanted)  # no voice folder at all
    assert narration_report["voice"] is None
    assert narration_report["scripts"] == {
        "tiny-doctor": {"lines": len(wanted), "missing": len(wanted), "other_rate": 0}
    }


def test_missing_drops_to_zero_once_every_clip_is_there(library: Library, shipped: Path) -> None:
    wanted = lines_for_script(library.scripts["tiny-doctor"])
    young, kid = model.WORDS_PER_MINUTE["young"], model.WORDS_PER_MINUTE["kid"]
    # The respelling is what is narrated, so that is the clip that must exist.
    breeth = {line for line in wanted if line.text == "Let us breeth."}
    assert {line.rate for line in breeth} == {young, kid}
    # No clip of these words at all: shown as captions. "breathe in" at the young
    # rate is missing too, but the kid one plays in its place: heard, at another speed.
    fill_voice(shipped, wanted, leave_out={*breeth, Line("breathe in", young)})
    report = doctor_report(library)
    assert (report["narration"]["missing"], report["narration"]["other_rate"]) == (2, 1)
    assert report["narration"]["voice"] == VOICE
    fill_voice(shipped, wanted, leave_out={Line("breathe in", young)})
    report = doctor_report(library)
    assert (report["narration"]["missing"], report["narration"]["other_rate"]) == (0, 1)
    assert "1 of them play from a clip made at another age's speaking speed" in "\n".join(
        doctor_lines(report)
    )
    fill_voice(shipped, wanted)
    report = doctor_report(library)
    assert (report["narration"]["lines"], report["narration"]["missing"]) == (len(wanted), 0)
    assert "Narration: all" in "\n".join(doctor_lines(report))


def test_a_clip_in_the_users_cache_counts_too(
    library: Library, shipped: Path, isolated_home: Path
) -> None:
    wanted = lines_for_script(library.scripts["tiny-doctor"])
    fill_voice(isolated_home / "narration", wanted)
    assert doctor_report(library)["narration"]["missing"] == 0


def test_the_shipped_library_is_counted(shipped: Path) -> None:
    report = doctor_report()
    assert report["narration"]["lines"] > 100
    assert report["narration"]["missing"] == report["narration"]["lines"]  # no clips here
    assert "lemon-squeeze" in report["narration"]["scripts"]


def test_a_data_folder_not_made_yet_is_fine(library: Library, isolated_home: Path) -> None:
    isolated_home.rmdir()
    report = doctor_report(library)
    assert report["data"]["exists"] is False
    assert report["data"]["writable"] is True
    assert report["ok"] is True
    assert not isolated_home.exists()  # the doctor made nothing


def test_an_unwritable_data_folder_is_reported(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root may write anywhere, so "unwritable" here is a folder that cannot be made:
    # its parent is a file.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CALMKIT_HOME", str(blocker / "calmkit"))
    report = doctor_report(library)
    assert report["data_dir"] == str(blocker / "calmkit")
    assert report["data"]["writable"] is False
    assert report["ok"] is False
    text = "\n".join(doctor_lines(report))
    assert "cannot be written" in text
    assert "CALMKIT_HOME" in text


def test_a_file_where_the_data_folder_should_be_is_unwritable(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "calmkit"
    blocker.write_text("")
    monkeypatch.setenv("CALMKIT_HOME", str(blocker))
    assert doctor_report(library)["data"]["writable"] is False


def test_a_data_folder_others_can_read_is_not_private(
    library: Library, isolated_home: Path
) -> None:
    # An older calmkit's journal right in a folder now open to others: still used there.
    (isolated_home / "journal.sqlite3").touch(mode=0o600)
    isolated_home.chmod(0o755)
    report = doctor_report(library)
    assert report["data_dir"] == str(isolated_home)
    assert report["data"]["mode"] == "0755"
    assert (report["data"]["writable"], report["data"]["private"]) == (True, False)
    assert report["ok"] is False
    assert "chmod 700" in "\n".join(doctor_lines(report))
    assert [p.name for p in isolated_home.iterdir()] == ["journal.sqlite3"]  # no probe left
    isolated_home.chmod(0o700)
    assert doctor_report(library)["data"]["private"] is True


def test_a_shared_data_folder_gets_a_private_subfolder(
    library: Library, isolated_home: Path
) -> None:
    isolated_home.chmod(0o1777)
    report = doctor_report(library)
    assert report["data_dir"] == str(isolated_home / "calmkit")
    assert (report["data"]["writable"], report["data"]["private"]) == (True, True)
    assert stat.S_IMODE(isolated_home.stat().st_mode) == 0o1777


def test_no_engine_installed(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from calmkit.audio import engines

    real = engines.get_engine
    monkeypatch.setattr(engines, "get_engine", lambda name: real(name, search_path="/nowhere"))
    report = doctor_report(library)
    assert not any(engine["found"] for engine in report["engines"])
    assert all(engine["hint"] for engine in report["engines"])
    text = "\n".join(doctor_lines(report))
    assert "no text-to-speech engine is installed" in text
    assert "apt-get install festival" in text


def test_no_sound_device_is_reported(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from calmkit.audio.backend import BackendStatus, NullBackend

    def no_device(want_sound: bool = True) -> tuple[NullBackend, BackendStatus]:
        return NullBackend(), BackendStatus("null", "none", ok=False, notice="no sound device")

    monkeypatch.setattr("calmkit.audio.backend.open_backend", no_device)
    monkeypatch.setenv("CALMKIT_AUDIO", "")
    report = doctor_report(library)
    assert report["audio"] == {
        "backend": "null",
        "device": "none",
        "ok": False,
        "notice": "no sound device",
        "forced_off": False,
    }
    assert report["ok"] is False
    assert "Sound: no sound device: captions only" in doctor_lines(report)


def test_the_backend_is_closed_after_the_check(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from calmkit.audio import backend as backend_module

    opened: list[backend_module.NullBackend] = []
    real = backend_module.open_backend

    def watched(want_sound: bool = True):  # type: ignore[no-untyped-def]
        backend, status = real(want_sound)
        opened.append(backend)  # type: ignore[arg-type]
        return backend, status

    monkeypatch.setattr(backend_module, "open_backend", watched)
    doctor.audio_status()
    assert [call[0] for call in opened[0].calls] == ["open", "close"]


def test_friendly_lines(library: Library, shipped: Path) -> None:
    text = doctor_lines(doctor_report(library))
    assert text[0].startswith("Sound: off")
    assert any(line.startswith("Narration: ") and "have no clip" in line for line in text)
    assert "  missing in: tiny-doctor (" in "\n".join(text)
    assert text[-1].startswith("Ready")
