"""The hostile corpus through every command-line face, in real child processes.

Nothing from a file, a file name or a name reaches the terminal raw (no ESC, C1,
bidi, NUL or CR bytes in what calmkit prints), no newline forges a problem line,
nothing crashes, and the good files around the bad ones still work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calmkit import locations
from calmkit_child import calmkit_env
from hostile_corpus import (
    EVIL_SCRIPT,
    JOURNAL_NAMES,
    forged_lines,
    raw_leaks,
    write_corpus,
    write_hostile_journal,
)


def calmkit(home: Path, *argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "calmkit", *argv],
        input=stdin,
        capture_output=True,
        env=calmkit_env(CALMKIT_HOME=str(home)),
        cwd=home,
        timeout=120,
    )


def check_harmless(result: subprocess.CompletedProcess[bytes], *codes: int) -> str:
    """The run ended as expected, printed nothing raw and forged nothing; its output as text."""
    output = result.stdout + result.stderr
    text = output.decode("utf-8", "replace")
    assert result.returncode in codes, text[-2000:]
    assert raw_leaks(output) == [], text[-2000:]
    assert forged_lines(text) == [], text[-2000:]
    assert "Traceback" not in text and "something went wrong" not in text, text[-2000:]
    return text


@pytest.fixture
def hostile_home(isolated_home: Path) -> Path:
    write_corpus(locations.user_scripts_dir())
    write_hostile_journal(locations.journal_path())
    return isolated_home


def test_list_marks_the_hostile_files_and_lists_the_good_ones(hostile_home: Path) -> None:
    text = check_harmless(calmkit(hostile_home, "list"), 0)
    assert "balloon-belly" in text and "evil-escapes" in text
    assert "Evil \\x1b]0;PWNED\\x07" in text  # shown, visibly, not obeyed
    assert "huge-ages.yaml:5:7: error: 'ages' must be between 4 and 18" in text
    assert "bad\\nx.yaml:1:1: error: forged by a file name.yaml:" in text


def test_list_json_is_valid_and_harmless(hostile_home: Path) -> None:
    result = calmkit(hostile_home, "list", "--json")
    check_harmless(result, 0)
    data = json.loads(result.stdout)
    titles = {script["id"]: script["title"] for script in data["scripts"]}
    assert titles["evil-escapes"].startswith("Evil \x1b]0;PWNED\x07")  # exact, once decoded
    assert "markup-title" in titles


@pytest.mark.parametrize("target", ["evil-escapes", "markup-title", "evil-plan"])
def test_show(hostile_home: Path, target: str) -> None:
    text = check_harmless(calmkit(hostile_home, "show", target), 0)
    if target == "markup-title":
        assert "Say [your name] quietly" in text and "[b]Squeeze[/i]" in text
    check_harmless(calmkit(hostile_home, "show", target, "--json"), 0)


def test_good_files_still_work_beside_the_hostile_ones(hostile_home: Path) -> None:
    text = check_harmless(calmkit(hostile_home, "show", "quick-calm"), 0)
    assert "Quick Calm at School" in text
    check_harmless(calmkit(hostile_home, "validate", str(locations.builtin_scripts_dir())), 0)


def test_show_a_broken_hostile_file_says_why(hostile_home: Path) -> None:
    check_harmless(calmkit(hostile_home, "show", "huge-ages"), 1)
    check_harmless(calmkit(hostile_home, "show", "end-of-time"), 1)


def test_validate_the_library_and_each_file(hostile_home: Path) -> None:
    text = check_harmless(calmkit(hostile_home, "validate"), 1)
    assert "end-of-time.yaml:4:9: error: 'starts' must be a date from 2000-01-01" in text
    assert "huge-weeks.yaml:6:12: error: 'weeks' must count from 1 to 104" in text
    assert "evil-for.yaml:3:6: error: 'for' is a person's name" in text
    assert "huge-numbers.yaml:5:7: error: 'ages' must be between 4 and 18" in text
    assert "huge-numbers.yaml:8:12: error: 'pause' must be" in text
    folder = locations.user_scripts_dir()
    for path in folder.iterdir():
        check_harmless(calmkit(hostile_home, "validate", str(path)), 0, 1)


@pytest.mark.parametrize("target", ["evil-escapes", "markup-title", "evil-plan"])
def test_play_plain(hostile_home: Path, target: str) -> None:
    text = check_harmless(
        calmkit(hostile_home, "play", "--plain", target, "--no-audio", "--no-checkin"), 0
    )
    assert "All done" in text
    if target == "evil-escapes":
        # A caption is one line: its newline cannot forge a caption or a problem.
        assert "two\\nx.yaml:9:9: error: forged caption\\n[00:09] forged" in text


def test_log_and_its_json(hostile_home: Path) -> None:
    text = check_harmless(calmkit(hostile_home, "log"), 0)
    assert "Mia [/]" in text and "Line\\nbreak" in text
    rows = [line for line in text.splitlines() if "evil" in line.lower()]
    assert len(rows) == len(JOURNAL_NAMES)  # every session one row: no name broke the table
    result = calmkit(hostile_home, "log", "--json")
    check_harmless(result, 0)
    assert {row["profile"] for row in json.loads(result.stdout)} == set(JOURNAL_NAMES)
    check_harmless(calmkit(hostile_home, "log", "--profile", "Mia [/]"), 0)


@pytest.mark.parametrize("form", ["csv", "json", "html"])
def test_report_every_format(hostile_home: Path, form: str) -> None:
    result = calmkit(hostile_home, "report", "--format", form)
    check_harmless(result, 0)
    if form == "json":
        json.loads(result.stdout)
    if form == "html":
        page = result.stdout.decode("utf-8")
        assert "<script>alert" not in page and "&lt;script&gt;alert(2)" in page


def test_report_written_to_a_file_is_escaped_html(hostile_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    check_harmless(calmkit(hostile_home, "report", "--out", str(out)), 0)
    page = out.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "Mia [/]" in page


def test_import_hostile_files(hostile_home: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    files = write_corpus(outside)
    for path in files.values():
        check_harmless(calmkit(hostile_home, "import", str(path), "--replace"), 0, 1)
    text = check_harmless(calmkit(hostile_home, "import", str(files["evil-for"])), 1)
    assert "'for' is a person's name" in text


def test_export_and_doctor(hostile_home: Path, tmp_path: Path) -> None:
    check_harmless(calmkit(hostile_home, "export", "--out", str(tmp_path / "x.zip")), 0)
    check_harmless(calmkit(hostile_home, "doctor"), 0, 1)


def test_the_corpus_really_is_hostile(tmp_path: Path) -> None:
    """Printed raw, the corpus leaks: so the checks above can fail."""
    raw = subprocess.run(
        [sys.executable, "-c", "import sys; sys.stdout.write(sys.argv[1])", EVIL_SCRIPT],
        capture_output=True,
    )
    assert raw_leaks(raw.stdout) == []  # YAML escapes are still plain text here...
    import yaml

    title = yaml.safe_load(EVIL_SCRIPT)["title"]
    raw = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.stdout.write(sys.argv[1])",
            title.replace("\0", ""),
        ],
        capture_output=True,
    )
    assert "byte 0x1b" in raw_leaks(raw.stdout) and "bidi U+202E" in raw_leaks(raw.stdout)


FAKE_END_OF_TIME = '''\
"""Written by test_hostile.py: the clock says 9999-12-31, the calendar's last day."""
import datetime as _dt


