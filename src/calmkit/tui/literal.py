"""Text in the app is literal: never Textual markup, control characters made visible.

Titles, captions, notes, names and file names come from outside. As markup,
"Say [your name] quietly" loses words and "[/]" crashes the screen; raw, an
escape sequence reaches the terminal. Every widget that shows words uses these
(calmkit's own words included: one rule, nothing to remember per screen).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Label, Static

from calmkit.content.safetext import is_safe, shown

Showable = str | Text | Content
# Anything else a screen draws (a Table, a chart) is built by calmkit from its own parts.
Drawable = VisualType


def literal(text: str, style: str = "", *, lines: bool = True) -> Text:
    """Words from anywhere as a rich Text: shown exactly, with control characters visible."""
    return Text(shown(text, lines=lines), style=style)


def safe_renderable(content: Drawable) -> Drawable:
    """Anything a widget is given to show, as literal text with nothing raw left in it."""
    if isinstance(content, str):
        return literal(content)
    if isinstance(content, Text):
        if is_safe(content.plain, lines=True):
            return content
        return Text(shown(content.plain, lines=True), style=content.style)
    if isinstance(content, Content):
        if is_safe(content.plain, lines=True):
            return content
        return Content(shown(content.plain, lines=True))
    return content


class LiteralStatic(Static):
    """A Static whose content is always literal (``markup=False``, control characters visible)."""

    def __init__(self, content: Drawable = "", **kwargs: Any) -> None:  # Static's keywords
        kwargs.pop("markup", None)  # never markup, whatever a caller asks
        super().__init__(safe_renderable(content), markup=False, **kwargs)

    def update(self, content: Drawable = "", *, layout: bool = True) -> None:
        super().update(safe_renderable(content), layout=layout)


class LiteralLabel(Label):
    """A Label whose content is always literal, as LiteralStatic is."""

    def __init__(self, content: Drawable = "", **kwargs: Any) -> None:  # Static's keywords
        kwargs.pop("markup", None)  # never markup, whatever a caller asks
        super().__init__(safe_renderable(content), markup=False, **kwargs)

    def update(self, content: Drawable = "", *, layout: bool = True) -> None:
        super().update(safe_renderable(content), layout=layout)
