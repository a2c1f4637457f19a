"""Choosing who is practising, or adding someone new (a name and an age, nothing more)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from calmkit.content.model import MAX_AGE, MIN_AGE

NEW_PROFILE = "__new__"


@dataclass(frozen=True)
class ProfileChoice:
    name: str
    age: int | None


class ProfileDialog(ModalScreen[ProfileChoice | None]):
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, profiles: list[ProfileChoice], current: str | None) -> None:
        super().__init__()
        self.profiles = profiles
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Who is practising?", id="question")
            options = [
                Option(
                    f"{'• ' if profile.name == self.current else '  '}{profile.name}"
                    + (f"  (age {profile.age})" if profile.age else ""),
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
            yield Label("", id="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id == NEW_PROFILE:
            self.query_one("#new-profile").remove_class("hidden")
            self.query_one("#name", Input).focus()
            return
        name = option_id.removeprefix("p:")
        chosen = next(profile for profile in self.profiles if profile.name == name)
        self.dismiss(chosen)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "name":
            self.query_one("#age", Input).focus()
        else:
            self._add()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self._add()

    def _add(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        age_text = self.query_one("#age", Input).value.strip()
        hint = self.query_one("#hint", Label)
        if not name:
            hint.update("A name, please (a first name or a nickname is plenty).")
            return
        try:
            age = int(age_text)
        except ValueError:
            hint.update(f"An age from {MIN_AGE} to {MAX_AGE}, please.")
            return
        if not MIN_AGE <= age <= MAX_AGE:
            hint.update(f"An age from {MIN_AGE} to {MAX_AGE}, please.")
            return
        self.dismiss(ProfileChoice(name, age))

    def action_cancel(self) -> None:
        self.dismiss(None)
