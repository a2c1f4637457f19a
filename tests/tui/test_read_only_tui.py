"""The app's garden shows from a read-only data folder (a real read-only bind mount),
with a notice that nothing new can be saved."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from calmkit.records import journal as journal_module
from calmkit.records.journal import Journal, Progress

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_faults import can_mount, read_only

NOTE = "cannot be written just now, so this shows the practice journal as it is"


async def test_the_garden_shows_from_a_read_only_folder_with_a_notice(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    from calmkit.tui.app import AppOptions, make_app
    from calmkit.tui.screens.home import HomeScreen

    if not can_mount():
        pytest.fail("this test needs root and mount(8) for a real read-only folder")
    day = dt.date(2026, 11, 25)
    for offset in (0, 1):
        moment = dt.datetime.combine(day - dt.timedelta(days=offset), dt.time(17)).astimezone()
        with monkeypatch.context() as patch, Journal() as journal:
            patch.setattr(journal_module, "now", lambda moment=moment: moment)
            sid = journal.start_session("Maya", "balloon-belly", "Balloon Belly", "kid", 3)
            journal.finish_session(sid, "completed", Progress(3, 300))
    with read_only(isolated_home):
        app = make_app(AppOptions(profile="Maya", want_sound=False, day=day))
        notices: list[str] = []
        real_notify = app.notify

        def notify(message: str, **options: object) -> None:
            notices.append(message)
            real_notify(message, **options)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        async with app.run_test(size=(100, 40)) as pilot:
            for _ in range(100):
                if isinstance(app.screen, HomeScreen):
                    break
                await pilot.pause(0.05)
            garden = str(app.screen.query_one("#garden", Static).render())
            assert garden.count("✿") == 2
            await pilot.press("ctrl+q")
        assert any(NOTE in text for text in notices), notices
