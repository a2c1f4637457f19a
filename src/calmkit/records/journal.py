"""The practice journal: a small SQLite file in the user's own folder.

A session row is written (and committed) the moment a session starts and
updated at every step boundary, so a crash or ``kill -9`` loses at most the
current step; rows a dead process left 'running' become 'interrupted' the next
time calmkit starts. It is health information: the folder is 0700, the files
0600, and nothing ever leaves the machine.

Two failure modes are handled here so that callers only need one ``except``:

- a damaged journal (not a database, cut short) is moved aside, untouched,
  as ``journal.sqlite3.broken-<timestamp>`` and a new one is started;
  ``Journal.notice`` says so in one line;
- a folder that cannot be written (read-only, full, a file in the way) raises
  ``JournalUnavailable`` with a one-line message. Practice still plays.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import stat
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from calmkit import locations
from calmkit.content.safetext import clean_name, matching_names, same_name
from calmkit.records.answers import SCALE_KINDS, answer_json
from calmkit.records.counting import counts_as_practice

SessionStatus = Literal["running", "completed", "stopped", "interrupted"]
Moment = Literal["before", "after", "daily"]
CheckinValue = int | str

FINISH_STATUSES: tuple[str, ...] = ("completed", "stopped", "interrupted")
MOMENTS: tuple[str, ...] = ("before", "after", "daily")

# Who practised when nobody said (`calmkit play` without --profile, or G on the first
# screen): a guest, kept under this name and marked as a guest everywhere.
DEFAULT_PROFILE = "Guest"
# Before version 4, a session nobody named was logged as "me", which no history showed.
OLD_DEFAULT_PROFILE = "me"
ProfileKind = Literal["child", "grown-up", "guest"]
PROFILE_KINDS: tuple[str, ...] = ("child", "grown-up", "guest")
# One-off work an upgrade leaves for code that knows more than SQL (the library).
ADOPT_IMPORTED_PLANS = "adopt-imported-plans"
BUSY_TIMEOUT_MS = 5000
# A row still 'running' whose process looks alive is left alone (another window may be
# playing it right now), unless nothing has been written to it for this long: pid reuse.
STALE_RUNNING = dt.timedelta(hours=12)

_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_SIDE_FILES = ("-wal", "-shm")

# Sessions this process started: its own pid is alive, but a row from an earlier,
# killed process that happened to have the same pid is not ours.
_STARTED_HERE: set[tuple[str, int]] = set()


class JournalUnavailable(Exception):
    """The journal cannot be opened or written; ``str()`` is one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Damaged(Exception):
    """The file is not a usable SQLite database: move it aside and start again."""


# --- the schema ----------------------------------------------------------------------------
#
# Each entry upgrades the journal by one version; PRAGMA user_version counts how many
# have been applied. Never edit a released entry: append a new one.

