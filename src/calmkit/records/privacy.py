"""What the family holds, handed over as one file, and deleted on request.

Everything calmkit keeps lives in the user data folder (locations.py). An
export is a zip the family chooses to give someone: the practice record as
JSON, and the scripts, plans and recordings they added. Forgetting removes one
person from the journal, or everything calmkit has stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from calmkit import __version__, locations
from calmkit.content.safetext import same_name, shown
from calmkit.records.journal import Journal, now
from calmkit.records.settings import load_settings, save_settings
from calmkit.words import joined_names, plural

if TYPE_CHECKING:
    from calmkit.content.library import Library
    from calmkit.content.model import Plan

EXPORT_FORMAT = 1


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    profiles: int
    sessions: int
    files: int


_FOLDERS = (
    (locations.user_scripts_dir, "library/scripts"),
    (locations.user_plans_dir, "library/plans"),
    (locations.recordings_dir, "recordings"),
)


def _user_files(only: set[Path] | None = None) -> list[tuple[Path, str]]:
    """The family's own library files (or those in ``only``), with their names inside
    the export."""
    found: list[tuple[Path, str]] = []
    for where, prefix in _FOLDERS:
        folder = where()
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not locations.is_plain_file(path) or any(
                part.startswith(".") for part in path.relative_to(folder).parts
            ):
                continue
            if only is None or path in only:
                # An undecodable or control character in a file name is kept visibly
                # escaped: a zip holds text names, and the export must not fail on one.
                name = shown(path.relative_to(folder).as_posix())
                found.append((path, f"{prefix}/{name}"))
    return found


def _same_name(first: str | None, second: str) -> bool:
    return same_name(first, second)  # the one rule for names (safetext.name_key)


@dataclass(frozen=True)
class Belongings:
    """The files in the user library that are one person's, for an export or a forget.

    A person's plans are the imported plans written for them (``for:``). With the
    plans goes what was made for them: the user scripts those plans use, those
    scripts' sound files, and the recordings of those scripts' steps. ``own`` is what
    no one else's plan uses too: what forgetting them deletes.
    """

    plans: tuple[Path, ...]
    scripts: tuple[Path, ...]  # user scripts and their sound files
    recordings: tuple[Path, ...]
    own: frozenset[Path]  # of all these, the ones nobody else's plan needs
    script_ids: frozenset[str]  # of the scripts in ``own``: their cached narration goes too

    @property
    def files(self) -> set[Path]:
        return {*self.plans, *self.scripts, *self.recordings}

    def described(self) -> str:
        """', and the plan P (path), 2 scripts and 3 recordings made for them, ...': what
        forgetting deletes besides the practice record, for the question before it."""
        scripts = [p for p in self.scripts if p in self.own and p.suffix in (".yaml", ".yml")]
        sounds = [p for p in self.scripts if p in self.own and p not in scripts]
        recordings = [path for path in self.recordings if path in self.own]
        parts = [f"the plan {path.stem} ({path})" for path in self.plans]
        for count, word in (
            (len(scripts), "script"),
            (len(sounds), "sound file"),
            (len(recordings), "recording"),
        ):
            if count:
                parts.append(f"{plural(count, word)} made for them")
        if not parts:
            return ""
        return f", and {joined_names(parts)}, with any copies calmkit keeps of them"


def _plans_given(name: str) -> tuple[set[str], set[str]]:
    """The ids of the plans given to this person, and of those given to anyone else."""
    from calmkit.records.journal import JournalUnavailable

    if not locations.journal_path().exists():
        return set(), set()
    try:
        with Journal(reading=True) as journal:
            records = journal.profiles()
    except JournalUnavailable:
        return set(), set()
    mine = {r.plan for r in records if r.plan and _same_name(r.name, name)}
    others = {r.plan for r in records if r.plan and not _same_name(r.name, name)}
    return mine, others


def belongings(name: str, library: Library | None = None) -> Belongings:
    from calmkit.content.library import load_library
    from calmkit.content.model import Sound

    library = library or load_library()
    mine_given, others_given = _plans_given(name)
    theirs: list[Plan] = []
    others: list[Plan] = []
    for plan in library.user_plans():
        # A person's plan is the one given to them (never one matched by its `for:`),
        # and only while it is nobody else's too.
        ours = plan.id in mine_given and plan.id not in others_given
        (theirs if ours else others).append(plan)

    def used_by(plans: list[Plan]) -> set[str]:
        return {script_id for plan in plans for script_id in plan.script_ids()}

    mine, shared = used_by(theirs), used_by(others)
    user_scripts = locations.user_scripts_dir().resolve()
    recordings = locations.recordings_dir()
    plans = tuple(Path(plan.path) for plan in theirs if plan.path)
    scripts: list[Path] = []
    own: set[Path] = set(plans)
    sounds_kept: set[Path] = set()
    for script in library.scripts.values():
        if not script.path or not Path(script.path).resolve().is_relative_to(user_scripts):
            continue
        files = [Path(script.path)] + [
            Path(script.path).parent / step.file for step in script.steps if isinstance(step, Sound)
        ]
        if script.id in mine:
            scripts += files
            if script.id not in shared:
                own.update(files)
                continue
        sounds_kept.update(files)  # a sound file another script uses stays
    own -= sounds_kept
    clips: list[Path] = []
    for script_id in sorted(mine):
        folder = recordings / script_id
        if folder.is_dir():
            found = [path for path in sorted(folder.iterdir()) if locations.is_plain_file(path)]
            clips += found
            if script_id not in shared:
                own.update(found)
    return Belongings(
        plans,
        tuple(dict.fromkeys(path for path in scripts if locations.is_plain_file(path))),
        tuple(clips),
        frozenset(own),
        frozenset(script_id for script_id in mine if script_id not in shared),
    )


def export_record(journal: Journal, profile: str | None) -> dict[str, object]:
    """The practice record as plain data: profiles, sessions with check-ins, daily answers."""
    spellings = journal.spellings(profile) if profile is not None else []
    profiles = [
        {
            "name": p.name,
            "age": p.age,
            "created": p.created.isoformat(timespec="seconds"),
            "kind": p.kind,
            "grown_up": p.grown_up,
            "plan": p.plan,
        }
        for p in journal.profiles()
        if profile is None or p.name in spellings
    ]
    daily = [
        {"profile": c.profile, "item": c.item, "value": c.value, "at": c.at.isoformat()}
        for c in journal.checkins(profile=profile, moment="daily")
    ]
    return {
        "calmkit_export": EXPORT_FORMAT,
        "calmkit_version": __version__,
        "exported": now().isoformat(timespec="seconds"),
        "profile": profile,
        "profiles": profiles,
        "sessions": [record.as_json() for record in journal.sessions(profile=profile)],
        "daily": daily,
    }


def export_archive(
    journal: Journal, profile: str | None, out: Path, overwrite: bool = True
) -> ExportSummary:
    """Write the export zip atomically, readable only by its owner (over a file already
    at ``out`` only with ``overwrite``: FileExistsError).

    For one ``profile`` it holds only that person's data: their practice, their plans
    and what was made for them (``belongings``), never another child's plan or note."""
    record = export_record(journal, profile)
    files = _user_files(None if profile is None else belongings(profile).files)
    settings_file = locations.settings_path()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        locations.replaced_privately(out, overwrite) as temporary,
        zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        archive.writestr("practice.json", json.dumps(record, indent=2, ensure_ascii=False))
        if locations.is_plain_file(settings_file):
            settings = asdict(load_settings())
            if profile is not None and not _same_name(settings.get("profile"), profile):
                settings["profile"] = None  # who practised last is someone else's data
            archive.writestr("settings.json", json.dumps(settings, indent=2) + "\n")
        for path, name in files:
            archive.write(path, name)
    sessions = record["sessions"]
    profiles = record["profiles"]
    assert isinstance(sessions, list) and isinstance(profiles, list)
    return ExportSummary(out, len(profiles), len(sessions), len(files))


