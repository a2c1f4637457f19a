"""``calmkit import``: scripts, plans and packs into the user library, all or nothing."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from calmkit import locations
from calmkit.content.library import load_library
from calmkit.packs import sources
from calmkit.packs.importer import ImportResult, format_result, import_path
from pack_files import clip_bytes, plan_text, script_text, write

PROBLEM_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$")


# --- making files ----------------------------------------------------------------------


def make_zip(
    path: Path,
    files: dict[str, str | bytes],
    compression: int = zipfile.ZIP_DEFLATED,
    extra: list[tuple[zipfile.ZipInfo, bytes]] = (),  # type: ignore[assignment]
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for info, data in extra:
            archive.writestr(info, data)
    return path


def patch_central(path: Path, name: str, *, flag: int | None = None, size: int | None = None):
    """Change what a zip's central directory says about one member."""
    data = bytearray(path.read_bytes())
    position = data.find(b"PK\x01\x02")
    while position != -1:
        length = int.from_bytes(data[position + 28 : position + 30], "little")
        if bytes(data[position + 46 : position + 46 + length]).decode() == name:
            if flag is not None:
                data[position + 8 : position + 10] = flag.to_bytes(2, "little")
            if size is not None:
                data[position + 24 : position + 28] = size.to_bytes(4, "little")
        position = data.find(b"PK\x01\x02", position + 1)
    path.write_bytes(bytes(data))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def messages(result: ImportResult) -> str:
    return "\n".join(str(message) for message in result.messages)


def assert_nothing_installed() -> None:
    for folder in (
        locations.user_scripts_dir(),
        locations.user_plans_dir(),
        locations.recordings_dir(),
    ):
        assert not folder.exists() or not any(folder.rglob("*")), f"{folder} was written"


def assert_refused(result: ImportResult, *words: str) -> str:
    assert not result.ok
    assert result.installed == []
    text = messages(result)
    for word in words:
        assert word in text, text
    assert format_result(result)[-1].startswith("nothing was imported from")
    assert_nothing_installed()
    return text


# --- single files ----------------------------------------------------------------------


def test_a_script_installs_as_its_original_bytes_readable_only_by_the_user(
    tmp_path: Path,
) -> None:
    source = write(tmp_path / "from-the-clinic" / "Calm Lake v2.yaml", script_text("calm-lake"))
    result = import_path(source)
    assert result.ok, messages(result)
    target = locations.user_scripts_dir() / "calm-lake.yaml"
    assert target.read_bytes() == source.read_bytes()  # comments and all
    assert mode(target) == 0o600
    assert mode(locations.user_scripts_dir()) == 0o700
    assert mode(locations.user_data_dir()) == 0o700
    assert [(i.kind, i.name, i.destination, i.action) for i in result.installed] == [
        ("script", "calm-lake", target, "added")
    ]
    library = load_library()
    assert "calm-lake" in library.scripts
    assert library.problems == []
    assert format_result(result)[-1] == f"imported 1 file from {source}"
    # No temporary files are left behind.
    assert sorted(p.name for p in locations.user_scripts_dir().iterdir()) == ["calm-lake.yaml"]


def test_a_script_carries_its_sound_files_along(tmp_path: Path) -> None:
    source = write(
        tmp_path / "lake.yaml", script_text("calm-lake", "  - sound: {file: clips/intro.ogg}\n")
    )
    clip = write(tmp_path / "clips" / "intro.ogg", clip_bytes())
    result = import_path(source)
    assert result.ok, messages(result)
    installed = locations.user_scripts_dir() / "clips" / "intro.ogg"
    assert installed.read_bytes() == clip.read_bytes()
    assert mode(installed) == 0o600
    assert mode(installed.parent) == 0o700
    library = load_library()
    assert library.problems == []  # the loader found the sound file beside the installed script
    assert "calm-lake" in library.scripts


