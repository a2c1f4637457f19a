"""Shared fixtures: no test ever touches the developer's own calmkit folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh, empty CALMKIT_HOME for every test, and no real sound device."""
    home = tmp_path_factory.mktemp("calmkit-home")
    monkeypatch.setenv("CALMKIT_HOME", str(home))
    monkeypatch.setenv("CALMKIT_AUDIO", os.environ.get("CALMKIT_TEST_AUDIO", "null"))
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.delenv("CALMKIT_DEBUG", raising=False)
    return home