def default_export_name(profile: str | None, day: dt.date | None = None) -> str:
    day = day or dt.date.today()
    who = "".join(ch if ch.isalnum() else "-" for ch in profile).strip("-") if profile else "all"
    return f"calmkit-export-{who or 'profile'}-{day.isoformat()}.zip"


def forget_profile(
    journal: Journal, name: str, things: Belongings | None = None
) -> tuple[int, list[Path]]:
    """Delete one person: their record, their plans and what was made only for them
    (``belongings``: pass the one shown to the user, so exactly that goes), and every
    cached copy (the library cache, narration of their scripts' lines). The settings stop
    pointing at them. Returns the sessions deleted and the files deleted."""
    things = things if things is not None else belongings(name)
    gone = journal.forget_profile(name)
    lines = _narrated_lines(things.script_ids)  # read before the scripts go
    deleted: list[Path] = []
    for path in sorted(things.own):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        deleted.append(path)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # a recordings/<script> folder left empty
    cache = locations.library_cache_path()
    if os.path.lexists(cache):
        cache.unlink()  # it held their plan, its note and their name
        deleted.append(cache)
    deleted += _forget_narration(lines)
    settings = load_settings()
    if _same_name(settings.profile, name):
        settings.profile = None
        save_settings(settings)
    return gone, deleted


def _narrated_lines(script_ids: frozenset[str]) -> set[str]:
    """The words of these scripts that no other script in the library says."""
    if not script_ids:
        return set()
    from calmkit.audio.narration import lines_for_script
    from calmkit.content.library import load_library

    library = load_library()
    theirs = {
        line.text
        for script_id in script_ids
        if script_id in library.scripts
        for line in lines_for_script(library.scripts[script_id])
    }
    others = {
        line.text
        for script in library.scripts.values()
        if script.id not in script_ids
        for line in lines_for_script(script)
    }
    return theirs - others


def _forget_narration(lines: set[str]) -> list[Path]:
    """Remove the cached narration of ``lines`` (its manifest keeps each clip's words)."""
    if not lines:
        return []
    from calmkit.audio.narration import VoiceFolder

    root = locations.narration_cache_dir()
    deleted: list[Path] = []
    if not root.is_dir():
        return deleted
    for voice in sorted(root.iterdir()):
        if not voice.is_dir() or voice.is_symlink():
            continue
        folder = VoiceFolder.read(voice)
        gone = [key for key, entry in folder.clips.items() if entry.get("text") in lines]
        for key in gone:
            clip = voice / f"{key}.ogg"
            if os.path.lexists(clip):
                clip.unlink()
                deleted.append(clip)
            del folder.clips[key]
        if gone:
            folder.write()
    return deleted


def forget_everything() -> list[Path]:
    """Delete all calmkit has stored: journal, settings, added scripts, recordings, cache.

    Only calmkit's own files go, never the folder's other contents: CALMKIT_HOME may
    point somewhere the family keeps other things too. Returns what was deleted.
    """
    journal = locations.journal_path()
    ours: list[Path] = [
        # The journal, its -wal and -shm, and damaged copies moved aside (.broken-*).
        *journal.parent.glob(journal.name + "*"),
        locations.settings_path(),
        locations.user_scripts_dir(),
        locations.user_plans_dir(),
        locations.recordings_dir(),
        locations.narration_cache_dir(),
        locations.library_cache_path().parent,
    ]
    deleted = []
    for path in ours:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        deleted.append(path)
    folder = locations.user_data_dir()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    return deleted