def test_a_script_whose_sound_file_is_missing_is_refused_at_the_file_name(
    tmp_path: Path,
) -> None:
    source = write(
        tmp_path / "lake.yaml", script_text("calm-lake", "  - sound: {file: gone.ogg}\n")
    )
    result = import_path(source)
    assert_refused(result, "sound file 'gone.ogg' was not found")
    assert f"{source}:12:19: error: sound file 'gone.ogg'" in messages(result)


def test_a_plan_using_built_in_scripts_installs(tmp_path: Path) -> None:
    source = write(tmp_path / "sam.yaml", plan_text("sam-4-weeks", "[balloon-belly, calm-place]"))
    result = import_path(source)
    assert result.ok, messages(result)
    target = locations.user_plans_dir() / "sam-4-weeks.yaml"
    assert target.read_bytes() == source.read_bytes()
    assert mode(target) == 0o600
    assert mode(locations.user_plans_dir()) == 0o700
    assert "sam-4-weeks" in load_library().plans


def test_a_plan_with_an_unknown_script_is_refused_at_its_mark(tmp_path: Path) -> None:
    source = write(tmp_path / "sam.yaml", plan_text("sam-4-weeks", "[balon-belly]"))
    result = import_path(source)
    assert_refused(result)
    lines = [str(message) for message in result.errors]
    assert lines == [
        f"{source}:8:19: error: unknown script 'balon-belly' (did you mean 'balloon-belly'?)"
    ]


def test_a_plan_whose_scripts_lie_beside_it_says_to_import_the_folder(tmp_path: Path) -> None:
    write(tmp_path / "pack" / "lake.yaml", script_text("calm-lake"))
    source = write(tmp_path / "pack" / "sam.yaml", plan_text("sam-4-weeks", "[calm-lake]"))
    result = import_path(source)
    assert_refused(result, "unknown script 'calm-lake'")
    assert any("import the folder" in hint for hint in result.hints)
    assert any(line.startswith("hint: ") for line in format_result(result))


def test_broken_yaml_is_refused_with_path_line_col_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    source = write(tmp_path / "bad.yaml", "calmkit: 1\nid: x\ntitle: a: b\n")
    result = import_path(source)
    assert_refused(result)
    match = PROBLEM_LINE.match(str(result.errors[0]))
    assert match, str(result.errors[0])
    assert match["path"] == str(source)
    assert match["message"] == (
        "this line has ': ' inside the text: put the text in quotes, like title: \"a: b\""
    )
    lines = format_result(result)
    assert lines[:2] == [
        str(result.errors[0]),
        "  (YAML said: mapping values are not allowed here)",
    ]
    assert not locations.user_scripts_dir().exists()


def test_a_missing_file_and_an_unknown_kind_of_file_are_one_line_each(tmp_path: Path) -> None:
    result = import_path(tmp_path / "nowhere.yaml")
    assert_refused(result, "no such file or folder")
    notes = write(tmp_path / "notes.txt", "hello")
    result = import_path(notes)
    assert_refused(result, "not something calmkit can import")
    assert len(result.messages) == 1


# --- what is there already -------------------------------------------------------------


def test_an_existing_file_is_refused_without_replace_and_overwritten_with_it(
    tmp_path: Path,
) -> None:
    first = write(tmp_path / "one" / "lake.yaml", script_text("calm-lake"))
    assert import_path(first).ok
    target = locations.user_scripts_dir() / "calm-lake.yaml"
    second = write(
        tmp_path / "two" / "lake.yaml", script_text("calm-lake").replace("Calm Lake", "Still Lake")
    )
    refused = import_path(second)
    assert not refused.ok
    assert f"{target} already exists: use --replace to overwrite it" in messages(refused)
    assert target.read_bytes() == first.read_bytes()

    replaced = import_path(second, replace=True)
    assert replaced.ok, messages(replaced)
    assert target.read_bytes() == second.read_bytes()
    assert [item.action for item in replaced.installed] == ["replaced"]
    assert mode(target) == 0o600
    assert load_library().scripts["calm-lake"].title == "Still Lake"


