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
  with a ``manifest.json``, as in the narration cache (narration.py checks
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

A zip or folder is read with limits, never following a link (sources.py says
which); checks.py checks everything; install.py writes it.

Exit codes for the command: 0 when the import was done (also when every file
was already there), 1 when it was refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from calmkit import locations
from calmkit.audio.narration import MANIFEST_NAME
from calmkit.content.model import Plan
from calmkit.content.safetext import shown
from calmkit.packs import staging
from calmkit.packs.checks import Checker
from calmkit.packs.install import install, write_failure
from calmkit.packs.result import ImportResult, Message
from calmkit.packs.sources import Fatal, open_source
from calmkit.packs.staging import ImportBusy, import_lock
from calmkit.words import plural

# The public face of the import: callers and tests import these from here.
__all__ = ["ImportResult", "format_result", "import_path"]


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
        lines.append(
            f"nothing was imported from {result.source}: {plural(len(result.errors), 'problem')}"
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
            f"added narration for the pack's scripts: {plural(added, 'clip')}"
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
        f"imported {plural(changed, 'file')} from {result.source}"
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
        source = open_source(path)
    except Fatal as fatal:
        result.messages.append(fatal.message)
        return result
    try:
        # Checked and written under one lock: a second import of the same id at the
        # same moment waits, then finds this one's files and says so.
        with import_lock():
            staging.recover(locked=True)
            try:
                writes = Checker(source, result, replace).check()
            except Fatal as fatal:
                result.messages.append(fatal.message)
                writes = []
            if result.ok and accept_plans is not None:
                refusal = accept_plans(result.plans)
                if refusal:
                    result.messages.append(Message(str(path), refusal))
            if result.ok:
                install(writes, result)
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
        result.messages.append(write_failure(error))
    finally:
        source.close()
    return result
