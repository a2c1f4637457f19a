"""Checking everything in a pack before anything is written: its scripts and plans,
the sound files its scripts name, its recordings of narrated steps and its
narration clips, against each other and against the library already installed.

Every problem is reported, not only the first; what may be written is queued as
install.Write items, each knowing whether it adds, replaces or leaves a file.
"""

from __future__ import annotations

import io
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from calmkit import locations
from calmkit.audio.clips import RECORDING_EXTENSIONS
from calmkit.audio.narration import MANIFEST_NAME
from calmkit.content import model
from calmkit.content.library import YAML_SUFFIXES, load_files, yaml_files
from calmkit.content.loader import DocumentKind, LoadResult, load_document
from calmkit.content.model import Release, Say, Script, Sound, Tense
from calmkit.content.problems import did_you_mean, one_of
from calmkit.content.yamldoc import Document, parse_bytes

# The limits are read as sources.MAX_*, at the moment of use: one place to set (or lower) them.
from calmkit.packs import sources, staging
from calmkit.packs.install import Write
from calmkit.packs.narration import check_narration, merged_manifest, narration_parts
from calmkit.packs.result import ImportResult, Message
from calmkit.packs.sources import FolderSource, Member, Refused, Source
from calmkit.playback.targets import sibling_scripts

AUDIO_SUFFIXES = tuple(dict.fromkeys((*model.SOUND_EXTENSIONS, *RECORDING_EXTENSIONS)))
NARRATED_STEPS = (Say, Tense, Release)  # the steps a recording can voice (timeline.py)
RECORDING_SUFFIX = ".ogg"  # recordings are installed mastered, as OGG like narration


def _same_sound(first: bytes, second: bytes) -> bool:
    """Two encodings of the same sound: a mastered recording comes out with a new Ogg
    stream serial number each time, so importing a pack again compares what is heard."""
    import numpy as np
    import soundfile

    try:
        one, one_rate = soundfile.read(io.BytesIO(first), dtype="float32")
        two, two_rate = soundfile.read(io.BytesIO(second), dtype="float32")
    except (RuntimeError, OSError, ValueError, TypeError, EOFError):
        return False
    return one_rate == two_rate and np.array_equal(one, two)


def _audio_problem(data: bytes) -> str | None:
    """Why a clip cannot be played, or None. Reads its header and first block only."""
    import soundfile  # lazily, as audio/clips.py does

    try:
        with soundfile.SoundFile(io.BytesIO(data)) as clip:
            if clip.samplerate <= 0 or clip.frames <= 0:
                return "holds no sound"
            clip.read(frames=min(clip.frames, 4096))
    except (RuntimeError, OSError, ValueError, TypeError, EOFError) as error:
        # libsndfile's own words, without the "Error opening <BytesIO ...>" before them.
        reason = getattr(error, "error_string", None) or str(error) or "unknown format"
        return f"cannot be played: not a sound file calmkit can read ({reason.strip()})"
    return None


@dataclass
class _Document:
    """A YAML member of the pack: its bytes (installed as they are), parsed and loaded."""

    member: Member
    data: bytes
    parsed: Document
    result: LoadResult