def test_importing_the_same_file_twice_changes_nothing_and_succeeds(tmp_path: Path) -> None:
    source = write(tmp_path / "lake.yaml", script_text("calm-lake"))
    assert import_path(source).ok
    again = import_path(source)
    assert again.ok, messages(again)
    assert [item.action for item in again.installed] == ["unchanged"]
    assert format_result(again)[-1].startswith("nothing new in")


def test_an_id_the_user_library_has_under_another_name_needs_replace(tmp_path: Path) -> None:
    older = write(locations.user_scripts_dir() / "my lake.yaml", script_text("calm-lake"))
    source = write(
        tmp_path / "lake.yaml", script_text("calm-lake").replace("Calm Lake", "Still Lake")
    )
    refused = import_path(source)
    assert not refused.ok
    assert f"already has script 'calm-lake' in {older}: use --replace" in messages(refused)
    assert not (locations.user_scripts_dir() / "calm-lake.yaml").exists()

    replaced = import_path(source, replace=True)
    assert replaced.ok, messages(replaced)
    assert not older.exists()
    assert replaced.removed == [older]
    library = load_library()
    assert library.problems == []  # no duplicate id left behind
    assert library.scripts["calm-lake"].title == "Still Lake"


@pytest.mark.parametrize("replace", [False, True])
def test_a_built_in_id_is_refused_even_with_replace(tmp_path: Path, replace: bool) -> None:
    script = write(tmp_path / "mine.yaml", script_text("balloon-belly"))
    result = import_path(script, replace=replace)
    text = assert_refused(result, "'balloon-belly' is the id of a built-in script")
    assert f"{script}:3:5: error:" in text
    plan = write(tmp_path / "plan.yaml", plan_text("maya-8-weeks", "[balloon-belly]"))
    assert_refused(import_path(plan, replace=replace), "id of a built-in plan")


def test_a_plan_named_like_a_script_is_refused(tmp_path: Path) -> None:
    source = write(tmp_path / "plan.yaml", plan_text("calm-place", "[balloon-belly]"))
    assert_refused(import_path(source), "'calm-place' is the id of a built-in script")
    write(locations.user_scripts_dir() / "lake.yaml", script_text("calm-lake"))
    source = write(tmp_path / "plan2.yaml", plan_text("calm-lake", "[balloon-belly]"))
    result = import_path(source, replace=True)
    assert not result.ok
    assert "already the id of a script in your library" in messages(result)


# --- packs -----------------------------------------------------------------------------


def pack_files() -> dict[str, str | bytes]:
    """A pack as a psychologist might hand it over: plan, scripts, clips, a note."""
    return {
        "plans/sam.yaml": plan_text("sam-4-weeks", "[calm-lake, sea-breath, balloon-belly]"),
        "scripts/lake.yaml": script_text("calm-lake", "  - sound: {file: intro.ogg}\n"),
        "scripts/intro.ogg": clip_bytes(),
        "scripts/sea.yaml": script_text("sea-breath"),
        "recordings/calm-lake/welcome.ogg": clip_bytes(),
        # the other accepted layout: a folder named after the script
        "scripts/sea-breath/welcome.wav": clip_bytes(fmt="WAV"),
        # a recording for a built-in script's step
        "recordings/balloon-belly/welcome.flac": clip_bytes(fmt="FLAC"),
        "README.txt": "Hi Sam's family!",
        ".DS_Store": b"\0\1",
    }


