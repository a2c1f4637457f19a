"""One voice for every face: counts, clock times, names in a list and status words.

The command line, the app, `--plain` and every report format say these the same
way, so a psychologist reading `calmkit log` and the HTML report sees one word
for one thing. Pure text: nothing here imports the rest of calmkit."""

from __future__ import annotations

from collections.abc import Sequence

# A session's status as people read it (the journal and JSON keep the status itself).
STATUS_WORDS: dict[str, str] = {
    "completed": "completed",
    "stopped": "stopped early",
    "interrupted": "interrupted",
    "running": "playing now",
}


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 session', '3 sessions'; ``many`` for words that do not just take an s."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def clock(seconds: float) -> str:
    """mm:ss, whole seconds, never negative (a session's time done and to go)."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def joined_names(names: Sequence[str]) -> str:
    """'Maya', 'Maya and Dad', 'Maya, Dad and Sam'."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def status_word(status: str) -> str:
    """How a status reads to people; an unknown one reads as itself."""
    return STATUS_WORDS.get(status, status)


def steps_words(done: int, total: int, skipped: int | None) -> str:
    """'24/24, 23 skipped': for the psychologist (`log` and the report), never the child."""
    text = f"{done}/{total}"
    return f"{text}, {skipped} skipped" if skipped else text
