"""Sound output behind a small interface: pygame's mixer, or a silent null backend.

The session player only ever talks to ``AudioBackend``. pygame is imported
inside ``PygameBackend.open`` so that commands which never play sound start
fast, and so that a machine without pygame or without a sound device still
runs every session with captions only.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal, cast

from calmkit.audio.rates import SAMPLE_RATE

Group = Literal["voice", "ambient", "cues"]
GROUPS: tuple[Group, ...] = ("voice", "ambient", "cues")

SAMPLE_SIZE = -16  # signed 16-bit
OUTPUT_CHANNELS = 2
# 512 frames = 11.6 ms: a clip starts at most one buffer after it was asked for.
BUFFER_FRAMES = 512
# Two mixer channels for cues, so a chime's long tail is not cut by a breath tone.
GROUP_CHANNELS: dict[Group, int] = {"voice": 1, "ambient": 1, "cues": 2}
# Enough decoded clips for the next few lines, without holding a whole session in memory.
CACHE_CLIPS = 12
RAMP_STEP_SECONDS = 0.02

NO_DEVICE_NOTICE = "no sound device found, showing captions only"
DEVICE_GONE = "the sound device went away"


class AudioUnavailable(Exception):
    """No sound can be played here; the message says why, for the user."""


class ClipUnavailable(Exception):
    """One clip cannot be read or decoded: its line is shown as a caption only."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{os.path.basename(path)} could not be played ({reason})")
        self.path = path


@dataclass
class BackendStatus:
    backend: str
    device: str
    ok: bool
    notice: str | None = None


class AudioBackend(ABC):
    """Three groups of channels (voice, ambient, cues), each with its own volume."""

    name: str = "abstract"

    @abstractmethod
    def open(self) -> None:
        """Start the output; raises AudioUnavailable."""

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def device(self) -> str: ...

    @abstractmethod
    def preload(self, path: str) -> None:
        """Decode a clip ahead of its cue so starting it costs nothing."""

    @abstractmethod
    def play(
        self, group: Group, path: str, volume: float = 1.0, loop: bool = False, fade_in: float = 0.0
    ) -> None: ...

    @abstractmethod
    def stop(self, group: Group, fade_out: float = 0.0) -> None: ...

    @abstractmethod
    def set_volume(self, group: Group, volume: float, ramp: float = 0.0) -> None:
        """Set a group's volume (0..1), gliding over ``ramp`` seconds to avoid clicks."""

    @abstractmethod
    def pause_all(self) -> None: ...

    @abstractmethod
    def resume_all(self) -> None: ...

    @abstractmethod
    def stop_all(self) -> None: ...

    @abstractmethod
    def busy(self, group: Group) -> bool: ...

    def check(self) -> None:  # noqa: B027 - optional: most outputs cannot tell
        """Raise AudioUnavailable if the output went away since it opened (cheap; polled)."""


@dataclass
class NullBackend(AudioBackend):
    """Plays nothing: the fallback when there is no sound (captions only).

    It keeps what each group would be playing (the player asks whether the voice is
    still busy) and at what volume. Tests record its calls with tests/doubles.py's
    SpyBackend.
    """

    name: str = "null"
    volumes: dict[str, float] = field(default_factory=lambda: dict.fromkeys(GROUPS, 1.0))
    playing: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(GROUPS))

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    @property
    def device(self) -> str:
        return "none"

    def preload(self, path: str) -> None:
        pass

    def play(
        self, group: Group, path: str, volume: float = 1.0, loop: bool = False, fade_in: float = 0.0
    ) -> None:
        self.playing[group] = path

    def stop(self, group: Group, fade_out: float = 0.0) -> None:
        self.playing[group] = None

    def set_volume(self, group: Group, volume: float, ramp: float = 0.0) -> None:
        self.volumes[group] = volume

    def pause_all(self) -> None:
        pass

    def resume_all(self) -> None:
        pass

    def stop_all(self) -> None:
        self.playing = dict.fromkeys(GROUPS)

    def busy(self, group: Group) -> bool:
        return self.playing[group] is not None


