"""Settings: saved privately, read back, and a damaged file never stops a session."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from calmkit.records.settings import Settings, load_settings, save_settings


def test_settings_round_trip_privately(isolated_home: Path) -> None:
    settings = Settings()
    settings.volumes.voice = 0.8
    settings.volumes.cap = 0.6
    settings.reduced_motion = True
    save_settings(settings)
    path = isolated_home / "settings.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(isolated_home.stat().st_mode) == 0o700
    again = load_settings()
    assert again.volumes.voice == 0.8
    assert again.volumes.effective("voice") == 0.6  # under the cap
    assert again.reduced_motion is True


def test_damaged_or_odd_settings_read_as_defaults(isolated_home: Path) -> None:
    path = isolated_home / "settings.json"
    path.write_text("{ not json", encoding="utf-8")
    assert load_settings() == Settings()
    path.write_text(json.dumps({"volumes": {"voice": 7, "ambient": "loud", "cap": -1}}))
    settings = load_settings()
    assert settings.volumes.voice == 1.0  # clamped into 0..1
    assert settings.volumes.ambient == Settings().volumes.ambient  # not a number: default
    assert settings.volumes.cap == 0.0
