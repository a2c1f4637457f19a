"""The library: built-in scripts and plans, and the user's own, with their problems.

A broken file never hides the good ones: it is kept as a load result with its
problems, and everything else loads as usual.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calmkit import locations
from calmkit.content import messages, model
from calmkit.content.model import Plan, Script
from calmkit.content.problems import Problem, did_you_mean

if TYPE_CHECKING:
    from calmkit.content.results import LoadResult
    from calmkit.content.yamldoc import Document

YAML_SUFFIXES = (".yaml", ".yml")
MAX_CACHE_BYTES = 64 * 1024 * 1024  # the built-in library's cache is well under 1 MiB


@dataclass
class Library:
    scripts: dict[str, Script] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    results: list[LoadResult] = field(default_factory=list)
    # Seconds each script plays per tier at its own pace, keyed "id/tier": the home
    # screen shows them all, so they are worked out once and kept in the cache.
    durations: dict[str, float] = field(default_factory=dict)

    def seconds(self, script: Script, tier: model.Tier) -> float:
        """How long ``script`` plays for one listener of ``tier``, at the script's own pace."""
        from calmkit.content.timeline import compile_timeline

        if self.scripts.get(script.id) is not script:  # not one of ours: nothing to keep
            return compile_timeline(script, tier).duration
        key = f"{script.id}/{tier}"
        if key not in self.durations:
            self.durations[key] = compile_timeline(script, tier).duration
        return self.durations[key]

    def minutes(self, scripts: Iterable[Script], tier: model.Tier) -> int:
        """Whole minutes (at least one) that ``scripts`` take one after another."""
        return max(1, round(sum(self.seconds(script, tier) for script in scripts) / 60))

    def measure_all(self) -> None:
        for script in self.scripts.values():
            for tier in model.TIERS:
                self.seconds(script, tier)

    @property
    def problems(self) -> list[Problem]:
        return [problem for result in self.results for problem in result.problems]

    @property
    def broken(self) -> list[LoadResult]:
        return [result for result in self.results if not result.ok]

    def find(self, target: str) -> Script | Plan | None:
        return self.scripts.get(target) or self.plans.get(target)

    def broken_with_id(self, target: str) -> LoadResult | None:
        """A broken file that declares ``target`` as its id."""
        for result in self.broken:
            if result.declared_id == target:
                return result
        return None

    def suggestion(self, target: str) -> str:
        return did_you_mean(target, [*self.scripts, *self.plans])

    def user_plans(self) -> list[Plan]:
        """Plans the family added (imported), not the built-in examples."""
        examples = {plan.id for plan in self.builtin_plans()}
        return [plan for plan in self.plans.values() if plan.id not in examples]

    def builtin_plans(self) -> list[Plan]:
        """The plans calmkit ships: examples, never anyone's own plan."""
        builtin = locations.builtin_scripts_dir().resolve()
        return [
            plan
            for plan in self.plans.values()
            if not plan.path or Path(plan.path).resolve().is_relative_to(builtin)
        ]


def yaml_files(folder: Path, links: list[Path] | None = None) -> list[Path]:
    """Every .yaml/.yml below ``folder``, in a stable order, skipping hidden ones.

    Only plain files: a symbolic link (to a file or a folder) is never followed, and
    is added to ``links`` when given, so the library can say why it was not read.
    """
    if not folder.is_dir():
        return []
    found: list[Path] = []
    # os.walk reports errors to onerror (none: a folder that vanished or cannot be
    # read while we looked is skipped, and what was found is kept).
    for where, folders, files in os.walk(folder, followlinks=False):
        base = Path(where)
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in [*files, *folders]:
            path = base / name
            if name.startswith(".") or (name in folders and not path.is_symlink()):
                continue
            if path.suffix.lower() in YAML_SUFFIXES or path.is_symlink():
                if locations.is_plain_file(path):
                    found.append(path)
                elif path.is_symlink() and links is not None:
                    links.append(path)
    return sorted(found)


def library_folders(include_user: bool = True) -> list[Path]:
    folders = [locations.builtin_scripts_dir()]
    if include_user:
        folders += [locations.user_scripts_dir(), locations.user_plans_dir()]
    return folders


def _unique(paths: Iterable[Path]) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            yield path


