"""`calmkit doctor`: is everything here that a session needs? Sound, voices, clips, data.

``doctor_report()`` gathers the facts as one JSON-ready dict (the contract in
docs/architecture.md, with fields added, never renamed):

    {"audio": {"backend", "device", "ok", "notice"},
     "engines": [{"name", "found", "voice", "hint"}],
     "narration": {"lines", "missing", "other_rate", "voice",
                   "scripts": {id: {"lines", "missing", "other_rate"}}},
     "data_dir": "/path",
     "data": {"path", "exists", "writable", "private", "mode"},
     "ok": bool}

``ok`` means sessions play and practice is saved privately; lines without a
clip do not make it false (they are shown as captions), though the text says so.

``doctor_lines(report)`` turns it into a few friendly lines for people.
Nothing here creates the user's data folder or writes into it (a probe file
is made and removed at once, and only in a folder that already exists).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calmkit import locations
from calmkit.words import plural

if TYPE_CHECKING:
    from calmkit.audio.narration import Line
    from calmkit.content.library import Library


def audio_status(want_sound: bool = True) -> dict[str, Any]:
    """Open the sound output as a session would, note what it is, and close it again."""
    from calmkit.audio.backend import open_backend

    backend, status = open_backend(want_sound)
    backend.close()
    forced_off = os.environ.get("CALMKIT_AUDIO", "").lower() == "null" or not want_sound
    return {
        "backend": status.backend,
        "device": status.device,
        "ok": status.ok,
        "notice": status.notice,
        "forced_off": forced_off,
    }


def engine_status() -> list[dict[str, Any]]:
    """Each TTS engine in calmkit's order of preference: installed?, with which voice."""
    from calmkit.audio.engines import ENGINE_ORDER, get_engine

    found = []
    for name in ENGINE_ORDER:
        engine = get_engine(name)
        voice = engine.best_voice()
        found.append(
            {
                "name": name,
                "found": voice is not None,
                "voice": voice,
                "hint": None if voice is not None else engine.missing_message(),
            }
        )
    return found


def narration_status(library: Library) -> dict[str, Any]:
    """Every line anyone could hear, and whether a session would find its clip.

    The space is the narrator's own (narration.lines_for_script): each script
    heard at every age from 4 to 18 and by a grown-up, alone and together, under
    no plan and under each plan in the library. The lookup is the sessions' own
    (SessionClips: the user's narration cache, then the shipped clips) with the
    default voice, the one with most of the library's lines. ``lines`` counts
    distinct (words, speaking rate) pairs, as ``calmkit narrate`` renders them;
    ``missing`` those a session would show as captions only; ``other_rate`` those
    it plays from a clip rendered at another tier's speed. A script's own counts
    include lines it shares with other scripts.
    """
    from calmkit.audio.clips import SessionClips
    from calmkit.audio.narration import lines_for_script, resolve_voice_for_lines

    scripts = sorted(library.scripts.values(), key=lambda script: script.id)
    plans = sorted(library.plans.values(), key=lambda plan: plan.id)
    lines_of = {script.id: lines_for_script(script, plans) for script in scripts}
    voice = resolve_voice_for_lines(None, set().union(*lines_of.values()))
    lookup = SessionClips(voice) if voice else None
    heard: dict[Line, str] = {}  # line -> "exact", "other-rate" or "missing"

    def how_heard(line: Line) -> str:
        if line not in heard:
            if lookup is not None and lookup.exactly(line.text, line.rate) is not None:
                heard[line] = "exact"
            elif lookup is not None and lookup.narrated(line.text, line.rate) is not None:
                heard[line] = "other-rate"
            else:
                heard[line] = "missing"
        return heard[line]

    per_script: dict[str, dict[str, int]] = {}
    for script in scripts:
        found = [how_heard(line) for line in lines_of[script.id]]
        per_script[script.id] = {
            "lines": len(found),
            "missing": found.count("missing"),
            "other_rate": found.count("other-rate"),
        }
    outcomes = list(heard.values())
    return {
        "lines": len(outcomes),
        "missing": outcomes.count("missing"),
        "other_rate": outcomes.count("other-rate"),
        "voice": voice,
        "scripts": per_script,
    }


