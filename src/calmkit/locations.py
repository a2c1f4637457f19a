"""Every path calmkit uses, in one place.

Built-in data (scripts/, audio/) ships inside the installed package under
``calmkit/_data``; in a source checkout it is read from the repository root.
User data lives in the platform's user data folder, or wherever ``CALMKIT_HOME``
points, and is created readable by its owner only: it is health information.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

APP_NAME = "calmkit"
HOME_VARIABLE = "CALMKIT_HOME"
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

_PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_root() -> Path:
    """The folder holding the shipped scripts/ and audio/."""
    installed = _PACKAGE_DIR / "_data"
    if installed.is_dir():
        return installed
    # A source checkout (editable install or PYTHONPATH=src): src/calmkit -> repo root.
    return _PACKAGE_DIR.parent.parent


def builtin_scripts_dir() -> Path:
    return builtin_root() / "scripts"


def builtin_audio_dir() -> Path:
    return builtin_root() / "audio"


# Said once to the person at the terminal (cli/'s main() prints them as notes): a link moved
# aside, a shared CALMKIT_HOME given a private subfolder.
_notices: list[str] = []


def notice(text: str) -> None:
    if text not in _notices:
        _notices.append(text)


def take_notices() -> list[str]:
    taken = list(_notices)
    _notices.clear()
    return taken


def user_data_dir() -> Path:
    """The user's own calmkit folder (not created here).

    ``CALMKIT_HOME`` may name a folder others can read (0775, or 1777 like /tmp): it is
    never made private, since it is not calmkit's; calmkit keeps its data in its own
    private subfolder ``calmkit`` there instead. The choice depends only on what is on
    disk, so the same folder is found at every start.
    """
    override = os.environ.get(HOME_VARIABLE)
    if override:
        return _own_place_in(Path(override).expanduser())
    # Imported here so that commands which never touch user data start faster.
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def _shared(info: os.stat_result) -> bool:
    return bool(stat.S_IMODE(info.st_mode) & 0o077) or info.st_uid != os.geteuid()


def _own_place_in(chosen: Path) -> Path:
    try:
        info = chosen.stat()  # CALMKIT_HOME itself may be a link: the user chose it
    except OSError:
        return chosen  # made private by calmkit when first needed
    if not stat.S_ISDIR(info.st_mode) or not _shared(info):
        return chosen
    subfolder = chosen / APP_NAME
    if _is_real_folder(subfolder) or not _holds_journal(chosen):
        return subfolder
    # An older calmkit kept its journal right here: go on using it (its files are 0600).
    return chosen


def _is_real_folder(path: Path) -> bool:
    return _itself_is(path, stat.S_ISDIR)


def _itself_is(path: Path, kind: Callable[[int], bool]) -> bool:
    """Is the path itself (not what a link points to) of this kind? False if it is not there."""
    try:
        return kind(path.lstat().st_mode)
    except OSError:
        return False


def _holds_journal(folder: Path) -> bool:
    try:
        info = (folder / "journal.sqlite3").lstat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()


def user_scripts_dir() -> Path:
    return user_data_dir() / "scripts"


def user_plans_dir() -> Path:
    return user_data_dir() / "plans"


def narration_cache_dir() -> Path:
    return user_data_dir() / "narration"


def recordings_dir() -> Path:
    """Clinicians' recorded clips, named by step id."""
    return user_data_dir() / "recordings"


def library_cache_path() -> Path:
    """The last parse of the library, so the app starts without reading every YAML file."""
    return user_data_dir() / "cache" / "library.json"


def journal_path() -> Path:
    return user_data_dir() / "journal.sqlite3"


def settings_path() -> Path:
    return user_data_dir() / "settings.json"


def _make_private_dir(path: Path) -> None:
    path.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)
    # mkdir's mode is filtered by the umask (000 would make it 0777).
    os.chmod(path, PRIVATE_FOLDER_MODE, follow_symlinks=False)


def _create_missing(folder: Path) -> None:
    """Make ``folder`` and the parents it lacks, each 0700; existing ones are left as
    they are (they are not calmkit's to change)."""
    missing = [path for path in (folder, *folder.parents) if not os.path.lexists(path)]
    for path in reversed(missing):
        _make_private_dir(path)


def free_name(path: Path, why: str, stamp: str) -> Path:
    """``NAME.WHY-STAMP`` beside ``path``, or ``NAME.WHY-STAMP-N``: a name not taken."""
    aside = path.with_name(f"{path.name}.{why}-{stamp}")
    counter = 1
    while os.path.lexists(aside):
        aside = path.with_name(f"{path.name}.{why}-{stamp}-{counter}")
        counter += 1
    return aside


def move_aside(path: Path, why: str) -> Path:
    """Rename what is at ``path`` (a link, a file where a folder belongs) to a free
    ``NAME.moved-STAMP`` beside it, so calmkit can make its own; say so once."""
    aside = free_name(path, "moved", time.strftime("%Y%m%d-%H%M%S"))
    os.rename(path, aside)  # renames a link itself, never what it points to
    notice(f"{path} {why}; calmkit never follows it: it was kept as {aside.name}")
    return aside


