"""``calmkit pack PLAN --out FILE``: the one file a clinician hands to a family.

The pack holds what the family's calmkit does not have already: the plan, the
scripts it uses that are not built in (with their sound files), the clinician's
recordings of those scripts' steps, and narration clips of those scripts in the
default voice, so the family hears them without a text-to-speech engine. Built-in
scripts travel by id only: every calmkit has them.

Layout (what ``calmkit import`` reads, see importer.py)::

    PLAN-ID.yaml
    SCRIPT-ID.yaml                    # each of the clinician's scripts
    <sound files, relative to their script as the script names them>
    recordings/SCRIPT-ID/STEP-ID.ogg
    narration/ENGINE-VOICE/manifest.json, KEY.ogg

The finished zip is checked exactly as the family's ``calmkit import`` will check
it, by importing it into an empty scratch data folder; only a pack that imports
cleanly is written, and never over a file that is there.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from calmkit import locations
from calmkit.audio.clips import RECORDING_EXTENSIONS
from calmkit.audio.narration import (
    MANIFEST_NAME,
    MANIFEST_VERSION,
    Line,
    NarrateReport,
    VoiceFolder,
    clip_key,
    lines_for_script,
    shipped_narration_dir,
)
from calmkit.content.library import Library
from calmkit.content.loader import safety_line_warnings
from calmkit.content.model import Plan, Script, Sound
from calmkit.packs.narration import NARRATION_FOLDER

Render = Callable[[set[Line]], NarrateReport]


class PackError(Exception):
    """The pack cannot be made: the lines say why (one message, or the import's own)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class PackReport:
    out: Path
    plan: str
    scripts: list[str] = field(default_factory=list)  # the clinician's own, packed
    builtin: list[str] = field(default_factory=list)  # used by id only
    sounds: int = 0
    recordings: int = 0
    narration: int = 0
    voice: str | None = None
    rendered: int = 0
    warnings: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)  # what the trial import said


def _is_builtin(script: Script) -> bool:
    builtin = locations.builtin_scripts_dir().resolve()
    return bool(script.path) and Path(script.path).resolve().is_relative_to(builtin)


def _find_plan(target: str, library: Library) -> tuple[Plan, dict[str, Script]]:
    from calmkit.playback.targets import TargetError, _load_target_file, looks_like_path

    found: Script | Plan | None
    if looks_like_path(target):
        try:
            found, available = _load_target_file(Path(target), library)
        except TargetError as error:
            raise PackError([*(p.explained() for p in error.problems), error.message]) from None
    else:
        found, available = library.find(target), library.scripts
        if found is None:
            broken = library.broken_with_id(target)
            if broken is not None:
                lines = [p.explained() for p in broken.errors]
                raise PackError([*lines, f"'{target}' cannot be packed: fix {broken.path} first"])
            raise PackError([f"there is no plan called '{target}'{library.suggestion(target)}"])
    if not isinstance(found, Plan):
        raise PackError([f"'{target}' is a script: a pack is made from a plan"])
    return found, dict(available)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise PackError([f"{path}: cannot be read ({error.strerror or error})"]) from None


def _recordings(script: Script) -> Iterator[tuple[str, Path]]:
    folder = locations.recordings_dir() / script.id
    for step in script.steps:
        if not step.step_id:
            continue
        for extension in RECORDING_EXTENSIONS:  # the order clip lookup uses
            path = folder / f"{step.step_id}{extension}"
            if path.is_file():
                yield f"recordings/{script.id}/{step.step_id}{extension}", path
                break


def _narration(
    scripts: list[Script], plan: Plan, render: Render | None, report: PackReport
) -> dict[str, bytes]:
    """The clips of these scripts' lines in the default voice, rendering what is missing;
    lines the shipped audio has already are left out (every calmkit has them). The
    lines are those heard at every age and under the plan's own settings (its pace)."""
    lines: set[Line] = set().union(*(lines_for_script(script, [plan]) for script in scripts))
    if not lines or render is None:
        return {}
    from calmkit.audio.engines import EngineError

    try:
        rendered = render(lines)
    except EngineError as error:
        raise PackError(
            [
                f"cannot narrate the plan's scripts: {error}",
                "install a text-to-speech engine (festival is best), or pack with "
                "--no-narration (the family then sees captions only, unless they narrate)",
            ]
        ) from None
    if rendered.failed:
        text, message = rendered.failed[0]
        raise PackError([f"could not narrate '{text[:60]}': {message}"])
    report.voice, report.rendered = rendered.voice, rendered.rendered
    folder = VoiceFolder.read(locations.narration_cache_dir() / rendered.voice)
    shipped = VoiceFolder.read(shipped_narration_dir() / rendered.voice)
    files: dict[str, bytes] = {}
    entries: dict[str, dict[str, object]] = {}
    base = f"{NARRATION_FOLDER}/{rendered.voice}"
    for line in sorted(lines):
        key = clip_key(line.text, folder.engine, folder.voice, line.rate)
        if shipped.clip(key) is not None:
            continue
        clip = folder.clip(key)
        if clip is None or not Path(clip.path).is_file():
            raise PackError([f"the narration of '{line.text[:60]}' is missing after rendering"])
        files[f"{base}/{key}.ogg"] = _read(Path(clip.path))
        entries[key] = {"text": line.text, "rate": line.rate, "seconds": clip.seconds}
    if entries:
        manifest = {
            "version": MANIFEST_VERSION,
            "engine": folder.engine,
            "voice": folder.voice,
            "clips": entries,
        }
        files[f"{base}/{MANIFEST_NAME}"] = (json.dumps(manifest, indent=1) + "\n").encode()
    report.narration = len(entries)
    return files