class Checker:
    """Checks a whole source against itself and the library; ``check()`` returns the writes."""

    def __init__(self, source: Source, result: ImportResult, replace: bool) -> None:
        self.source = source
        self.result = result
        self.replace = replace
        self.writes: list[Write] = []

    # --- reporting ------------------------------------------------------------------

    def error(self, path: str, text: str, line: int | None = None, col: int | None = None) -> None:
        self.result.messages.append(Message(path, text, "error", line, col))

    def warn(self, path: str, text: str) -> None:
        self.result.messages.append(Message(path, text, "warning"))

    def read(self, member: Member, limit: int) -> bytes | None:
        try:
            return self.source.read(member, limit)
        except Refused as refused:
            self.result.messages.append(refused.message)
            return None

    # --- the whole check -------------------------------------------------------------

    def check(self) -> list[Write]:
        """Every problem into the result, and the writes the import would make.

        Raises sources.Fatal when the source cannot be read on (too many files, too much)."""
        members = self.source.members()
        if self.source.unsafe:
            self.result.messages += self.source.unsafe
            return []
        yaml_members: list[Member] = []
        audio_members: list[Member] = []
        narration_members: list[Member] = []
        for member in members:
            suffix = member.rel.suffix.lower()
            if narration_parts(member.rel) is not None:
                narration_members.append(member)
            elif suffix in YAML_SUFFIXES:
                yaml_members.append(member)
            elif suffix in AUDIO_SUFFIXES:
                audio_members.append(member)
            else:
                self.warn(member.label, "skipped: not a script, plan or recording")
        if not yaml_members and not audio_members:
            self.error(self.source.label, "nothing to import: no scripts, plans or recordings")
            return []
        self.load_library()
        scripts, plans = self.documents(yaml_members)
        claimed = self.sound_files(scripts)
        self.recordings([member for member in audio_members if member.rel not in claimed])
        if narration_members:
            self.narration(narration_members, scripts)
        for document in scripts:
            self.document_write(document, "script")
        for document in plans:
            self.document_write(document, "plan")
            if document.result.plan is not None:
                self.result.plans.append(document.result.plan)
        self.result.messages.sort(key=lambda m: (not m.is_error, m.path, m.line or 0, m.col or 0))
        return self.writes

    def load_library(self) -> None:
        builtin = yaml_files(locations.builtin_scripts_dir())
        user = yaml_files(locations.user_scripts_dir()) + yaml_files(locations.user_plans_dir())
        self.library = load_files([*builtin, *user])
        builtin_labels = {str(path) for path in builtin}
        user_labels = {str(path) for path in user}
        # id -> (kind, path) of the files that declare it, broken ones too.
        self.builtin_ids: dict[str, DocumentKind] = {}
        self.user_ids: dict[str, list[tuple[DocumentKind, Path]]] = {}
        for loaded in self.library.results:
            if loaded.declared_id is None or loaded.kind is None:
                continue
            if loaded.path in builtin_labels:
                self.builtin_ids.setdefault(loaded.declared_id, loaded.kind)
            elif loaded.path in user_labels:
                entry = (loaded.kind, Path(loaded.path))
                self.user_ids.setdefault(loaded.declared_id, []).append(entry)

    # --- scripts and plans -------------------------------------------------------------

    def documents(self, members: list[Member]) -> tuple[list[_Document], list[_Document]]:
        """The pack's valid-so-far scripts and plans; every problem is reported."""
        loaded: list[_Document] = []
        for member in members:
            data = self.read(member, sources.MAX_YAML_BYTES)
            if data is None:
                continue
            parsed = parse_bytes(member.label, data)
            loaded.append(_Document(member, data, parsed, load_document(parsed, member.label)))
        scripts: list[_Document] = []
        first: dict[str, str] = {}
        for document in loaded:
            if document.result.kind == "plan":
                continue
            self.report(document.result)
            script = document.result.script
            if script is None:
                continue
            if self.duplicate(document, script.id, "script", first):
                continue
            scripts.append(document)
        # What a plan or a recording may name: the pack's scripts before the library's.
        self.scripts: dict[str, Script] = dict(self.library.scripts)
        for document in scripts:
            script = document.result.script
            assert script is not None
            self.scripts[script.id] = script
        plans: list[_Document] = []
        first = {}
        for document in loaded:
            if document.result.kind != "plan":
                continue
            document.result = load_document(
                document.parsed, document.member.label, None, self.scripts
            )
            self.report(document.result)
            plan = document.result.plan
            if plan is None:
                self.sibling_hint(document)
                continue
            if self.duplicate(document, plan.id, "plan", first):
                continue
            plans.append(document)
        return scripts, plans

    def report(self, loaded: LoadResult) -> None:
        self.result.messages += [Message.of(problem) for problem in loaded.problems]

    def duplicate(
        self, document: _Document, declared: str, kind: str, first: dict[str, str]
    ) -> bool:
        label = document.member.label
        if declared in first:
            self.error(
                label,
                f"duplicate {kind} id '{declared}': {first[declared]} already uses it",
                document.result.id_line,
                document.result.id_col,
            )
            return True
        first[declared] = label
        return False

    def sibling_hint(self, document: _Document) -> None:
        """A single plan whose scripts lie beside it: say to import the folder."""
        source = self.source
        if not isinstance(source, FolderSource) or source.single is None:
            return
        siblings = sibling_scripts(source.single)
        if not siblings:
            return
        again = load_document(
            document.parsed, document.member.label, None, {**self.scripts, **siblings}
        )
        if again.ok:
            self.result.hints.append(
                f"the scripts this plan uses are in {source.root}: import the folder "
                f"(calmkit import {source.root}) to bring them along"
            )

    def document_write(self, document: _Document, kind: DocumentKind) -> None:
        loaded = document.result
        declared = loaded.document_id
        assert declared is not None
        label = document.member.label
        at = {"line": loaded.id_line, "col": loaded.id_col}
        folder = locations.user_scripts_dir() if kind == "script" else locations.user_plans_dir()
        target = folder / f"{declared}.yaml"
        builtin_kind = self.builtin_ids.get(declared)
        if builtin_kind is not None:
            self.error(
                label,
                f"'{declared}' is the id of a built-in {builtin_kind}: calmkit would keep "
                f"the built-in one and mark this {kind} as a duplicate, even with --replace; "
                f"give it an id of its own (like '{declared}-2')",
                **at,
            )
            return
        older: list[Path] = []
        for other_kind, path in self.user_ids.get(declared, []):
            if other_kind != kind:
                self.error(
                    label,
                    f"'{declared}' is already the id of a {other_kind} in your library "
                    f"({path}): give this {kind} an id of its own",
                    **at,
                )
                return
            if path != target:
                older.append(path)
        if older and not self.replace:
            self.error(
                label,
                f"your library already has {kind} '{declared}' in {older[0]}: "
                "use --replace to replace it",
                **at,
            )
            return
        write = Write(kind, declared, label, document.data, target, older=older)
        self.target(write, sources.MAX_YAML_BYTES, at)

    def target(self, write: Write, limit: int, at: dict[str, int] | None = None) -> None:
        """Look at what is at the target already; queue the write if it may go ahead."""
        at = at or {}
        try:
            info = write.target.lstat()
        except FileNotFoundError:
            self.writes.append(write)
            return
        except OSError as error:
            self.error(write.label, f"cannot check {write.target}: {error.strerror}", **at)
            return
        if stat.S_ISDIR(info.st_mode):
            self.error(write.label, f"{write.target} is a folder: move it away first", **at)
            return
        current = None
        if stat.S_ISREG(info.st_mode) and info.st_size <= limit:
            try:
                current = write.target.read_bytes()
            except OSError as error:
                self.error(write.label, f"cannot read {write.target}: {error.strerror}", **at)
                return
        if current == write.data or (
            write.kind == "recording" and current is not None and _same_sound(current, write.data)
        ):
            write.action = "unchanged"
        elif not self.replace:
            self.error(
                write.label,
                f"{write.target} already exists: use --replace to overwrite it",
                **at,
            )
            return
        else:
            write.action = "replaced"
        self.writes.append(write)

    # --- sound files and recordings ----------------------------------------------------

    def sound_files(self, scripts: list[_Document]) -> set[PurePosixPath]:
        """Queue every pack script's sound files; the pack members they are."""
        claimed: set[PurePosixPath] = set()
        queued: dict[PurePosixPath, Write] = {}
        for document in scripts:
            script = document.result.script
            assert script is not None
            for index, step in enumerate(script.steps):
                if not isinstance(step, Sound):
                    continue
                name = PurePosixPath(step.file)
                line, col = _sound_file_mark(document.parsed.root, index, step.line)
                try:
                    member = self.source.find(document.member.rel.parent / name)
                except Refused as refused:
                    self.result.messages.append(refused.message)
                    continue
                if member is None:
                    self.error(
                        document.member.label,
                        f"sound file '{step.file}' was not found beside the script",
                        line,
                        col,
                    )
                    continue
                claimed.add(member.rel)
                data = self.read(member, sources.MAX_AUDIO_BYTES)
                if data is None or not self.playable(member.label, data):
                    continue
                earlier = queued.get(name)
                if earlier is not None:
                    if earlier.data != data:
                        self.error(
                            member.label,
                            f"two different sound files would both be installed as '{name}' "
                            f"(the other is {earlier.label}): give one another name",
                        )
                    continue
                write = Write(
                    "sound", str(name), member.label, data, locations.user_scripts_dir() / name
                )
                queued[name] = write
                self.target(write, sources.MAX_AUDIO_BYTES)
        return claimed

    def playable(self, label: str, data: bytes) -> bool:
        problem = _audio_problem(data)
        if problem is not None:
            self.error(label, problem)
        return problem is None

    def recordings(self, members: list[Member]) -> None:
        seen: dict[tuple[str, str], str] = {}
        for member in members:
            found = self.recording_step(member)
            if found is None:
                continue
            script_id, step_id = found
            if (script_id, step_id) in seen:
                self.error(
                    member.label,
                    f"step '{step_id}' of script '{script_id}' has two recordings "
                    f"(the other is {seen[script_id, step_id]}): keep one",
                )
                continue
            seen[script_id, step_id] = member.label
            data = self.read(member, sources.MAX_AUDIO_BYTES)
            if data is None or not self.playable(member.label, data):
                continue
            data = self.mastered(member, data)
            if data is None:
                continue
            folder = locations.recordings_dir() / script_id
            suffix = RECORDING_SUFFIX  # mastered: always OGG, whatever came in the pack
            target = folder / f"{step_id}{suffix}"
            others = [folder / f"{step_id}{ext}" for ext in RECORDING_EXTENSIONS if ext != suffix]
            older = [path for path in others if path.is_file()]
            if older and not self.replace:
                self.error(
                    member.label,
                    f"step '{step_id}' of script '{script_id}' already has a recording "
                    f"({older[0]}): use --replace to replace it",
                )
                continue
            name = f"{script_id}/{step_id}"
            self.target(
                Write("recording", name, member.label, data, target, older=older),
                sources.MAX_AUDIO_BYTES,
            )

    def mastered(self, member: Member, data: bytes) -> bytes | None:
        """The recording at the narration's loudness and peak ceiling (-19 LUFS, -1 dBTP),
        so a clinician's clip is never louder or quieter than the lines around it; None,
        with the problem said, if it is not a recording of a step (silent, not speech-length).
        """
        from calmkit.audio.mastering import TARGET_LUFS, MasteringError, master_recording

        try:
            work = locations.ensure_private_dir(staging.staging_root())
            done = master_recording(data, work)
        except MasteringError as error:
            self.error(member.label, str(error))
            return None
        except OSError as error:
            self.error(member.label, f"cannot be prepared: {error.strerror or error}")
            return None
        if abs(done.before.lufs - TARGET_LUFS) > 1.0:
            self.result.hints.append(
                f"{member.label} was {done.before.lufs:.1f} LUFS: it is evened out to "
                f"{TARGET_LUFS:g} LUFS, as loud as the narration around it"
            )
        return done.data

    def narration(self, members: list[Member], scripts: list[_Document]) -> None:
        """The pack's narration clips, for its own scripts, into the narration cache. A
        clip the cache has already is the same words in the same voice: it is kept."""
        by_rel = {member.rel: member for member in members}

        def read(rel: PurePosixPath, limit: int) -> bytes | None:
            return self.read(by_rel[rel], limit)

        clips = check_narration(
            [(member.rel, member.label) for member in members],
            read,
            [document.result.script for document in scripts if document.result.script],
            self.error,
            _audio_problem,
            sources.MAX_AUDIO_BYTES,
        )
        fresh = [clip for clip in clips if not clip.target.is_file()]
        for clip in clips:
            write = Write("narration", clip.key, clip.key, clip.data, clip.target)
            write.action = "added" if clip in fresh else "unchanged"
            self.writes.append(write)
        # The manifests last (a stable sort keeps them after their clips): a lookup
        # reads the manifest first, and every clip it lists is there by then.
        for folder, data in merged_manifest(fresh).items():
            target = locations.narration_cache_dir() / folder / MANIFEST_NAME
            write = Write("narration", f"{folder}/{MANIFEST_NAME}", str(target), data, target)
            write.action = "replaced" if target.is_file() else "added"
            self.writes.append(write)

    def recording_step(self, member: Member) -> tuple[str, str] | None:
        """The (script id, step id) a clip records, or None with the problem reported."""
        parts = member.rel.parts
        primary = len(parts) >= 3 and parts[-3].lower() == "recordings"
        if primary or (len(parts) >= 2 and parts[-2].lower() in self.scripts):
            script_id = parts[-2].lower()
        else:
            self.error(
                member.label,
                "no script uses this clip: a recorded step goes in "
                "recordings/<script-id>/<step-id>.ogg, a sound step's file beside its script",
            )
            return None
        step_id = member.rel.stem.lower()
        problem = self.recording_problem(member.rel.suffix, script_id, step_id)
        if problem is not None:
            self.error(member.label, problem)
            return None
        return script_id, step_id

    def recording_problem(self, suffix: str, script_id: str, step_id: str) -> str | None:
        """Why a clip cannot be the recording of that step of that script, or None.

        The first problem only, in this order: the script, the file's kind, the step."""
        script = self.scripts.get(script_id)
        if script is None:
            return (
                f"a recording for script '{script_id}', which is not in the pack or the "
                f"library{did_you_mean(script_id, self.scripts)}"
            )
        if suffix.lower() not in RECORDING_EXTENSIONS:
            return f"a recording must be a {one_of(RECORDING_EXTENSIONS)} file, not '{suffix}'"
        steps = {step.step_id: step for step in script.steps if step.step_id}
        step = steps.get(step_id)
        if step is None and not steps:
            return (
                f"script '{script_id}' gives no step an id, so nobody would ever hear "
                f"this clip: add 'id: {step_id}' to the step it records"
            )
        if step is None:
            return (
                f"script '{script_id}' has no step '{step_id}'"
                f"{did_you_mean(step_id, steps)}, so nobody would ever hear this clip "
                f"(its step ids: {', '.join(steps)})"
            )
        if not isinstance(step, NARRATED_STEPS):
            return (
                f"step '{step_id}' of script '{script_id}' is a "
                f"{type(step).__name__.lower()} step, with no words for a recording to voice"
            )
        return None


def _entry(node: Node | None, key: str) -> Node | None:
    """The value of ``key`` in a YAML mapping node, or None."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return value_node
    return None


def _sound_file_mark(root: Node | None, index: int, fallback_line: int) -> tuple[int, int]:
    """Where a sound step names its file, for messages; else the step's own line."""
    steps = _entry(root, "steps")
    if isinstance(steps, SequenceNode) and index < len(steps.value):
        sound = _entry(steps.value[index], "sound")
        node = sound if isinstance(sound, ScalarNode) else _entry(sound, "file")
        if node is not None:
            return node.start_mark.line + 1, node.start_mark.column + 1
    return fallback_line, 1