SDL_AUDIO_STOPPED = 0
SDL_AUDIO_PLAYING = 1
# SDL numbers opened devices from 1 (the legacy device) up; SDL_mixer's is usually 2.
SDL_DEVICE_IDS = range(1, 17)
_SDL_LIBRARY = re.compile(r"^(lib)?SDL2(-2[.-].*|\.dll)$")


class SdlDeviceWatch:
    """Tells when SDL has lost the sound device the mixer opened.

    When the output goes away mid-session (the PulseAudio server ends, a USB
    headset is pulled), SDL marks the device disconnected and from then on
    feeds the mixer into nothing: every pygame call still succeeds, clips even
    "finish" on time, and nothing is heard. pygame exposes no way to notice;
    SDL's own SDL_GetAudioDeviceStatus does (the device goes from PLAYING to
    STOPPED). It is read here through ctypes from the very SDL library pygame
    has loaded. If that library cannot be found, or no device reads as playing
    right after the mixer opened, this watch reports nothing, ever.
    """

    def __init__(self, pygame_dir: str | None) -> None:
        self._status: Any = None
        self._devices: list[int] = []
        try:
            path = self._loaded_sdl(pygame_dir)
            if path is not None:
                function = ctypes.CDLL(path).SDL_GetAudioDeviceStatus
                function.argtypes = [ctypes.c_uint32]
                function.restype = ctypes.c_int
                self._status = function
        except (OSError, AttributeError):
            self._status = None

    @staticmethod
    def _loaded_sdl(pygame_dir: str | None) -> str | None:
        """The SDL2 library in this process (Linux), else the one shipped inside pygame."""
        try:
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
                for line in maps:
                    path = line.split(maxsplit=5)[-1].strip()
                    if _SDL_LIBRARY.match(os.path.basename(path)) and os.path.isfile(path):
                        return path
        except OSError:
            pass
        if pygame_dir is None:
            return None
        for folder in (pygame_dir, pygame_dir + ".libs", os.path.join(pygame_dir, ".dylibs")):
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for name in names:
                if _SDL_LIBRARY.match(name):
                    return os.path.join(folder, name)
        return None

    def opened(self) -> None:
        """Note the devices playing now, right after the mixer opened."""
        self._devices = []
        if self._status is not None:
            self._devices = [
                device for device in SDL_DEVICE_IDS if self._status(device) == SDL_AUDIO_PLAYING
            ]

    @property
    def watching(self) -> bool:
        return bool(self._devices)

    def lost(self) -> bool:
        return bool(self._devices) and all(
            self._status(device) == SDL_AUDIO_STOPPED for device in self._devices
        )


def import_pygame() -> ModuleType:
    """pygame, imported without setuptools' ``pkg_resources``.

    pygame's ``__init__`` imports pkg_resources whenever setuptools is installed
    (as in every Python 3.11 venv) only to find its own icon and font files, and
    falls back to plain file paths without it. Importing it costs about 10 MB
    and 0.17 s, a ninth of the memory target, for nothing calmkit uses: it is
    blocked (an ImportError) for the length of pygame's import only.
    """
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    block = "pygame" not in sys.modules and "pkg_resources" not in sys.modules
    if block:
        # None there makes the import raise ImportError (documented); typeshed wants a module
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import pygame
    finally:
        if block and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    return pygame