_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE profiles (
            name     TEXT PRIMARY KEY NOT NULL,
            age      INTEGER,
            created  TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE sessions (
            id              INTEGER PRIMARY KEY,
            profile         TEXT NOT NULL,
            target          TEXT NOT NULL,
            title           TEXT NOT NULL DEFAULT '',
            tier            TEXT,
            together_group  TEXT,
            started         TEXT NOT NULL,
            ended           TEXT,
            status          TEXT NOT NULL DEFAULT 'running'
                            CHECK (status IN ('running', 'completed', 'stopped', 'interrupted')),
            steps_done      INTEGER NOT NULL DEFAULT 0 CHECK (steps_done >= 0),
            steps_total     INTEGER NOT NULL DEFAULT 0 CHECK (steps_total >= 0),
            seconds         REAL NOT NULL DEFAULT 0 CHECK (seconds >= 0),
            -- the last write: an interrupted session ended about then
            updated         TEXT NOT NULL,
            -- the process playing it, so a live session elsewhere is not called interrupted
            pid             INTEGER
        )
        """,
        "CREATE INDEX sessions_by_profile ON sessions (profile, started)",
        "CREATE INDEX sessions_running ON sessions (status) WHERE status = 'running'",
        """
        CREATE TABLE checkins (
            id          INTEGER PRIMARY KEY,
            session_id  INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
            profile     TEXT NOT NULL,
            moment      TEXT NOT NULL CHECK (moment IN ('before', 'after', 'daily')),
            item        TEXT NOT NULL,
            -- no declared type: an integer stays an integer and text stays text
            value       NOT NULL CHECK (typeof(value) IN ('integer', 'text')),
            at          TEXT NOT NULL
        )
        """,
        "CREATE INDEX checkins_by_session ON checkins (session_id)",
        "CREATE INDEX checkins_by_profile ON checkins (profile, at)",
    ),
    (
        # Version 2: which plan and which scripts a session played, so reports can say
        # what was practised (a plan session's target is the plan's id).
        "ALTER TABLE sessions ADD COLUMN plan TEXT",
        "ALTER TABLE sessions ADD COLUMN plan_session INTEGER",
        "ALTER TABLE sessions ADD COLUMN scripts TEXT NOT NULL DEFAULT ''",
    ),
    (
        # Version 3: time practised is time heard. Rows from before keep NULL here
        # (not measured), and their `seconds` (the place reached) stays as it was.
        "ALTER TABLE sessions ADD COLUMN seconds_heard REAL CHECK (seconds_heard >= 0)",
        "ALTER TABLE sessions ADD COLUMN steps_skipped INTEGER CHECK (steps_skipped >= 0)",
        # The session's planned length, and how much of it had to be heard to count
        # as practice (counting.seconds_needed, fixed when it started).
        "ALTER TABLE sessions ADD COLUMN script_seconds REAL CHECK (script_seconds >= 0)",
        "ALTER TABLE sessions ADD COLUMN seconds_needed REAL CHECK (seconds_needed >= 0)",
        # What the answer was given on: 'numbers' (typed or picked on its scale) or
        # 'faces' (the value is the face's number, 1 to 5). NULL: not recorded.
        "ALTER TABLE checkins ADD COLUMN scale TEXT CHECK (scale IN ('numbers', 'faces'))",
    ),
    (
        # Version 4 (people): who each profile is, and the plan a grown-up gave them.
        # A plan applies only when given; it is never guessed from its `for:` name.
        "ALTER TABLE profiles ADD COLUMN kind TEXT NOT NULL DEFAULT 'child'"
        " CHECK (kind IN ('child', 'grown-up', 'guest'))",
        "ALTER TABLE profiles ADD COLUMN plan TEXT",
        # The old unnamed "me" becomes the guest, whose practice the history shows.
        # (Left alone if someone is called Guest already.)
        """
        UPDATE sessions SET profile = 'Guest' WHERE profile = 'me'
        AND NOT EXISTS (SELECT 1 FROM profiles WHERE name = 'Guest' COLLATE NOCASE)
        """,
        """
        UPDATE checkins SET profile = 'Guest' WHERE profile = 'me'
        AND NOT EXISTS (SELECT 1 FROM profiles WHERE name = 'Guest' COLLATE NOCASE)
        """,
        """
        UPDATE profiles SET name = 'Guest', kind = 'guest' WHERE name = 'me' AND age IS NULL
        AND NOT EXISTS (SELECT 1 FROM profiles WHERE name = 'Guest' COLLATE NOCASE)
        """,
        # Plans imported before were applied by their `for:` name: the app gives each
        # one, once, to the existing profile of that name (people.adopt_imported_plans).
        "CREATE TABLE upgrade_tasks (name TEXT PRIMARY KEY NOT NULL)",
        # Only a journal with people in it has plans to keep: a new one is left as it is.
        f"INSERT INTO upgrade_tasks (name) SELECT '{ADOPT_IMPORTED_PLANS}'"
        " WHERE EXISTS (SELECT 1 FROM profiles)",
    ),
)

SCHEMA_VERSION = len(_MIGRATIONS)


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION; return the version found before.

    Runs in one IMMEDIATE transaction, reading the version inside it, so two
    processes opening a new journal at once migrate it exactly once.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = connection.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise JournalUnavailable(
                f"the practice journal was written by a newer calmkit (schema {found}, "
                f"this one knows {SCHEMA_VERSION}); please update calmkit"
            )
        for statements in _MIGRATIONS[found:]:
            for statement in statements:
                connection.execute(statement)
        if found < SCHEMA_VERSION:
            # PRAGMA takes no parameters; the value is our own integer.
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        _roll_back(connection)
        raise
    return found


def _roll_back(connection: sqlite3.Connection) -> None:
    # A failed COMMIT (a full disk) leaves the transaction open: close it, or every
    # later write would fail with "cannot start a transaction within a transaction".
    if connection.in_transaction:
        with suppress(sqlite3.Error):
            connection.execute("ROLLBACK")


# --- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far a session got: what `record_progress` and `finish_session` write.

    ``seconds`` is the place reached in the session, ``seconds_heard`` the time
    actually played (the player measures it; None: all of ``seconds`` was heard),
    ``steps_skipped`` how many steps were skipped (None: not counted).
    """

    steps_done: int
    seconds: float
    seconds_heard: float | None = None
    steps_skipped: int | None = None

    def columns(self) -> tuple[object, ...]:
        """The values for _PROGRESS_COLUMNS' placeholders, in their order."""
        return (
            max(0, self.steps_done),
            _seconds(self.seconds),
            _optional_seconds(self.seconds_heard),
            _seconds(self.seconds),
            _optional_count(self.steps_skipped),
        )


@dataclass(frozen=True)
class CheckinRecord:
    id: int
    session_id: int | None
    profile: str
    moment: Moment
    item: str
    value: CheckinValue
    at: dt.datetime
    # 'numbers' or 'faces' (then value is the face's number); None: not recorded (schema < 3).
    scale: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "when": self.moment,
            "item": self.item,
            "value": self.value,
            "at": _iso(self.at),
            **answer_json(self.item, self.scale, self.value),
        }


# A `calmkit log --json` entry's keys, in order: keys may be added, never renamed.
LOG_JSON_KEYS = (
    "id", "profile", "target", "title", "tier", "together_group", "started", "ended",
    "status", "steps_done", "steps_total", "seconds", "checkins", "plan", "scripts",
    "seconds_heard", "steps_skipped", "script_seconds", "seconds_needed", "practice",
    "profile_kind", "grown_up",
)  # fmt: skip