def check_pack_installed(result: ImportResult) -> None:
    assert result.ok, messages(result)
    scripts = locations.user_scripts_dir()
    recordings = locations.recordings_dir()
    expected = [
        scripts / "calm-lake.yaml",
        scripts / "sea-breath.yaml",
        scripts / "intro.ogg",
        locations.user_plans_dir() / "sam-4-weeks.yaml",
        recordings / "calm-lake" / "welcome.ogg",
        recordings / "sea-breath" / "welcome.ogg",  # came as .wav: mastered, as OGG
        recordings / "balloon-belly" / "welcome.ogg",  # came as .flac
    ]
    for path in expected:
        assert path.is_file(), path
        assert mode(path) == 0o600, path
        assert mode(path.parent) == 0o700, path
    assert {item.destination for item in result.installed} == set(expected)
    assert (scripts / "calm-lake.yaml").read_bytes() == pack_files()["scripts/lake.yaml"].encode()
    library = load_library()
    assert library.problems == []
    assert {"calm-lake", "sea-breath"} <= set(library.scripts)
    assert "sam-4-weeks" in library.plans
    # The README is skipped with a warning; hidden files silently.
    warnings = [m for m in result.messages if not m.is_error]
    assert [m.path.rsplit("/", 1)[-1] for m in warnings] == ["README.txt"]
    # The player finds the clinician's recordings where it looks for them.
    from calmkit.audio.clips import SessionClips

    clips = SessionClips(None)
    for script_id, extension in [("calm-lake", ".ogg"), ("balloon-belly", ".ogg")]:
        clip = clips.recorded_step(script_id, "welcome")
        assert clip is not None and clip.path.endswith(f"welcome{extension}")


def test_a_folder_pack_installs_everything(tmp_path: Path) -> None:
    pack = tmp_path / "sam-pack"
    for name, data in pack_files().items():
        write(pack / name, data)
    check_pack_installed(import_path(pack))


def test_a_zip_pack_installs_everything(tmp_path: Path) -> None:
    files = {f"sam-pack/{name}": data for name, data in pack_files().items()}
    files["__MACOSX/sam-pack/._lake.yaml"] = b"\0\5\26\7 resource fork"
    archive = make_zip(tmp_path / "sam.zip", files)
    check_pack_installed(import_path(archive))


def test_one_broken_file_in_a_pack_installs_nothing(tmp_path: Path) -> None:
    files = pack_files()
    files["scripts/broken.yaml"] = script_text("broken-one").replace("count: 2", "count: two")
    archive = make_zip(tmp_path / "sam.zip", files)
    result = import_path(archive)
    assert_refused(result)
    assert [str(m) for m in result.errors] == [
        f"{archive}/scripts/broken.yaml:11:22: error: 'count' must be a whole number of "
        "breaths from 1 to 60, got 'two'"
    ]
    assert not locations.user_scripts_dir().exists()

    pack = tmp_path / "folder"
    for name, data in files.items():
        write(pack / name, data)
    result = import_path(pack)
    assert_refused(result, f"{pack}/scripts/broken.yaml:11:22: error:")


def test_a_pack_with_the_same_id_twice_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write(pack / "a.yaml", script_text("calm-lake"))
    write(pack / "b" / "a.yaml", script_text("calm-lake"))
    assert_refused(import_path(pack), f"duplicate script id 'calm-lake': {pack}/a.yaml")


def test_a_pack_plan_may_use_the_users_own_scripts(tmp_path: Path) -> None:
    assert import_path(write(tmp_path / "lake.yaml", script_text("calm-lake"))).ok
    archive = make_zip(tmp_path / "p.zip", {"plan.yml": plan_text("sam-plan", "[calm-lake]")})
    result = import_path(archive)
    assert result.ok, messages(result)
    assert "sam-plan" in load_library().plans


# --- recordings ------------------------------------------------------------------------


def test_a_recording_for_an_unknown_step_is_refused(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "p.zip",
        {
            "lake.yaml": script_text("calm-lake"),
            "recordings/calm-lake/welcom.ogg": clip_bytes(),
        },
    )
    result = import_path(archive)
    assert_refused(
        result,
        f"{archive}/recordings/calm-lake/welcom.ogg: error: script 'calm-lake' has no step "
        "'welcom' (did you mean 'welcome'?), so nobody would ever hear this clip",
    )


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("recordings/calm-lake/slow-breaths.ogg", None, "is a breathe step"),
        ("recordings/no-such-script/welcome.ogg", None, "not in the pack or the library"),
        ("recordings/calm-lake/welcome.mp3", None, "must be a '.ogg', '.wav' or '.flac' file"),
        ("recordings/calm-lake/welcome.ogg", b"OggS but not really", "cannot be played"),
        ("recordings/calm-lake/welcome.wav", clip_bytes(seconds=0, fmt="WAV"), "holds no sound"),
        ("stray.ogg", None, "no script uses this clip"),
    ],
)
def test_a_clip_nobody_would_hear_is_refused(
    tmp_path: Path, name: str, data: bytes | None, words: str
) -> None:
    pack = tmp_path / "pack"
    write(pack / "lake.yaml", script_text("calm-lake"))
    write(pack / name, clip_bytes() if data is None else data)
    assert_refused(import_path(pack), f"{pack}/{name}: error:", words)


