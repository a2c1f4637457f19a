"""The library: built-in and user scripts and plans, with broken files kept aside."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from calmkit import locations
from calmkit.content.library import load_files, load_library, yaml_files

BUILTIN_SCRIPTS = {"balloon-belly", "five-senses", "calm-place", "lemon-squeeze"}
BUILTIN_SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "scripts"


def write_script(folder: Path, name: str, script_id: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        dedent(
            f"""\
            calmkit: 1
            id: {script_id}
            title: {script_id.title()}
            kind: breathing
            ages: 6-12
            steps:
              - say: Hello.
              - breathe: {{count: 2}}
            """
        )
        + extra,
        encoding="utf-8",
    )
    return path


def write_plan(folder: Path, name: str, plan_id: str, scripts: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        dedent(
            f"""\
            calmkit: 1
            plan: {plan_id}
            for: Sam
            schedule:
              - weeks: 1-4
                sessions:
                  - scripts: {scripts}
            """
        ),
        encoding="utf-8",
    )
    return path


def test_the_built_in_library_loads_cleanly() -> None:
    library = load_library(include_user=False)
    assert library.problems == []
    assert library.broken == []
    assert set(library.scripts) >= BUILTIN_SCRIPTS
    assert "maya-8-weeks" in library.plans
    # Every file under scripts/ is one script or plan.
    files = yaml_files(BUILTIN_SCRIPTS_DIR)
    assert len(library.results) == len(files) == len(library.scripts) + len(library.plans)
    balloon = library.scripts["balloon-belly"]
    assert balloon.path == str(locations.builtin_scripts_dir() / "breathing" / "balloon-belly.yaml")
    assert (balloon.title, balloon.kind, balloon.ages) == ("Balloon Belly", "breathing", (5, 18))
    maya = library.plans["maya-8-weeks"]
    assert (maya.for_profile, maya.age, maya.weeks) == ("Maya", 9, 8)
    assert maya.settings.gentle == frozenset({"feet", "legs"})


def test_the_built_in_plans_only_use_built_in_scripts() -> None:
    library = load_library(include_user=False)
    assert set(library.plans) == {"maya-8-weeks", "alex-teen-8-weeks", "family-calm-8-weeks"}
    for plan in library.plans.values():
        used = {
            script_id
            for block in plan.schedule
            for session in block.sessions
            for script_id in session.scripts
        }
        assert used, plan.id
        assert used <= set(library.scripts), plan.id


def test_an_empty_home_adds_nothing(isolated_home: Path) -> None:
    assert list(isolated_home.iterdir()) == []
    assert set(load_library().scripts) == set(load_library(include_user=False).scripts)


def test_user_scripts_and_plans_are_found(isolated_home: Path) -> None:
    mine = write_script(isolated_home / "scripts", "mine.yaml", "my-breath")
    nested = write_script(isolated_home / "scripts" / "more", "deep.yml", "deep-breath")
    plan = write_plan(isolated_home / "plans", "plan.yaml", "sam-plan", "[my-breath, deep-breath]")
    library = load_library()
    assert library.problems == []
    assert library.scripts["my-breath"].path == str(mine)
    assert library.scripts["deep-breath"].path == str(nested)
    assert library.plans["sam-plan"].path == str(plan)
    assert set(library.scripts) >= BUILTIN_SCRIPTS
    # Without the user's folders they are gone.
    assert "my-breath" not in load_library(include_user=False).scripts


def test_hidden_and_other_files_are_skipped(isolated_home: Path) -> None:
    folder = isolated_home / "scripts"
    write_script(folder, ".draft.yaml", "draft")
    write_script(folder / ".git", "x.yaml", "in-git")
    write_script(folder, "notes.txt", "notes")
    write_script(folder, "ok.YAML", "upper-case")
    assert [path.name for path in yaml_files(folder)] == ["ok.YAML"]
    library = load_library()
    assert {"draft", "in-git", "notes"}.isdisjoint(library.scripts)
    assert "upper-case" in library.scripts


def test_a_broken_user_file_is_listed_and_the_rest_still_loads(isolated_home: Path) -> None:
    good = write_script(isolated_home / "scripts", "a-good.yaml", "good-one")
    broken = isolated_home / "scripts" / "b-broken.yaml"
    broken.write_text(
        "calmkit: 1\nid: broken-one\ntitle: Broken\nkind: breathing\nages: 6-12\n"
        "steps:\n  - breathe: {in: four}\n  - chime: bell\n",
        encoding="utf-8",
    )
    library = load_library()
    assert "good-one" in library.scripts
    assert library.scripts["good-one"].path == str(good)
    assert "broken-one" not in library.scripts
    assert set(library.scripts) >= BUILTIN_SCRIPTS
    assert [result.path for result in library.broken] == [str(broken)]
    (result,) = library.broken
    assert str(result.errors[0]) == (
        f"{broken}:7:19: error: 'in' must be a number of seconds from 1 to 15, got 'four'"
    )
    assert [str(problem) for problem in library.problems] == [
        f"{broken}:7:19: error: 'in' must be a number of seconds from 1 to 15, got 'four'",
        f"{broken}:8:12: error: unknown chime 'bell' (one of 'start', 'end' or 'soft')",
    ]


def test_a_file_that_is_not_yaml_at_all_is_broken_not_fatal(isolated_home: Path) -> None:
    folder = isolated_home / "scripts"
    folder.mkdir()
    (folder / "binary.yaml").write_bytes(b"\x00\xff\xfe garbage")
    (folder / "syntax.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    write_script(folder, "fine.yaml", "fine")
    library = load_library()
    assert "fine" in library.scripts
    assert sorted(Path(result.path).name for result in library.broken) == [
        "binary.yaml",
        "syntax.yaml",
    ]


def test_a_warning_is_not_broken(isolated_home: Path) -> None:
    path = write_script(isolated_home / "scripts", "w.yaml", "warned")
    path.write_text(path.read_text().replace("ages: 6-12", "ages: 6-12\nambient: forest"))
    library = load_library()
    assert "warned" in library.scripts
    assert library.broken == []
    assert [(problem.severity, problem.line) for problem in library.problems] == [("warning", 6)]


def test_duplicate_script_ids_name_both_files(isolated_home: Path) -> None:
    first = write_script(isolated_home / "scripts", "a.yaml", "twin")
    second = write_script(isolated_home / "scripts", "b.yaml", "twin")
    library = load_library()
    assert library.scripts["twin"].path == str(first)
    assert [str(problem) for problem in library.problems] == [
        f"{second}:2:5: error: duplicate script id 'twin': {first} already uses it"
    ]
    assert [result.path for result in library.broken] == [str(second)]


def test_a_user_script_cannot_take_a_built_in_id(isolated_home: Path) -> None:
    mine = write_script(isolated_home / "scripts", "balloon.yaml", "balloon-belly")
    library = load_library()
    builtin = locations.builtin_scripts_dir() / "breathing" / "balloon-belly.yaml"
    assert library.scripts["balloon-belly"].path == str(builtin)
    assert [str(problem) for problem in library.problems] == [
        f"{mine}:2:5: error: duplicate script id 'balloon-belly': {builtin} already uses it"
    ]


def test_duplicate_plan_ids_name_both_files(isolated_home: Path) -> None:
    first = write_plan(isolated_home / "plans", "a.yaml", "same-plan", "[calm-place]")
    second = write_plan(isolated_home / "plans", "b.yaml", "same-plan", "[five-senses]")
    library = load_library()
    assert library.plans["same-plan"].path == str(first)
    assert [str(problem) for problem in library.problems] == [
        f"{second}:2:7: error: duplicate plan id 'same-plan': {first} already uses it"
    ]


def test_a_user_plan_may_use_built_in_and_user_scripts(isolated_home: Path) -> None:
    write_script(isolated_home / "scripts", "mine.yaml", "my-breath")
    write_plan(isolated_home / "plans", "p.yaml", "mixed", "[balloon-belly, my-breath]")
    library = load_library()
    assert library.problems == []
    assert library.plans["mixed"].schedule[0].sessions[0].scripts == ("balloon-belly", "my-breath")


def test_a_user_plan_with_an_unknown_script(isolated_home: Path) -> None:
    plan = write_plan(isolated_home / "plans", "p.yaml", "typo", "[ballon-belly]")
    library = load_library()
    assert "typo" not in library.plans
    assert [str(problem) for problem in library.problems] == [
        f"{plan}:7:19: error: unknown script 'ballon-belly' (did you mean 'balloon-belly'?)"
    ]


def test_a_plan_in_the_scripts_folder_is_still_a_plan(isolated_home: Path) -> None:
    write_plan(isolated_home / "scripts", "zz-plan.yaml", "in-scripts", "[calm-place]")
    library = load_library()
    assert "in-scripts" in library.plans
    assert library.problems == []


def test_load_files_checks_plans_against_given_scripts(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, "p.yaml", "handed-over", "[their-script]")
    alone = load_files([plan])
    assert [problem.message for problem in alone.problems] == ["unknown script 'their-script'"]
    helped = load_files([plan], known_scripts={"their-script"})
    assert helped.problems == []
    assert "handed-over" in helped.plans


def test_the_same_file_twice_is_loaded_once(tmp_path: Path) -> None:
    path = write_script(tmp_path, "s.yaml", "once")
    library = load_files([path, tmp_path / "." / "s.yaml"])
    assert len(library.results) == 1
    assert library.problems == []


def test_find_and_suggestion() -> None:
    library = load_library(include_user=False)
    assert library.find("calm-place") is library.scripts["calm-place"]
    assert library.find("maya-8-weeks") is library.plans["maya-8-weeks"]
    assert library.find("nothing") is None
    assert library.suggestion("calm-plase") == " (did you mean 'calm-place'?)"
    assert library.suggestion("zzzzzz") == ""


def test_the_cached_library_is_the_same_and_follows_every_change(isolated_home: Path) -> None:
    from calmkit import locations

    mine = write_script(isolated_home / "scripts", "mine.yaml", "my-breath")
    first = load_library(cached=True)
    cache = locations.library_cache_path()
    assert cache.is_file() and (cache.stat().st_mode & 0o777) == 0o600
    again = load_library(cached=True)
    assert set(again.scripts) == set(first.scripts) == set(load_library().scripts)
    assert again.scripts["my-breath"] == first.scripts["my-breath"]
    # An edited file is read again: the cache never hides a change.
    mine.write_text(mine.read_text("utf-8").replace("My-Breath", "Changed Title"), "utf-8")
    assert load_library(cached=True).scripts["my-breath"].title == "Changed Title"
    # A new file, and a deleted one.
    write_script(isolated_home / "scripts", "two.yaml", "second-breath")
    assert "second-breath" in load_library(cached=True).scripts
    mine.unlink()
    assert "my-breath" not in load_library(cached=True).scripts
    # A damaged cache is only a miss.
    cache.write_bytes(b"not a cache")
    assert "second-breath" in load_library(cached=True).scripts


def test_the_cache_holds_the_whole_library_exactly_as_parsed(isolated_home: Path) -> None:
    first = load_library(cached=True)  # parsed, measured and written
    again = load_library(cached=True)  # read back from the cache
    assert again.scripts == first.scripts and list(again.scripts) == list(first.scripts)
    assert again.plans == first.plans and list(again.plans) == list(first.plans)
    assert again.results == first.results and again.durations == first.durations
    for script_id, script in again.scripts.items():
        assert again.find(script_id) is script
        assert again.seconds(script, "kid") == first.durations[f"{script_id}/kid"]


def test_a_planted_cache_never_runs_code(isolated_home: Path, tmp_path: Path) -> None:
    """A pickle that would create a file when unpickled, in the cache's place (by its old
    name and its new one), with the right key: it is a miss, and nothing runs."""
    import pickle

    from calmkit import locations

    load_library(cached=True)
    cache = locations.library_cache_path()
    proof = tmp_path / "ran"

    class Planted:
        def __reduce__(self) -> tuple[object, ...]:
            return (open, (str(proof), "w"))

    for name in (cache.name, "library.pickle"):
        (cache.parent / name).write_bytes(pickle.dumps(Planted()))
    library = load_library(cached=True)
    assert not proof.exists()
    assert "calm-place" in library.scripts


@pytest.mark.parametrize(
    "planted",
    [
        b'{"key": {"$": "Popen", "args": ["touch", "x"]}, "results": [], "durations": {}}',
        b'{"key": {"$": "LoadResult", "path": "x", "__class__": 1}, "results": []}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_a_cache_naming_other_classes_or_nested_deeply_is_a_miss(
    isolated_home: Path, planted: bytes
) -> None:
    from calmkit import locations

    load_library(cached=True)
    locations.library_cache_path().write_bytes(planted)
    assert "calm-place" in load_library(cached=True).scripts


def test_the_cache_is_read_again_when_the_messages_wording_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached broken file shows its message: new wording in messages.toml must show."""
    from calmkit.content import library, model

    content = tmp_path / "content"
    content.mkdir()
    (content / "model.py").write_text("# the content layer's code\n", encoding="utf-8")
    wording = content / "messages.toml"
    wording.write_text('[EMPTY]\ntext = "the file is empty"\n', encoding="utf-8")
    monkeypatch.setattr(model, "__file__", str(content / "model.py"))
    before = library._fingerprint([])
    wording.write_text('[EMPTY]\ntext = "this file has nothing in it"\n', encoding="utf-8")
    assert library._fingerprint([]) != before