class PygameBackend(AudioBackend):
    """pygame's mixer: SAMPLE_RATE (44100 Hz), signed 16-bit, stereo, a 512-frame buffer."""

    name = "pygame"

    def __init__(self) -> None:
        self._mixer: Any = None
        self._channels: dict[Group, list[Any]] = {}
        self._volumes: dict[Group, float] = dict.fromkeys(GROUPS, 1.0)
        self._sounds: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.RLock()
        self._ramps: dict[Group, int] = dict.fromkeys(GROUPS, 0)
        # Fades are a gain of their own, multiplied with the (ducked) volume: pygame's
        # own fades would override the volume, and an ambient bed fading out under a
        # voice would come up from under it.
        self._fade_gain: dict[Group, float] = dict.fromkeys(GROUPS, 1.0)
        self._fades: dict[Group, int] = dict.fromkeys(GROUPS, 0)
        self._applied: dict[Group, float] = dict.fromkeys(GROUPS, 1.0)
        # A pause holds fades too: a bed paused mid-fade resumes fading on resume.
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._device = "unknown"
        self._watch: SdlDeviceWatch | None = None
        self._gone = False

    def open(self) -> None:
        try:
            pygame = import_pygame()
        except ImportError as error:
            raise AudioUnavailable(f"pygame is not installed ({error})") from error
        try:
            pygame.mixer.pre_init(SAMPLE_RATE, SAMPLE_SIZE, OUTPUT_CHANNELS, BUFFER_FRAMES)
            pygame.mixer.init(SAMPLE_RATE, SAMPLE_SIZE, OUTPUT_CHANNELS, BUFFER_FRAMES)
        except pygame.error as error:
            raise AudioUnavailable(NO_DEVICE_NOTICE) from error
        self._mixer = pygame.mixer
        total = sum(GROUP_CHANNELS.values())
        pygame.mixer.set_num_channels(max(8, total))
        pygame.mixer.set_reserved(total)
        index = 0
        for group, count in GROUP_CHANNELS.items():
            self._channels[group] = [
                pygame.mixer.Channel(index + offset) for offset in range(count)
            ]
            index += count
        driver = os.environ.get("SDL_AUDIODRIVER") or "default"
        self._device = f"{driver} {SAMPLE_RATE} Hz, buffer {BUFFER_FRAMES}"
        # pygame is a regular package on disk, so its __file__ is never None
        self._watch = SdlDeviceWatch(os.path.dirname(cast(str, pygame.__file__)))
        self._watch.opened()
        self._gone = False

    def check(self) -> None:
        """SDL plays into nothing once its device is gone: say so, so the player can tell."""
        if self._gone or (self._watch is not None and self._watch.lost()):
            self._gone = True
            raise AudioUnavailable(DEVICE_GONE)

    def close(self) -> None:
        self._unpaused.set()  # let any held fade thread finish
        with self._lock:
            if self._mixer is not None:
                self._mixer.stop()
                self._sounds.clear()
                self._mixer.quit()
                self._mixer = None

    @property
    def device(self) -> str:
        return self._device

    def _sound(self, path: str) -> Any:
        with self._lock:
            sound = self._sounds.get(path)
            if sound is not None:
                self._sounds.move_to_end(path)
                return sound
        # Decode outside the lock: the timing thread must never wait for a decode.
        try:
            sound = self._mixer.Sound(path)
        except (RuntimeError, OSError) as error:  # pygame.error is a RuntimeError
            raise ClipUnavailable(path, str(error)) from error
        if sound.get_length() <= 0:
            # An OGG cut short before its first page of audio decodes "fine", to nothing.
            raise ClipUnavailable(path, "it holds no sound")
        with self._lock:
            self._sounds[path] = sound
            while len(self._sounds) > CACHE_CLIPS:
                self._sounds.popitem(last=False)
        return sound

    def preload(self, path: str) -> None:
        self._sound(path)

    def _free_channel(self, group: Group) -> Any:
        channels = self._channels[group]
        for channel in channels:
            if not channel.get_busy():
                return channel
        return channels[0]

    def play(
        self, group: Group, path: str, volume: float = 1.0, loop: bool = False, fade_in: float = 0.0
    ) -> None:
        self.check()
        sound = self._sound(path)
        with self._lock:
            sound.set_volume(volume)
            channel = self._free_channel(group)
            self._fades[group] += 1  # a new sound ends any fade of the old one
            self._fade_gain[group] = 0.0 if fade_in > 0 else 1.0
            channel.set_volume(self._applied[group] * self._fade_gain[group])
            channel.play(sound, loops=-1 if loop else 0)
        if fade_in > 0:
            self._start_fade(group, 0.0, 1.0, fade_in, stop_after=False)

    def stop(self, group: Group, fade_out: float = 0.0) -> None:
        self.check()
        if fade_out > 0:
            self._start_fade(group, self._fade_gain[group], 0.0, fade_out, stop_after=True)
            return
        with self._lock:
            self._fades[group] += 1
            self._fade_gain[group] = 1.0
            for channel in self._channels[group]:
                channel.stop()

    def _start_fade(
        self, group: Group, start: float, end: float, seconds: float, stop_after: bool
    ) -> None:
        with self._lock:
            self._fades[group] += 1
            fade_id = self._fades[group]
        threading.Thread(
            target=self._fade, args=(group, start, end, seconds, fade_id, stop_after), daemon=True
        ).start()

    def _fade(
        self, group: Group, start: float, end: float, seconds: float, fade_id: int, stop_after: bool
    ) -> None:
        steps = max(1, int(seconds / RAMP_STEP_SECONDS))
        began = time.monotonic()
        for step in range(1, steps + 1):
            if not self._unpaused.is_set():
                held = time.monotonic()
                self._unpaused.wait()
                began += time.monotonic() - held
            with self._lock:
                if self._fades[group] != fade_id or self._mixer is None:
                    return  # a newer sound or fade took over
                self._fade_gain[group] = start + (end - start) * step / steps
            self._apply_volume(group, self._applied[group])
            time.sleep(max(0.0, began + step * RAMP_STEP_SECONDS - time.monotonic()))
        if stop_after:
            with self._lock:
                if self._fades[group] == fade_id and self._mixer is not None:
                    for channel in self._channels[group]:
                        channel.stop()
                    self._fade_gain[group] = 1.0

    def set_volume(self, group: Group, volume: float, ramp: float = 0.0) -> None:
        self.check()
        with self._lock:
            self._ramps[group] += 1
            ramp_id = self._ramps[group]
            start = self._volumes[group]
            self._volumes[group] = volume
        if ramp <= 0:
            self._apply_volume(group, volume)
            return
        # pygame changes volume at once, which clicks; glide in small steps instead.
        thread = threading.Thread(
            target=self._glide, args=(group, start, volume, ramp, ramp_id), daemon=True
        )
        thread.start()

    def _glide(self, group: Group, start: float, end: float, seconds: float, ramp_id: int) -> None:
        steps = max(1, int(seconds / RAMP_STEP_SECONDS))
        began = time.monotonic()
        for step in range(1, steps + 1):
            if self._ramps[group] != ramp_id:
                return  # a newer change took over
            self._apply_volume(group, start + (end - start) * step / steps)
            time.sleep(max(0.0, began + step * RAMP_STEP_SECONDS - time.monotonic()))

    def _apply_volume(self, group: Group, volume: float) -> None:
        with self._lock:
            self._applied[group] = volume
            if self._mixer is None:
                return
            for channel in self._channels[group]:
                channel.set_volume(volume * self._fade_gain[group])

    def pause_all(self) -> None:
        self.check()
        with self._lock:
            self._unpaused.clear()
            self._mixer.pause()

    def resume_all(self) -> None:
        self.check()
        with self._lock:
            self._mixer.unpause()
            self._unpaused.set()

    def stop_all(self) -> None:
        with self._lock:
            self._mixer.stop()

    def busy(self, group: Group) -> bool:
        return any(channel.get_busy() for channel in self._channels[group])


def open_backend(want_sound: bool = True) -> tuple[AudioBackend, BackendStatus]:
    """The pygame backend if sound is wanted and works, else the null one, with a notice."""
    if not want_sound or os.environ.get("CALMKIT_AUDIO", "").lower() == "null":
        null = NullBackend()
        null.open()
        return null, BackendStatus("null", "none", ok=True)
    backend = PygameBackend()
    try:
        backend.open()
    except AudioUnavailable as error:
        null = NullBackend()
        null.open()
        notice = (
            NO_DEVICE_NOTICE if str(error) == NO_DEVICE_NOTICE else f"{NO_DEVICE_NOTICE} ({error})"
        )
        return null, BackendStatus("null", "none", ok=False, notice=notice)
    return backend, BackendStatus(backend.name, backend.device, ok=True)
