"""The five check-in faces drawn big, for young children: calmkit's own simple drawings.

Not a licensed pain scale (clinical-defaults.md): plain round faces that go from
a wide smile, through a straight mouth, to worried brows and a frown. Each is 9
cells wide and 5 rows tall, so five of them, each with its number above and its
words under it, fit a 60-column window. The one-line drawings of
records/answers.py stay what `log`, history and reports show.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from calmkit.records.answers import Face

WIDTH = 9


def _face(brows: str, eyes: str, mouth: str) -> tuple[str, ...]:
    """A round head with three rows inside, each 7 cells, centred."""
    inner = WIDTH - 2
    return (
        "╭" + "─" * inner + "╮",
        "│" + brows.center(inner) + "│",
        "│" + eyes.center(inner) + "│",
        "│" + mouth.center(inner) + "│",
        "╰" + "─" * inner + "╯",
    )


# By the one-line drawing of records/answers.py, which stress and mood faces share.
PICTURES: dict[str, tuple[str, ...]] = {
    "(^‿^)": _face("", "^   ^", "╰───╯"),  # a wide smile, eyes closed and content
    "(•‿•)": _face("", "•   •", "╰─╯"),  # a small smile
    "(•_•)": _face("", "•   •", "───"),  # a straight mouth
    "(ó_ò)": _face("╱   ╲", "•   •", "╭─╮"),  # worried brows, a small frown
    "(>_<)": _face("╱   ╲", ">   <", "╭───╮"),  # eyes squeezed shut, a big frown
}


def picture(face: Face) -> tuple[str, ...]:
    """The big drawing of a face (its one-line drawing, framed, if it has none)."""
    return PICTURES.get(face.drawing) or _face("", face.drawing, "")


def faces_table(faces: tuple[Face, ...], highlighted: int | None) -> Table:
    """Five columns, each a face's number, its drawing and its words under it.

    The chosen face is drawn reversed, number, drawing and words alike, so it
    stands out by more than colour (also with NO_COLOR).
    """
    table = Table.grid(expand=True)
    for _ in faces:
        table.add_column(justify="center", ratio=1, no_wrap=True)

    def style(face: Face, base: str = "") -> str:
        return f"{base} reverse".strip() if face.number == highlighted else base

    table.add_row(*(Text(str(face.number), style=style(face, "bold")) for face in faces))
    table.add_row(*(Text("\n".join(picture(face)), style=style(face, "bold")) for face in faces))
    table.add_row(*(Text(face.words, style=style(face)) for face in faces))
    return table
