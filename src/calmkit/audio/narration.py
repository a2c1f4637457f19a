"""Narration clips: which lines a script needs, where their clips live, and rendering them.

A clip is named by a hash of (text, engine, voice, rate) and stored as OGG
Vorbis in a voice folder, ``<engine>-<voice>/``, beside a manifest holding each
clip's length, so a timeline never decodes audio to plan. Voice folders exist
in two places: the user's narration cache, and the shipped ``audio/narration``.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import json
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from calmkit import locations
from calmkit.content import model
from calmkit.content.model import Plan, PlanSettings, Script, Tier
from calmkit.content.timeline import BREATH_WORDS, Clip, NoClips, compile_timeline

MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # a manifest of every clip of every voice is a few MiB
MANIFEST_VERSION = 1
DEFAULT_VOICE_NAME = "default"
# The words spoken for a `counts` breathing guide, after the phase word.
COUNT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
               "eleven", "twelve", "thirteen", "fourteen", "fifteen")  # fmt: skip
COUNT_PHASE_WORDS = {"breathe-in": "in", "hold": "hold", "breathe-out": "out", "rest": "rest"}

# Narration is speech from engines that sample at 16 kHz or less: 22.05 kHz keeps all of
# it at half the size of 44.1 kHz (the mixer converts as it loads a clip). The shipped
# library has about 1,400 clips.
NARRATION_SAMPLE_RATE = 22050


@dataclass(frozen=True, order=True)
class Line:
    """One clip to render: the words, and the speaking rate of the tier that hears them.

    ``text`` is what the narrator says: a line's ``speak`` respelling where the
    script gives one, not its caption. Clips are keyed and found by it.
    """

    text: str
    rate: int


def clip_key(text: str, engine: str, voice: str, rate: int) -> str:
    digest = hashlib.sha256(f"{engine}\0{voice}\0{rate}\0{text}".encode()).hexdigest()
    return digest[:24]


def voice_folder_name(engine: str, voice: str) -> str:
    return f"{engine}-{voice}"


# A grown-up practising on their own hears the teen tier (the age rule for grown-ups).
GROWN_UP_TIER: Tier = "teen"
# Who can hear a script: a child of every age calmkit knows, 4 to 18, or a grown-up,
# whatever ages the script is written for (a plan or "all ages" may give it to anyone).
LISTENER_TIERS: tuple[Tier, ...] = tuple(
    dict.fromkeys(
        [*(model.tier_for_age(age) for age in range(model.MIN_AGE, model.MAX_AGE + 1)),
         GROWN_UP_TIER]
    )
)  # fmt: skip


class _LineCollector(NoClips):
    """A clip lookup that only notes which lines the timeline asks for, at which rate."""

    def __init__(self) -> None:
        self.lines: set[Line] = set()

    def narration(self, text: str, step_id: str | None, script_id: str, rate: int) -> Clip | None:
        self.lines.add(Line(text, rate))
        return None

    def breath_cue(self, kind: str, guide: str, seconds: float, rate: int) -> Clip | None:
        self.lines |= {Line(words, rate) for words in breath_cue_words(kind, guide, seconds)}
        return None


def breath_cue_words(kind: str, guide: str, seconds: float) -> tuple[str, ...]:
    """The narrated words a breathing phase plays: its word, or its counts (one clip each)."""
    if guide == "words":
        return (BREATH_WORDS[kind],)
    if guide == "counts":
        return (COUNT_PHASE_WORDS[kind], *COUNT_WORDS[1 : int(seconds)])
    return ()


# The longest breathing pace a plan may set (script-format.md: in and out 1-15 s, hold and
# rest 0-10 s; the loader's limits). A breathing phase says its word, or counts every second
# of it: at this pace a script says every word and count any plan's pace can ask of it.
LONGEST_PLAN_PACE = model.BreathePace(inhale=15, exhale=15, hold=10, rest=10)


def settings_heard(plans: Iterable[Plan] = ()) -> list[PlanSettings]:
    """Every plan setting a script may be played under: none, each plan's, every area
    gentle and the longest pace. Any plan's gentle areas are among those lines, and so are
    the breath words and counts of any plan's pace, from the library or from outside."""
    heard = [
        PlanSettings(),
        PlanSettings(gentle=frozenset(model.AREAS)),
        PlanSettings(breathe=LONGEST_PLAN_PACE),
    ]
    heard += [plan.settings for plan in plans]
    return list(dict.fromkeys(heard))