@dataclass(frozen=True)
class SessionRecord:
    id: int
    profile: str
    target: str
    title: str
    tier: str | None
    together_group: str | None
    started: dt.datetime
    ended: dt.datetime | None
    status: SessionStatus
    steps_done: int
    steps_total: int
    seconds: float
    checkins: tuple[CheckinRecord, ...] = field(default=())
    plan: str | None = None
    plan_session: int | None = None  # its place in the plan's list for that day
    scripts: tuple[str, ...] = ()
    # Schema 3; None in rows an older calmkit wrote (it did not measure them).
    seconds_heard: float | None = None
    steps_skipped: int | None = None
    script_seconds: float | None = None
    seconds_needed: float | None = None
    profile_kind: ProfileKind = "child"  # who practised: a child, a grown-up or a guest

    @property
    def day(self) -> dt.date:
        return self.started.date()

    @property
    def scripts_played(self) -> tuple[str, ...]:
        """The scripts it played; for a row from before they were kept, its target."""
        return self.scripts or (self.target,)

    @property
    def heard(self) -> float:
        """Time practised: the seconds heard, or for an old row the seconds it recorded."""
        return self.seconds if self.seconds_heard is None else self.seconds_heard

    @property
    def finished(self) -> bool:
        return self.status in FINISH_STATUSES

    @property
    def practice(self) -> bool:
        """Counts as practice (counting.py: the one rule)."""
        return counts_as_practice(
            self.status, self.seconds_heard, self.seconds_needed, self.seconds
        )

    def heard_of_length(self, minutes: Callable[[float], str], not_practice: str) -> str:
        """The time heard of the session's length ('3 of 7'), each said by ``minutes``
        (from seconds), with ``not_practice`` added when it finished without counting
        as practice. `log` and the report say it each in their own way."""
        text = minutes(self.heard)
        if self.script_seconds is not None:
            text += f" of {minutes(self.script_seconds)}"
        if self.finished and not self.practice:
            text += not_practice
        return text

    def as_json(self) -> dict[str, object]:
        """The `calmkit log --json` entry: LOG_JSON_KEYS, each the field of that name
        as it is, but for the few written out here."""
        written: dict[str, object] = {
            "started": _iso(self.started),
            "ended": _iso(self.ended) if self.ended else None,
            "checkins": [checkin.as_json() for checkin in self.checkins],
            "scripts": list(self.scripts),
            "grown_up": self.profile_kind == "grown-up",
        }
        return {
            key: written[key] if key in written else getattr(self, key) for key in LOG_JSON_KEYS
        }


class KindOfPerson:
    """What a profile is, read from its ``kind``: a child, a grown-up or a guest."""

    kind: ProfileKind

    @property
    def grown_up(self) -> bool:
        return self.kind == "grown-up"

    @property
    def guest(self) -> bool:
        return self.kind == "guest"


@dataclass(frozen=True)
class ProfileRecord(KindOfPerson):
    name: str
    age: int | None
    created: dt.datetime
    kind: ProfileKind = "child"
    plan: str | None = None  # the id of the plan given to them, if any


class ProfileGone(JournalUnavailable):
    """The profile was deleted (in another window, say): nothing more is written for it."""

    def __init__(self, name: str | None) -> None:
        whose = f"{name}'s profile" if name else "this practice's record"
        super().__init__(
            f"{whose} was deleted (perhaps in another calmkit window), so nothing more is saved"
        )
        self.name = name


class ProfileInUse(ValueError):
    """A profile cannot be deleted while one of its sessions is playing."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} is practising right now (in this or another calmkit window): "
            f"let that practice end first, then delete {name}"
        )
        self.name = name


# --- helpers ----------------------------------------------------------------------------


def now() -> dt.datetime:
    """Local time with its offset: what the family's clock said."""
    return dt.datetime.now().astimezone()


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def new_together_group() -> str:
    """A fresh id shared by the rows of people practising together."""
    return uuid.uuid4().hex


def _error_code(error: sqlite3.Error) -> int:
    # sqlite_errorcode is the extended code; its low byte is the primary one.
    return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def _reason(error: BaseException) -> str:
    """A few words a parent can act on."""
    if isinstance(error, OSError):
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "the folder is read-only"
        if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return "the disk is full"
        if error.errno in (errno.ENOTDIR, errno.EEXIST):
            return "part of its path is a file, not a folder"
        if error.errno == errno.EISDIR:
            return "a folder is in the way of the journal file"
        return error.strerror or str(error)
    if isinstance(error, sqlite3.Error):
        code = _error_code(error)
        if code == sqlite3.SQLITE_READONLY:
            return "the folder or file is read-only"
        if code == sqlite3.SQLITE_FULL:
            return "the disk is full"
        if code == sqlite3.SQLITE_CANTOPEN:
            return "the file cannot be opened (a read-only folder, or a folder in its place)"
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return "another program is holding it locked"
        if code == sqlite3.SQLITE_IOERR:
            # No room to grow the shared-memory file beside a WAL journal: a full disk.
            if getattr(error, "sqlite_errorcode", 0) == sqlite3.SQLITE_IOERR_SHMSIZE:
                return "the disk is full"
            return "the disk reported an error"
        if code == sqlite3.SQLITE_CONSTRAINT:
            # SQLite's own words ("FOREIGN KEY constraint failed") mean nothing to a child.
            return "what it belonged to is no longer there"
        # Never SQLite's raw message: its words are for programmers.
        return "it could not be updated"
    return str(error)


def _process_alive(pid: int) -> bool:
    if sys.platform == "win32":
        # os.kill(pid, 0) would terminate the process there; assume it is gone.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but someone else's
    return True


# --- the journal ------------------------------------------------------------------------


