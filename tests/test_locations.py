"""Private files: written whole or not at all, readable only by their owner."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from calmkit import locations


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_private_writes_text_and_bytes_readable_only_by_the_owner(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # a usual umask would leave a new file 0644
    try:
        locations.write_private(tmp_path / "notes.txt", "Maya's week ✿\n")
        locations.write_private(tmp_path / "data.bin", b"\x00\x01")
    finally:
        os.umask(old_umask)
    assert (tmp_path / "notes.txt").read_text("utf-8") == "Maya's week ✿\n"
    assert (tmp_path / "data.bin").read_bytes() == b"\x00\x01"
    assert mode_of(tmp_path / "notes.txt") == mode_of(tmp_path / "data.bin") == 0o600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data.bin", "notes.txt"]


def test_a_write_that_fails_leaves_the_old_file_whole_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    locations.write_private(target, "the old report")
    with (
        pytest.raises(OSError, match="No space"),
        locations.replaced_privately(target) as temporary,
    ):
        temporary.write_text("half a new rep")
        raise OSError(28, "No space left on device")
    assert target.read_text() == "the old report"
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]


def test_replacing_a_shared_file_makes_it_private(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text("{}")
    target.chmod(0o644)
    locations.write_private(target, "{}\n")
    assert mode_of(target) == 0o600


# --- a shared CALMKIT_HOME ------------------------------------------------------------------


@pytest.mark.parametrize("shared_mode", [0o775, 0o1777])
def test_a_shared_calmkit_home_is_never_chmodded_calmkit_keeps_a_private_subfolder(
    isolated_home: Path, shared_mode: int
) -> None:
    from calmkit.records.journal import Journal
    from calmkit.records.settings import Settings, save_settings

    os.chmod(isolated_home, shared_mode)
    (isolated_home / "someone-elses.txt").write_text("keep me")
    Journal().open().close()
    save_settings(Settings())
    assert stat.S_IMODE(isolated_home.stat().st_mode) == shared_mode
    ours = isolated_home / "calmkit"
    assert locations.user_data_dir() == ours
    assert stat.S_IMODE(ours.stat().st_mode) == 0o700
    assert (ours / "journal.sqlite3").is_file() and (ours / "settings.json").is_file()
    (said,) = locations.take_notices()
    assert str(isolated_home) in said and str(ours) in said and "only by you" in said
    # The next start finds the same folder, and says nothing more.
    Journal().open().close()
    assert locations.user_data_dir() == ours
    assert locations.take_notices() == []
    assert sorted(p.name for p in isolated_home.iterdir()) == ["calmkit", "someone-elses.txt"]


def test_a_calmkit_home_that_does_not_exist_is_made_private_with_its_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "new" / "place"
    monkeypatch.setenv("CALMKIT_HOME", str(home))
    os.umask(0)
    try:
        locations.ensure_private_dir(locations.narration_cache_dir() / "festival")
    finally:
        os.umask(0o022)
    for folder in (tmp_path / "new", home, home / "narration", home / "narration" / "festival"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert locations.user_data_dir() == home
