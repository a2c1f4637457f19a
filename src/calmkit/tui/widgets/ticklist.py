"""Things to tick whose two states differ by shape, not only by colour.

Textual's SelectionList and Checkbox draw the same ``▐X▌`` ticked or not, with
only its colour changed: with NO_COLOR, or to a child or a parent, every box
looks ticked. Here an empty box is ``[ ]`` and a ticked one ``[✓]``.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widgets import Checkbox, OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

EMPTY_BOX = "[ ]"
TICKED_BOX = "[✓]"


class TickList(SelectionList[str]):
    def _get_left_gutter_width(self) -> int:
        return len(EMPTY_BOX) + 1

    def render_line(self, y: int) -> Strip:
        # The prompt as OptionList draws it; the box in front is ours.
        line = OptionList.render_line(self, y)
        _, scroll_y = self.scroll_offset
        index = scroll_y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        ticked = selection.value in self._selected
        underlying = next(iter(line)).style or self.rich_style
        style = underlying + Style(bold=ticked, meta={"option": index})
        return Strip(
            [
                Segment(TICKED_BOX if ticked else EMPTY_BOX, style=style),
                Segment(" ", style=underlying),
                *line,
            ]
        )


class TickBox(Checkbox):
    """A Checkbox drawn ``[ ]`` or ``[✓]``."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--label")
        if self.value:
            return Content.assemble((TICKED_BOX, style + VisualStyle(bold=True)))
        return Content.assemble((EMPTY_BOX, style))