def _probe_writable(folder: Path) -> bool:
    """Can a file be made here? Tried for real: root passes every permission check."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".calmkit-doctor-"):
            return True
    except OSError:
        return False


def data_status() -> dict[str, Any]:
    """The user's data folder: there?, writable?, private (no access for others)?"""
    path = locations.user_data_dir()
    info: dict[str, Any] = {
        "path": str(path),
        "exists": False,
        "writable": False,
        "private": False,
        "mode": None,
    }
    if path.is_dir():
        mode = stat.S_IMODE(path.stat().st_mode)
        info.update(
            exists=True,
            writable=_probe_writable(path),
            private=mode & 0o077 == 0,
            mode=f"{mode:04o}",
        )
        return info
    if path.exists():
        return info  # a file where the folder should be
    # Not made yet (calmkit makes it, private, on first use): can it be?
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    info["writable"] = parent.is_dir() and _probe_writable(parent)
    info["private"] = info["writable"]  # it will be created 0700
    return info


def doctor_report(library: Library | None = None, want_sound: bool = True) -> dict[str, Any]:
    """Everything ``calmkit doctor --json`` prints. ``library``: default, the whole library."""
    if library is None:
        from calmkit.content.library import load_library

        library = load_library()
    audio = audio_status(want_sound)
    engines = engine_status()
    narration = narration_status(library)
    data = data_status()
    # Sessions can run and be saved. Lines without clips are not a fault (they are
    # shown as captions), but doctor_lines says so, and how to make them.
    ok = audio["ok"] and data["writable"] and data["private"]
    return {
        "audio": audio,
        "engines": engines,
        "narration": narration,
        "data_dir": data["path"],
        "data": data,
        "ok": bool(ok),
    }


def doctor_lines(report: dict[str, Any]) -> list[str]:
    """The report for people: one line per topic, and what to do where something is off."""
    lines: list[str] = []
    audio = report["audio"]
    if audio.get("forced_off"):
        lines.append("Sound: off (CALMKIT_AUDIO=null or --no-audio): captions only")
    elif audio["ok"]:
        lines.append(f"Sound: ok ({audio['backend']}, {audio['device']})")
    else:
        lines.append(f"Sound: {audio.get('notice') or 'not working'}: captions only")

    engines = report["engines"]
    usable = [engine for engine in engines if engine["found"]]
    if usable:
        best = usable[0]
        others = ", ".join(engine["name"] for engine in usable[1:])
        lines.append(
            f"Voices: {best['name']} ({best['voice']}) narrates new lines"
            + (f"; also installed: {others}" if others else "")
        )
    else:
        lines.append("Voices: no text-to-speech engine is installed")
        first = engines[0] if engines else None
        if first and first.get("hint"):
            lines.append(f"  to add one: {first['hint']}")

    narration = report["narration"]
    total, missing = narration["lines"], narration["missing"]
    voice = narration.get("voice") or "no voice"
    if total == 0:
        lines.append("Narration: the library has no lines to narrate")
    elif missing == 0:
        lines.append(f"Narration: all {plural(total, 'line')} have clips ({voice})")
        slower = narration.get("other_rate", 0)
        if slower:
            lines.append(
                f"  {slower} of them play from a clip made at another age's speaking speed"
                + ("; to make their own: calmkit narrate" if usable else "")
            )
    else:
        lines.append(
            f"Narration: {missing} of {plural(total, 'line')} have no clip ({voice}); "
            "those are shown as captions only"
        )
        gaps = [
            (script_id, counts["missing"])
            for script_id, counts in narration.get("scripts", {}).items()
            if counts["missing"]
        ]
        gaps.sort(key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{script_id} ({count})" for script_id, count in gaps[:6])
        more = f" and {len(gaps) - 6} more" if len(gaps) > 6 else ""
        lines.append(f"  missing in: {shown}{more}")
        if usable:
            lines.append("  to make them: calmkit narrate")

    data = report["data"]
    where = data["path"]
    if not data["writable"]:
        lines.append(f"Data: {where} cannot be written: practice would not be saved")
        lines.append(f"  check the folder, or set {locations.HOME_VARIABLE} to another folder")
    elif not data["exists"]:
        lines.append(f"Data: {where} (made, private, the first time calmkit saves something)")
    elif not data["private"]:
        lines.append(
            f"Data: {where} can be read by others (mode {data['mode']}); it holds health "
            f"information: chmod 700 '{where}'"
        )
    else:
        lines.append(f"Data: {where} (private)")
    if not report.get("ok"):
        lines.append("Something needs a look (see above).")
    elif missing:
        lines.append("Ready: sessions play, with captions only where a line has no clip.")
    else:
        lines.append("All good.")
    return lines
