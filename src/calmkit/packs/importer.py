"""``calmkit import FILE``: adding a psychologist's scripts, plans and recordings.

FILE is one of:

- a script or a plan: one ``.yaml``/``.yml`` file. The files of a script's
  ``sound`` steps are read from beside it (the format's rule) and carried along;
- a pack: a folder or a ``.zip`` (any name, as long as it is a zip) holding
  plans, scripts and recorded clips.

A pack's layout is forgiving:

- YAML files may sit anywhere in it (a zip often has one top folder); each is a
  script or a plan, told apart by its keys. A plan may use the pack's scripts
  and the installed library's, built-in and the user's own.
- A clinician's recording of a narrated step (``say``, ``tense``, ``release``)
  goes in ``recordings/<script-id>/<step-id>.ogg`` (or ``.wav``, ``.flac``: the
  extensions audio/clips.py looks for), the layout calmkit uses itself; that
  ``recordings`` folder may be anywhere in the pack. Also accepted: a folder
  named after a script (in the pack or the library) anywhere in the pack, say
  beside the script's file: ``<script-id>/<step-id>.ogg``. Names are matched
  in lower case.
- A ``sound`` step's file is found relative to its script's folder in the pack
  and installed at the same place relative to the installed script.
- Narration clips of the pack's scripts go in ``narration/<engine>-<voice>/``
  with a ``manifest.json``, as in the narration cache (pack_narration.py checks
  them: keyed again by their text, only lines the pack's scripts say, playable,
  brought to the loudness target) and are added to the user's narration cache.
- Hidden files and folders and ``__MACOSX/`` are skipped; other files (a
  README, a PDF handout) are skipped with a warning. An audio file that is
  neither a sound step's file nor a recording of a narrated step is refused:
  a clip nobody will ever hear is a mistake the clinician wants to hear about.

Everything is read and checked before anything is written: one problem
anywhere refuses the whole import and writes nothing. Problems in a YAML file
read ``PATH:LINE:COL: error: MESSAGE`` as everywhere else; problems with a
whole file (a zip member, a clip) read ``PATH: error: MESSAGE``. A zip member's
PATH is ``pack.zip/folder/member.yaml``.

What goes where (every folder 0700, every file 0600; all of them written into
a stage inside the user data folder first and renamed into place together,
under the import lock, so an import is whole or absent even if killed:
staging.py):

- a script to ``locations.user_scripts_dir()/<id>.yaml``, its sound files
  beside it; a plan to ``locations.user_plans_dir()/<id>.yaml``; the original
  bytes, comments and all;
- a recording to ``locations.recordings_dir()/<script-id>/<step-id>.ogg``,
  mastered like every narration clip: measured, edges trimmed, brought to the
  narration's loudness (-19 LUFS) under its true-peak ceiling (-1 dBTP) and
  stored as OGG, whatever format it came in. A recording that is silent or not
  speech-length (0.3 s of sound to 5 minutes: audio/mastering.py) is refused.

Nothing is overwritten silently. A file already at a target is refused unless
``replace`` (``--replace``), and so is an id the user library already has
under another file name (with ``replace`` that older file is removed, or the
library would hold the id twice) and a recording for a step that already has
one in another format (``.ogg`` is looked for before ``.wav``, so the old clip
could hide the new one). A file identical to what is there already is left as
it is, so importing the same pack twice is harmless. An id taken by a built-in
script or plan is always refused: the library loads the built-in files first,
keeps the built-in one and marks the user's copy as a duplicate, so the import
would seem to work and change nothing. An id that is already the other kind's
(a plan named like a script) is refused too: ``calmkit play ID`` would find
the script.

A zip or folder is read with limits, never following a link: members with an
absolute path or ``..``, links and other non-regular members, encrypted ones,
more than ``MAX_MEMBERS`` entries, a YAML file over ``MAX_YAML_BYTES``, a clip
over ``MAX_AUDIO_BYTES``, more than ``MAX_TOTAL_BYTES`` read in all and members
unpacking to more than ``MAX_RATIO`` times their packed size are refused. The
sizes a zip declares are checked first and the bytes actually unpacked are
counted, since a header can lie.

Exit codes for the command: 0 when the import was done (also when every file
was already there), 1 when it was refused.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO, Literal

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from calmkit import locations
from calmkit.audio.clips import RECORDING_EXTENSIONS
from calmkit.audio.narration import MANIFEST_NAME
from calmkit.content import model
from calmkit.content.library import YAML_SUFFIXES, load_files, yaml_files
from calmkit.content.loader import DocumentKind, LoadResult, load_document
from calmkit.content.model import Plan, Release, Say, Script, Sound, Tense
from calmkit.content.problems import Problem, Severity, did_you_mean, one_of
from calmkit.content.safetext import shown
from calmkit.content.yamldoc import MAX_FILE_BYTES, Document, parse_bytes
from calmkit.packs import staging
from calmkit.packs.narration import check_narration, merged_manifest, narration_parts
from calmkit.packs.staging import ImportBusy, Stage, import_lock
from calmkit.playback.targets import sibling_scripts

MAX_YAML_BYTES = MAX_FILE_BYTES  # 256 KiB, the loader's own limit
MAX_AUDIO_BYTES = 20 * 1024 * 1024  # one clip; a 10-minute OGG is about 5 MiB
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # everything read from one pack (and the zip itself)
MAX_MEMBERS = 1000  # files and folders in a pack
MAX_RATIO = 100  # unpacked / packed size; speech packs to 1-3 times, a bomb to 1000
RATIO_FLOOR = 1024 * 1024  # smaller members are never a bomb worth the name
READ_CHUNK = 64 * 1024

AUDIO_SUFFIXES = tuple(dict.fromkeys((*model.SOUND_EXTENSIONS, *RECORDING_EXTENSIONS)))
NARRATED_STEPS = (Say, Tense, Release)  # the steps a recording can voice (timeline.py)
RECORDING_SUFFIX = ".ogg"  # recordings are installed mastered, as OGG like narration
SKIPPED_FOLDERS = ("__MACOSX",)  # macOS's resource forks in zips

ItemKind = Literal["script", "plan", "recording", "sound", "narration"]
Action = Literal["added", "replaced", "unchanged"]

_DRIVE = re.compile(r"^[A-Za-z]:")
_UNPACK_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,  # a compression method zipfile cannot read
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
)
try:
    import lzma

    _UNPACK_ERRORS += (lzma.LZMAError,)
except ImportError:  # a Python without lzma reads no lzma members anyway
    pass


@dataclass(frozen=True)
class Message:
    """One line for the user: at a line and column of a YAML file, or about a whole file."""

    path: str
    text: str
    severity: Severity = "error"
    line: int | None = None
    col: int | None = None
    detail: str | None = None  # the YAML parser's own words, shown indented below

    @classmethod
    def of(cls, problem: Problem) -> Message:
        return cls(
            problem.path, problem.message, problem.severity, problem.line, problem.col,
            problem.detail,
        )  # fmt: skip

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.col}"
        return f"{where}: {self.severity}: {self.text}"


@dataclass(frozen=True)
class Installed:
    """One file the import put in the user library (or found there already)."""

    kind: ItemKind
    name: str  # the id; 'script-id/step-id' for a recording; the file name for a sound
    destination: Path
    action: Action


@dataclass
class ImportResult:
    source: Path
    installed: list[Installed] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # older copies --replace took away
    plans: list[Plan] = field(default_factory=list)  # the plans the source holds, checked

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Message]:
        return [message for message in self.messages if message.is_error]


def format_result(result: ImportResult) -> list[str]:
    """The lines ``calmkit import`` prints: problems first, then what was done.

    Each one line, whatever a file name holds (a newline in it must not forge another)."""
    return [shown(line) for line in _result_lines(result)]


def _result_lines(result: ImportResult) -> list[str]:
    lines: list[str] = []
    for message in result.messages:
        lines.append(str(message))
        if message.detail:
            lines.append(f"  (YAML said: {message.detail})")
    lines += [f"hint: {hint}" for hint in result.hints]
    if not result.ok:
        count = len(result.errors)
        lines.append(
            f"nothing was imported from {result.source}: {count} problem{'s' if count != 1 else ''}"
        )
        return lines
    clips = [
        item
        for item in result.installed
        if item.kind == "narration" and not item.name.endswith(MANIFEST_NAME)
    ]
    if clips:
        # Dozens of clips: one line for them all, not one each.
        added = sum(item.action != "unchanged" for item in clips)
        lines.append(
            f"added narration for the pack's scripts: {added} clip{'s' if added != 1 else ''}"
            f" ({len(clips) - added} already there) in {clips[0].destination.parent}"
        )
    for item in result.installed:
        if item.kind == "narration":
            continue
        if item.action == "unchanged":
            lines.append(f"{item.kind} '{item.name}' is already there: {item.destination}")
        else:
            lines.append(f"{item.action} {item.kind} '{item.name}': {item.destination}")
    lines += [f"removed the older copy {path}" for path in result.removed]
    changed = sum(item.action != "unchanged" for item in result.installed)
    lines.append(
        f"imported {changed} file{'s' if changed != 1 else ''} from {result.source}"
        if changed
        else f"nothing new in {result.source}: the library has it all already"
    )
    return lines


# Looks at the plans about to be imported; returns why the import must not go on, or None.
PlanCheck = Callable[[list[Plan]], str | None]


def import_path(
    path: Path, replace: bool = False, accept_plans: PlanCheck | None = None
) -> ImportResult:
    """Check everything in ``path`` (a script, a plan, a pack folder or a zip), then
    install all of it, or nothing.

    ``accept_plans`` sees the checked plans before anything is written (say, to
    ask whether a plan may be given to someone who has one); the reason it
    returns refuses the whole import.
    """
    result = ImportResult(source=path)
    try:
        source = _open_source(path)
    except _Fatal as fatal:
        result.messages.append(fatal.message)
        return result
    try:
        # Checked and written under one lock: a second import of the same id at the
        # same moment waits, then finds this one's files and says so.
        with import_lock():
            staging.recover(locked=True)
            try:
                writes = _Importer(source, result, replace).check()
            except _Fatal as fatal:
                result.messages.append(fatal.message)
                writes = []
            if result.ok and accept_plans is not None:
                refusal = accept_plans(result.plans)
                if refusal:
                    result.messages.append(Message(str(path), refusal))
            if result.ok:
                _install(writes, result)
            with contextlib.suppress(OSError):
                staging.staging_root().rmdir()  # left empty by mastering recordings
    except ImportBusy:
        result.messages.append(
            Message(
                str(locations.user_data_dir()),
                "another import into this library is still running: try again when it is done",
            )
        )
    except OSError as error:
        result.messages.append(
            Message(
                str(error.filename or locations.user_data_dir()),
                f"cannot be written ({error.strerror or error}): nothing was imported",
            )
        )
    finally:
        source.close()
    return result


# --- reading a pack, safely ------------------------------------------------------------


class _Fatal(Exception):
    """The whole source cannot be read on: one message, and stop."""

    def __init__(self, path: str, text: str) -> None:
        super().__init__(text)
        self.message = Message(path, text)


class _Refused(Exception):
    """One member cannot be used; the others are still checked."""

    def __init__(self, path: str, text: str) -> None:
        super().__init__(text)
        self.message = Message(path, text)


@dataclass(frozen=True)
class _Member:
    rel: PurePosixPath  # inside the pack; for a single file, its name
    label: str  # what messages call it
    size: int  # as the folder or the zip says
    info: zipfile.ZipInfo | None = None
    follow: bool = False  # only the file the user named may be a link


def _skipped(rel: PurePosixPath) -> bool:
    return any(part.startswith(".") or part in SKIPPED_FOLDERS for part in rel.parts)


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MiB"
    return f"{max(1, size // 1024)} KiB"


def _too_large(member: _Member, size: int, limit: int) -> str:
    what = "scripts and plans" if member.rel.suffix.lower() in YAML_SUFFIXES else "a clip"
    return f"file is too large ({_size_text(size)}): {what} can be at most {_size_text(limit)}"


class _Source(ABC):
    """Where the files come from. Reads are capped and counted against the pack's total."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.unsafe: list[Message] = []  # found while listing: nothing is read if any
        self._total = 0

    @abstractmethod
    def members(self) -> list[_Member]:
        """Every file that is not skipped, in a stable order."""

    @abstractmethod
    def find(self, rel: PurePosixPath) -> _Member | None:
        """Any file by its place in the pack (hidden ones too), for sound steps."""

    @abstractmethod
    def read(self, member: _Member, limit: int) -> bytes:
        """The member's bytes, at most ``limit`` of them, or _Refused."""

    @abstractmethod
    def close(self) -> None:
        """Let go of what the source holds open."""

    def _read_capped(
        self, stream: IO[bytes], member: _Member, limit: int, packed: int | None
    ) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while chunk := stream.read(READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _Refused(member.label, _too_large(member, max(size, member.size), limit))
            if packed is not None and size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
                raise _Refused(member.label, _bomb_text(packed))
            self._total += len(chunk)
            if self._total > MAX_TOTAL_BYTES:
                raise _Fatal(
                    self.label,
                    f"the pack holds more than {_size_text(MAX_TOTAL_BYTES)} in all: "
                    "split it into smaller packs",
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _bomb_text(packed: int) -> str:
    return (
        f"unpacks to more than {MAX_RATIO} times its compressed size ({_size_text(packed)}): "
        "this is not a recording or a script (a zip bomb?)"
    )


# Non-blocking: a named pipe in place of a file must not hang the import.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


class _FolderSource(_Source):
    """A pack folder, or the folder of a single file (then only that file is listed)."""

    def __init__(self, root: Path, single: Path | None = None) -> None:
        super().__init__(str(single if single is not None else root))
        self.root = root
        self.single = single

    def _label(self, rel: PurePosixPath) -> str:
        return str(self.root / rel)

    def members(self) -> list[_Member]:
        if self.single is not None:
            try:
                size = self.single.stat().st_size
            except OSError as error:
                raise _Fatal(self.label, f"cannot be read: {error.strerror}") from error
            return [_Member(PurePosixPath(self.single.name), self.label, size, follow=True)]
        found: list[_Member] = []
        pending = [PurePosixPath()]
        count = 0
        while pending:
            folder = pending.pop()
            try:
                with os.scandir(self.root / folder) as scan:
                    entries = sorted(scan, key=lambda entry: entry.name)
            except OSError as error:
                raise _Fatal(self._label(folder), f"cannot be read: {error.strerror}") from error
            for entry in entries:
                rel = folder / entry.name
                if _skipped(rel):
                    continue
                count += 1
                if count > MAX_MEMBERS:
                    raise _Fatal(self.label, f"the pack holds more than {MAX_MEMBERS} files")
                if entry.is_symlink():
                    self.unsafe.append(Message(self._label(rel), _LINK_TEXT))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(rel)
                elif entry.is_file(follow_symlinks=False):
                    size = entry.stat(follow_symlinks=False).st_size
                    found.append(_Member(rel, self._label(rel), size))
                else:
                    self.unsafe.append(Message(self._label(rel), _SPECIAL_TEXT))
        return sorted(found, key=lambda member: member.rel)

    def close(self) -> None:
        """A folder holds nothing open between reads."""

    def find(self, rel: PurePosixPath) -> _Member | None:
        current = self.root
        info = None
        for part in rel.parts:
            current = current / part
            try:
                info = current.lstat()
            except OSError:
                return None
            if stat.S_ISLNK(info.st_mode):
                raise _Refused(str(current), _LINK_TEXT)
        if info is None or not stat.S_ISREG(info.st_mode):
            return None
        return _Member(rel, self._label(rel), info.st_size)

    def read(self, member: _Member, limit: int) -> bytes:
        if member.size > limit:
            raise _Refused(member.label, _too_large(member, member.size, limit))
        path = self.single if member.follow and self.single else self.root / member.rel
        flags = _OPEN_FLAGS if member.follow else _OPEN_FLAGS | _NO_FOLLOW
        try:
            descriptor = os.open(path, flags)
        except OSError as error:
            if not member.follow and os.path.islink(path):
                raise _Refused(member.label, _LINK_TEXT) from error
            raise _Refused(member.label, f"cannot be read: {error.strerror}") from error
        try:
            with os.fdopen(descriptor, "rb") as stream:
                if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                    raise _Refused(member.label, _SPECIAL_TEXT)
                return self._read_capped(stream, member, limit, None)
        except OSError as error:
            raise _Refused(member.label, f"cannot be read: {error.strerror}") from error


_LINK_TEXT = "is a symbolic link: a pack must hold plain files (copy the file in instead)"
_NAMED_SPECIAL_TEXT = (
    "is not a plain file (a device or a named pipe): give a script or plan (.yaml or .yml), "
    "a pack folder or a .zip pack"
)
_SPECIAL_TEXT = "is not a plain file: a pack holds only files and folders"


class _ZipSource(_Source):
    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        stream: BinaryIO | None = None
        try:
            # Opened once, non-blocking and checked: the file zipfile reads is the one
            # whose kind and size were checked, even if the name changes meanwhile.
            stream = os.fdopen(os.open(path, _OPEN_FLAGS), "rb")
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _Fatal(self.label, _NAMED_SPECIAL_TEXT)
            if info.st_size > MAX_TOTAL_BYTES:
                raise _Fatal(
                    self.label,
                    f"the pack is too large ({_size_text(info.st_size)}): "
                    f"at most {_size_text(MAX_TOTAL_BYTES)}",
                )
            self.archive = zipfile.ZipFile(stream)
        except _Fatal:
            if stream is not None:
                stream.close()
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
            if stream is not None:
                stream.close()
            raise _Fatal(self.label, "not a zip file, or a damaged one") from error
        except OSError as error:
            if stream is not None:
                stream.close()
            raise _Fatal(self.label, f"cannot be read: {error.strerror or error}") from error
        self._stream = stream
        self._members: dict[PurePosixPath, _Member] = {}
        try:
            self._list()
        except _Fatal:
            self.close()
            raise

    def _list(self) -> None:
        infos = self.archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _Fatal(self.label, f"the pack holds more than {MAX_MEMBERS} files")
        for info in infos:
            name = info.filename.replace("\\", "/")
            label = f"{self.label}/{name}"
            parts = [part for part in name.split("/") if part not in ("", ".")]
            kind = stat.S_IFMT(info.external_attr >> 16)
            problem = None
            if name.startswith("/") or _DRIVE.match(name):
                problem = "has an absolute path: the files of a pack must stay inside it"
            elif ".." in parts:
                problem = (
                    "climbs out of the pack with '..': the files of a pack must stay inside it"
                )
            elif kind == stat.S_IFLNK:
                problem = _LINK_TEXT
            elif kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                problem = _SPECIAL_TEXT
            elif info.flag_bits & 0x1:
                problem = "is encrypted: zip the pack again without a password"
            if problem is not None:
                self.unsafe.append(Message(label, problem))
                continue
            if info.is_dir() or kind == stat.S_IFDIR or not parts:
                continue
            rel = PurePosixPath(*parts)
            if rel in self._members:
                self.unsafe.append(Message(label, "is in the zip twice"))
                continue
            self._members[rel] = _Member(rel, f"{self.label}/{rel}", info.file_size, info)

    def members(self) -> list[_Member]:
        return sorted(
            (member for rel, member in self._members.items() if not _skipped(rel)),
            key=lambda member: member.rel,
        )

    def find(self, rel: PurePosixPath) -> _Member | None:
        return self._members.get(rel)

    def read(self, member: _Member, limit: int) -> bytes:
        info = member.info
        assert info is not None
        if info.file_size > limit:
            raise _Refused(member.label, _too_large(member, info.file_size, limit))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _Refused(member.label, _bomb_text(info.compress_size))
        try:
            with self.archive.open(info) as stream:
                return self._read_capped(stream, member, limit, info.compress_size)
        except (_Refused, _Fatal):
            raise
        except _UNPACK_ERRORS as error:
            raise _Refused(
                member.label, f"cannot be unpacked: the zip is damaged ({error})"
            ) from error

    def close(self) -> None:
        self.archive.close()
        self._stream.close()  # ZipFile leaves a file it was given open


def _open_source(path: Path) -> _Source:
    try:
        info = path.stat()  # the file the user named may be a link: they chose it
    except FileNotFoundError:
        raise _Fatal(str(path), "no such file or folder") from None
    except OSError as error:
        raise _Fatal(str(path), f"cannot be read: {error.strerror or error}") from error
    if stat.S_ISDIR(info.st_mode):
        return _FolderSource(path)
    if not stat.S_ISREG(info.st_mode):
        # /dev/zero would be read for ever, a named pipe would wait for ever.
        raise _Fatal(str(path), _NAMED_SPECIAL_TEXT)
    if path.suffix.lower() in YAML_SUFFIXES:
        return _FolderSource(path.parent, single=path)
    try:
        is_zip = zipfile.is_zipfile(path)
    except OSError as error:
        raise _Fatal(str(path), f"cannot be read: {error.strerror or error}") from error
    if is_zip:
        return _ZipSource(path)
    if path.suffix.lower() == ".zip":
        raise _Fatal(str(path), "not a zip file, or a damaged one")
    raise _Fatal(
        str(path),
        "not something calmkit can import: give a script or plan (.yaml or .yml), "
        "a pack folder or a .zip pack",
    )


def _same_sound(first: bytes, second: bytes) -> bool:
    """Two encodings of the same sound: a mastered recording comes out with a new Ogg
    stream serial number each time, so importing a pack again compares what is heard."""
    import numpy as np
    import soundfile

    try:
        one, one_rate = soundfile.read(io.BytesIO(first), dtype="float32")
        two, two_rate = soundfile.read(io.BytesIO(second), dtype="float32")
    except (RuntimeError, OSError, ValueError, TypeError, EOFError):
        return False
    return one_rate == two_rate and np.array_equal(one, two)


def _audio_problem(data: bytes) -> str | None:
    """Why a clip cannot be played, or None. Reads its header and first block only."""
    import soundfile  # lazily, as audio/clips.py does

    try:
        with soundfile.SoundFile(io.BytesIO(data)) as clip:
            if clip.samplerate <= 0 or clip.frames <= 0:
                return "holds no sound"
            clip.read(frames=min(clip.frames, 4096))
    except (RuntimeError, OSError, ValueError, TypeError, EOFError) as error:
        # libsndfile's own words, without the "Error opening <BytesIO ...>" before them.
        reason = getattr(error, "error_string", None) or str(error) or "unknown format"
        return f"cannot be played: not a sound file calmkit can read ({reason.strip()})"
    return None


# --- checking everything -------------------------------------------------------------


@dataclass
class _Write:
    """One file the import will write, and what it finds at the target."""

    kind: ItemKind
    name: str
    label: str
    data: bytes
    target: Path
    action: Action = "added"
    previous: bytes | None = None  # what --replace overwrites, kept to undo a failed import
    older: list[Path] = field(default_factory=list)  # to remove once everything is written


@dataclass
class _Document:
    member: _Member
    data: bytes
    parsed: Document
    result: LoadResult


class _Importer:
    def __init__(self, source: _Source, result: ImportResult, replace: bool) -> None:
        self.source = source
        self.result = result
        self.replace = replace
        self.writes: list[_Write] = []

    # --- reporting ------------------------------------------------------------------

    def error(self, path: str, text: str, line: int | None = None, col: int | None = None) -> None:
        self.result.messages.append(Message(path, text, "error", line, col))

    def warn(self, path: str, text: str) -> None:
        self.result.messages.append(Message(path, text, "warning"))

    def read(self, member: _Member, limit: int) -> bytes | None:
        try:
            return self.source.read(member, limit)
        except _Refused as refused:
            self.result.messages.append(refused.message)
            return None

    # --- the whole check -------------------------------------------------------------

    def check(self) -> list[_Write]:
        members = self.source.members()
        if self.source.unsafe:
            self.result.messages += self.source.unsafe
            return []
        yaml_members: list[_Member] = []
        audio_members: list[_Member] = []
        narration_members: list[_Member] = []
        for member in members:
            suffix = member.rel.suffix.lower()
            if narration_parts(member.rel) is not None:
                narration_members.append(member)
            elif suffix in YAML_SUFFIXES:
                yaml_members.append(member)
            elif suffix in AUDIO_SUFFIXES:
                audio_members.append(member)
            else:
                self.warn(member.label, "skipped: not a script, plan or recording")
        if not yaml_members and not audio_members:
            self.error(self.source.label, "nothing to import: no scripts, plans or recordings")
            return []
        self.load_library()
        scripts, plans = self.documents(yaml_members)
        claimed = self.sound_files(scripts)
        self.recordings([member for member in audio_members if member.rel not in claimed])
        if narration_members:
            self.narration(narration_members, scripts)
        for document in scripts:
            self.document_write(document, "script")
        for document in plans:
            self.document_write(document, "plan")
            if document.result.plan is not None:
                self.result.plans.append(document.result.plan)
        self.result.messages.sort(key=lambda m: (not m.is_error, m.path, m.line or 0, m.col or 0))
        return self.writes

    def load_library(self) -> None:
        builtin = yaml_files(locations.builtin_scripts_dir())
        user = yaml_files(locations.user_scripts_dir()) + yaml_files(locations.user_plans_dir())
        self.library = load_files([*builtin, *user])
        builtin_labels = {str(path) for path in builtin}
        user_labels = {str(path) for path in user}
        # id -> (kind, path) of the files that declare it, broken ones too.
        self.builtin_ids: dict[str, DocumentKind] = {}
        self.user_ids: dict[str, list[tuple[DocumentKind, Path]]] = {}
        for loaded in self.library.results:
            if loaded.declared_id is None or loaded.kind is None:
                continue
            if loaded.path in builtin_labels:
                self.builtin_ids.setdefault(loaded.declared_id, loaded.kind)
            elif loaded.path in user_labels:
                entry = (loaded.kind, Path(loaded.path))
                self.user_ids.setdefault(loaded.declared_id, []).append(entry)

    # --- scripts and plans -------------------------------------------------------------

    def documents(self, members: list[_Member]) -> tuple[list[_Document], list[_Document]]:
        """The pack's valid-so-far scripts and plans; every problem is reported."""
        loaded: list[_Document] = []
        for member in members:
            data = self.read(member, MAX_YAML_BYTES)
            if data is None:
                continue
            parsed = parse_bytes(member.label, data)
            loaded.append(_Document(member, data, parsed, load_document(parsed, member.label)))
        scripts: list[_Document] = []
        first: dict[str, str] = {}
        for document in loaded:
            if document.result.kind == "plan":
                continue
            self.report(document.result)
            script = document.result.script
            if script is None:
                continue
            if self.duplicate(document, script.id, "script", first):
                continue
            scripts.append(document)
        # What a plan or a recording may name: the pack's scripts before the library's.
        self.scripts: dict[str, Script] = dict(self.library.scripts)
        for document in scripts:
            script = document.result.script
            assert script is not None
            self.scripts[script.id] = script
        plans: list[_Document] = []
        first = {}
        for document in loaded:
            if document.result.kind != "plan":
                continue
            document.result = load_document(
                document.parsed, document.member.label, None, self.scripts
            )
            self.report(document.result)
            plan = document.result.plan
            if plan is None:
                self.sibling_hint(document)
                continue
            if self.duplicate(document, plan.id, "plan", first):
                continue
            plans.append(document)
        return scripts, plans

    def report(self, loaded: LoadResult) -> None:
        self.result.messages += [Message.of(problem) for problem in loaded.problems]

    def duplicate(
        self, document: _Document, declared: str, kind: str, first: dict[str, str]
    ) -> bool:
        label = document.member.label
        if declared in first:
            self.error(
                label,
                f"duplicate {kind} id '{declared}': {first[declared]} already uses it",
                document.result.id_line,
                document.result.id_col,
            )
            return True
        first[declared] = label
        return False

    def sibling_hint(self, document: _Document) -> None:
        """A single plan whose scripts lie beside it: say to import the folder."""
        source = self.source
        if not isinstance(source, _FolderSource) or source.single is None:
            return
        siblings = sibling_scripts(source.single)
        if not siblings:
            return
        again = load_document(
            document.parsed, document.member.label, None, {**self.scripts, **siblings}
        )
        if again.ok:
            self.result.hints.append(
                f"the scripts this plan uses are in {source.root}: import the folder "
                f"(calmkit import {source.root}) to bring them along"
            )

    def document_write(self, document: _Document, kind: DocumentKind) -> None:
        loaded = document.result
        declared = loaded.document_id
        assert declared is not None
        label = document.member.label
        at = {"line": loaded.id_line, "col": loaded.id_col}
        folder = locations.user_scripts_dir() if kind == "script" else locations.user_plans_dir()
        target = folder / f"{declared}.yaml"
        builtin_kind = self.builtin_ids.get(declared)
        if builtin_kind is not None:
            self.error(
                label,
                f"'{declared}' is the id of a built-in {builtin_kind}: calmkit would keep "
                f"the built-in one and mark this {kind} as a duplicate, even with --replace; "
                f"give it an id of its own (like '{declared}-2')",
                **at,
            )
            return
        older: list[Path] = []
        for other_kind, path in self.user_ids.get(declared, []):
            if other_kind != kind:
                self.error(
                    label,
                    f"'{declared}' is already the id of a {other_kind} in your library "
                    f"({path}): give this {kind} an id of its own",
                    **at,
                )
                return
            if path != target:
                older.append(path)
        if older and not self.replace:
            self.error(
                label,
                f"your library already has {kind} '{declared}' in {older[0]}: "
                "use --replace to replace it",
                **at,
            )
            return
        write = _Write(kind, declared, label, document.data, target, older=older)
        self.target(write, MAX_YAML_BYTES, at)

    def target(self, write: _Write, limit: int, at: dict[str, int] | None = None) -> None:
        """Look at what is at the target already; queue the write if it may go ahead."""
        at = at or {}
        try:
            info = write.target.lstat()
        except FileNotFoundError:
            self.writes.append(write)
            return
        except OSError as error:
            self.error(write.label, f"cannot check {write.target}: {error.strerror}", **at)
            return
        if stat.S_ISDIR(info.st_mode):
            self.error(write.label, f"{write.target} is a folder: move it away first", **at)
            return
        current = None
        if stat.S_ISREG(info.st_mode) and info.st_size <= limit:
            try:
                current = write.target.read_bytes()
            except OSError as error:
                self.error(write.label, f"cannot read {write.target}: {error.strerror}", **at)
                return
        if current == write.data or (
            write.kind == "recording" and current is not None and _same_sound(current, write.data)
        ):
            write.action = "unchanged"
        elif not self.replace:
            self.error(
                write.label,
                f"{write.target} already exists: use --replace to overwrite it",
                **at,
            )
            return
        else:
            write.action = "replaced"
            write.previous = current
        self.writes.append(write)

    # --- sound files and recordings ----------------------------------------------------

    def sound_files(self, scripts: list[_Document]) -> set[PurePosixPath]:
        """Queue every pack script's sound files; the pack members they are."""
        claimed: set[PurePosixPath] = set()
        queued: dict[PurePosixPath, _Write] = {}
        for document in scripts:
            script = document.result.script
            assert script is not None
            for index, step in enumerate(script.steps):
                if not isinstance(step, Sound):
                    continue
                name = PurePosixPath(step.file)
                line, col = _sound_file_mark(document.parsed.root, index, step.line)
                try:
                    member = self.source.find(document.member.rel.parent / name)
                except _Refused as refused:
                    self.result.messages.append(refused.message)
                    continue
                if member is None:
                    self.error(
                        document.member.label,
                        f"sound file '{step.file}' was not found beside the script",
                        line,
                        col,
                    )
                    continue
                claimed.add(member.rel)
                data = self.read(member, MAX_AUDIO_BYTES)
                if data is None or not self.playable(member.label, data):
                    continue
                earlier = queued.get(name)
                if earlier is not None:
                    if earlier.data != data:
                        self.error(
                            member.label,
                            f"two different sound files would both be installed as '{name}' "
                            f"(the other is {earlier.label}): give one another name",
                        )
                    continue
                write = _Write(
                    "sound", str(name), member.label, data, locations.user_scripts_dir() / name
                )
                queued[name] = write
                self.target(write, MAX_AUDIO_BYTES)
        return claimed

    def playable(self, label: str, data: bytes) -> bool:
        problem = _audio_problem(data)
        if problem is not None:
            self.error(label, problem)
        return problem is None

    def recordings(self, members: list[_Member]) -> None:
        seen: dict[tuple[str, str], str] = {}
        for member in members:
            found = self.recording_step(member)
            if found is None:
                continue
            script_id, step_id = found
            if (script_id, step_id) in seen:
                self.error(
                    member.label,
                    f"step '{step_id}' of script '{script_id}' has two recordings "
                    f"(the other is {seen[script_id, step_id]}): keep one",
                )
                continue
            seen[script_id, step_id] = member.label
            data = self.read(member, MAX_AUDIO_BYTES)
            if data is None or not self.playable(member.label, data):
                continue
            data = self.mastered(member, data)
            if data is None:
                continue
            folder = locations.recordings_dir() / script_id
            suffix = RECORDING_SUFFIX  # mastered: always OGG, whatever came in the pack
            target = folder / f"{step_id}{suffix}"
            others = [folder / f"{step_id}{ext}" for ext in RECORDING_EXTENSIONS if ext != suffix]
            older = [path for path in others if path.is_file()]
            if older and not self.replace:
                self.error(
                    member.label,
                    f"step '{step_id}' of script '{script_id}' already has a recording "
                    f"({older[0]}): use --replace to replace it",
                )
                continue
            name = f"{script_id}/{step_id}"
            self.target(
                _Write("recording", name, member.label, data, target, older=older), MAX_AUDIO_BYTES
            )

    def mastered(self, member: _Member, data: bytes) -> bytes | None:
        """The recording at the narration's loudness and peak ceiling (-19 LUFS, -1 dBTP),
        so a clinician's clip is never louder or quieter than the lines around it; None,
        with the problem said, if it is not a recording of a step (silent, not speech-length).
        """
        from calmkit.audio.mastering import TARGET_LUFS, MasteringError, master_recording

        try:
            work = locations.ensure_private_dir(staging.staging_root())
            done = master_recording(data, work)
        except MasteringError as error:
            self.error(member.label, str(error))
            return None
        except OSError as error:
            self.error(member.label, f"cannot be prepared: {error.strerror or error}")
            return None
        if abs(done.before.lufs - TARGET_LUFS) > 1.0:
            self.result.hints.append(
                f"{member.label} was {done.before.lufs:.1f} LUFS: it is evened out to "
                f"{TARGET_LUFS:g} LUFS, as loud as the narration around it"
            )
        return done.data

    def narration(self, members: list[_Member], scripts: list[_Document]) -> None:
        """The pack's narration clips, for its own scripts, into the narration cache. A
        clip the cache has already is the same words in the same voice: it is kept."""
        by_rel = {member.rel: member for member in members}

        def read(rel: PurePosixPath, limit: int) -> bytes | None:
            return self.read(by_rel[rel], limit)

        clips = check_narration(
            [(member.rel, member.label) for member in members],
            read,
            [document.result.script for document in scripts if document.result.script],
            self.error,
            _audio_problem,
            MAX_AUDIO_BYTES,
        )
        fresh = [clip for clip in clips if not clip.target.is_file()]
        for clip in clips:
            write = _Write("narration", clip.key, clip.key, clip.data, clip.target)
            write.action = "added" if clip in fresh else "unchanged"
            self.writes.append(write)
        # The manifests last (a stable sort keeps them after their clips): a lookup
        # reads the manifest first, and every clip it lists is there by then.
        for folder, data in merged_manifest(fresh).items():
            target = locations.narration_cache_dir() / folder / MANIFEST_NAME
            write = _Write("narration", f"{folder}/{MANIFEST_NAME}", str(target), data, target)
            write.action = "replaced" if target.is_file() else "added"
            self.writes.append(write)

    def recording_step(self, member: _Member) -> tuple[str, str] | None:
        """The (script id, step id) a clip records, or None with the problem reported."""
        parts = member.rel.parts
        primary = len(parts) >= 3 and parts[-3].lower() == "recordings"
        if primary or (len(parts) >= 2 and parts[-2].lower() in self.scripts):
            script_id = parts[-2].lower()
        else:
            self.error(
                member.label,
                "no script uses this clip: a recorded step goes in "
                "recordings/<script-id>/<step-id>.ogg, a sound step's file beside its script",
            )
            return None
        script = self.scripts.get(script_id)
        if script is None:
            self.error(
                member.label,
                f"a recording for script '{script_id}', which is not in the pack or the "
                f"library{did_you_mean(script_id, self.scripts)}",
            )
            return None
        suffix = member.rel.suffix.lower()
        if suffix not in RECORDING_EXTENSIONS:
            self.error(
                member.label,
                f"a recording must be a {one_of(RECORDING_EXTENSIONS)} file, "
                f"not '{member.rel.suffix}'",
            )
            return None
        step_id = member.rel.stem.lower()
        steps = {step.step_id: step for step in script.steps if step.step_id}
        step = steps.get(step_id)
        if step is None:
            if not steps:
                text = (
                    f"script '{script_id}' gives no step an id, so nobody would ever hear "
                    f"this clip: add 'id: {step_id}' to the step it records"
                )
            else:
                text = (
                    f"script '{script_id}' has no step '{step_id}'"
                    f"{did_you_mean(step_id, steps)}, so nobody would ever hear this clip "
                    f"(its step ids: {', '.join(steps)})"
                )
            self.error(member.label, text)
            return None
        if not isinstance(step, NARRATED_STEPS):
            self.error(
                member.label,
                f"step '{step_id}' of script '{script_id}' is a "
                f"{type(step).__name__.lower()} step, with no words for a recording to voice",
            )
            return None
        return script_id, step_id


def _entry(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return value_node
    return None


def _sound_file_mark(root: Node | None, index: int, fallback_line: int) -> tuple[int, int]:
    """Where a sound step names its file, for messages; else the step's own line."""
    steps = _entry(root, "steps")
    if isinstance(steps, SequenceNode) and index < len(steps.value):
        sound = _entry(steps.value[index], "sound")
        node = sound if isinstance(sound, ScalarNode) else _entry(sound, "file")
        if node is not None:
            return node.start_mark.line + 1, node.start_mark.column + 1
    return fallback_line, 1


# --- writing ---------------------------------------------------------------------------

_ORDER: dict[ItemKind, int] = {"narration": 0, "sound": 0, "recording": 1, "script": 2, "plan": 3}


def _install(writes: list[_Write], result: ImportResult) -> None:
    """Every file into a stage, then all renamed into place together (staging.py):
    a failure, or a kill, leaves the library as it was or with the whole import."""
    writes = sorted(writes, key=lambda write: _ORDER[write.kind])
    pending = [write for write in writes if write.action != "unchanged"]
    stage: Stage | None = None
    try:
        if pending:
            stage = Stage.new()
            for write in pending:
                stage.add(write.target, write.data)
                for path in write.older:
                    stage.remove_later(path)
            warnings = stage.commit()
        else:
            warnings = []
    except OSError as error:
        if stage is not None:
            stage.discard()
        where = str(error.filename or locations.user_data_dir())
        result.messages.append(
            Message(where, f"cannot be written ({error.strerror or error}): nothing was imported")
        )
        return
    result.installed = [
        Installed(write.kind, write.name, write.target, write.action) for write in writes
    ]
    for write in pending:
        result.removed += [path for path in write.older if not path.exists()]
    for warning in warnings:
        where, _, reason = warning.partition(": ")
        result.messages.append(
            Message(
                where,
                f"{reason}: it and the new copy now hold the same id; remove it yourself",
                "warning",
            )
        )
