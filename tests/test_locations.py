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
