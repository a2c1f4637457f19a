"""Every path calmkit uses, in one place.

Built-in data (scripts/, audio/) ships inside the installed package under
``calmkit/_data``; in a source checkout it is read from the repository root.
User data lives in the platform's user data folder, or wherever ``CALMKIT_HOME``
points, and is created readable by its owner only: it is health information.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
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


def builtin_plans_dir() -> Path:
    return builtin_scripts_dir() / "plans"


def builtin_audio_dir() -> Path:
    return builtin_root() / "audio"


def user_data_dir() -> Path:
    """The user's own calmkit folder (not created here)."""
    override = os.environ.get(HOME_VARIABLE)
    if override:
        return Path(override).expanduser()
    # Imported here so that commands which never touch user data start faster.
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


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
    return user_data_dir() / "cache" / "library.pickle"


def journal_path() -> Path:
    return user_data_dir() / "journal.sqlite3"


def settings_path() -> Path:
    return user_data_dir() / "settings.json"


def ensure_private_dir(folder: Path) -> Path:
    """Create ``folder`` (and the parents it needs) readable only by its owner.

    Every folder made here is 0700, not only the last one; folders that already
    existed keep their mode, except ``folder`` itself, which is made private.
    """
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    for path in reversed(missing):
        path.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)
        # mkdir's mode is filtered by the umask.
        os.chmod(path, PRIVATE_FOLDER_MODE)
    os.chmod(folder, PRIVATE_FOLDER_MODE)
    return folder


@contextmanager
def replaced_privately(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target`` to write; it becomes ``target``, readable only
    by its owner, when the block ends well, and is removed if it does not.

    So a crash or a full disk leaves the old file whole, never half a new one.
    """
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, PRIVATE_FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_private(target: Path, data: bytes | str) -> None:
    """Write ``target`` whole or not at all, readable only by its owner (text as UTF-8)."""
    with replaced_privately(target) as temporary, temporary.open("wb") as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        stream.flush()
        os.fsync(stream.fileno())


def ensure_user_data_dir() -> Path:
    return ensure_private_dir(user_data_dir())
