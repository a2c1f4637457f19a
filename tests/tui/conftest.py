"""Fixtures for the terminal app's tests.

Every test gets (from tests/conftest.py) a fresh CALMKIT_HOME and the null
audio backend. Here: an app factory with a fixed day and no sound, a
SteppedClock so a session only moves when the test says so, settings kept in
that fresh home, and a screen that never blinks, so snapshots are stable.

pytest runs ``async def`` tests here itself (``pytest_pyfunc_call`` below):
Pilot tests need an event loop and nothing more, so no async plugin is needed.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_helpers import DAY, give_plan

from calmkit import locations
from calmkit.playback.clock import SteppedClock
from calmkit.records.settings import Settings, load_settings
from calmkit.tui.app import AppOptions, CalmkitApp, make_app


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test to completion on a new event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


@pytest.fixture(autouse=True)
def steady_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor and no colour switches from the developer's shell."""
    # Every Input (the profile dialog's, the command palette's) starts not blinking.
    monkeypatch.setattr(Input.__dict__["cursor_blink"], "_default", False)
    for variable in ("NO_COLOR", "FORCE_COLOR", "TEXTUAL_THEME", "TEXTUAL_ANIMATIONS"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(autouse=True)
def isolated_settings(isolated_home: Path) -> Path:
    """settings.json lives in the test's own CALMKIT_HOME, and starts absent."""
    path = locations.settings_path()
    assert path.parent == isolated_home
    assert not path.exists()
    return path


@pytest.fixture
def saved_settings(isolated_settings: Path) -> Callable[[], Settings]:
    """Read back what the app saved (asserting that it saved something)."""

    def read() -> Settings:
        assert isolated_settings.exists(), "the app did not save settings.json"
        return load_settings(isolated_settings)

    return read


@pytest.fixture
def clock() -> SteppedClock:
    """Time moves only when the test calls ``clock.advance``."""
    return SteppedClock()


@pytest.fixture
def app_factory() -> Callable[..., CalmkitApp]:
    """``app_factory(**options)``: the app as `calmkit` builds it, for Maya on a fixed day.

    Defaults: profile Maya (given the example plan maya-8-weeks), no sound (the null backend still records every call),
    2026-11-25 (day 2 of Maya's plan). Any AppOptions field can be overridden.
    """

    def build(**overrides: object) -> CalmkitApp:
        options: dict[str, object] = {"profile": "Maya", "want_sound": False, "day": DAY}
        options.update(overrides)
        if options["profile"] == "Maya":
            # A grown-up gave Maya the example plan (P, then L): plans are never
            # guessed from their `for:` name.
            give_plan("Maya", "maya-8-weeks")
        return make_app(AppOptions(**options))  # type: ignore[arg-type]

    return build