def test_a_step_recorded_in_another_format_needs_replace(tmp_path: Path) -> None:
    old = write(
        locations.recordings_dir() / "balloon-belly" / "welcome.flac", clip_bytes(fmt="FLAC")
    )
    old_bytes = old.read_bytes()
    pack = tmp_path / "pack"
    write(pack / "recordings" / "balloon-belly" / "welcome.wav", clip_bytes(fmt="WAV"))
    refused = import_path(pack)
    assert not refused.ok
    assert f"already has a recording ({old}): use --replace" in messages(refused)
    result = import_path(pack, replace=True)
    assert result.ok, messages(result)
    new = locations.recordings_dir() / "balloon-belly" / "welcome.ogg"
    assert not old.exists()  # two recordings of one step: only one may stay
    assert new.is_file() and new.read_bytes() != old_bytes  # mastered, as OGG


# --- zip safety ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../evil.yaml", "/abs.yaml", "ok/../../evil.yaml", "..\\evil.yaml", "C:/evil.yaml"]
)
def test_a_zip_member_outside_the_pack_is_refused(tmp_path: Path, name: str) -> None:
    archive = make_zip(tmp_path / "pack" / "p.zip", {name: script_text("evil")})
    result = import_path(archive)
    assert_refused(result, f"{archive}/{name.replace(chr(92), '/')}: error:", "pack")
    assert not (tmp_path / "evil.yaml").exists()


@pytest.mark.parametrize(
    ("file_type", "words"),
    [(stat.S_IFLNK, "is a symbolic link"), (stat.S_IFIFO, "is not a plain file")],
)
def test_a_zip_member_that_is_not_a_plain_file_is_refused(
    tmp_path: Path, file_type: int, words: str
) -> None:
    info = zipfile.ZipInfo("lake.yaml")
    info.create_system = 3
    info.external_attr = (file_type | 0o777) << 16
    archive = make_zip(
        tmp_path / "p.zip",
        {"sea.yaml": script_text("sea-breath")},
        extra=[(info, script_text("calm-lake").encode())],
    )
    assert_refused(import_path(archive), f"{archive}/lake.yaml: error: {words}")


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", {"lake.yaml": script_text("calm-lake")})
    patch_central(archive, "lake.yaml", flag=0x1)
    assert_refused(import_path(archive), "lake.yaml: error: is encrypted")


def test_a_member_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = clip_bytes(seconds=1.0, fmt="WAV")  # about 43 KiB
    monkeypatch.setattr(sources, "MAX_AUDIO_BYTES", 32 * 1024)
    files = {"lake.yaml": script_text("calm-lake"), "recordings/calm-lake/welcome.wav": clip}
    archive = make_zip(tmp_path / "p.zip", files, zipfile.ZIP_STORED)
    assert_refused(import_path(archive), "welcome.wav: error: file is too large")
    pack = tmp_path / "pack"
    for name, data in files.items():
        write(pack / name, data)
    assert_refused(import_path(pack), "welcome.wav: error: file is too large")


def test_an_oversized_yaml_member_is_refused_unread(tmp_path: Path) -> None:
    padding = "# " + "x" * 1000 + "\n"
    big = script_text("calm-lake") + padding * 300  # about 300 KiB, otherwise valid
    archive = make_zip(tmp_path / "p.zip", {"lake.yaml": big})
    assert_refused(
        import_path(archive),
        "lake.yaml: error: file is too large (294 KiB): scripts and plans can be at most 256 KiB",
    )


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    # A real minute of silence: 5 MiB that deflate packs into a few KiB. Under the size
    # limit and playable, so only the ratio check stands between it and the library.
    silence = clip_bytes(seconds=60, fmt="WAV", rate=44100, silent=True)
    assert len(silence) < sources.MAX_AUDIO_BYTES
    archive = make_zip(
        tmp_path / "p.zip",
        {"lake.yaml": script_text("calm-lake"), "recordings/calm-lake/welcome.wav": silence},
    )
    assert_refused(import_path(archive), "welcome.wav: error: unpacks to more than 100 times")


