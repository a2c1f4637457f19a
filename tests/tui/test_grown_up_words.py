"""A grown-up reads grown-up words everywhere: the check-ins (test_people_tui.py), the
end screen and the plan view (N), never words written for a child ("Nice work! You
gave your body some calm time", "faces for young children", "for age 18")."""

from __future__ import annotations

from collections.abc import Callable

from test_people_tui import add_person, answer, install_tiny
from textual.widgets import Static
from tui_helpers import SIZE, give_plan, shown, wait_for_screen

from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.screens.end import PRAISE, EndScreen
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.screens.plan import PlanScreen
from doubles import ScaledClock

AppFactory = Callable[..., CalmkitApp]


async def plan_view(app: CalmkitApp) -> tuple[str, str]:
    """From home, N: the plan view's title and what the plan sets."""
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("n")
        await wait_for_screen(pilot, PlanScreen)
        title = shown(app.screen.query_one("#plan-title", Static))
        return title, shown(app.screen.query_one("#plan-settings", Static))


def texts(screen: object) -> str:
    return "\n".join(shown(widget) for widget in screen.query(Static))  # type: ignore[attr-defined]


async def test_a_grown_ups_end_screen_speaks_to_a_grown_up(app_factory: AppFactory) -> None:
    install_tiny()
    add_person("Dad", None, "grown-up")
    app = app_factory(profile="Dad", clock=ScaledClock(50))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.practise("tiny-test")
        await wait_for_screen(pilot, CheckinDialog)
        await answer(pilot, "6")
        await wait_for_screen(pilot, CheckinDialog, timeout=20)
        await answer(pilot, "3")
        await wait_for_screen(pilot, EndScreen, timeout=20)
        words = texts(app.screen)
        assert shown(app.screen.query_one("#praise", Static)) == PRAISE["grown-up"][0]
        assert shown(app.screen.query_one("#feelings", Static)) == (
            "Stress or tension, before 6 and after 3 (out of 10)."
        )
        for childs in (*PRAISE["teen"], *PRAISE["kid"], "How you felt"):
            assert childs not in words


async def test_a_grown_ups_plan_view_is_in_grown_up_words(app_factory: AppFactory) -> None:
    add_person("Dad", None, "grown-up")
    give_plan("Dad", "family-calm-8-weeks")
    title, settings = await plan_view(app_factory(profile="Dad"))
    assert title == "Your plan"
    assert "how stressed or tense (0 to 10)" in settings
    assert "Breathing keeps the usual pace for grown-ups: in for 4 seconds, out for 6." in (
        settings.replace("\n", " ")
    )
    for childs in ("for age", "faces for young children", "calm or upset", "For grown-ups"):
        assert childs not in settings + title


async def test_a_childs_plan_view_keeps_its_words_for_the_grown_ups(
    app_factory: AppFactory,
) -> None:
    title, settings = await plan_view(app_factory())  # Maya, 9, given maya-8-weeks
    assert title.startswith("For grown-ups: ")
    assert "how calm or upset" in settings


async def test_the_plan_view_names_whom_the_plan_was_given_to_not_its_for(
    app_factory: AppFactory,
) -> None:
    """family-calm-8-weeks says `for: Sam`; given to Leo, it is Leo's plan."""
    add_person("Leo", 7)
    give_plan("Leo", "family-calm-8-weeks")
    title, _ = await plan_view(app_factory(profile="Leo"))
    assert title == "For grown-ups: Leo's plan"