class Journal:
    """One connection to the journal; safe to share between the player's thread and the UI."""

    def __init__(
        self,
        path: Path | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        reading: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else locations.journal_path()
        # How long a write waits for another calmkit (two windows, a report) to finish.
        self.busy_timeout_ms = busy_timeout_ms
        # Set when a damaged journal was moved aside while opening: show it once.
        self.notice: str | None = None
        # ``reading``: the caller only looks (log, report, export, the garden). When the
        # folder cannot be written (read-only, full), the journal is then opened
        # read-only instead of refused, and ``read_only`` says so.
        self.reading = reading
        self.read_only = False
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    # --- opening ----------------------------------------------------------------------

    def open(self) -> Journal:
        """Open (creating if needed); raises JournalUnavailable. Opening twice is harmless."""
        with self._lock:
            if self._connection is not None:
                return self
            try:
                try:
                    self._prepare_folder()
                    self._set_aside_what_is_not_a_file()
                    try:
                        self._connection = self._connect()
                    except _Damaged as damage:
                        self.notice = self._move_aside(str(damage))
                        self._connection = self._connect()
                except JournalUnavailable:
                    raise
                except _Damaged as damage:
                    raise self._unavailable(damage) from None
                except (OSError, sqlite3.Error) as error:
                    raise self._unavailable(error) from error
            except JournalUnavailable as refused:
                if not self.reading or not self._is_plain_file(self.path):
                    raise
                self._connection = self._connect_read_only(refused)
                self.read_only = True
                self.notice = (
                    f"{self.path.parent} cannot be written just now, so this shows the "
                    "practice journal as it is; nothing new can be saved"
                )
            return self

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                # The last connection to close folds the WAL back into the file.
                self._connection.close()
                self._connection = None

    def __enter__(self) -> Journal:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _unavailable(self, error: BaseException) -> JournalUnavailable:
        return JournalUnavailable(f"cannot use the practice journal {self.path}: {_reason(error)}")

    def _prepare_folder(self) -> None:
        folder = self.path.parent
        if not folder.exists():
            locations.ensure_private_dir(folder)
        # An existing folder keeps its mode: it may be a shared CALMKIT_HOME that is not
        # calmkit's to change (then calmkit's data is in a private subfolder of it:
        # locations.user_data_dir), or one the user made read-only (the journal says so).

    @staticmethod
    def _is_plain_file(path: Path) -> bool:
        try:
            return stat.S_ISREG(path.lstat().st_mode)
        except OSError:
            return False

    def _set_aside_what_is_not_a_file(self) -> None:
        """The journal and its side files are never followed through a link: a link (to
        /etc/passwd, to another app's database, dangling), or a pipe or a device in the
        journal's place, is moved aside as a damaged journal is, and a new one started."""
        for suffix in ("", *_SIDE_FILES, "-journal"):
            path = Path(f"{self.path}{suffix}")
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
                continue  # a folder someone put there is left be: opening says so
            what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a plain file"
            aside = locations.free_name(path, "moved", now().strftime("%Y%m%d-%H%M%S"))
            os.rename(path, aside)  # renames the link itself, never what it points to
            said = (
                f"The practice journal's file {path.name} was {what}, which calmkit never "
                f"follows; it was kept as {aside.name}"
                + (" and a new journal was started." if suffix == "" else ".")
            )
            self.notice = f"{self.notice} {said}" if self.notice else said

    def _connect(self) -> sqlite3.Connection:
        # Create the file ourselves, 0600: SQLite gives the -wal and -shm files the
        # main file's mode, so they are private too, whatever the umask. O_NOFOLLOW: a
        # link put there since we looked is refused, not followed.
        descriptor = os.open(
            self.path,
            os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0),
            locations.PRIVATE_FILE_MODE,
        )
        try:
            opened = os.fstat(descriptor)
            if not stat.S_ISREG(opened.st_mode):
                raise _Damaged("it is not a plain file")
            if stat.S_IMODE(opened.st_mode) != locations.PRIVATE_FILE_MODE:
                os.fchmod(descriptor, locations.PRIVATE_FILE_MODE)
        finally:
            # Closed before SQLite opens the file: closing any descriptor of a file
            # drops the process's POSIX locks on it, SQLite's included.
            os.close(descriptor)
        connection = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_ms / 1000,
            # Autocommit: every write below commits at once or runs in an explicit BEGIN.
            isolation_level=None,
            # The player's thread records progress; self._lock serialises use.
            check_same_thread=False,
        )
        try:
            # SQLite opens by name: make sure the name still is the file we checked.
            connection.execute("PRAGMA schema_version").fetchone()
            now_there = self.path.lstat()
            if (now_there.st_dev, now_there.st_ino) != (opened.st_dev, opened.st_ino):
                raise OSError(errno.ELOOP, "the journal was replaced while it was opened")
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            connection.execute("PRAGMA foreign_keys = ON")
            self._use_wal(connection)
            # In WAL mode NORMAL survives a killed process; only a power cut may lose
            # the last commits, never corrupt the file.
            connection.execute("PRAGMA synchronous = NORMAL")
            problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                # Its report runs to many lines of page numbers: the notice is one line.
                raise _Damaged("parts of it are missing or damaged")
            migrate(connection)
        except sqlite3.DatabaseError as error:
            connection.close()
            if _error_code(error) in _CORRUPT_CODES:
                raise _Damaged(str(error)) from error
            raise
        except BaseException:
            connection.close()
            raise
        for suffix in _SIDE_FILES:
            side = Path(f"{self.path}{suffix}")
            try:
                info = side.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) != 0o600:
                os.chmod(side, locations.PRIVATE_FILE_MODE, follow_symlinks=False)
        return connection

    def _connect_read_only(self, refused: JournalUnavailable) -> sqlite3.Connection:
        """The journal opened to read only, for a folder that cannot be written."""
        from urllib.parse import quote

        address = f"file:{quote(str(self.path.absolute()))}"
        # mode=ro reads the WAL too, but needs its -shm to exist or be creatable;
        # immutable=1 (no WAL left after a clean close) needs nothing written at all.
        for options in ("mode=ro", "mode=ro&immutable=1"):
            try:
                connection = sqlite3.connect(
                    f"{address}?{options}",
                    uri=True,
                    timeout=self.busy_timeout_ms / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                )
            except sqlite3.Error:
                continue
            try:
                found = connection.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.Error:
                connection.close()
                continue
            if found == SCHEMA_VERSION:
                return connection
            connection.close()
            break  # an older schema cannot be upgraded here: say why writing failed
        raise refused

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        # Switching a new file to WAL needs a moment alone with it, and SQLite answers
        # "busy" at once, without its busy handler, when another calmkit is opening it
        # too: wait our turn here, within the same timeout.
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if _error_code(error) != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def _move_aside(self, reason: str) -> str:
        """Keep the damaged file (someone may want it) and make room for a new one."""
        broken = locations.free_name(self.path, "broken", now().strftime("%Y%m%d-%H%M%S"))
        os.replace(self.path, broken)
        # Its WAL belongs to it: left behind, it could be replayed into the new journal.
        # (SQLite usually discards a WAL that fits no database when the failed
        # connection closes; whatever is left goes along with the file.)
        for suffix in _SIDE_FILES:
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{broken}{suffix}"))
        return (
            f"The practice journal could not be read ({reason}); it was kept as "
            f"{broken.name} and a new journal was started."
        )

    # --- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        """The open connection, with every SQLite or disk failure made one clear exception."""
        with self._lock:
            if self._connection is None:
                self.open()
            assert self._connection is not None
            try:
                yield self._connection
            except JournalUnavailable:
                raise
            except (sqlite3.Error, OSError) as error:
                raise self._unavailable(error) from error

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so the busy timeout applies
        # instead of a deferred transaction failing half-way.
        with self._using() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                _roll_back(connection)
                raise

    def _write(self, action: Callable[[sqlite3.Connection], Any]) -> Any:
        with self._using() as connection:
            return action(connection)

    # --- writing ----------------------------------------------------------------------

    def recover_interrupted(self) -> int:
        """Rows left 'running' by a process that is gone become 'interrupted'.

        Call when calmkit starts. Returns how many rows changed (none when read-only).
        """
        if self.read_only:
            return 0
        with self._transaction() as connection:
            rows = connection.execute(
                "SELECT id, pid, updated FROM sessions WHERE status = 'running'"
            ).fetchall()
            stale_before = now() - STALE_RUNNING
            gone = [
                session_id
                for session_id, pid, updated in rows
                if not self._still_playing(session_id, pid)
                or dt.datetime.fromisoformat(updated) < stale_before
            ]
            connection.executemany(
                # It ended, as far as we know, at its last write.
                "UPDATE sessions SET status = 'interrupted', ended = COALESCE(ended, updated) "
                "WHERE id = ? AND status = 'running'",
                [(session_id,) for session_id in gone],
            )
        return len(gone)

    def _still_playing(self, session_id: int, pid: int | None) -> bool:
        if pid is None:
            return False
        if pid == os.getpid():
            return (str(self.path), session_id) in _STARTED_HERE
        return _process_alive(pid)

    def start_session(
        self,
        profile: str,
        target: str,
        title: str,
        tier: str | None,
        steps_total: int,
        together_group: str | None = None,
        plan: str | None = None,
        plan_session: int | None = None,
        scripts: tuple[str, ...] = (),
        script_seconds: float | None = None,
        seconds_needed: float | None = None,
        create_profile: bool = True,
    ) -> int:
        """Insert a 'running' row and commit at once; return its id.

        ``script_seconds`` is the session's planned length and ``seconds_needed``
        how much of it must be heard to count as practice (counting.seconds_needed).
        ``create_profile=False`` (what the faces use) raises ProfileGone for a profile
        that is not there, rather than bringing a deleted person back.
        """
        moment = _iso(now())
        with self._transaction() as connection:
            profile = _canonical(connection, profile)
            self._profile_row(connection, profile, moment, create_profile)
            cursor = connection.execute(
                "INSERT INTO sessions (profile, target, title, tier, together_group, started,"
                " status, steps_done, steps_total, seconds, updated, pid, plan, plan_session,"
                " scripts, seconds_heard, steps_skipped, script_seconds, seconds_needed)"
                " VALUES (?, ?, ?, ?, ?, ?, 'running', 0, ?, 0, ?, ?, ?, ?, ?, 0, 0, ?, ?)",
                (
                    profile,
                    target,
                    title,
                    tier,
                    together_group,
                    moment,
                    max(0, steps_total),
                    moment,
                    os.getpid(),
                    plan,
                    plan_session,
                    " ".join(scripts),
                    None if script_seconds is None else _seconds(script_seconds),
                    None if seconds_needed is None else _seconds(seconds_needed),
                ),
            )
            session_id = cursor.lastrowid
        assert session_id is not None
        _STARTED_HERE.add((str(self.path), session_id))
        return session_id

    def _profile_row(
        self, connection: sqlite3.Connection, profile: str, moment: str, create: bool
    ) -> None:
        if create:
            connection.execute(
                "INSERT OR IGNORE INTO profiles (name, created) VALUES (?, ?)", (profile, moment)
            )
        elif not connection.execute("SELECT 1 FROM profiles WHERE name = ?", (profile,)).fetchone():
            raise ProfileGone(profile)

    def _session_gone(self, connection: sqlite3.Connection, session_id: int) -> bool:
        return not connection.execute(
            "SELECT 1 FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()

    def record_progress(self, session_id: int, progress: Progress) -> None:
        """Called at every step boundary: one UPDATE, committed at once.

        Raises ProfileGone when the row was deleted under us (its person forgotten in
        another window): nothing is written, and the player's notice says why.
        """

        def update(connection: sqlite3.Connection) -> None:
            changed = connection.execute(
                # A live session wrongly recovered (say, on a platform where we cannot
                # tell whether its process lives) comes back to 'running' here.
                f"UPDATE sessions SET {_PROGRESS_COLUMNS}, updated = ?,"
                " status = CASE status WHEN 'interrupted' THEN 'running' ELSE status END"
                " WHERE id = ? AND status IN ('running', 'interrupted')",
                (
                    *progress.columns(),
                    _iso(now()),
                    session_id,
                ),
            ).rowcount
            if not changed and self._session_gone(connection, session_id):
                raise ProfileGone(None)

        self._write(update)

    def finish_session(self, session_id: int, status: str, progress: Progress) -> None:
        if status not in FINISH_STATUSES:
            raise ValueError(f"a session finishes as one of {', '.join(FINISH_STATUSES)}")
        moment = _iso(now())

        def update(connection: sqlite3.Connection) -> None:
            changed = connection.execute(
                f"UPDATE sessions SET status = ?, {_PROGRESS_COLUMNS}, ended = ?, updated = ?"
                " WHERE id = ?",
                (
                    status,
                    *progress.columns(),
                    moment,
                    moment,
                    session_id,
                ),
            ).rowcount
            if not changed:
                raise ProfileGone(None)

        try:
            self._write(update)
        finally:
            _STARTED_HERE.discard((str(self.path), session_id))

    def add_checkin(
        self,
        profile: str,
        moment: str,
        item: str,
        value: CheckinValue,
        session_id: int | None = None,
        scale: str | None = None,
        create_profile: bool = True,
    ) -> int:
        """Save one answer; ``scale`` says what it was given on ('numbers' or 'faces').
        With ``create_profile=False`` a person who is no longer there, or a session
        deleted with them, raises ProfileGone and nothing is written."""
        if moment not in MOMENTS:
            raise ValueError(f"a check-in's moment is one of {', '.join(MOMENTS)}")
        if scale is not None and scale not in SCALE_KINDS:
            raise ValueError(f"a check-in's scale is one of {', '.join(SCALE_KINDS)}")
        if isinstance(value, bool):
            value = int(value)  # yes/no answers are stored as 1/0
        if not isinstance(value, int | str):
            raise TypeError(f"a check-in value is a whole number or text, got {value!r}")
        at = _iso(now())
        with self._transaction() as connection:
            profile = _canonical(connection, profile)
            self._profile_row(connection, profile, at, create_profile)
            if session_id is not None and self._session_gone(connection, session_id):
                raise ProfileGone(profile)
            cursor = connection.execute(
                "INSERT INTO checkins (session_id, profile, moment, item, value, at, scale)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, profile, moment, item, value, at, scale),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def ensure_profile(
        self, name: str, age: int | None = None, kind: ProfileKind | None = None
    ) -> None:
        """Make sure the profile exists; a given age or kind replaces the one stored.

        A grown-up may have no age; naming one a child again needs an age.
        """
        name = clean_name(name)
        if kind is not None and kind not in PROFILE_KINDS:
            raise ValueError(f"a profile is one of {', '.join(PROFILE_KINDS)}")

        def upsert(connection: sqlite3.Connection) -> None:
            spelling = _canonical(connection, name)
            existing = connection.execute(
                "SELECT name FROM profiles WHERE name = ?", (spelling,)
            ).fetchone()
            if existing is None:
                connection.execute(
                    "INSERT INTO profiles (name, age, created, kind) VALUES (?, ?, ?, ?)",
                    (spelling, age, _iso(now()), kind or "child"),
                )
                return
            if kind is not None:
                connection.execute(
                    "UPDATE profiles SET kind = ? WHERE name = ?", (kind, existing[0])
                )
                if kind == "grown-up" and age is None:
                    # A grown-up given no age has none: not the child's age they had.
                    connection.execute(
                        "UPDATE profiles SET age = NULL WHERE name = ?", (existing[0],)
                    )
            if age is not None:
                connection.execute("UPDATE profiles SET age = ? WHERE name = ?", (age, existing[0]))

        with self._transaction() as connection:
            upsert(connection)

    def profile(self, name: str) -> ProfileRecord | None:
        """One profile by name (as typed: "sam" finds Sam), or None."""
        with self._using() as connection:
            try:
                spelling = _canonical(connection, name)
            except ValueError:
                return None  # not a name anyone could have
            row = connection.execute(
                f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE name = ?", (spelling,)
            ).fetchone()
        return _profile(row) if row else None

    def set_plan(self, name: str, plan: str | None) -> None:
        """Give a person a plan (its id), or take it away (None). The person must exist."""
        name = clean_name(name)
        with self._transaction() as connection:
            changed = connection.execute(
                "UPDATE profiles SET plan = ? WHERE name = ?",
                (plan, _canonical(connection, name)),
            ).rowcount
            if not changed:
                raise ProfileGone(name)

    def upgrade_tasks(self) -> set[str]:
        """One-off tasks an upgrade left for code above the journal."""
        with self._using() as connection:
            return {row[0] for row in connection.execute("SELECT name FROM upgrade_tasks")}

    def finish_upgrade_task(self, name: str) -> None:
        self._write(
            lambda connection: connection.execute(
                "DELETE FROM upgrade_tasks WHERE name = ?", (name,)
            )
        )

    def playing_now(self, name: str) -> bool:
        """Is a session of this person playing now, in this process or another?"""
        with self._using() as connection:
            try:
                spelling = _canonical(connection, name)
            except ValueError:
                return False
            rows = connection.execute(
                "SELECT id, pid, updated FROM sessions WHERE status = 'running' AND profile = ?",
                (spelling,),
            ).fetchall()
        stale_before = now() - STALE_RUNNING
        return any(
            self._still_playing(session_id, pid)
            and dt.datetime.fromisoformat(updated) >= stale_before
            for session_id, pid, updated in rows
        )

    def rename_profile(self, old: str, new: str) -> None:
        """Give a person a new name everywhere: their profile, sessions and check-ins."""
        new = clean_name(new)
        with self._transaction() as connection:
            olds = _same_person(connection, old)
            clash = [
                name
                for name in _stored_names(connection)
                if name not in olds and same_name(name, new)
            ]
            if clash:
                raise ValueError(f"there is already a profile called {clash[0]}")
            if not olds:
                return
            marks = _marks(olds)
            # Who they are and the plan they were given go with the new name.
            kept = connection.execute(
                f"SELECT age, created, kind, plan FROM profiles WHERE name IN ({marks})"
                " ORDER BY age IS NULL, created LIMIT 1",
                olds,
            ).fetchone() or (None, _iso(now()), "child", None)
            connection.execute(f"DELETE FROM profiles WHERE name IN ({marks})", olds)
            connection.execute(
                "INSERT INTO profiles (name, age, created, kind, plan) VALUES (?, ?, ?, ?, ?)",
                (new, *kept),
            )
            for table in ("sessions", "checkins"):
                connection.execute(
                    f"UPDATE {table} SET profile = ? WHERE profile IN ({marks})", (new, *olds)
                )

    def forget_profile(self, name: str, even_if_playing: bool = False) -> int:
        """Delete everything of one person; return how many sessions went.

        Raises ProfileInUse while one of their sessions is playing (here or in another
        calmkit on the same journal), unless ``even_if_playing``. secure_delete
        overwrites the freed pages, and the WAL is checkpointed and truncated, so the
        rows do not linger in the file after they are gone.
        """
        if not even_if_playing and self.playing_now(name):
            stored = self.profile(name)
            raise ProfileInUse(stored.name if stored else name)
        with self._transaction() as connection:
            connection.execute("PRAGMA secure_delete = ON")
            names = _same_person(connection, name)
            if not names:
                return 0
            marks = _marks(names)
            connection.execute(f"DELETE FROM checkins WHERE profile IN ({marks})", names)
            gone = connection.execute(
                f"DELETE FROM sessions WHERE profile IN ({marks})", names
            ).rowcount
            connection.execute(f"DELETE FROM profiles WHERE name IN ({marks})", names)
        with self._using() as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return gone

    # --- reading ----------------------------------------------------------------------

    def spellings(self, name: str) -> list[str]:
        """How this person's name is stored (one spelling, or its NFC and NFD twins).

        Raises AmbiguousName when the name only matches by case and more than one
        person's name does (Sam and SAM, asked for 'sam')."""
        with self._using() as connection:
            return _same_person(connection, name)

    def holdings(self, names: list[str]) -> tuple[int, int]:
        """How many sessions and check-ins these stored names have."""
        if not names:
            return 0, 0
        marks = _marks(names)
        with self._using() as connection:
            (sessions,) = connection.execute(
                f"SELECT COUNT(*) FROM sessions WHERE profile IN ({marks})", names
            ).fetchone()
            (checkins,) = connection.execute(
                f"SELECT COUNT(*) FROM checkins WHERE profile IN ({marks})", names
            ).fetchone()
        return sessions, checkins

    def profiles(self) -> list[ProfileRecord]:
        with self._using() as connection:
            rows = connection.execute(
                f"SELECT {_PROFILE_COLUMNS} FROM profiles ORDER BY name COLLATE NOCASE"
            ).fetchall()
        return [_profile(row) for row in rows]

    def first_day(self, plan: str) -> dt.date | None:
        """The local day a plan was first practised (by anyone), or None."""
        with self._using() as connection:
            (first,) = connection.execute(
                "SELECT MIN(substr(started, 1, 10)) FROM sessions WHERE plan = ?", (plan,)
            ).fetchone()
        return dt.date.fromisoformat(first) if first else None

    def sessions(
        self,
        profile: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[SessionRecord]:
        """Oldest first, each with its check-ins. Dates are the local calendar day."""
        with self._using() as connection:
            where, parameters = _filters(connection, "started", profile, since, until)
            rows = connection.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions{where} ORDER BY id",
                parameters,
            ).fetchall()
            checkin_rows = connection.execute(
                f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE session_id IN"
                f" (SELECT id FROM sessions{where}) ORDER BY id",
                parameters,
            ).fetchall()
        by_session: dict[int, list[CheckinRecord]] = {}
        for row in checkin_rows:
            checkin = _checkin(row)
            assert checkin.session_id is not None
            by_session.setdefault(checkin.session_id, []).append(checkin)
        return [_session(row, tuple(by_session.get(row[0], ()))) for row in rows]

    def checkins(
        self,
        profile: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        moment: str | None = None,
    ) -> list[CheckinRecord]:
        """Every check-in, daily ones (which belong to no session) included."""
        with self._using() as connection:
            where, parameters = _filters(connection, "at", profile, since, until)
            if moment is not None:
                where += " AND moment = ?" if where else " WHERE moment = ?"
                parameters.append(moment)
            rows = connection.execute(
                f"SELECT {_CHECKIN_COLUMNS} FROM checkins{where} ORDER BY id", parameters
            ).fetchall()
        return [_checkin(row) for row in rows]


# What a step boundary and the finish both write, with _progress's values. A figure
# not measured (None) keeps what the row holds; time heard defaults to the place reached.
_PROGRESS_COLUMNS = (
    "steps_done = ?, seconds = ?, seconds_heard = COALESCE(?, ?),"
    " steps_skipped = COALESCE(?, steps_skipped)"
)


# Columns named as the record's fields, so a row is read by name, not by position.
_CHECKIN_FIELDS = ("id", "session_id", "profile", "moment", "item", "value", "at", "scale")
_CHECKIN_COLUMNS = ", ".join(_CHECKIN_FIELDS)
_SESSION_FIELDS = (
    "id", "profile", "target", "title", "tier", "together_group", "started", "ended",
    "status", "steps_done", "steps_total", "seconds", "plan", "plan_session", "scripts",
    "seconds_heard", "steps_skipped", "script_seconds", "seconds_needed",
)  # fmt: skip
# The person's kind is the profile's, read with each session.
_SESSION_COLUMNS = (
    ", ".join(_SESSION_FIELDS)
    + ", (SELECT kind FROM profiles WHERE profiles.name = sessions.profile)"
)
_PROFILE_COLUMNS = "name, age, created, kind, plan"


def _profile(row: tuple[Any, ...]) -> ProfileRecord:
    name, age, created, kind, plan = row
    return ProfileRecord(name, age, dt.datetime.fromisoformat(created), kind, plan)


def _session(row: tuple[Any, ...], checkins: tuple[CheckinRecord, ...]) -> SessionRecord:
    fields = dict(zip((*_SESSION_FIELDS, "profile_kind"), row, strict=True))
    ended = fields["ended"]
    return SessionRecord(
        **{
            **fields,
            "started": dt.datetime.fromisoformat(fields["started"]),
            "ended": dt.datetime.fromisoformat(ended) if ended else None,
            "scripts": tuple(fields["scripts"].split()),
            "profile_kind": fields["profile_kind"] or "child",
            "checkins": checkins,
        }
    )


def _checkin(row: tuple[Any, ...]) -> CheckinRecord:
    fields = dict(zip(_CHECKIN_FIELDS, row, strict=True))
    return CheckinRecord(**{**fields, "at": dt.datetime.fromisoformat(fields["at"])})


def _filters(
    connection: sqlite3.Connection,
    column: str,
    profile: str | None,
    since: dt.date | None,
    until: dt.date | None,
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    parameters: list[object] = []
    if profile is not None:
        # Names are typed by hand: "sam" finds Sam (and only Sam: see _same_person).
        names = _same_person(connection, profile)
        clauses.append(f"profile IN ({_marks(names)})" if names else "0")
        parameters += names
    # Times are stored as local ISO text, so the first ten characters are the local day.
    if since is not None:
        clauses.append(f"substr({column}, 1, 10) >= ?")
        parameters.append(since.isoformat())
    if until is not None:
        clauses.append(f"substr({column}, 1, 10) <= ?")
        parameters.append(until.isoformat())
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), parameters


# --- names ----------------------------------------------------------------------------------
#
# One rule, safetext.name_key (NFC, then casefold), instead of SQLite's NOCASE, which
# folds ASCII only: 'élodie' and 'ÉLODIE' were one name to Python and two to SQLite.
# Journals written before may hold names that differ only by case (Sam and sam) or by
# Unicode form (NFC and NFD "Zoë"): nothing is merged or renamed on disk, and
# safetext.matching_names decides who a typed name means.


def _marks(names: list[str]) -> str:
    return ", ".join("?" * len(names))


def _stored_names(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM profiles UNION SELECT profile FROM sessions"
        " UNION SELECT profile FROM checkins"
    ).fetchall()
    return sorted(row[0] for row in rows)


def _same_person(connection: sqlite3.Connection, name: str) -> list[str]:
    """The stored names that are this person's (see safetext.matching_names)."""
    return matching_names(name, _stored_names(connection))


def _canonical(connection: sqlite3.Connection, name: str) -> str:
    """The name to write under: the person's stored spelling, or the new name, cleaned."""
    cleaned = clean_name(name)
    # The common case, a person already stored under this very spelling, is found by
    # the primary key: reading every name of every row inside each write transaction
    # held the write lock long enough to starve a second calmkit writing beside it.
    if connection.execute("SELECT 1 FROM profiles WHERE name = ?", (cleaned,)).fetchone():
        return cleaned
    same = _same_person(connection, cleaned)
    if not same:
        return cleaned
    in_profiles = {row[0] for row in connection.execute("SELECT name FROM profiles")}
    return min(same, key=lambda spelling: (spelling not in in_profiles, spelling != cleaned))


def _seconds(seconds: float) -> float:
    return round(max(0.0, seconds), 1)


def _optional_seconds(seconds: float | None) -> float | None:
    return None if seconds is None else _seconds(seconds)


def _optional_count(count: int | None) -> int | None:
    return None if count is None else max(0, count)


def open_journal(path: Path | None = None, reading: bool = False) -> Journal:
    """Open the journal and recover rows a killed calmkit left running.

    ``reading``: read-only when the folder cannot be written (Journal.reading)."""
    journal = Journal(path, reading=reading).open()
    journal.recover_interrupted()
    return journal