def test_a_member_whose_header_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    silence = b"\0" * (5 * 1024 * 1024)
    name = "recordings/calm-lake/welcome.wav"
    archive = make_zip(tmp_path / "p.zip", {"lake.yaml": script_text("calm-lake"), name: silence})
    patch_central(archive, name, size=1000)  # "only 1000 bytes", says the header
    result = import_path(archive)
    assert_refused(result, f"{archive}/{name}: error: cannot be unpacked: the zip is damaged")
    assert len(result.errors) == 1


def test_the_bytes_actually_unpacked_are_counted_whatever_the_header_says(
    tmp_path: Path,
) -> None:
    # zipfile itself stops at the declared size today; the importer does not rely on it.
    source = sources.FolderSource(tmp_path)
    member = sources.Member(PurePosixPath("a.wav"), "p.zip/a.wav", size=100)
    flood = io.BytesIO(b"\0" * (2 * sources.RATIO_FLOOR))
    with pytest.raises(sources.Refused, match="unpacks to more than 100 times"):
        source._read_capped(flood, member, sources.MAX_AUDIO_BYTES, packed=100)
    flood.seek(0)
    with pytest.raises(sources.Refused, match="file is too large"):
        source._read_capped(flood, member, 1024, packed=None)


def test_too_much_in_all_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", 64 * 1024)
    # Three recordings of three steps, 22 KiB each unpacked: each one fine, too much together.
    steps = "".join(f"  - id: s{n}\n    say: Step {n}.\n" for n in range(3))
    files: dict[str, str | bytes] = {"lake.yaml": script_text("calm-lake", steps)}
    for n in range(3):
        files[f"recordings/calm-lake/s{n}.wav"] = clip_bytes(seconds=0.5, fmt="WAV", silent=True)
    archive = make_zip(tmp_path / "p.zip", files)
    assert archive.stat().st_size < 64 * 1024
    assert_refused(import_path(archive), "the pack holds more than 64 KiB in all")


def test_too_many_members_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_MEMBERS", 3)
    files: dict[str, str | bytes] = {f"note-{n}.txt": "hi" for n in range(3)}
    files["lake.yaml"] = script_text("calm-lake")
    archive = make_zip(tmp_path / "p.zip", files)
    assert_refused(import_path(archive), "more than 3 files")
    pack = tmp_path / "pack"
    for name, data in files.items():
        write(pack / name, data)
    assert_refused(import_path(pack), "more than 3 files")


@pytest.mark.parametrize("name", ["pack.zip", "pack.calmkit"])
def test_not_a_zip_is_one_line(tmp_path: Path, name: str) -> None:
    archive = write(tmp_path / name, b"PK but not really a zip")
    result = import_path(archive)
    assert_refused(result)
    assert len(result.messages) == 1
    assert str(result.messages[0]) in (
        f"{archive}: error: not a zip file, or a damaged one",
        f"{archive}: error: not something calmkit can import: give a script or plan "
        "(.yaml or .yml), a pack folder or a .zip pack",
    )