def load_files(
    paths: Iterable[Path], known_scripts: Mapping[str, Script] | Iterable[str] = ()
) -> Library:
    """Load files as one library: scripts first, then plans checked against them (and
    against the ages of the scripts given as a mapping)."""
    from calmkit.content.loader import load_document
    from calmkit.content.yamldoc import read_file

    documents: list[tuple[Path, Document]] = [(path, read_file(path)) for path in _unique(paths)]
    library = Library()
    plan_documents: list[tuple[Path, Document, LoadResult]] = []
    first_file: dict[str, str] = {}
    for path, document in documents:
        result = load_document(document, str(path), path.parent)
        if result.kind == "plan":
            plan_documents.append((path, document, result))
            continue
        library.results.append(result)
        script = result.script
        if script is not None and _is_first(result, "script", script.id, first_file):
            library.scripts[script.id] = script
    known: dict[str, Script | None] = (
        dict(known_scripts) if isinstance(known_scripts, Mapping) else dict.fromkeys(known_scripts)
    )
    known.update(library.scripts)
    first_plan_file: dict[str, str] = {}
    for path, document, _ in plan_documents:
        result = load_document(document, str(path), path.parent, known)
        library.results.append(result)
        plan = result.plan
        if plan is not None and _is_first(result, "plan", plan.id, first_plan_file):
            library.plans[plan.id] = plan
    return library


def _link_result(path: Path) -> LoadResult:
    from calmkit.content.results import LoadResult

    message = messages.LINK()
    return LoadResult(str(path), problems=[Problem(str(path), 1, 1, message)])


def _is_first(result: LoadResult, what: str, item_id: str, first_file: dict[str, str]) -> bool:
    """Whether no file read before has this id; a later one is marked a duplicate, so the
    first file read wins."""
    if item_id in first_file:
        _mark_duplicate(result, what, first_file[item_id])
        return False
    first_file[item_id] = result.path
    return True


def _mark_duplicate(result: LoadResult, what: str, first_path: str) -> None:
    result.problems.append(
        Problem(
            result.path,
            result.id_line,
            result.id_col,
            messages.DUPLICATE_ID(what=what, id=result.document_id, first_path=first_path),
        )
    )
    result.script = None
    result.plan = None


def load_library(include_user: bool = True, cached: bool = False) -> Library:
    """Every script and plan. ``cached`` (the app's start-up) reuses the last parse
    while no file has changed: reading YAML is most of the time to the home screen."""
    links: list[Path] = []
    paths = [path for folder in library_folders(include_user) for path in yaml_files(folder, links)]
    if links:
        # Rare, and said as problems: no cache for such a library, it is read each time.
        library = load_files(paths)
        library.results += [_link_result(path) for path in sorted(links)]
        return library
    if not cached:
        return load_files(paths)
    key = _fingerprint(paths)
    cache = locations.library_cache_path()
    from_cache = _read_cache(cache, key)
    if from_cache is not None:
        return from_cache
    library = load_files(paths)
    library.measure_all()
    _save_cache(cache, key, library)
    return library


def _read_cache(cache: Path, key: tuple[object, ...]) -> Library | None:
    """The cached library if it is still the files' (data only: cachefile.py), else None."""
    from calmkit.content import cachefile

    try:
        stored_key, results, durations = cachefile.loads(
            locations.read_own_file(cache, MAX_CACHE_BYTES)
        )
    except (OSError, ValueError):
        return None  # missing, damaged, a link or a pipe, or written by other code: a miss
    if stored_key != key:
        return None
    # Rebuilt as load_files() made it: each id's first file, the same objects as results.
    library = Library(results=results, durations=durations)
    for result in results:
        if result.script is not None:
            library.scripts.setdefault(result.script.id, result.script)
        if result.plan is not None:
            library.plans.setdefault(result.plan.id, result.plan)
    return library


def _fingerprint(paths: list[Path]) -> tuple[object, ...]:
    """What the cached parse depends on: every file, and the code that read them."""
    # Every module of the content layer, found beside model.py rather than imported (on a
    # cache hit the YAML parser never loads), and the messages' wording (messages.toml):
    # a cached broken file shows its message as the catalogue says it now.
    content = Path(model.__file__ or "").parent
    code = sorted([*content.glob("*.py"), *content.glob("*.toml")])
    stats = []
    for path in [*code, *paths]:
        try:
            found = path.stat()
        except OSError:
            return ()
        stats.append((str(path), found.st_mtime_ns, found.st_size))
    return tuple(stats)


def _save_cache(cache: Path, key: tuple[object, ...], library: Library) -> None:
    if not key:
        return
    from calmkit.content import cachefile

    try:
        data = cachefile.dumps(key, library.results, library.durations)
        locations.ensure_private_dir(cache.parent)
        locations.write_private(cache, data)
    except (OSError, TypeError, ValueError):
        pass  # a read-only or full folder: the next start parses again, nothing worse