def ensure_private_dir(folder: Path) -> Path:
    """Create ``folder`` (and the parents it needs) readable only by its owner.

    Below the user data folder every folder is calmkit's own: each is made 0700, and
    a link or a file in a folder's place is moved aside (never followed) and a real
    folder made. Elsewhere (``narrate --into``) missing folders are made 0700 and
    existing ones are left alone.
    """
    base = user_data_dir()
    try:
        below = folder.relative_to(base).parts
    except ValueError:
        _create_missing(folder)
        return folder
    current = ensure_user_data_dir()
    for part in below:
        current = current / part
        try:
            info = current.lstat()
        except FileNotFoundError:
            _make_private_dir(current)
            continue
        if stat.S_ISLNK(info.st_mode):
            move_aside(current, "was a symbolic link")
            _make_private_dir(current)
        elif not stat.S_ISDIR(info.st_mode):
            move_aside(current, "was not a folder")
            _make_private_dir(current)
        elif stat.S_IMODE(info.st_mode) != PRIVATE_FOLDER_MODE and info.st_uid == os.geteuid():
            os.chmod(current, PRIVATE_FOLDER_MODE, follow_symlinks=False)
    return folder


def ensure_user_data_dir() -> Path:
    """The user data folder, made (0700, with any parents it needs) if missing.

    An existing folder keeps its mode: CALMKIT_HOME may name a shared one, and then
    user_data_dir() is calmkit's private subfolder of it (said once, when it is made).
    """
    folder = user_data_dir()
    override = os.environ.get(HOME_VARIABLE)
    if not os.path.lexists(folder):
        _create_missing(folder)
        if override and folder.parent == Path(override).expanduser():
            notice(
                f"{folder.parent} can be read by others, so calmkit keeps its data in "
                f"{folder}, readable only by you"
            )
    return folder


def is_plain_file(path: Path) -> bool:
    """A regular file itself, not a link to one (nor a pipe, a device, a folder)."""
    return _itself_is(path, stat.S_ISREG)


class NotAPlainFile(OSError):
    """What is at a path calmkit reads is a link, a folder, a pipe or a device."""


class TooLarge(OSError):
    """A file is larger than calmkit ever needs to read for it."""


# Non-blocking: a named pipe in a file's place must not hang calmkit; no following links.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def read_own_file(path: Path, limit: int) -> bytes:
    """The bytes of one of calmkit's own files, or an OSError: a link is never
    followed (NotAPlainFile), only a regular file is read, and one over ``limit``
    bytes is refused before it is read (TooLarge)."""
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotAPlainFile(errno.ELOOP, "is a symbolic link", str(path)) from error
        raise
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotAPlainFile(errno.EINVAL, "is not a plain file", str(path))
        if info.st_size > limit:
            raise TooLarge(errno.EFBIG, f"is larger than {limit} bytes", str(path))
        data = stream.read(limit + 1)  # it may have grown since fstat
    if len(data) > limit:
        raise TooLarge(errno.EFBIG, f"is larger than {limit} bytes", str(path))
    return data


@contextmanager
def replaced_privately(target: Path, overwrite: bool = True) -> Iterator[Path]:
    """A temporary file beside ``target`` to write; it becomes ``target``, readable only
    by its owner, when the block ends well, and is removed if it does not.

    So a crash or a full disk leaves the old file whole, never half a new one. Without
    ``overwrite`` a file that is at ``target`` by then is never replaced
    (FileExistsError): the new one is linked into place, which fails if the name is taken.
    """
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, PRIVATE_FILE_MODE)
        if overwrite:
            os.replace(temporary, target)
        else:
            os.link(temporary, target)
            temporary.unlink()
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class OwnFile(ValueError):
    """An output file would be one of calmkit's own (the journal, settings, the cache)."""


def output_path(wanted: Path, overwrite: bool) -> Path:
    """Where a report or an export asked for as ``wanted`` is written.

    Never into calmkit's own data folder, nor onto one of its files by another name
    (a link, a hard link): OwnFile. A file already there is kept unless ``overwrite``:
    the next free name with a number is used instead (``report-2.html``), so nothing a
    family saved earlier is lost by writing again.
    """
    resolved = wanted.expanduser().resolve()
    data = user_data_dir().resolve()
    if resolved == data or resolved.is_relative_to(data):
        raise OwnFile(
            f"{wanted} is inside calmkit's own data folder ({data}): "
            "choose a place outside it, like your home folder"
        )
    for shipped in (builtin_scripts_dir(), builtin_audio_dir()):
        if resolved.is_relative_to(shipped.resolve()):
            raise OwnFile(
                f"{wanted} is among calmkit's built-in files ({shipped}): choose another place"
            )
    try:
        found = os.stat(resolved)
    except FileNotFoundError:
        return resolved
    for own in (journal_path(), settings_path(), library_cache_path()):
        for path in (own, Path(f"{own}-wal"), Path(f"{own}-shm")):
            try:
                info = os.stat(path)
            except OSError:
                continue
            if (info.st_dev, info.st_ino) == (found.st_dev, found.st_ino):
                raise OwnFile(f"{wanted} is calmkit's own {path.name}: choose another file")
    if overwrite:
        return resolved
    number = 2
    while True:
        candidate = resolved.with_name(f"{resolved.stem}-{number}{resolved.suffix}")
        if not os.path.lexists(candidate):
            return candidate
        number += 1


def write_private(target: Path, data: bytes | str, overwrite: bool = True) -> None:
    """Write ``target`` whole or not at all, readable only by its owner (text as UTF-8)."""
    with replaced_privately(target, overwrite) as temporary, temporary.open("wb") as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        stream.flush()
        os.fsync(stream.fileno())
