"""Writing a checked import: every file into a stage, then all renamed into place together.

staging.py does the moving and the undo of a half-done install (and finishes
one a killed process left); this module decides what goes in the stage, in
which order, and says what was done. staging.py stays apart because every
command calls its ``recover()`` at start, so it must import nothing of the
importer's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from calmkit import locations
from calmkit.packs.result import Action, ImportResult, Installed, ItemKind, Message
from calmkit.packs.staging import Stage


@dataclass
class Write:
    """One file the import will write, and what it finds at the target."""

    kind: ItemKind
    name: str
    label: str
    data: bytes
    target: Path
    action: Action = "added"
    older: list[Path] = field(default_factory=list)  # to remove once everything is written


# Clips and sounds before the recordings, scripts and plans that use them.
_ORDER: dict[ItemKind, int] = {"narration": 0, "sound": 0, "recording": 1, "script": 2, "plan": 3}


def write_failure(error: OSError) -> Message:
    """The one message for a library that cannot be written: the import did nothing."""
    return Message(
        str(error.filename or locations.user_data_dir()),
        f"cannot be written ({error.strerror or error}): nothing was imported",
    )


def install(writes: list[Write], result: ImportResult) -> None:
    """Every file into a stage, then all renamed into place together (staging.py):
    a failure, or a kill, leaves the library as it was or with the whole import."""
    writes = sorted(writes, key=lambda write: _ORDER[write.kind])
    pending = [write for write in writes if write.action != "unchanged"]
    try:
        warnings = _staged_and_committed(pending)
    except OSError as error:
        result.messages.append(write_failure(error))
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


def _staged_and_committed(pending: list[Write]) -> list[str]:
    """Put ``pending`` in place; the stage's warnings (older copies it could not remove).

    Raises OSError with the library as it was: a stage that failed is discarded."""
    if not pending:
        return []
    stage = Stage.new()
    try:
        for write in pending:
            stage.add(write.target, write.data)
            for path in write.older:
                stage.remove_later(path)
        return stage.commit()
    except OSError:
        stage.discard()
        raise