def pack_contents(
    target: str, library: Library, render: Render | None, out: Path
) -> tuple[dict[str, bytes], PackReport]:
    """Every file of the pack by its name in the zip, and what went in."""
    plan, available = _find_plan(target, library)
    report = PackReport(out=out, plan=plan.id)
    files: dict[str, bytes] = {f"{plan.id}.yaml": _read(Path(plan.path))}
    used = list(plan.script_ids())
    own: list[Script] = []
    for script_id in used:
        script = available.get(script_id)
        if script is None:  # the plan validated against these, so only a race
            raise PackError([f"script '{script_id}' of the plan is not in the library"])
        if _is_builtin(script):
            report.builtin.append(script_id)
        else:
            own.append(script)
    sources: dict[str, Path] = {}
    for script in own:
        report.scripts.append(script.id)
        files[f"{script.id}.yaml"] = _read(Path(script.path))
        report.warnings += [str(p) for p in safety_line_warnings(script)]
        folder = Path(script.path).parent
        for step in script.steps:
            if not isinstance(step, Sound):
                continue
            name = PurePosixPath(step.file).as_posix()
            source = folder / step.file
            if name in sources and sources[name].resolve() != source.resolve():
                raise PackError(
                    [
                        f"two scripts name different sound files '{name}' ({sources[name]} "
                        f"and {source}): rename one, so the family's copy can hold both"
                    ]
                )
            if name not in sources:
                sources[name] = source
                files[name] = _read(source)
                report.sounds += 1
        for name, path in _recordings(script):
            files[name] = _read(path)
            report.recordings += 1
    files.update(_narration(own, plan, render, report))
    return files, report


@contextmanager
def _scratch_home() -> Iterator[Path]:
    """An empty data folder, as on a family's machine that has only just installed
    calmkit. Every path goes through locations.py, which reads CALMKIT_HOME each time."""
    before = os.environ.get(locations.HOME_VARIABLE)
    with tempfile.TemporaryDirectory(prefix="calmkit-pack-check-") as home:
        os.environ[locations.HOME_VARIABLE] = home
        try:
            yield Path(home)
        finally:
            if before is None:
                os.environ.pop(locations.HOME_VARIABLE, None)
            else:
                os.environ[locations.HOME_VARIABLE] = before


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            # Clips are compressed already: storing them saves time, not space.
            kind = zipfile.ZIP_STORED if name.endswith((".ogg", ".mp3")) else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = kind
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def build_pack(target: str, out: Path, library: Library, render: Render | None) -> PackReport:
    """Make the pack, check it as the family's import will, and write it to ``out``."""
    from calmkit.packs.importer import format_result, import_path

    out = Path(out)
    if out.exists() or out.is_symlink():
        raise PackError([f"{out} is there already: calmkit never writes over a file"])
    if out.suffix.lower() != ".zip":
        raise PackError([f"a pack is a .zip file: name it like {out.stem}.zip"])
    files, report = pack_contents(target, library, render, out)
    data = _zip(files)
    folder = out.parent if str(out.parent) else Path(".")
    try:
        work = Path(tempfile.mkdtemp(prefix=".calmkit-pack-", dir=folder))
    except OSError as error:
        raise PackError([f"cannot write in {folder}: {error.strerror or error}"]) from None
    try:
        trial = work / out.name
        trial.write_bytes(data)
        with _scratch_home():
            result = import_path(trial)
        # Shown with the pack's own name, as the family will see them.
        said = [line.replace(str(trial), str(out)) for line in format_result(result)]
        if not result.ok:
            raise PackError([*said, f"{out} was not written: the family's import would refuse it"])
        report.check = [line for line in said if ": warning: " in line]
        os.chmod(trial, locations.PRIVATE_FILE_MODE)  # a plan is health information
        try:
            os.link(trial, out)  # fails if a file appeared at ``out`` meanwhile
        except FileExistsError:
            raise PackError([f"{out} is there already: calmkit never writes over a file"]) from None
        except OSError as error:
            raise PackError([f"cannot write {out}: {error.strerror or error}"]) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report