def test_a_truncated_zip_is_one_line(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", {"lake.yaml": script_text("calm-lake")})
    archive.write_bytes(archive.read_bytes()[:-30])
    result = import_path(archive)
    assert [str(m) for m in result.messages] == [
        f"{archive}: error: not a zip file, or a damaged one"
    ]
    assert_nothing_installed()


def test_a_damaged_member_is_one_line(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", {"lake.yaml": script_text("calm-lake") * 3})
    data = bytearray(archive.read_bytes())
    start = data.find(b"lake.yaml") + len(b"lake.yaml")
    data[start + 5 : start + 25] = b"\xff" * 20  # deflated bytes no longer make sense
    archive.write_bytes(bytes(data))
    result = import_path(archive)
    assert_refused(result, f"{archive}/lake.yaml: error: cannot be unpacked")


# --- folder safety ---------------------------------------------------------------------


def test_a_link_inside_a_folder_pack_is_refused_not_followed(tmp_path: Path) -> None:
    secret = write(tmp_path / "elsewhere" / "secret.yaml", script_text("secret-script"))
    pack = tmp_path / "pack"
    write(pack / "lake.yaml", script_text("calm-lake"))
    (pack / "extra.yaml").symlink_to(secret)
    assert_refused(import_path(pack), f"{pack}/extra.yaml: error: is a symbolic link")
    (pack / "extra.yaml").unlink()
    (pack / "more").symlink_to(secret.parent, target_is_directory=True)
    assert_refused(import_path(pack), f"{pack}/more: error: is a symbolic link")


def test_a_sound_file_through_a_link_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere" / "intro.ogg", clip_bytes())
    source = write(
        tmp_path / "pack" / "lake.yaml",
        script_text("calm-lake", "  - sound: {file: clips/intro.ogg}\n"),
    )
    (source.parent / "clips").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert_refused(import_path(source), "clips: error: is a symbolic link")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_in_a_folder_pack_is_refused_without_hanging(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write(pack / "lake.yaml", script_text("calm-lake"))
    os.mkfifo(pack / "pipe.yaml")
    assert_refused(import_path(pack), "pipe.yaml: error: is not a plain file")


def test_an_empty_pack_says_so(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write(pack / "notes.txt", "nothing here")
    assert_refused(import_path(pack), "nothing to import")


# --- writing ---------------------------------------------------------------------------


def test_a_failed_rename_into_place_puts_back_what_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stage is committed, three files are in place, the fourth cannot go: the
    three are taken back out, an older copy --replace overwrote is put back."""
    from calmkit.packs import staging

    pack = tmp_path / "pack"
    for name, data in pack_files().items():
        write(pack / name, data)
    older = write(locations.user_scripts_dir() / "calm-lake.yaml", script_text("calm-lake"))
    real_put = staging._put_in_place
    calls: list[str] = []

    def failing_put(stage: Path, move: staging._Move) -> None:
        calls.append(move.target)
        if len(calls) == 4:
            raise OSError(28, "No space left on device", move.target)
        real_put(stage, move)

    monkeypatch.setattr(staging, "_put_in_place", failing_put)
    result = import_path(pack, replace=True)
    assert not result.ok
    assert "No space left on device" in messages(result)
    assert len(calls) == 4
    assert older.read_text("utf-8") == script_text("calm-lake")
    left = sorted(p.relative_to(locations.user_data_dir()).as_posix()
                  for p in locations.user_data_dir().rglob("*") if p.is_file())  # fmt: skip
    assert left == [".import.lock", "scripts/calm-lake.yaml"]


# --- the command line ---------------------------------------------------------------------


def test_calmkit_import_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from calmkit.cli import main as calmkit_main

    good = tmp_path / "robin.yaml"
    good.write_text(plan_text("robin-plan", "[balloon-belly]"), "utf-8")
    assert calmkit_main(["import", str(good)]) == 0
    out = capsys.readouterr().out
    assert "robin-plan" in out
    # `for: Sam` is only a suggestion: the plan is nobody's until it is given.
    assert "This plan says it is for Sam" in out
    assert "belongs to no one yet" in out and "--profile Sam" in out
    assert (locations.user_plans_dir() / "robin-plan.yaml").is_file()
    # The same file again without --replace: nothing is overwritten, and it says so.
    assert calmkit_main(["import", str(good)]) == 0
    assert "already there" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text("calmkit: 1\nid: x\ntitle: [unclosed\n", "utf-8")
    assert calmkit_main(["import", str(broken)]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"{re.escape(str(broken))}:\d+:\d+: error: ", err), err
