"""Who is practising: choose, add, rename or delete a profile (a name with an age, or a
grown-up), give someone a plan, or just try calmkit as a guest; and pick several
people to practise together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList
from textual.widgets.option_list import Option

from calmkit.content.library import Library
from calmkit.content.model import MAX_AGE, MIN_AGE, Plan
from calmkit.records.people import BadName, Person, age_problem, clean_name, same_name
from calmkit.tui.literal import LiteralLabel, literal
from calmkit.tui.widgets.ticklist import TickBox, TickList

NEW_PROFILE = "__new__"
GUEST_OPTION = "__guest__"
NO_PLAN = ""
FORM_HINT = "Type a name and an age, then Enter. A grown-up: Tab, then Space."
ProfileAction = Literal["switch", "add", "rename", "delete", "plan", "guest"]


@dataclass(frozen=True)
class ProfileChoice:
    name: str
    age: int | None
    action: ProfileAction = "switch"
    # For a rename: the name the profile had before.
    old_name: str | None = None
    grown_up: bool = False
    plan: str | None = None  # the plan they follow, shown beside the name


def describe(profile: ProfileChoice) -> str:
    """'(age 9)', '(grown-up)', with the plan they follow."""
    parts = ["grown-up" if profile.grown_up else (f"age {profile.age}" if profile.age else "")]
    if profile.plan:
        parts.append(f"plan {profile.plan}")
    shown = ", ".join(part for part in parts if part)
    return f"  ({shown})" if shown else ""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


class ProfileDialog(ModalScreen[ProfileChoice | None]):
    """``first=True`` is the first screen of a new calmkit: Esc starts a guest session."""

    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("r", "rename", "Rename"),
        Binding("delete,x", "delete", "Delete"),
        Binding("l", "plan", "Plan"),
        # Enter after the name, and Tab, move the focus in the app's own turn, before the
        # next key is handed on: typed quickly (or arriving together over ssh), the age
        # then lands in the age field. Textual's own moves come a moment later, after
        # keys already on their way, and "Ivy", Enter, "10" made a child called "Ivy10".
        Binding("enter", "name_done", show=False, priority=True),
        Binding("tab", "move_focus(1)", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", show=False, priority=True),
    ]

    def __init__(
        self, profiles: list[ProfileChoice], current: str | None, first: bool = False
    ) -> None:
        super().__init__()
        self.profiles = profiles
        self.current = current
        self.first = first
        # Set while the form edits an existing profile rather than adding one.
        self.renaming: ProfileChoice | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            question = "Hello! Who is practising today?" if self.first else "Who is practising?"
            yield LiteralLabel(question, id="question")
            options = [
                Option(
                    literal(
                        f"{'• ' if profile.name == self.current else '  '}{profile.name}"
                        + describe(profile),
                        lines=False,
                    ),
                    id=f"p:{profile.name}",
                )
                for profile in self.profiles
            ]
            options.append(Option("  Someone new…", id=NEW_PROFILE))
            options.append(Option("  Just trying it: a guest session", id=GUEST_OPTION))
            yield OptionList(*options, id="profiles", classes="hidden" if self._empty else "")
            with Vertical(id="new-profile", classes="" if self._empty else "hidden"):
                yield Input(placeholder="Name", id="name", max_length=40)
                yield Input(
                    placeholder=f"Age ({MIN_AGE}-{MAX_AGE})", id="age", type="integer", max_length=3
                )
                yield TickBox("A grown-up (a parent or carer: no age needed)", id="grown-up")
                with Horizontal(id="buttons"):
                    yield Button("Add", id="add", variant="primary")
                    if self.first:
                        yield Button("Just try it (guest)", id="guest")
            yield LiteralLabel(self._hint(), id="hint")

    @property
    def _empty(self) -> bool:
        return not self.profiles

    def _hint(self) -> str:
        if self.first and self._empty:
            return (
                "Type a name and an age, then Enter. A grown-up: Tab, then Space."
                " Esc: just try it as a guest."
            )
        if self.first:
            return "Enter chooses. Esc: just try it as a guest."
        return "Enter chooses. R renames, L gives a plan, X deletes. Esc goes back."

    def on_mount(self) -> None:
        if self._empty:
            self._open_form(None)

    def _highlighted(self) -> ProfileChoice | None:
        option_list = self.query_one("#profiles", OptionList)
        if option_list.highlighted is None or option_list.has_class("hidden"):
            return None
        option_id = option_list.get_option_at_index(option_list.highlighted).id or ""
        name = option_id.removeprefix("p:")
        return next((profile for profile in self.profiles if profile.name == name), None)

    def _open_form(self, profile: ProfileChoice | None) -> None:
        self.renaming = profile
        self.query_one("#new-profile").remove_class("hidden")
        # The list gives way to the form: with both, the dialog ran off an 80x24 window.
        self.query_one("#profiles", OptionList).add_class("hidden")
        if not self._empty:
            way_out = "Esc: just try it as a guest." if self.first else "Esc goes back."
            self.query_one("#hint", Label).update(f"{FORM_HINT} {way_out}")
        name, age = self.query_one("#name", Input), self.query_one("#age", Input)
        name.value = profile.name if profile else ""
        age.value = str(profile.age) if profile and profile.age else ""
        self.query_one("#grown-up", Checkbox).value = bool(profile and profile.grown_up)
        self.query_one("#add", Button).label = "Save" if profile else "Add"
        self.set_focus(name)  # at once: the first letter typed goes into the name

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW_PROFILE:
            self._open_form(None)
            return
        if event.option.id == GUEST_OPTION:
            self.dismiss(ProfileChoice("", None, "guest"))
            return
        chosen = self._highlighted()
        if chosen is not None:
            self.dismiss(chosen)

    def _typing(self) -> bool:
        return isinstance(self.focused, Input)

    def action_rename(self) -> None:
        if self._typing():
            return
        chosen = self._highlighted()
        if chosen is not None:
            self._open_form(chosen)

    def action_delete(self) -> None:
        if self._typing():
            return
        chosen = self._highlighted()
        if chosen is not None:
            self.dismiss(ProfileChoice(chosen.name, chosen.age, "delete"))

    def action_plan(self) -> None:
        if self._typing():
            return
        chosen = self._highlighted()
        if chosen is not None:
            self.dismiss(ProfileChoice(chosen.name, chosen.age, "plan", plan=chosen.plan))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        # Ticked: Enter now adds the grown-up, no age needed.
        if event.value:
            self.query_one("#add", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "name_done":
            # Only in the name field: elsewhere Enter is the list's, the age's or a button's.
            return self.focused is self.query_one("#name", Input)
        return super().check_action(action, parameters)

    def action_name_done(self) -> None:
        self.set_focus(self.query_one("#age", Input))

    def action_move_focus(self, step: int) -> None:
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # The age (Enter in the name moves on to it: action_name_done).
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self._save()
        elif event.button.id == "guest":
            self.dismiss(ProfileChoice("", None, "guest"))

    def _save(self) -> None:
        hint = self.query_one("#hint", Label)
        typed = self.query_one("#name", Input).value
        if not typed.strip():
            hint.update("A name, please (a first name or a nickname is plenty).")
            return
        try:
            name = clean_name(typed)
        except BadName as problem:
            hint.update(_sentence(str(problem)))
            self.query_one("#name", Input).focus()
            return
        age_text = self.query_one("#age", Input).value.strip()
        grown_up = self.query_one("#grown-up", Checkbox).value
        try:
            age = int(age_text) if age_text else None
        except ValueError:
            age = -1  # not a number: age_problem says what is wanted
        wrong_age = age_problem(age, grown_up)
        if wrong_age:
            hint.update(wrong_age)
            return
        if any(same_name(p.name, name) for p in self.profiles if p is not self.renaming):
            hint.update(f"There is already a {name}. Another name, please.")
            return
        if self.renaming is not None:
            self.dismiss(
                ProfileChoice(name, age, "rename", old_name=self.renaming.name, grown_up=grown_up)
            )
        else:
            self.dismiss(ProfileChoice(name, age, "add", grown_up=grown_up))

    def action_cancel(self) -> None:
        # On the very first screen, Esc is the one key to just try calmkit as a guest.
        self.dismiss(ProfileChoice("", None, "guest") if self.first else None)


class PlanDialog(ModalScreen[str | None]):
    """Give someone a plan: dismisses with its id, NO_PLAN for none, or None to go back."""

    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, person: Person, library: Library) -> None:
        super().__init__()
        self.person = person
        self.library = library

    def _option(self, plan: Plan, example: bool) -> Option:
        mark = "• " if plan.id == self.person.plan_id else "  "
        words = [f"{plan.weeks} weeks"]
        if plan.for_profile:
            words.append(f"written for {plan.for_profile}")
        if example:
            words.append("an example")
        # The `for:` comes from a file: literal, never markup.
        text = literal(f"{mark}{plan.id}  ({', '.join(words)})", lines=False)
        return Option(text, id=f"plan:{plan.id}")

    def compose(self) -> ComposeResult:
        examples = {plan.id for plan in self.library.builtin_plans()}
        plans = sorted(self.library.plans.values(), key=lambda plan: plan.id)
        with Vertical(id="dialog"):
            yield LiteralLabel(f"Which plan does {self.person.name} follow?", id="question")
            options: list[Option | None] = [
                Option(
                    literal(f"{'• ' if self.person.plan_id is None else '  '}No plan"), id="plan:"
                )
            ]
            # The psychologist's plans first, then the examples calmkit ships.
            options += [self._option(plan, False) for plan in plans if plan.id not in examples]
            options += [self._option(plan, True) for plan in plans if plan.id in examples]
            yield OptionList(*options, id="plans")
            yield LiteralLabel(
                "A grown-up chooses: a plan from the psychologist, or one of the examples."
                " Enter gives it. Esc goes back.",
                id="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#plans", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss((event.option.id or "plan:").removeprefix("plan:"))

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
                "Space picks someone. D when you're done. Someone new: Esc, then P.", id="hint"
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