class _Date(_dt.date):
    @classmethod
    def today(cls):
        return cls(9999, 12, 31)


class _DateTime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        value = cls(9999, 12, 31, 22, 0, 0)
        return value if tz is None else value.replace(tzinfo=tz)

    @classmethod
    def today(cls):
        return cls(9999, 12, 31, 22, 0, 0)


_dt.date = _Date
_dt.datetime = _DateTime
'''


def test_a_clock_at_the_end_of_the_calendar_breaks_nothing(
    hostile_home: Path, tmp_path: Path
) -> None:
    """play, log and report on 9999-12-31 (a real child process with its clock faked)."""
    fake = tmp_path / "fake-clock"
    fake.mkdir()
    (fake / "sitecustomize.py").write_text(FAKE_END_OF_TIME, encoding="utf-8")
    env = calmkit_env(CALMKIT_HOME=str(hostile_home))
    # After the no-network guard's sitecustomize, which runs the next one on the path.
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(fake)])

    def at_the_end(*argv: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "calmkit", *argv],
            capture_output=True,
            env=env,
            cwd=hostile_home,
            timeout=120,
        )

    text = check_harmless(
        at_the_end("play", "--plain", "markup-title", "--no-audio", "--no-checkin"), 0
    )
    assert "All done" in text
    log = check_harmless(at_the_end("log"), 0)
    assert "31 Dec" in log
    for form in ("csv", "json", "html"):
        check_harmless(at_the_end("report", "--format", form), 0)
    check_harmless(at_the_end("show", "maya-8-weeks"), 0, 1)
    check_harmless(at_the_end("list"), 0)
