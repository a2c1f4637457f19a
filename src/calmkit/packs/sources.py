"""Reading a pack safely: a folder, a zip or a single file, with limits, never following a link.

Members with an absolute path or ``..``, links and other non-regular members,
encrypted ones, more than ``MAX_MEMBERS`` entries, a YAML file over
``MAX_YAML_BYTES``, a clip over ``MAX_AUDIO_BYTES``, more than
``MAX_TOTAL_BYTES`` read in all and members unpacking to more than
``MAX_RATIO`` times their packed size are refused. The sizes a zip declares are
checked first and the bytes actually unpacked are counted, since a header can lie.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from calmkit.content.library import YAML_SUFFIXES
from calmkit.content.yamldoc import MAX_FILE_BYTES
from calmkit.packs.result import Message

MAX_YAML_BYTES = MAX_FILE_BYTES  # 256 KiB, the loader's own limit
MAX_AUDIO_BYTES = 20 * 1024 * 1024  # one clip; a 10-minute OGG is about 5 MiB
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # everything read from one pack (and the zip itself)
MAX_MEMBERS = 1000  # files and folders in a pack
MAX_RATIO = 100  # unpacked / packed size; speech packs to 1-3 times, a bomb to 1000
RATIO_FLOOR = 1024 * 1024  # smaller members are never a bomb worth the name
READ_CHUNK = 64 * 1024
SKIPPED_FOLDERS = ("__MACOSX",)  # macOS's resource forks in zips

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


class _Said(Exception):
    """A problem that carries its message for the import's result."""

    def __init__(self, path: str, text: str) -> None:
        super().__init__(text)
        self.message = Message(path, text)


class Fatal(_Said):
    """The whole source cannot be read on: one message, and stop."""


class Refused(_Said):
    """One member cannot be used; the others are still checked."""


@dataclass(frozen=True)
class Member:
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


def _too_large(member: Member, size: int, limit: int) -> str:
    what = "scripts and plans" if member.rel.suffix.lower() in YAML_SUFFIXES else "a clip"
    return f"file is too large ({_size_text(size)}): {what} can be at most {_size_text(limit)}"