def lines_for_script(script: Script, plans: Iterable[Plan] = ()) -> set[Line]:
    """Every line anyone could hear in this script: each listener's tier, alone and
    together, under each plan's settings (gentle and skipped areas, breathing pace).

    As spoken: a `speak` respelling, not the caption it stands for; at the rate it is
    rendered at, the line's own tier's (model.speaking_tier).
    """
    collector = _LineCollector()
    # Compiling is the one source of truth for what is said.
    for settings in settings_heard(plans):
        for tier in LISTENER_TIERS:
            for together in (False, True):
                compile_timeline(script, tier, settings, collector, together=together)
    return collector.lines


# --- where clips are ------------------------------------------------------------------------


@dataclass
class VoiceFolder:
    """One voice's clips and manifest."""

    path: Path
    engine: str = ""
    voice: str = ""
    clips: dict[str, dict[str, object]] = field(default_factory=dict)
    _by_text: dict[str, dict[int, str]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def read(cls, path: Path) -> VoiceFolder:
        """Read a voice folder; a missing or corrupt manifest reads as an empty folder."""
        folder = cls(path)
        try:
            data = json.loads(locations.read_own_file(path / MANIFEST_NAME, MAX_MANIFEST_BYTES))
        except (OSError, ValueError, RecursionError):
            return folder
        if isinstance(data, dict) and isinstance(data.get("clips"), dict):
            folder.engine = str(data.get("engine", ""))
            folder.voice = str(data.get("voice", ""))
            folder.clips = {
                key: entry
                for key, entry in data["clips"].items()
                if isinstance(entry, dict) and isinstance(entry.get("seconds"), int | float)
            }
        return folder

    def clip(self, key: str) -> Clip | None:
        entry = self.clips.get(key)
        if entry is None:
            return None
        # a number: read() keeps only entries whose seconds is one, and narrate writes one
        return Clip(str(self.path / f"{key}.ogg"), float(cast(float, entry["seconds"])))

    def rates_of(self, text: str) -> dict[int, str]:
        """The rates these words were rendered at here, each with its clip's key."""
        if self._by_text is None:
            self._by_text = {}
            for key, entry in self.clips.items():
                words, rate = entry.get("text"), entry.get("rate")
                if isinstance(words, str) and isinstance(rate, int):
                    self._by_text.setdefault(words, {})[rate] = key
        return self._by_text.get(text, {})

    def write(self) -> None:
        """Write the manifest atomically, so a crash never leaves half a file."""
        _make_folder(self.path)
        data = {
            "version": MANIFEST_VERSION,
            "engine": self.engine,
            "voice": self.voice,
            "clips": dict(sorted(self.clips.items())),
        }
        with (
            locations.replaced_privately(self.path / MANIFEST_NAME) as temporary,
            temporary.open("w", encoding="utf-8") as stream,
        ):
            json.dump(data, stream, indent=1, ensure_ascii=False)
            stream.write("\n")


WORK_FOLDER = ".work"  # inside a voice folder: renders in progress, one folder each


def _make_folder(path: Path) -> None:
    """A voice folder: in the user's data folder 0700 like everything there, whatever the
    umask; elsewhere (``--into``, clips to ship) missing folders are made 0700 too."""
    locations.ensure_private_dir(path)


def clean_stale_work(work_root: Path) -> list[Path]:
    """Remove renders a killed narrate left (named by their process id, which is gone),
    and the /tmp/calmkit-narrate-* folders older calmkits left."""
    removed: list[Path] = []
    candidates: list[tuple[Path, bool]] = []
    with contextlib.suppress(OSError):
        candidates += [(child, False) for child in work_root.iterdir()]
    system_temp = Path(tempfile.gettempdir())
    for pattern in ("calmkit-narrate-*", "calmkit-tts-*"):
        candidates += [(child, True) for child in system_temp.glob(pattern)]
    for child, old_style in candidates:
        try:
            info = child.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            continue
        if old_style:
            stale = time.time() - info.st_mtime > STALE_TEMP_SECONDS
        else:
            pid = child.name.split("-", 1)[0]
            stale = not pid.isdigit() or not _process_alive(int(pid))
        if stale:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


STALE_TEMP_SECONDS = 3600  # an old-style render folder no narrate could still be using


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def shipped_narration_dir() -> Path:
    return locations.builtin_audio_dir() / "narration"


def voice_roots() -> list[Path]:
    """Where voice folders are looked for, best first: the user's cache, then shipped."""
    return [locations.narration_cache_dir(), shipped_narration_dir()]


def available_voices() -> list[str]:
    names: list[str] = []
    for root in voice_roots():
        if root.is_dir():
            names += [
                child.name for child in sorted(root.iterdir()) if (child / MANIFEST_NAME).is_file()
            ]
    return list(dict.fromkeys(names))


def voice_label(name: str) -> str:
    """A voice folder as people read it: "festival (cmu_us_slt_arctic_hts)"."""
    for root in voice_roots():
        folder = VoiceFolder.read(root / name)
        if folder.engine and folder.voice:
            return f"{folder.engine} ({folder.voice})"
    return name


def _preference(name: str) -> int:
    from calmkit.audio.engines import ENGINE_ORDER

    for position, known in enumerate(ENGINE_ORDER):
        if name.startswith(f"{known}-"):
            return position
    return len(ENGINE_ORDER)


def resolve_voice(voice: str | None, scripts: Iterable[Script] = ()) -> str | None:
    """The voice folder for a plan's `voice` setting.

    A named voice (or a bare engine name such as "flite") is used if present.
    "default" means the voice that has the most of these scripts' lines, the
    better engine winning a tie, so a script narrated only with espeak-ng is
    still heard when festival clips exist for other scripts.
    """
    if voice and voice != DEFAULT_VOICE_NAME:
        return resolve_voice_for_lines(voice, ())
    if not available_voices():
        return None
    wanted: set[Line] = set()
    for script in scripts:
        wanted |= lines_for_script(script)
    return resolve_voice_for_lines(voice, wanted)


def resolve_voice_for_lines(voice: str | None, wanted: Iterable[Line]) -> str | None:
    """resolve_voice for lines already collected: "default" is the voice with most of them."""
    present = sorted(available_voices(), key=_preference)
    if voice and voice != DEFAULT_VOICE_NAME:
        if voice in present:
            return voice
        # An engine's name ("flite", "espeak-ng") stands for its voice folders.
        matches = [name for name in present if name.startswith(f"{voice}-")]
        return matches[0] if matches else None
    if not present:
        return None
    wanted = set(wanted)
    if not wanted:
        return present[0]

    def coverage(name: str) -> int:
        folders = [VoiceFolder.read(root / name) for root in voice_roots()]
        keys = {key for folder in folders for key in folder.clips}
        engine, _, engine_voice = name.partition("-")
        engine = next((f.engine for f in folders if f.engine), engine)
        engine_voice = next((f.voice for f in folders if f.voice), engine_voice)
        return sum(clip_key(line.text, engine, engine_voice, line.rate) in keys for line in wanted)

    return max(present, key=lambda name: (coverage(name), -_preference(name)))


# --- rendering ------------------------------------------------------------------------------


_warming: threading.Thread | None = None
_warming_lock = threading.Lock()


def warm_up() -> threading.Thread:
    """Start importing what mastering needs (pyloudnorm's scipy.signal is about 1.3 s
    of CPU, most of the time a one-line edit takes) in a background thread, once.

    render_lines starts it when it hands the first line to the engine: the import then
    runs while the engine's own process renders, and never when nothing is rendered.
    It holds Python's lock as it runs, so begun any earlier it would only slow down the
    reading of the library and the engine's start, by as much as it gained.
    """
    global _warming
    with _warming_lock:
        if _warming is None:

            def load() -> None:
                # The import makes a great many objects and no garbage: no collections
                # during it (about 0.08 s less).
                collecting = gc.isenabled()
                gc.disable()
                try:
                    import pyloudnorm  # noqa: F401  (numpy, scipy.signal)
                    import soundfile  # noqa: F401  (cffi, libsndfile)
                finally:
                    if collecting:
                        gc.enable()
                # Python's last collection at exit would walk every one of those objects
                # just before the process frees them all: 0.14 s of a one-line edit.
                atexit.register(gc.freeze)

            _warming = threading.Thread(target=load, name="calmkit-warm-up", daemon=True)
            _warming.start()
        return _warming


@dataclass
class NarrateReport:
    voice: str
    rendered: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (text, message)


def render_lines(
    lines: Iterable[Line],
    engine_name: str = "auto",
    voice: str | None = None,
    force: bool = False,
    out_root: Path | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NarrateReport:
    """Render every line missing from the voice folder, on all cores."""
    from calmkit.audio.engines import EngineError, pick_engine
    from calmkit.audio.mastering import master_clip

    engine = pick_engine(engine_name)
    engine_voice = voice or engine.default_voice
    folder_name = voice_folder_name(engine.name, engine_voice)
    root = out_root or locations.narration_cache_dir()
    folder = VoiceFolder.read(root / folder_name)
    _make_folder(folder.path)
    work_root = folder.path / WORK_FOLDER
    _make_folder(work_root)
    clean_stale_work(work_root)
    folder.engine, folder.voice = engine.name, engine_voice
    shipped = (
        None if out_root is not None else VoiceFolder.read(shipped_narration_dir() / folder_name)
    )
    report = NarrateReport(folder_name)

    wanted: dict[str, Line] = {}
    for line in sorted(set(lines)):
        key = clip_key(line.text, engine.name, engine_voice, line.rate)
        have = folder.clip(key) or (shipped.clip(key) if shipped else None)
        if not force and have is not None and Path(have.path).is_file():
            report.already += 1
            continue
        wanted[key] = line
    lock = threading.Lock()

    def render(key: str, line: Line) -> float:
        # Beside the target, not in the system temp folder: a tmpfs /tmp is another
        # filesystem, and a rename across filesystems fails. mkdtemp makes it 0700.
        with tempfile.TemporaryDirectory(prefix=f"{os.getpid()}-", dir=work_root) as work:
            raw = Path(work) / "raw.wav"
            engine.render(line.text, raw, engine_voice, line.rate)
            finished = Path(work) / "clip.ogg"
            seconds = master_clip(raw, finished, sample_rate=NARRATION_SAMPLE_RATE)
            os.replace(finished, folder.path / f"{key}.ogg")
        return seconds

    done = 0
    if progress:
        progress(0, len(wanted))
    workers = max(1, jobs or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(render, key, line): (key, line) for key, line in wanted.items()}
        if futures:
            warm_up()  # while the engine renders the first lines (see warm_up)
        for future in as_completed(futures):
            key, line = futures[future]
            try:
                seconds = future.result()
            except (EngineError, OSError, RuntimeError, ValueError) as error:
                report.failed.append((line.text, str(error)))
            else:
                with lock:
                    folder.clips[key] = {
                        "text": line.text,
                        "rate": line.rate,
                        "seconds": round(seconds, 4),
                    }
                    report.rendered += 1
            done += 1
            if progress:
                progress(done, len(wanted))
            if done % 25 == 0:
                folder.write()  # keep what is done if the run is interrupted
    folder.write()
    with contextlib.suppress(OSError):
        work_root.rmdir()  # empty unless another narrate is at work here
    if out_root is not None:
        # Shipped clips (tools/): readable by everyone who installs calmkit.
        for path in folder.path.iterdir():
            if path.is_file():
                path.chmod(0o644)
    return report
