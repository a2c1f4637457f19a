"""``report --out`` and ``export --out`` never write over calmkit's own files, and never
over a file already there unless asked (--replace): the next free name is used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from calmkit import locations
from calmkit.cli import main
from calmkit.records.journal import Journal, Progress


@pytest.fixture
def practised(isolated_home: Path) -> Path:
    with Journal() as journal:
        sid = journal.start_session("Sam", "balloon-belly", "Balloon Belly", "kid", 3)
        journal.finish_session(sid, "completed", Progress(3, 120))
    return locations.journal_path()


def sessions_logged() -> int:
    with Journal() as journal:
        return len(journal.sessions())


def own_names(isolated_home: Path) -> dict[str, Path]:
    return {
        "journal": locations.journal_path(),
        "journal's WAL": Path(f"{locations.journal_path()}-wal"),
        "settings": locations.settings_path(),
        "another file in the data folder": isolated_home / "report.html",
    }


@pytest.mark.parametrize("command", ["report", "export"])
@pytest.mark.parametrize(
    "what", ["journal", "journal's WAL", "settings", "another file in the data folder"]
)
def test_out_into_calmkits_own_files_is_refused(
    practised: Path,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    what: str,
) -> None:
    from calmkit.records.settings import Settings, save_settings

    save_settings(Settings(theme="night"))
    target = own_names(isolated_home)[what]
    before = {path: path.read_bytes() for path in isolated_home.iterdir() if path.is_file()}
    assert main([command, "--out", str(target), "--replace"]) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err and "calmkit's own data folder" in err
    assert {path: path.read_bytes() for path in isolated_home.iterdir() if path.is_file()} == before
    assert sessions_logged() == 1


@pytest.mark.parametrize("command", ["report", "export"])
@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_out_onto_the_journal_by_another_name_is_refused(
    practised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, link: str
) -> None:
    other = tmp_path / "looks-harmless.html"
    if link == "symlink":
        other.symlink_to(practised)
    else:
        os.link(practised, other)
    before = practised.read_bytes()
    assert main([command, "--out", str(other), "--replace"]) == 1
    assert "nothing was written" in capsys.readouterr().err
    assert practised.read_bytes() == before and sessions_logged() == 1


@pytest.mark.parametrize(("command", "name"), [("report", "sam.html"), ("export", "sam.zip")])
def test_an_existing_file_is_kept_and_the_next_free_name_is_used(
    practised: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    name: str,
) -> None:
    out = tmp_path / name
    out.write_text("last week's, keep me")
    (tmp_path / name.replace(".", "-2.")).write_text("and me")
    assert main([command, "--out", str(out)]) == 0
    said = capsys.readouterr()
    third = tmp_path / name.replace(".", "-3.")
    assert out.read_text() == "last week's, keep me"
    assert (tmp_path / name.replace(".", "-2.")).read_text() == "and me"
    assert third.is_file() and (third.stat().st_mode & 0o777) == 0o600
    assert str(third) in said.out + said.err and "is kept as it was" in said.out + said.err
    # --replace overwrites, as asked.
    assert main([command, "--out", str(out), "--replace"]) == 0
    assert out.read_bytes() != b"last week's, keep me"
    assert len(list(tmp_path.iterdir())) == 3


def test_out_among_the_built_in_scripts_is_refused(
    practised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = locations.builtin_scripts_dir() / "breathing" / "report.html"
    assert main(["report", "--out", str(target)]) == 1
    assert "built-in files" in capsys.readouterr().err
    assert not target.exists()
