"""Check-in answers match what was meant: 1 then 0 is ten, arrows and Enter choose,
faces stay faces, and history draws exactly what was answered (issue 11, situations 2, 9).

Each test runs the real app headless, records its messages (``message_hook``),
and drives the dialog with keys as a child would.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from textual.geometry import Region
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Label, Static
from tui_helpers import DAY, SIZE, on_screen, shown, wait_for_screen, wait_until

from calmkit.records import journal as journal_module
from calmkit.records.answers import STRESS_FACES, Answer
from calmkit.records.checkins import Question
from calmkit.records.journal import Progress
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.checkin import HINT_ONE, SECOND_DIGIT_WAIT, CheckinDialog
from calmkit.tui.screens.history import ZERO_MARK, HistoryScreen
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.widgets.faces import picture

AppFactory = Callable[..., CalmkitApp]


async def answer_with(
    app: CalmkitApp, pilot: Pilot, keys: tuple[str, ...], young: bool = False, item: str = "stress"
) -> Answer | None:
    """Open the check-in on the home screen, press ``keys``, return what it dismissed with."""
    results: list[Answer | None] = []
    await wait_for_screen(pilot, HomeScreen)
    app.push_screen(
        CheckinDialog(Question("Sam", "before", item, None, young, False)), results.append
    )
    await wait_for_screen(pilot, CheckinDialog)
    await pilot.press(*keys)
    await wait_until(pilot, lambda: results, "the answer", timeout=5)
    return results[0]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("1", "0"), Answer(10, "numbers")),  # a teen's 10 is 10, not 1
        (("7",), Answer(7, "numbers")),  # no longer number starts with 7: at once
        (("0",), Answer(0, "numbers")),
        (("1", "enter"), Answer(1, "numbers")),
        (("1", "4"), Answer(4, "numbers")),  # no 14: the 4 starts afresh
        (("right", "right", "enter"), Answer(6, "numbers")),  # arrows start in the middle
        (("left", "left", "left", "left", "left", "left", "enter"), Answer(0, "numbers")),
        (("right",) * 9 + ("enter",), Answer(10, "numbers")),
    ],
)
async def test_numbers_mean_what_was_typed(
    app_factory: AppFactory, keys: tuple[str, ...], expected: Answer
) -> None:
    messages: list[Message] = []
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        assert await answer_with(app, pilot, keys) == expected


async def test_a_lone_1_waits_a_moment_then_answers_1(app_factory: AppFactory) -> None:
    app = app_factory()
    results: list[Answer | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.push_screen(
            CheckinDialog(Question("Sam", "after", "stress", None, False, False)), results.append
        )
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.press("1")
        # Still asking: a 0 may follow. The hint says so.
        assert isinstance(app.screen, CheckinDialog) and not results
        assert shown(app.screen.query_one("#hint", Label)) == HINT_ONE
        await pilot.pause(SECOND_DIGIT_WAIT + 0.3)
        await wait_until(pilot, lambda: results, "the answer")
    assert results == [Answer(1, "numbers")]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("4",), Answer(4, "faces")),
        (("1",), Answer(1, "faces")),  # only five faces: 1 answers at once
        (("right", "enter"), Answer(3, "faces")),  # the first arrow lands on the middle face
        (("right", "right", "enter"), Answer(4, "faces")),
        (("left", "left", "left", "enter"), Answer(1, "faces")),
    ],
)
async def test_faces_answer_with_keys_or_arrows_and_stay_faces(
    app_factory: AppFactory, keys: tuple[str, ...], expected: Answer
) -> None:
    app = app_factory(profile="Leo", age=6)
    async with app.run_test(size=SIZE) as pilot:
        assert await answer_with(app, pilot, keys, young=True) == expected


async def test_enter_with_nothing_chosen_and_keys_off_the_faces_do_nothing(
    app_factory: AppFactory,
) -> None:
    app = app_factory(profile="Leo", age=6)
    results: list[Answer | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.push_screen(
            CheckinDialog(Question("Sam", "before", "stress", None, True, False)), results.append
        )
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.press("enter", "7", "0")
        await pilot.pause()
        assert isinstance(app.screen, CheckinDialog) and results == []
        # The arrows show which face is chosen before Enter takes it.
        await pilot.press("right", "right")
        scale = app.screen.query_one("#scale", Static)
        rows = scale.render_lines(Region(0, 0, scale.size.width, scale.size.height))
        marked = [
            "".join(segment.text for segment in row if segment.style and segment.style.reverse)
            for row in rows
        ]
        # The whole fourth face is marked: its number, its drawing and its words.
        assert [line.strip() for line in marked if line.strip()] == [
            "4",
            *picture(STRESS_FACES[3]),
            "upset",
        ]
        await pilot.press("s")
        await wait_until(pilot, lambda: results, "the skip")
    assert results == [None]


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=["60x20", "80x24"])
async def test_young_children_see_five_big_faces_each_with_its_words_under_it(
    app_factory: AppFactory, size: tuple[int, int]
) -> None:
    """Faces big enough to read at a glance: several rows each, never one line of
    punctuation, with the number above and the words under each, all inside the window."""
    app = app_factory(profile="Leo", age=6)
    async with app.run_test(size=size) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.push_screen(CheckinDialog(Question("Sam", "before", "stress", None, True, False)))
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.pause()
        dialog = app.screen.query_one("#dialog")
        width, height = size
        assert dialog.region.right <= width and dialog.region.bottom <= height
        scale = app.screen.query_one("#scale", Static)
        lines = on_screen(scale).splitlines()
        drawings = [picture(face) for face in STRESS_FACES]
        tall = len(drawings[0])
        assert tall >= 5 and all(len(drawing) == tall for drawing in drawings)
        assert len(lines) == 1 + tall + 1, lines
        numbers, rows, words = lines[0], lines[1 : 1 + tall], lines[-1]
        assert numbers.split() == ["1", "2", "3", "4", "5"]
        tops = [found.start() for found in re.finditer(re.escape(drawings[0][0]), rows[0])]
        assert len(tops) == 5, rows[0]
        for face, drawing, column in zip(STRESS_FACES, drawings, tops, strict=True):
            # Each face's rows are drawn whole, one above the other in the same columns...
            for row, part in zip(rows, drawing, strict=True):
                assert row[column : column + len(part)] == part, (face.words, rows)
            # ... with its number above and its words under it, centred on it.
            middle = column + len(drawing[0]) / 2
            at = words.index(face.words, max(0, column - 2))
            assert abs(at + len(face.words) / 2 - middle) <= 1.5, (face.words, words)
            assert abs(numbers.index(str(face.number)) + 0.5 - middle) <= 1.5
        # The question and the way out stay whole above and below.
        assert "how calm or upset" in shown(app.screen.query_one("#question", Label))
        assert "S or Esc skips" in shown(app.screen.query_one("#hint", Label))


def test_the_upset_faces_frown_and_the_calm_ones_smile() -> None:
    very_calm, calm, between, upset, very_upset = (picture(face) for face in STRESS_FACES)
    assert "╰───╯" in very_calm[3] and "╰─╯" in calm[3] and "───" in between[3]
    assert "╭─╮" in upset[3] and "╭───╮" in very_upset[3]
    # Worried brows only on the upset faces.
    assert "╱" in upset[1] and "╱" in very_upset[1] and "╱" not in "".join(calm + very_calm)


# --- history draws what was answered ---------------------------------------------------


def practised(
    monkeypatch: pytest.MonkeyPatch,
    days_ago: int,
    answers: list[tuple[str, int, str]],
) -> None:
    moment = dt.datetime.combine(DAY - dt.timedelta(days=days_ago), dt.time(17)).astimezone()
    with monkeypatch.context() as patch, journal_module.Journal() as journal:
        patch.setattr(journal_module, "now", lambda: moment)
        sid = journal.start_session("Maya", "balloon-belly", "Balloon Belly", "kid", 3)
        journal.finish_session(sid, "completed", Progress(3, 420))
        for moment_name, value, scale in answers:
            journal.add_checkin("Maya", moment_name, "stress", value, sid, scale=scale)


async def test_history_draws_missing_as_missing_zero_as_a_bar_and_faces_as_faces(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three days: 7 before and nothing after; 5 before and 0 ("very calm") after;
    # and two faces (the time Maya's younger brother's profile was used, say).
    practised(monkeypatch, 3, [("before", 7, "numbers")])
    practised(monkeypatch, 2, [("before", 5, "numbers"), ("after", 0, "numbers")])
    practised(monkeypatch, 1, [("before", 4, "faces"), ("after", 1, "faces")])
    app = app_factory()
    async with app.run_test(size=(100, 60)) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("h")
        await wait_for_screen(pilot, HistoryScreen)
        numbers = on_screen(app.screen.query_one("#stress-chart", Static)).splitlines()
        faces = on_screen(app.screen.query_one("#stress-faces-chart", Static)).splitlines()
    header, first, second = numbers[:3]
    assert header.split() == ["before", "after"]
    # Missing is a dash with words, never a 0.
    assert first.split()[-5:] == ["█" * 14, "7", "–", "not", "answered"]
    # 0 after is a visible mark with its number.
    assert second.split()[-4:] == ["█" * 10, "5", ZERO_MARK, "0"]
    assert numbers[3] == "0 is calm, 10 is most upset."
    # Faces are drawn as faces with their words, not as bars on the thermometer.
    assert "(ó_ò) upset" in faces[1] and "(^‿^) very calm" in faces[1]
    assert faces[2] == "Answered with faces."


# --- a grown-up's mood: numbers on mood's own scale, 1 to 5 ----------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("0", "6", "7", "8", "9", "3"), Answer(3, "numbers")),  # off the scale: nothing
        (("5",), Answer(5, "numbers")),
        (("1",), Answer(1, "numbers")),  # no 10 on this scale: 1 answers at once
        (("right", "enter"), Answer(3, "numbers")),  # the first arrow lands on the middle
        (("right",) * 9 + ("enter",), Answer(5, "numbers")),
    ],
)
async def test_a_grown_ups_mood_is_asked_on_its_own_scale(
    app_factory: AppFactory, keys: tuple[str, ...], expected: Answer
) -> None:
    app = app_factory()
    results: list[Answer | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.push_screen(
            CheckinDialog(Question("Alex", "after", "mood", None, False, grown_up=True)),
            results.append,
        )
        await wait_for_screen(pilot, CheckinDialog)
        assert shown(app.screen.query_one("#hint", Label)).startswith("Type a number from 1 to 5,")
        await pilot.press(*keys)
        await wait_until(pilot, lambda: results, "the answer", timeout=5)
    assert results == [expected]
