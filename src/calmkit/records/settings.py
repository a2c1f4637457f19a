"""The family's settings (volumes, their cap, the narrator, theme...), in the user's own folder.

A missing or damaged settings file reads as the defaults: a child should never
be stopped from practising by a broken preferences file.
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from calmkit import locations
from calmkit.audio.volumes import Volumes
from calmkit.content.safetext import NameProblem, clean_name

THEMES = ("calm", "high-contrast")
CAPTION_SIZES = ("large", "normal")
# An ambient bed is named like a script id; anything else in the file is not one.
_AMBIENT_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Settings:
    volumes: Volumes = field(default_factory=Volumes)
    ambient: str | None = None  # None: what the script or plan chooses
    theme: str = "calm"
    reduced_motion: bool = False
    caption_size: str = "large"
    profile: str | None = None  # who practised last, greeted next time
    narrator: str | None = None  # a voice folder; None: the one with most of a session's lines


def _clamp(value: object, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(0.0, min(1.0, float(value)))
    return default


MAX_SETTINGS_BYTES = 64 * 1024  # the file calmkit writes is well under 1 KiB


def load_settings(path: Path | None = None) -> Settings:
    """The settings in ``path``; the defaults, with one note, if it cannot be used.

    Only a regular file is read (never through a link, never a pipe that would wait
    for ever) and only up to MAX_SETTINGS_BYTES.
    """
    path = path or locations.settings_path()
    try:
        data = json.loads(locations.read_own_file(path, MAX_SETTINGS_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return Settings()
    except locations.TooLarge:
        return _defaults(path, "it is too large to be calmkit's settings (over 64 KiB)")
    except OSError as error:
        return _defaults(path, error.strerror or str(error))
    except RecursionError:
        return _defaults(path, "it is nested too deeply to be settings")
    except ValueError:
        return _defaults(path, "it is not a settings file calmkit can read (damaged JSON)")
    if not isinstance(data, dict):
        return _defaults(path, "it is not a settings file calmkit can read")
    settings = Settings()
    stored_volumes = data.get("volumes")
    if isinstance(stored_volumes, dict):
        for item in fields(Volumes):
            default = getattr(settings.volumes, item.name)
            setattr(settings.volumes, item.name, _clamp(stored_volumes.get(item.name), default))
    # Each value is checked against what it can be: a bad one is its default, never a
    # crash later (a caption size is a CSS class on the session screen).
    ambient = data.get("ambient")
    if isinstance(ambient, str) and len(ambient) <= 64 and _AMBIENT_NAME.match(ambient):
        settings.ambient = ambient
    if data.get("theme") in THEMES:
        settings.theme = data["theme"]
    if isinstance(data.get("reduced_motion"), bool):
        settings.reduced_motion = data["reduced_motion"]
    if data.get("caption_size") in CAPTION_SIZES:
        settings.caption_size = data["caption_size"]
    if isinstance(data.get("narrator"), str) and data["narrator"].strip():
        settings.narrator = data["narrator"]
    if isinstance(data.get("profile"), str):
        # A name that cannot be one: nobody is greeted, and the app asks who is practising.
        with suppress(NameProblem):
            settings.profile = clean_name(data["profile"])
    return settings


def _defaults(path: Path, why: str) -> Settings:
    locations.notice(f"{path}: {why}; the default settings are used until they are saved again")
    return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically, readable only by the user."""
    path = path or locations.settings_path()
    locations.ensure_private_dir(path.parent)
    locations.write_private(path, json.dumps(asdict(settings), indent=2) + "\n")
