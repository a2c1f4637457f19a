"""Turning what the user named (a script id, a plan id or a file) into a session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from calmkit.content.library import YAML_SUFFIXES, Library, load_files
from calmkit.content.model import Plan, PlanSettings, Script, Tier
from calmkit.content.problems import Problem
from calmkit.content.schedule import plan_day
from calmkit.content.timeline import ClipLookup, Timeline, compile_session
from calmkit.records.ages import practice_tier


class TargetError(Exception):
    """The target cannot be played: a message for the user, and the problems behind it."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class SessionRequest:
    """Everything needed to compile one session's timeline."""

    id: str
    title: str
    scripts: tuple[Script, ...]
    tier: Tier
    plan: Plan | None = None
    settings: PlanSettings = field(default_factory=PlanSettings)
    together: bool = False
    plan_session: int | None = None  # which of the day's planned sessions this is

    @property
    def script_ids(self) -> tuple[str, ...]:
        return tuple(script.id for script in self.scripts)

    def timeline(self, clips: ClipLookup | None = None, sound: bool = True) -> Timeline:
        return compile_session(
            self.scripts,
            self.tier,
            self.settings,
            clips,
            together=self.together,
            session_id=self.id,
            title=self.title,
            sound=sound,
        )


def looks_like_path(target: str) -> bool:
    return target.endswith((".yaml", ".yml")) or "/" in target or Path(target).is_file()


def choose_tier(scripts: tuple[Script, ...], age: int | None, plan: Plan | None) -> Tier:
    """``age`` is the practice age the caller worked out (records/ages.py); without
    one, the plan's, else the youngest the scripts are written for."""
    return practice_tier(age if age is not None else (plan.age if plan else None), scripts)


# A plan handed over in a folder may use the scripts beside it; more files than
# this in one folder is not a pack, and reading them all would be slow.
MAX_SIBLINGS = 200


def sibling_scripts(path: Path) -> dict[str, Script]:
    """Scripts in the same folder as ``path`` (not below it)."""
    siblings = sorted(
        p
        for p in path.parent.iterdir()
        if p.suffix.lower() in YAML_SUFFIXES
        and not p.name.startswith(".")
        and p.is_file()
        and p.resolve() != path.resolve()
    )[:MAX_SIBLINGS]
    return load_files(siblings).scripts if siblings else {}


def _load_target_file(path: Path, library: Library) -> tuple[Script | Plan, dict[str, Script]]:
    if not path.is_file():
        raise TargetError(f"no such file: {path}")
    available = library.scripts
    result = load_files([path], known_scripts=available).results[0]
    if result.kind == "plan" and not result.ok:
        # Perhaps it names scripts that came with it: look beside it, once.
        available = {**library.scripts, **sibling_scripts(path)}
        result = load_files([path], known_scripts=available).results[0]
    if not result.ok:
        raise TargetError(f"{path} cannot be played", result.errors)
    found = result.script or result.plan
    assert found is not None
    return found, available


def resolve(
    target: str,
    library: Library,
    age: int | None = None,
    day: dt.date | None = None,
    together: bool = False,
    session_index: int = 0,
    active_plan: Plan | None = None,
) -> SessionRequest:
    """The session for a script id, a plan id (today's first session, or the one at
    ``session_index``) or a .yaml path.

    ``active_plan`` is the plan written for whoever is practising: its settings
    (gentle areas, pace, voice...) apply to a single script from the library too,
    so a sore area is never tensed just because the child picked something else.
    """
    available = library.scripts
    found: Script | Plan | None
    if looks_like_path(target):
        found, available = _load_target_file(Path(target), library)
    else:
        found = library.find(target)
        broken = library.broken_with_id(target) if found is None else None
        if broken is not None:
            raise TargetError(
                f"'{target}' cannot be played: {broken.path} has problems", broken.errors
            )
        if found is None:
            raise TargetError(
                f"there is no script or plan called '{target}'{library.suggestion(target)}"
            )
    if isinstance(found, Script):
        scripts: tuple[Script, ...] = (found,)
        return SessionRequest(
            id=found.id,
            title=found.title,
            scripts=scripts,
            tier=choose_tier(scripts, age, active_plan),
            settings=active_plan.settings if active_plan else PlanSettings(),
            together=together,
        )
    # The active plan is the same plan with its start pinned (when it names none).
    plan = active_plan if active_plan is not None and active_plan.id == found.id else found
    day = day or dt.date.today()
    today = plan_day(plan, day)
    if today.status == "not-started":
        raise TargetError(
            f"plan '{plan.id}' starts on {today.starts.isoformat()}: nothing yet today"
        )
    if today.status == "finished":
        raise TargetError(f"plan '{plan.id}' is finished: all {plan.weeks} weeks are done")
    if not today.sessions:
        raise TargetError(f"plan '{plan.id}' has nothing planned in week {today.week}")
    session_index = min(max(0, session_index), len(today.sessions) - 1)
    session = today.sessions[session_index]
    missing = [script_id for script_id in session.scripts if script_id not in available]
    if missing:
        raise TargetError(
            f"plan '{plan.id}' uses scripts that are not in the library: {', '.join(missing)}"
        )
    scripts = tuple(available[script_id] for script_id in session.scripts)
    return SessionRequest(
        id=plan.id,
        title=session.name or scripts[0].title,
        scripts=scripts,
        tier=choose_tier(scripts, age, plan),
        plan=plan,
        settings=plan.settings,
        together=together,
        plan_session=session_index,
    )
