"""Text in the app is literal: never Textual markup, control characters made visible.

Titles, captions, notes, names and file names come from outside. As markup,
"Say [your name] quietly" loses words and "[/]" crashes the screen; raw, an
escape sequence reaches the terminal. Every widget that shows words uses these
(calmkit's own words included: one rule, nothing to remember per screen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


# A mixin, not a widget: Textual takes a widget's CSS from its first widget base only,
# so LiteralLabel must reach Label's (its width) through Label, not through Static.
# Type checkers see it as a Static, for the methods it calls.
if TYPE_CHECKING:
    _MixedIntoStatic = Static
else:
    _MixedIntoStatic = object


class _AlwaysLiteral(_MixedIntoStatic):
    """Content always literal (``markup=False``, control characters visible): the one
    rule LiteralStatic and LiteralLabel share."""

    def __init__(self, content: Drawable = "", **kwargs: Any) -> None:  # Static's keywords
        kwargs.pop("markup", None)  # never markup, whatever a caller asks
        super().__init__(safe_renderable(content), markup=False, **kwargs)

    def update(self, content: Drawable = "", *, layout: bool = True) -> None:
        super().update(safe_renderable(content), layout=layout)


class LiteralStatic(_AlwaysLiteral, Static):
    """A Static whose content is always literal."""


class LiteralLabel(_AlwaysLiteral, Label):
    """A Label whose content is always literal, as LiteralStatic is."""