class Source(ABC):
    """Where the files come from. Reads are capped and counted against the pack's total."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.unsafe: list[Message] = []  # found while listing: nothing is read if any
        self._total = 0

    @abstractmethod
    def members(self) -> list[Member]:
        """Every file that is not skipped, in a stable order."""

    @abstractmethod
    def find(self, rel: PurePosixPath) -> Member | None:
        """Any file by its place in the pack (hidden ones too), for sound steps."""

    @abstractmethod
    def read(self, member: Member, limit: int) -> bytes:
        """The member's bytes, at most ``limit`` of them, or Refused."""

    @abstractmethod
    def close(self) -> None:
        """Let go of what the source holds open."""

    def _read_capped(
        self, stream: IO[bytes], member: Member, limit: int, packed: int | None
    ) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while chunk := stream.read(READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise Refused(member.label, _too_large(member, max(size, member.size), limit))
            if packed is not None and size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
                raise Refused(member.label, _bomb_text(packed))
            self._total += len(chunk)
            if self._total > MAX_TOTAL_BYTES:
                raise Fatal(
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


class FolderSource(Source):
    """A pack folder, or the folder of a single file (then only that file is listed)."""

    def __init__(self, root: Path, single: Path | None = None) -> None:
        super().__init__(str(single if single is not None else root))
        self.root = root
        self.single = single

    def _label(self, rel: PurePosixPath) -> str:
        return str(self.root / rel)

    def members(self) -> list[Member]:
        if self.single is not None:
            try:
                size = self.single.stat().st_size
            except OSError as error:
                raise Fatal(self.label, f"cannot be read: {error.strerror}") from error
            return [Member(PurePosixPath(self.single.name), self.label, size, follow=True)]
        found: list[Member] = []
        pending = [PurePosixPath()]
        count = 0
        while pending:
            folder = pending.pop()
            try:
                with os.scandir(self.root / folder) as scan:
                    entries = sorted(scan, key=lambda entry: entry.name)
            except OSError as error:
                raise Fatal(self._label(folder), f"cannot be read: {error.strerror}") from error
            for entry in entries:
                rel = folder / entry.name
                if _skipped(rel):
                    continue
                count += 1
                if count > MAX_MEMBERS:
                    raise Fatal(self.label, f"the pack holds more than {MAX_MEMBERS} files")
                if entry.is_symlink():
                    self.unsafe.append(Message(self._label(rel), _LINK_TEXT))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(rel)
                elif entry.is_file(follow_symlinks=False):
                    size = entry.stat(follow_symlinks=False).st_size
                    found.append(Member(rel, self._label(rel), size))
                else:
                    self.unsafe.append(Message(self._label(rel), _SPECIAL_TEXT))
        return sorted(found, key=lambda member: member.rel)

    def close(self) -> None:
        """A folder holds nothing open between reads."""

    def find(self, rel: PurePosixPath) -> Member | None:
        current = self.root
        info = None
        for part in rel.parts:
            current = current / part
            try:
                info = current.lstat()
            except OSError:
                return None
            if stat.S_ISLNK(info.st_mode):
                raise Refused(str(current), _LINK_TEXT)
        if info is None or not stat.S_ISREG(info.st_mode):
            return None
        return Member(rel, self._label(rel), info.st_size)

    def read(self, member: Member, limit: int) -> bytes:
        if member.size > limit:
            raise Refused(member.label, _too_large(member, member.size, limit))
        path = self.single if member.follow and self.single else self.root / member.rel
        flags = _OPEN_FLAGS if member.follow else _OPEN_FLAGS | _NO_FOLLOW
        try:
            descriptor = os.open(path, flags)
        except OSError as error:
            if not member.follow and os.path.islink(path):
                raise Refused(member.label, _LINK_TEXT) from error
            raise Refused(member.label, f"cannot be read: {error.strerror}") from error
        try:
            with os.fdopen(descriptor, "rb") as stream:
                if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                    raise Refused(member.label, _SPECIAL_TEXT)
                return self._read_capped(stream, member, limit, None)
        except OSError as error:
            raise Refused(member.label, f"cannot be read: {error.strerror}") from error


_LINK_TEXT = "is a symbolic link: a pack must hold plain files (copy the file in instead)"
_NAMED_SPECIAL_TEXT = (
    "is not a plain file (a device or a named pipe): give a script or plan (.yaml or .yml), "
    "a pack folder or a .zip pack"
)
_SPECIAL_TEXT = "is not a plain file: a pack holds only files and folders"


class ZipSource(Source):
    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        stream: BinaryIO | None = None
        try:
            # Opened once, non-blocking and checked: the file zipfile reads is the one
            # whose kind and size were checked, even if the name changes meanwhile.
            stream = os.fdopen(os.open(path, _OPEN_FLAGS), "rb")
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise Fatal(self.label, _NAMED_SPECIAL_TEXT)
            if info.st_size > MAX_TOTAL_BYTES:
                raise Fatal(
                    self.label,
                    f"the pack is too large ({_size_text(info.st_size)}): "
                    f"at most {_size_text(MAX_TOTAL_BYTES)}",
                )
            self.archive = zipfile.ZipFile(stream)
        except Fatal:
            if stream is not None:
                stream.close()
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
            if stream is not None:
                stream.close()
            raise Fatal(self.label, "not a zip file, or a damaged one") from error
        except OSError as error:
            if stream is not None:
                stream.close()
            raise Fatal(self.label, f"cannot be read: {error.strerror or error}") from error
        self._stream = stream
        self._members: dict[PurePosixPath, Member] = {}
        try:
            self._list()
        except Fatal:
            self.close()
            raise

    def _list(self) -> None:
        infos = self.archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise Fatal(self.label, f"the pack holds more than {MAX_MEMBERS} files")
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
            self._members[rel] = Member(rel, f"{self.label}/{rel}", info.file_size, info)

    def members(self) -> list[Member]:
        return sorted(
            (member for rel, member in self._members.items() if not _skipped(rel)),
            key=lambda member: member.rel,
        )

    def find(self, rel: PurePosixPath) -> Member | None:
        return self._members.get(rel)

    def read(self, member: Member, limit: int) -> bytes:
        info = member.info
        assert info is not None
        if info.file_size > limit:
            raise Refused(member.label, _too_large(member, info.file_size, limit))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused(member.label, _bomb_text(info.compress_size))
        try:
            with self.archive.open(info) as stream:
                return self._read_capped(stream, member, limit, info.compress_size)
        except (Refused, Fatal):
            raise
        except _UNPACK_ERRORS as error:
            raise Refused(
                member.label, f"cannot be unpacked: the zip is damaged ({error})"
            ) from error

    def close(self) -> None:
        self.archive.close()
        self._stream.close()  # ZipFile leaves a file it was given open


def open_source(path: Path) -> Source:
    """The source ``path`` names: a pack folder, a zip, or one script or plan; else Fatal."""
    try:
        info = path.stat()  # the file the user named may be a link: they chose it
    except FileNotFoundError:
        raise Fatal(str(path), "no such file or folder") from None
    except OSError as error:
        raise Fatal(str(path), f"cannot be read: {error.strerror or error}") from error
    if stat.S_ISDIR(info.st_mode):
        return FolderSource(path)
    if not stat.S_ISREG(info.st_mode):
        # /dev/zero would be read for ever, a named pipe would wait for ever.
        raise Fatal(str(path), _NAMED_SPECIAL_TEXT)
    if path.suffix.lower() in YAML_SUFFIXES:
        return FolderSource(path.parent, single=path)
    try:
        is_zip = zipfile.is_zipfile(path)
    except OSError as error:
        raise Fatal(str(path), f"cannot be read: {error.strerror or error}") from error
    if is_zip:
        return ZipSource(path)
    if path.suffix.lower() == ".zip":
        raise Fatal(str(path), "not a zip file, or a damaged one")
    raise Fatal(
        str(path),
        "not something calmkit can import: give a script or plan (.yaml or .yml), "
        "a pack folder or a .zip pack",
    )
