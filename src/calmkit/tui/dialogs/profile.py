"""Who is practising: choose, add, rename or delete a profile (a name and an age, nothing more),
and pick several people to practise together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from calmkit.content.model import MAX_AGE, MIN_AGE
from calmkit.content.safetext import NameProblem, clean_name, same_name
from calmkit.tui.literal import LiteralLabel, literal
from calmkit.tui.widgets.ticklist import TickList

NEW_PROFILE = "__new__"
ProfileAction = Literal["switch", "add", "rename", "delete"]


@dataclass(frozen=True)
class ProfileChoice:
    name: str
    age: int | None
    action: ProfileAction = "switch"
    # For a rename: the name the profile had before.
    old_name: str | None = None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


class ProfileDialog(ModalScreen[ProfileChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("r", "rename", "Rename"),
        Binding("delete,x", "delete", "Delete"),
    ]

    def __init__(self, profiles: list[ProfileChoice], current: str | None) -> None:
        super().__init__()
        self.profiles = profiles
        self.current = current
        # Set while the form edits an existing profile rather than adding one.
        self.renaming: ProfileChoice | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield LiteralLabel("Who is practising?", id="question")
            options = [
                Option(
                    literal(
                        f"{'• ' if profile.name == self.current else '  '}{profile.name}"
                        + (f"  (age {profile.age})" if profile.age else ""),
                        lines=False,
                    ),
                    id=f"p:{profile.name}",
                )
                for profile in self.profiles
            ]
            options.append(Option("  Someone new…", id=NEW_PROFILE))
            yield OptionList(*options, id="profiles")
            with Vertical(id="new-profile", classes="hidden"):
                yield Input(placeholder="Name", id="name", max_length=40)
                yield Input(
                    placeholder=f"Age ({MIN_AGE}-{MAX_AGE})", id="age", type="integer", max_length=2
                )
                with Horizontal(id="buttons"):
                    yield Button("Add", id="add", variant="primary")
            yield LiteralLabel("Enter chooses. R renames, X deletes. Esc goes back.", id="hint")

    def _highlighted(self) -> ProfileChoice | None:
        option_list = self.query_one("#profiles", OptionList)
        if option_list.highlighted is None:
            return None
        option_id = option_list.get_option_at_index(option_list.highlighted).id or ""
        name = option_id.removeprefix("p:")
        return next((profile for profile in self.profiles if profile.name == name), None)

    def _open_form(self, profile: ProfileChoice | None) -> None:
        self.renaming = profile
        self.query_one("#new-profile").remove_class("hidden")
        name, age = self.query_one("#name", Input), self.query_one("#age", Input)
        name.value = profile.name if profile else ""
        age.value = str(profile.age) if profile and profile.age else ""
        self.query_one("#add", Button).label = "Save" if profile else "Add"
        name.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW_PROFILE:
            self._open_form(None)
            return
        chosen = self._highlighted()
        if chosen is not None:
            self.dismiss(chosen)

    def action_rename(self) -> None:
        if isinstance(self.focused, Input):
            return
        chosen = self._highlighted()
        if chosen is not None:
            self._open_form(chosen)

    def action_delete(self) -> None:
        if isinstance(self.focused, Input):
            return
        chosen = self._highlighted()
        if chosen is not None:
            self.dismiss(ProfileChoice(chosen.name, chosen.age, "delete"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "name":
            self.query_one("#age", Input).focus()
        else:
            self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self._save()

    def _save(self) -> None:
        typed = self.query_one("#name", Input).value
        age_text = self.query_one("#age", Input).value.strip()
        hint = self.query_one("#hint", Label)
        if not typed.strip():
            hint.update("A name, please (a first name or a nickname is plenty).")
            return
        try:
            name = clean_name(typed)
        except NameProblem as problem:
            hint.update(_sentence(str(problem)))
            return
        try:
            age = int(age_text)
        except ValueError:
            hint.update(f"An age from {MIN_AGE} to {MAX_AGE}, please.")
            return
        if not MIN_AGE <= age <= MAX_AGE:
            hint.update(f"An age from {MIN_AGE} to {MAX_AGE}, please.")
            return
        if any(same_name(p.name, name) for p in self.profiles if p is not self.renaming):
            hint.update(f"There is already a {name}. Another name, please.")
            return
        if self.renaming is not None:
            self.dismiss(ProfileChoice(name, age, "rename", old_name=self.renaming.name))
        else:
            self.dismiss(ProfileChoice(name, age, "add"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TogetherDialog(ModalScreen[list[str] | None]):
    """Pick everyone practising together; dismisses with their names (or None to go back)."""

    BINDINGS = [Binding("escape", "cancel", "Back"), Binding("d", "save", "Done")]

    def __init__(self, profiles: list[str], chosen: list[str]) -> None:
        super().__init__()
        self.profiles = profiles
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield LiteralLabel("Who is practising together?", id="question")
            yield TickList(
                *(
                    (literal(name, lines=False), name, name in self.chosen)
                    for name in self.profiles
                ),
                id="together-list",
            )
            yield LiteralLabel(
                "Space picks someone. D when you're done. Add people with P first.", id="hint"
            )
            with Horizontal(id="buttons"):
                yield Button("Done", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one(TickList).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(list(self.query_one(TickList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)
