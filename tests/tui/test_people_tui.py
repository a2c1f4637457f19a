"""Who practises, in the terminal app: the first start, guests, grown-ups, plans given on
the profile, and profiles in use (deleted here mid-session, or in another window)."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Checkbox, Label, OptionList, Static
from tui_helpers import SIZE, shown, wait_for_screen, wait_until

from calmkit import locations
from calmkit.playback.clock import SteppedClock
from calmkit.records.journal import Journal
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.activities import ActivitiesDialog
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.confirm import ConfirmDialog
from calmkit.tui.dialogs.profile import PlanDialog, ProfileDialog
from calmkit.tui.screens.end import EndScreen
from calmkit.tui.screens.history import HistoryScreen
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.screens.session import SessionScreen
from doubles import ScaledClock

AppFactory = Callable[..., CalmkitApp]

TINY = """\
calmkit: 1
id: tiny-test
title: Tiny Test
kind: breathing
ages: 4-18
steps:
  - say:
      young: Hello, little one
      kid: Hi
      teen: Hey
      together: Hi, everyone
    pause: 0.2
  - breathe: {in: 1, out: 1, count: 1}
"""


def install_tiny() -> None:
    folder = locations.ensure_private_dir(locations.user_scripts_dir())
    (folder / "tiny.yaml").write_text(TINY, "utf-8")


def add_person(name: str, age: int | None, kind: str = "child") -> None:
    with Journal() as journal:
        journal.ensure_profile(name, age, kind)  # type: ignore[arg-type]


def greeting(app: CalmkitApp) -> str:
    if not isinstance(app.screen, HomeScreen):
        return ""
    return shown(app.screen.query_one("#greeting", Static))


async def answer(pilot: Pilot, *keys: str) -> None:
    dialog = pilot.app.screen
    await pilot.press(*keys)
    await wait_until(pilot, lambda: pilot.app.screen is not dialog, "the next screen")


# --- the first start ------------------------------------------------------------------------


async def test_esc_on_the_first_screen_is_a_guest_session_shown_in_history(
    app_factory: AppFactory,
) -> None:
    install_tiny()
    messages: list[Message] = []
    app = app_factory(profile=None, clock=ScaledClock(50))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, ProfileDialog)
        hint = shown(app.screen.query_one("#hint", Label))
        assert "Esc: just try it as a guest" in hint
        await answer(pilot, "escape")
        await wait_until(pilot, lambda: "guest session" in greeting(app), "the guest greeting")
        assert greeting(app) == "Hello! This is a guest session: P to practise as yourself."
        assert app.profile == "Guest" and app.age is None
        # No garden and no age: every script is listed, spoken for its youngest age.
        assert not app.screen.query("#garden")
        assert app.screen.ages == []  # type: ignore[attr-defined]
        app.practise("tiny-test")
        # A guest is asked nothing: straight to the session, then the end.
        await wait_for_screen(pilot, EndScreen, timeout=20)
        assert not [m for m in messages if isinstance(m, CheckinDialog)]
        await pilot.press("enter")
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("h")
        await wait_for_screen(pilot, HistoryScreen)
        assert shown(app.screen.query_one("#history-title", Static)) == "Guest's practice"
    with Journal() as journal:
        [session] = journal.sessions()
        [guest] = journal.profiles()
    assert (session.profile, session.profile_kind, session.checkins) == ("Guest", "guest", ())
    assert (guest.name, guest.kind) == ("Guest", "guest")
    # The guest is not remembered: the next start asks again.
    assert not locations.settings_path().exists() or "Guest" not in (
        locations.settings_path().read_text()
    )


async def test_a_family_with_people_but_nobody_chosen_is_asked_to_choose(
    app_factory: AppFactory,
) -> None:
    add_person("Noah", 8)
    add_person("Ava", 12)
    app = app_factory(profile=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ProfileDialog)
        profiles = app.screen.query_one("#profiles", OptionList)
        assert [str(profiles.get_option_at_index(i).prompt) for i in range(4)] == [
            "  Ava  (age 12)",
            "  Noah  (age 8)",
            "  Someone new…",
            "  Just trying it: a guest session",
        ]
        await answer(pilot, "down", "enter")
        await wait_until(pilot, lambda: greeting(app) == "Hi, Noah!", "Noah's greeting")
        assert app.age == 8


# --- plans are given, never guessed -----------------------------------------------------------


async def test_a_child_named_like_an_example_plan_gets_no_plan(app_factory: AppFactory) -> None:
    # The built-in example alex-teen-8-weeks says `for: Alex`: a real Alex, 11, is not
    # given a stranger's plan (its gentle and skipped areas, its start, its note).
    app = app_factory(profile="Alex", age=11)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert app.active_plan is None and home.today.plan is None
        assert not home.query("#plan-note")
        assert app.age == 11


async def test_a_grown_up_gives_a_plan_on_the_profile_and_changing_it_asks(
    app_factory: AppFactory,
) -> None:
    add_person("Sam", 7)
    app = app_factory(profile="Sam")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert app.active_plan is None
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        await pilot.press("home", "l")
        await wait_for_screen(pilot, PlanDialog)
        plans = app.screen.query_one("#plans", OptionList)
        prompts = [str(plans.get_option_at_index(i).prompt) for i in range(plans.option_count)]
        assert prompts[0] == "• No plan"
        family = next(p for p in prompts if "family-calm-8-weeks" in p)
        assert "written for Sam" in family and "an example" in family
        plans.highlighted = prompts.index(family)
        await answer(pilot, "enter")
        await wait_for_screen(pilot, HomeScreen)
        await wait_until(pilot, lambda: app.active_plan is not None, "Sam's plan")
        assert app.active_plan is not None and app.active_plan.id == "family-calm-8-weeks"
        # Another plan for someone who has one: asked first, and Keep keeps it.
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        await pilot.press("home", "l")
        await wait_for_screen(pilot, PlanDialog)
        await answer(pilot, "home", "enter")  # No plan
        await wait_for_screen(pilot, ConfirmDialog)
        assert "Sam follows the plan 'family-calm-8-weeks' now" in shown(
            app.screen.query_one(Label)
        )
        await answer(pilot, "n")
        await wait_for_screen(pilot, HomeScreen)
        assert app.active_plan is not None
    with Journal() as journal:
        record = journal.profile("Sam")
    assert record is not None and record.plan == "family-calm-8-weeks"
    # It survives a restart.
    again = app_factory(profile="Sam")
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert again.active_plan is not None and again.active_plan.id == "family-calm-8-weeks"


# --- grown-ups --------------------------------------------------------------------------------


async def test_a_grown_up_is_asked_as_a_grown_up(app_factory: AppFactory) -> None:
    install_tiny()
    add_person("Maya", 9)
    app = app_factory(profile="Maya", clock=ScaledClock(50))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        dialog = app.screen
        await pilot.press("end", "up", "enter")  # Someone new…
        await pilot.press(*"Dad", "enter", "tab", "space")
        assert dialog.query_one("#grown-up", Checkbox).value
        await answer(pilot, "enter")
        await wait_until(pilot, lambda: greeting(app) == "Hi, Dad!", "Dad's greeting")
        # A grown-up hears what the oldest tier hears, and sees its scripts.
        assert app.person is not None and app.person.grown_up
        assert app.age == 18
        app.practise("tiny-test")
        await wait_for_screen(pilot, CheckinDialog)
        question = shown(app.screen.query_one("#question", Label))
        assert question == "Before we begin: how stressed or tense do you feel right now?"
        scale = str(app.screen.query_one("#scale", Static).render())
        assert "relaxed" in scale and "(^‿^)" not in scale
        await answer(pilot, "2")
        await wait_for_screen(pilot, CheckinDialog, timeout=20)
        await answer(pilot, "1")
        # No activities question: the default check-in is not the grown-up's plan asking.
        await wait_for_screen(pilot, EndScreen, timeout=20)
    with Journal() as journal:
        dad = journal.profile("Dad")
        [session] = journal.sessions()
        daily = journal.checkins(moment="daily")
    assert dad is not None and (dad.kind, dad.age) == ("grown-up", None)
    assert session.tier == "teen" and session.profile_kind == "grown-up"
    assert [(c.moment, c.value) for c in session.checkins] == [("before", 2), ("after", 1)]
    assert daily == []


async def test_together_a_grown_up_and_a_young_child_get_the_childs_tier_each_their_own_questions(
    app_factory: AppFactory,
) -> None:
    install_tiny()
    add_person("Mum", 41, "grown-up")
    add_person("Leo", 6)
    messages: list[Message] = []
    app = app_factory(profile="Mum", together_with=["Leo"], clock=ScaledClock(50))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert app.age == 6  # the youngest child's, not the grown-up's
        app.practise("tiny-test")
        await wait_for_screen(pilot, CheckinDialog)
        mum = app.screen
        assert shown(mum.query_one("#question", Label)).startswith("Mum: Before we begin")
        assert not mum.faces  # type: ignore[attr-defined]
        await answer(pilot, "3")
        await wait_for_screen(pilot, CheckinDialog)
        leo = app.screen
        assert leo.faces  # type: ignore[attr-defined]  # six: the faces
        assert shown(leo.query_one("#question", Label)).startswith("Leo: Before we start")
        await answer(pilot, "2")
        for key in ("1", "1"):
            await wait_for_screen(pilot, CheckinDialog, timeout=20)
            await answer(pilot, key)
        # Only Leo is asked what he did today.
        await wait_for_screen(pilot, ActivitiesDialog)
        assert shown(app.screen.query_one("#question", Label)).startswith("Leo: ")
        await answer(pilot, "d")
        await wait_for_screen(pilot, EndScreen)
    with Journal() as journal:
        sessions = journal.sessions()
    assert [(s.profile, s.tier, s.profile_kind) for s in sessions] == [
        ("Mum", "young", "grown-up"),
        ("Leo", "young", "child"),
    ]


# --- profiles in use --------------------------------------------------------------------------


async def test_the_palette_cannot_delete_who_is_practising(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    install_tiny()
    add_person("Maya", 9)
    app = app_factory(profile="Maya", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.practise("tiny-test", ask_before=False)
        await wait_for_screen(pilot, SessionScreen)
        # The command palette reaches the profile dialog over the session.
        app.action_switch_profile()
        await wait_for_screen(pilot, ProfileDialog)
        await pilot.press("home", "x")
        await wait_until(
            pilot,
            lambda: any("Maya is practising right now" in n.message for n in app._notifications),
            "the refusal",
        )
        assert not isinstance(app.screen, ConfirmDialog)
    with Journal() as journal:
        assert journal.profile("Maya") is not None
        assert [s.profile for s in journal.sessions()] == ["Maya"]


async def test_deleted_in_another_window_mid_session_nothing_is_written_and_no_sqlite_words(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    install_tiny()
    add_person("Maya", 9)
    app = app_factory(profile="Maya", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.practise("tiny-test")
        await wait_for_screen(pilot, CheckinDialog)
        await answer(pilot, "4")
        await wait_for_screen(pilot, SessionScreen)
        # Another calmkit on the same data folder forgets Maya while she practises
        # (as `calmkit forget --profile Maya --yes` would, had the session not been seen).
        with Journal() as other:
            other.forget_profile("Maya", even_if_playing=True)
        clock.advance(60)  # to the end of the session
        await wait_for_screen(pilot, CheckinDialog, timeout=20)
        await answer(pilot, "2")
        await wait_for_screen(pilot, ActivitiesDialog)
        await answer(pilot, "1", "d")
        await wait_for_screen(pilot, EndScreen)
        said = " ".join(n.message for n in app._notifications)
        assert "Maya's profile was deleted (perhaps in another calmkit window)" in said
        assert "FOREIGN KEY" not in said and "constraint" not in said
        await pilot.press("enter")
        # Home again: Maya is gone, so Start asks who is practising.
        await wait_for_screen(pilot, HomeScreen)
        app.practise("tiny-test")
        await wait_for_screen(pilot, ProfileDialog)
    with Journal() as journal:
        assert journal.profiles() == []
        assert journal.sessions() == []
        assert journal.checkins() == []


async def test_another_window_cannot_delete_someone_practising_here(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    install_tiny()
    add_person("Maya", 9)
    app = app_factory(profile="Maya", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.practise("tiny-test", ask_before=False)
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: bool(app.active_log and app.active_log.session_ids), "row")
        with Journal() as other:
            assert other.playing_now("maya")
        await pilot.press("q")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for_screen(pilot, CheckinDialog, timeout=20)
        with Journal() as journal:
            assert not journal.playing_now("Maya")
            [session] = journal.sessions()
        assert session.status == "stopped"
