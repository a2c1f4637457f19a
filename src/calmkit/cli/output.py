"""What every command prints through: the guarded streams, JSON, tables, errors and exit codes."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from calmkit.content.safetext import json_text, shown
from calmkit.playback.targets import TargetError

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


def print_json(value: object) -> None:
    sys.stdout.write(json_text(value) + "\n")


class _ShownStream(io.TextIOBase):
    """Standard output or error with every control character made visible on the way out.

    Everything the command line prints passes here, so no title, name, file name
    or value from outside can reach the terminal raw, whichever print forgot to
    call ``shown``. Newlines and tabs stay: they are calmkit's own layout. (Lines
    that must stay one line, like a problem's, call ``shown`` themselves.)
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(shown(text, lines=True))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # the wrapped stream's, read-only
        return self.stream.encoding


def terminal(stream: TextIO) -> TextIO:
    """The stream under the guard: for calmkit's own styling (Textual, rich's progress bar)."""
    return stream.stream if isinstance(stream, _ShownStream) else stream


@contextmanager
def shown_output() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout = _ShownStream(saved[0])
    sys.stderr = _ShownStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def print_error(message: str) -> None:
    print(f"calmkit: {shown(message)}", file=sys.stderr)


def report_target_error(error: TargetError) -> int:
    for problem in error.problems:
        print(problem.explained(), file=sys.stderr)
    print_error(error.message)
    return EXIT_PROBLEM


def print_table(rows: list[list[str]]) -> None:
    # Each cell one line (a name or title with NUL, CR or a newline must not break the table).
    rows = [[shown(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def kept_note(wanted: Path, out: Path) -> str:
    if out == wanted.expanduser().resolve():
        return ""
    return f" {wanted} was already there and is kept as it was (--replace overwrites it)."
