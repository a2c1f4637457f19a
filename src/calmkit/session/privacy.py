"""What the family holds, handed over as one file, and deleted on request.

Everything calmkit keeps lives in the user data folder (locations.py). An
export is a zip the family chooses to give someone: the practice record as
JSON, and the scripts, plans and recordings they added. Forgetting removes one
person from the journal, or everything calmkit has stored.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from calmkit import __version__, locations
from calmkit.session.journal import Journal, now
from calmkit.session.settings import load_settings, save_settings

EXPORT_FORMAT = 1


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    profiles: int
    sessions: int
    files: int


def _user_files() -> list[tuple[Path, str]]:
    """The family's own library files, with their names inside the export."""
    found: list[tuple[Path, str]] = []
    for folder, prefix in (
        (locations.user_scripts_dir(), "library/scripts"),
        (locations.user_plans_dir(), "library/plans"),
        (locations.recordings_dir(), "recordings"),
    ):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found.append((path, f"{prefix}/{path.relative_to(folder).as_posix()}"))
    return found


def export_record(journal: Journal, profile: str | None) -> dict[str, object]:
    """The practice record as plain data: profiles, sessions with check-ins, daily answers."""
    profiles = [
        {"name": p.name, "age": p.age, "created": p.created.isoformat(timespec="seconds")}
        for p in journal.profiles()
        if profile is None or p.name.casefold() == profile.casefold()
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
    at ``out`` only with ``overwrite``: FileExistsError)."""
    record = export_record(journal, profile)
    files = _user_files()
    settings_file = locations.settings_path()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        locations.replaced_privately(out, overwrite) as temporary,
        zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        archive.writestr("practice.json", json.dumps(record, indent=2, ensure_ascii=False))
        if locations.is_plain_file(settings_file):
            archive.write(settings_file, "settings.json")
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


def forget_profile(journal: Journal, name: str) -> int:
    """Delete one person's record; the settings stop pointing at them. Returns sessions deleted."""
    gone = journal.forget_profile(name)
    settings = load_settings()
    if settings.profile and settings.profile.casefold() == name.casefold():
        settings.profile = None
        save_settings(settings)
    return gone


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
