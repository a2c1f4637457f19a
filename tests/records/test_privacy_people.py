"""One person's export holds only their data; forgetting them removes all of it.

A real pack for two children (each a plan with a clinical note, a script of
their own, one they share, recordings), real practice in the journal, a real
library cache and real narration (flite) of Bob's script: then ``export
--profile Alice`` and ``forget --profile Bob``, and every byte calmkit keeps
is searched for what was Bob's.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from textwrap import dedent

import pytest

from calmkit import locations
from calmkit.cli import main
from calmkit.content.library import load_library
from calmkit.packs.importer import import_path
from calmkit.records.journal import Journal, Progress
from calmkit.records.settings import Settings, save_settings
from pack_files import clip_bytes, script_text, write

# Needs flite (the two_children fixture narrates with it): left out by -m 'not system'.
pytestmark = pytest.mark.system("flite")

BOB_NOTE = "Bob: sleeps badly since the surgery, CONFIDENTIAL-BOB"
ALICE_NOTE = "Alice: knee pain at school"


def plan(plan_id: str, who: str, note: str, scripts: str) -> str:
    return dedent(
        f"""\
        calmkit: 1
        plan: {plan_id}
        for: {who}
        age: 10
        note: "{note}"
        schedule:
          - weeks: 1-4
            sessions:
              - scripts: {scripts}
        """
    )


def bobs_script() -> str:
    return script_text("bob-breath").replace(
        "Hello, welcome to the lake.", "Hello Bob, the lake is waiting for you."
    )


@pytest.fixture
def two_children(tmp_path: Path, isolated_home: Path) -> Path:
    pack = tmp_path / "pack"
    write(pack / "alice.yaml", plan("alice-plan", "Alice", ALICE_NOTE, "[alice-breath, together]"))
    write(pack / "bob.yaml", plan("bob-plan", "Bob", BOB_NOTE, "[bob-breath, together]"))
    write(pack / "scripts/alice.yaml", script_text("alice-breath"))
    write(pack / "scripts/bob.yaml", bobs_script())
    write(pack / "scripts/together.yaml", script_text("together"))
    for script_id in ("alice-breath", "bob-breath", "together"):
        write(pack / "recordings" / script_id / "welcome.wav", clip_bytes(fmt="WAV"))
    result = import_path(pack)
    assert result.ok, [str(m) for m in result.messages]
    with Journal() as journal:
        for who in ("Alice", "Bob"):
            journal.ensure_profile(who, 10)
            # Each plan given to its child, as `calmkit import --profile` does.
            journal.set_plan(who, f"{who.lower()}-plan")
            sid = journal.start_session(who, f"{who.lower()}-plan", "Plan", "kid", 3)
            journal.finish_session(sid, "completed", Progress(3, 200))
    save_settings(Settings(profile="Bob"))
    load_library(cached=True)  # the cache now holds both plans, notes and all
    assert main(["narrate", "bob-breath", "--engine", "flite"]) == 0
    return isolated_home


def everything_kept(home: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(home.rglob("*")) if path.is_file())


def test_a_profiles_export_holds_only_that_profiles_data(
    two_children: Path, tmp_path: Path
) -> None:
    out = tmp_path / "alice.zip"
    assert main(["export", "--profile", "Alice", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        contents = b"".join(archive.read(name) for name in names)
        record = json.loads(archive.read("practice.json"))
        settings = json.loads(archive.read("settings.json"))
    assert names == [
        "library/plans/alice-plan.yaml",
        "library/scripts/alice-breath.yaml",
        "library/scripts/together.yaml",
        "practice.json",
        "recordings/alice-breath/welcome.ogg",
        "recordings/together/welcome.ogg",
        "settings.json",
    ]
    assert b"Bob" not in contents and b"CONFIDENTIAL-BOB" not in contents
    assert ALICE_NOTE.encode() in contents
    assert [p["name"] for p in record["profiles"]] == ["Alice"]
    assert settings["profile"] is None  # Bob practised last: not Alice's to hand over
    # The whole family's export still holds everything.
    everyone = tmp_path / "all.zip"
    assert main(["export", "--out", str(everyone)]) == 0
    with zipfile.ZipFile(everyone) as archive:
        assert "library/plans/bob-plan.yaml" in archive.namelist()


def test_forget_removes_the_persons_plans_recordings_and_cached_copies(
    two_children: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert b"CONFIDENTIAL-BOB" in everything_kept(two_children)
    narrated = json.dumps(
        [json.loads(p.read_text()) for p in (two_children / "narration").rglob("manifest.json")]
    )
    assert "Hello Bob" in narrated
    assert main(["forget", "--profile", "Bob", "--yes"]) == 0
    said = capsys.readouterr().out
    assert "Bob is forgotten: 1 session and" in said
    kept = everything_kept(two_children)
    assert b"CONFIDENTIAL-BOB" not in kept
    assert b"Bob" not in kept, [
        str(path)
        for path in two_children.rglob("*")
        if path.is_file() and b"Bob" in path.read_bytes()
    ]
    # Alice's plan, her script, the shared one and its recording are all still there.
    library = load_library(cached=True)
    assert "alice-plan" in library.plans and "bob-plan" not in library.plans
    assert {"alice-breath", "together"} <= set(library.scripts)
    assert "bob-breath" not in library.scripts
    assert (locations.recordings_dir() / "together" / "welcome.ogg").is_file()
    assert not (locations.recordings_dir() / "bob-breath").exists()


def test_forget_says_exactly_what_it_deletes_before_it_asks(
    two_children: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    main(["forget", "--profile", "Bob"])
    question = capsys.readouterr().out
    plan_file = locations.user_plans_dir() / "bob-plan.yaml"
    assert f"the plan bob-plan ({plan_file})" in question
    assert "1 script made for them" in question and "1 recording made for them" in question
    assert plan_file.is_file()  # nothing was deleted
