"""Putting several files in the user library at once: all of them, or none.

An import writes every file into a stage, a folder of its own inside the user
data folder (``.staging/``, so a rename into place never crosses filesystems),
then writes the list of what goes where (``moves.json``, itself written to a
temporary name and renamed: that rename is the moment the import happens).
Only then is each staged file renamed over its target; whatever a target held
before is moved into the stage first, so a failure can put it back.

A process killed on the way leaves its stage behind, and the next calmkit to
start finishes it: a stage without ``moves.json`` was never committed and is
removed (nothing in the library changed); one with it is carried through, so
the library holds all of the import. Imports, and that clean-up, hold one lock
(``.import.lock``), so two imports never interleave: the second checks the
library only once the first is done, and sees what it wrote.

This module imports nothing heavy: every command may call ``recover()`` at start.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from calmkit import locations

STAGING_FOLDER = ".staging"
LOCK_NAME = ".import.lock"
MOVES_NAME = "moves.json"
LOCK_WAIT_SECONDS = 120.0  # an import of a full pack takes seconds; then say so
MAX_MOVES_BYTES = 4 * 1024 * 1024


class ImportBusy(Exception):
    """Another import held the lock for longer than we wait."""


def staging_root() -> Path:
    return locations.user_data_dir() / STAGING_FOLDER


@contextmanager
def import_lock(wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the data folder's import lock (an flock, let go when the process dies)."""
    folder = locations.ensure_user_data_dir()
    lock_path = folder / LOCK_NAME
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(lock_path, flags, locations.PRIVATE_FILE_MODE)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        locations.move_aside(lock_path, "was a symbolic link")
        descriptor = os.open(lock_path, flags, locations.PRIVATE_FILE_MODE)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ImportBusy() from None
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)  # lets the lock go


@dataclass
class _Move:
    staged: str  # the file's name inside the stage
    target: str  # relative to the user data folder, '/'-separated
    previous: str | None = None  # where the target's old content was kept, in the stage


@dataclass
class Stage:
    """Files written into the stage, waiting to be put in place together."""

    folder: Path
    moves: list[_Move] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)  # older copies, relative too

    @classmethod
    def new(cls) -> Stage:
        import tempfile

        root = staging_root()
        locations.ensure_private_dir(root)
        return cls(Path(tempfile.mkdtemp(prefix="import-", dir=root)))

    def add(self, target: Path, data: bytes) -> None:
        """Write ``data`` into the stage, to become ``target`` (inside the data folder)."""
        staged = f"{len(self.moves):04d}.file"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(self.folder / staged, flags, locations.PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "wb") as stream:
            os.fchmod(descriptor, locations.PRIVATE_FILE_MODE)  # whatever the umask
            stream.write(data)
            stream.flush()
            os.fsync(descriptor)
        self.moves.append(_Move(staged, _relative(target)))

    def remove_later(self, path: Path) -> None:
        self.removals.append(_relative(path))

    def commit(self) -> list[str]:
        """Make the import happen; returns problems removing older copies (warnings).

        Raises OSError if it cannot: then the library is as it was before."""
        _fsync_folder(self.folder)
        data = json.dumps(
            {
                "moves": [[move.staged, move.target] for move in self.moves],
                "removals": self.removals,
            }
        ).encode("utf-8")
        locations.write_private(self.folder / MOVES_NAME, data)  # from here on the import is done
        _fsync_folder(self.folder)
        done: list[_Move] = []
        try:
            for move in self.moves:
                _put_in_place(self.folder, move)
                done.append(move)
        except OSError:
            self._undo(done)
            raise
        warnings = _remove_older(self.removals)
        self.discard()
        return warnings

    def _undo(self, done: list[_Move]) -> None:
        base = locations.user_data_dir()
        for move in reversed(done):
            target = base / move.target
            try:
                if move.previous is not None:
                    os.replace(self.folder / move.previous, target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                continue
        (self.folder / MOVES_NAME).unlink(missing_ok=True)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        with suppress(OSError):
            self.folder.parent.rmdir()  # only when no other stage is in it


def _relative(target: Path) -> str:
    return target.relative_to(locations.user_data_dir()).as_posix()


def _safe_target(relative: object) -> Path | None:
    """A target from moves.json, only if it names a place inside the data folder."""
    if not isinstance(relative, str) or not relative:
        return None
    parts = PurePosixPath(relative).parts
    if relative.startswith("/") or ".." in parts or parts[0] == STAGING_FOLDER:
        return None
    return locations.user_data_dir().joinpath(*parts)


def _put_in_place(stage: Path, move: _Move) -> None:
    target = _safe_target(move.target)
    staged = stage / move.staged
    if target is None:
        return
    try:
        staged_info = staged.lstat()
    except FileNotFoundError:
        return  # put in place already, before a kill
    if not stat.S_ISREG(staged_info.st_mode):
        return
    locations.ensure_private_dir(target.parent)
    previous = f"{move.staged}.previous"
    try:
        info = target.lstat()
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode):
        os.replace(target, stage / previous)  # kept, to undo a failure
        move.previous = previous
    os.replace(staged, target)


def _remove_older(removals: list[str]) -> list[str]:
    warnings = []
    for relative in removals:
        path = _safe_target(relative)
        if path is None:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            warnings.append(f"{path}: cannot be removed ({error.strerror})")
    return warnings


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def recover(locked: bool = False) -> list[str]:
    """Finish or remove the stages a killed import left. Returns what it did, in words.

    Cheap when there is nothing to do (one lstat); with ``locked`` the caller holds
    the import lock already. Another import running now (the lock taken) is left be.
    """
    root = staging_root()
    try:
        if not stat.S_ISDIR(root.lstat().st_mode):
            return []
    except OSError:
        return []
    if locked:
        return _recover(root)
    try:
        with import_lock(wait_seconds=0):
            return _recover(root)
    except (ImportBusy, OSError):
        return []


def _recover(root: Path) -> list[str]:
    said: list[str] = []
    try:
        stages = sorted(root.iterdir())
    except OSError:
        return said
    for stage in stages:
        if stage.is_symlink() or not stage.is_dir():
            stage.unlink(missing_ok=True)
            continue
        moves = _read_moves(stage / MOVES_NAME)
        if moves is None:
            shutil.rmtree(stage, ignore_errors=True)
            said.append("an import that was cut short changed nothing; its files were removed")
            continue
        entries, removals = moves
        for staged, target in entries:
            try:
                _put_in_place(stage, _Move(staged, target))
            except OSError:
                continue
        _remove_older(removals)
        shutil.rmtree(stage, ignore_errors=True)
        said.append("an import that was cut short was finished")
    with suppress(OSError):
        root.rmdir()
    return said


def _read_moves(path: Path) -> tuple[list[tuple[str, str]], list[str]] | None:
    try:
        data = json.loads(locations.read_own_file(path, MAX_MOVES_BYTES))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    moves = data.get("moves")
    older = data.get("removals")
    entries = [
        (item[0], item[1])
        for item in (moves if isinstance(moves, list) else [])
        if isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and "/" not in item[0]
        and isinstance(item[1], str)
    ]
    removals = [
        item for item in (older if isinstance(older, list) else []) if isinstance(item, str)
    ]
    return entries, removals
