"""Faults, measured: each test breaks something for real and checks that nothing is lost.

Already covered elsewhere, and not repeated here:

- tests/records/test_journal.py: a process holding the journal killed with SIGKILL
  (``test_kill_9_leaves_an_interrupted_row``); random bytes and truncated
  journals moved aside with settings and user scripts untouched; a read-only
  folder and a full journal (SQLite's own page limit) at the Journal level; two
  processes writing through Journal at once (``test_two_processes_writing_at_once_lose_nothing``).
- tests/playback/test_player.py: a backend failing at the first clip, or at pause, falls
  back to captions with one notice; one broken clip (injected) costs only its sound.
- tests/cli/test_plain.py and tests/audio/test_audio_real.py: an SDL driver that does not
  exist means the null backend and one notice.

Here, the same faults end to end, through ``calmkit play --plain`` in real
processes on real files, and the ones not covered yet: the data folder
read-only or full (a real read-only mount and a real full tmpfs when the tests
run as root), the sound server killed mid-session, clips that are corrupt,
cut short or deleted (one warning, also after replays), and two sessions
playing at once while a third process writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from calmkit import locations
from calmkit.audio.backend import (
    DEVICE_GONE,
    AudioUnavailable,
    NullBackend,
    PygameBackend,
)
from calmkit.audio.narration import MANIFEST_NAME, clip_key
from calmkit.content.model import WORDS_PER_MINUTE
from calmkit.content.timeline import Cue, Timeline
from calmkit.plain import GUEST_NOTE
from calmkit.playback.player import CueStarted, Finished, Notice, Player, PlayerEvent
from calmkit.records.journal import Journal, Progress
from calmkit.records.settings import Settings, save_settings
from calmkit_child import calmkit_env, default_sigint, start_calmkit
from doubles import FakeClock, SpyBackend
from tiny_script import TINY, TINY_CAPTIONS

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFTEST = Path(__file__).resolve().parent / "conftest.py"
CHILD_TIMEOUT = 60.0
# About three seconds heard: never "1 minute".
CLOSING = "All done. You took a few moments to practise. Well done."
VOICE_ENGINE, VOICE_NAME = "festival", "cmu_us_slt_arctic_hts"
VOICE_FOLDER = f"{VOICE_ENGINE}-{VOICE_NAME}"


# Five one-word steps, each about 2.5 s: room to act between two of them.
FIVE = "calmkit: 1\nid: five-steps\ntitle: Five Steps\nkind: breathing\nages: 5-18\nsteps:\n" + (
    "".join(
        f"  - say: {word}\n    pause: 1.5\n" for word in ("One", "Two", "Three", "Four", "Five")
    )
)


# --- helpers -----------------------------------------------------------------------------------


def finish(process: subprocess.Popen[str], limit: float = CHILD_TIMEOUT) -> tuple[list[str], str]:
    """Every line the process prints, and its standard error, once it has ended."""
    try:
        out, err = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"calmkit did not finish in {limit} s:\n{out}\n{err}")
    return out.splitlines(), err


def play(
    script: Path, *extra: str, env: dict[str, str] | None = None, **popen: Any
) -> tuple[int, list[str], str]:
    process = start_calmkit(
        "play", "--plain", str(script), *extra, env=env or calmkit_env(), cwd=script.parent, **popen
    )
    lines, err = finish(process)
    return process.returncode, lines, err


def logged(env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """`calmkit log --json`, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "calmkit", "log", "--json"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env or calmkit_env(),
        timeout=CHILD_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def write_script(folder: Path, text: str, name: str = "script.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def tone_clip(path: Path, seconds: float = 0.6, frequency: float = 440.0) -> Path:
    times = np.arange(round(seconds * 44100)) / 44100
    samples = (0.2 * np.sin(2 * np.pi * frequency * times)).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), samples, 44100, format="OGG", subtype="VORBIS")
    return path


def narrate(home: Path, lines: dict[str, bytes | None], tier: str = "young") -> dict[str, Path]:
    """A narration cache with one clip per line (given bytes, or a real tone), as `calmkit narrate` leaves it."""
    folder = home / "narration" / VOICE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    clips: dict[str, dict[str, float]] = {}
    paths: dict[str, Path] = {}
    for number, (text, data) in enumerate(lines.items()):
        key = clip_key(text, VOICE_ENGINE, VOICE_NAME, WORDS_PER_MINUTE[tier])  # type: ignore[index]
        path = folder / f"{key}.ogg"
        if data is None:
            tone_clip(path, 0.6, 330.0 + 110 * number)
        else:
            path.write_bytes(data)
        clips[key] = {"seconds": 0.6}
        paths[text] = path
    manifest = {"version": 1, "engine": VOICE_ENGINE, "voice": VOICE_NAME, "clips": clips}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return paths


def put_user_data(home: Path, sessions: int = 0) -> None:
    """What a family's folder holds after a few weeks: settings, own scripts, narration, a journal."""
    save_settings(Settings(profile="me", theme="calm"))
    write_script(
        home / "scripts",
        TINY.replace("tiny-test", "my-own").replace("Tiny Test", "My Own"),
        "my-own.yaml",
    )
    recordings = home / "recordings" / "my-own"
    tone_clip(recordings / "hello.ogg", 0.4)
    narrate(home, {"Some words of our own": None, "More words of our own": None})
    if sessions:
        with Journal() as journal:
            for number in range(sessions):
                session_id = journal.start_session("me", "tiny-test", "Tiny Test", "young", 2)
                journal.add_checkin("me", "before", "stress", number % 11, session_id=session_id)
                journal.finish_session(session_id, "completed", Progress(2, 3.2))


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file's bytes, but the journal's own files, and what calmkit makes for itself
    while playing: the clips it generates and its parsed-library cache."""
    return {
        str(path.relative_to(home)): path.read_bytes()
        for path in sorted(home.rglob("*"))
        if path.is_file()
        and not path.name.startswith("journal.sqlite3")
        and path.parent.name != "generated"
        and path != locations.library_cache_path()
    }


def count_rows(path: Path, table: str) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


def notes(lines: list[str]) -> list[str]:
    """The notes about what went wrong (not the line saying it is a guest session)."""
    return [line for line in lines if line.startswith("note: ") and line != GUEST_NOTE]


def captions(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("[")]


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


def mount(*argv: str) -> bool:
    done = subprocess.run(["mount", *argv], capture_output=True, text=True, timeout=30)
    return done.returncode == 0


@contextlib.contextmanager
def small_tmpfs(place: Path, size: str) -> Iterator[Path]:
    """A real tmpfs of ``size`` mounted at ``place`` (made), for a full disk or another
    filesystem. Needs root and mount(8): a test that needs it fails without them."""
    if not can_mount():
        pytest.fail("this test needs root and mount(8) for a real tmpfs")
    place.mkdir(exist_ok=True)
    assert mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(place))
    try:
        yield place
    finally:
        umount(place)


def umount(folder: Path) -> None:
    done = subprocess.run(["umount", str(folder)], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


# --- 1. the no-network guard itself ---------------------------------------------------------------

GUARDED_TESTS = """
import socket
import subprocess
import sys


def test_internet_socket():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def test_default_socket_is_internet():
    socket.socket().close()


def test_ipv6_socket():
    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()


def test_connection_even_when_the_error_is_swallowed():
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    except Exception:
        pass


def test_name_lookup_even_when_swallowed():
    try:
        socket.getaddrinfo("example.org", 443)
    except Exception:
        pass


def test_from_a_thread():
    import threading

    def reach_out():
        try:
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        except OSError:
            pass

    thread = threading.Thread(target=reach_out)
    thread.start()
    thread.join()


def test_a_calmkit_child_process():
    code = "import calmkit, socket\\ntry:\\n    socket.socket()\\nexcept OSError:\\n    pass\\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unix_sockets_are_fine(tmp_path):
    left, right = socket.socketpair()
    left.sendall(b"hi")
    assert right.recv(2) == b"hi"
    left.close()
    right.close()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "s"))
    server.listen()
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(str(tmp_path / "s"))
    client.close()
    server.close()


def test_looking_up_this_machine_is_fine():
    socket.getaddrinfo("localhost", None)
    socket.getaddrinfo("127.0.0.1", 80)


def test_a_child_that_is_not_calmkit_may():
    # pip in the install test fetches its build backend: only calmkit is held to the rule.
    code = "import socket\\nsocket.socket().close()\\n"
    subprocess.run([sys.executable, "-c", code], check=True)
"""


def test_the_network_guard_is_on_in_this_run() -> None:
    assert getattr(socket, "_calmkit_network_guard", False)
    log = os.environ["CALMKIT_TEST_NETWORK_LOG"]
    assert Path(log).is_file()
    folder = Path(log).parent
    assert str(folder) in os.environ["PYTHONPATH"].split(os.pathsep)
    assert (folder / "sitecustomize.py").is_file()


def test_the_network_guard_fails_tests_that_reach_out(tmp_path: Path) -> None:
    """A separate pytest run with our conftest: each test that opens a socket fails."""
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    shutil.copy(CONFTEST.parent / "doubles.py", tmp_path / "doubles.py")  # conftest uses it
    (tmp_path / "test_reaching_out.py").write_text(GUARDED_TESTS, encoding="utf-8")
    # Leave this run's own guard out of the inner run: it brings its own.
    env = dict(os.environ)
    ours = Path(env.pop("CALMKIT_TEST_NETWORK_LOG")).parent
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in env.get("PYTHONPATH", "").split(os.pathsep) if part and Path(part) != ours
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rA",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    outcome = {}
    for line in done.stdout.splitlines():
        for word in ("PASSED", "FAILED", "ERROR"):
            if line.startswith(f"{word} test_reaching_out.py::"):
                outcome[line.split("::")[1].split()[0]] = word
    assert outcome == {
        "test_internet_socket": "FAILED",
        "test_default_socket_is_internet": "FAILED",
        "test_ipv6_socket": "FAILED",
        "test_connection_even_when_the_error_is_swallowed": "FAILED",
        "test_name_lookup_even_when_swallowed": "FAILED",
        "test_from_a_thread": "FAILED",
        "test_a_calmkit_child_process": "FAILED",
        "test_unix_sockets_are_fine": "PASSED",
        "test_looking_up_this_machine_is_fine": "PASSED",
        "test_a_child_that_is_not_calmkit_may": "PASSED",
    }, done.stdout + done.stderr
    assert done.returncode == 1
    # Each failure says what was tried, and where.
    assert "something tried to use the network during the test" in done.stdout
    assert "socket.create_connection(('127.0.0.1', 9))" in done.stdout
    assert "socket.getaddrinfo('example.org')" in done.stdout
    assert "socket.socket(AF_INET)" in done.stdout
    assert "import calmkit, socket" in done.stdout  # the child's command line


# --- 2. kill -9 in the middle of a real session -------------------------------------------------------


def test_kill_9_mid_session_leaves_it_interrupted_with_the_steps_done(tmp_path: Path) -> None:
    script = write_script(tmp_path, FIVE)
    shown = subprocess.run(
        [sys.executable, "-m", "calmkit", "show", str(script), "--json"],
        capture_output=True, text=True, env=calmkit_env(), timeout=CHILD_TIMEOUT, check=True,
    )  # fmt: skip
    cues = json.loads(shown.stdout)["cues"]
    third_step_starts = next(cue["start"] for cue in cues if cue["text"] == "Three")
    process = start_calmkit("play", "--plain", str(script), env=calmkit_env(), cwd=tmp_path)
    seen: list[str] = []
    try:
        assert process.stdout is not None
        watchdog = threading.Timer(CHILD_TIMEOUT, process.kill)
        watchdog.start()
        for line in process.stdout:
            seen.append(line.rstrip("\n"))
            if line.rstrip("\n").endswith("] Three"):
                break
        watchdog.cancel()
        # The journal is written on a thread of its own: give it a moment (the step lasts 2.5 s).
        time.sleep(0.6)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=CHILD_TIMEOUT)
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert captions(seen)[-1].endswith("] Three"), seen
    # Killed while it ran: its last commits are only in the WAL.
    assert Path(f"{locations.journal_path()}-wal").exists()

    (entry,) = logged()
    assert entry["status"] == "interrupted"
    assert (entry["steps_done"], entry["steps_total"]) == (2, 5)  # One and Two were done
    assert entry["seconds"] == pytest.approx(third_step_starts, abs=0.3)
    assert entry["ended"] is not None
    # Asking again changes nothing.
    assert logged() == [entry]


# --- 3. a damaged journal, end to end ------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "cut-short"])
def test_a_damaged_journal_is_moved_aside_and_the_rest_is_untouched(
    tmp_path: Path, isolated_home: Path, damage: str
) -> None:
    put_user_data(isolated_home, sessions=40)
    journal = locations.journal_path()
    whole = journal.read_bytes()
    broken = os.urandom(len(whole)) if damage == "garbage" else whole[: len(whole) // 2]
    journal.write_bytes(broken)
    before = snapshot(isolated_home)
    script = write_script(tmp_path, TINY)

    code, lines, err = play(script)

    assert (code, err) == (0, "")
    assert captions(lines) == TINY_CAPTIONS and lines[-1] == CLOSING
    copies = sorted(isolated_home.glob("journal.sqlite3.broken-*"))
    assert len(copies) == 1 and copies[0].read_bytes() == broken
    # Settings, the family's own scripts and recordings, the narration cache: byte for byte.
    after = snapshot(isolated_home)
    assert {name: data for name, data in after.items() if "broken-" not in name} == before
    # The new journal has this session, and the next run finds it healthy.
    (entry,) = logged()
    assert (entry["target"], entry["status"], entry["steps_done"]) == ("tiny-test", "completed", 2)
    assert sorted(isolated_home.glob("journal.sqlite3.broken-*")) == copies
    # And the family was told, in one line, where the old journal went.
    assert len(notes(lines)) == 1, f"no word about the damaged journal: {lines}"
    (note,) = notes(lines)
    assert copies[0].name in note and "new journal" in note


# --- 4. a data folder that cannot be written ------------------------------------------------------------


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """The folder read-only for calmkit: a read-only bind mount as root, else its mode."""
    if os.geteuid() != 0:
        modes = {
            path: path.stat().st_mode for path in [folder, *folder.rglob("*")] if path.is_dir()
        }
        for path in modes:
            path.chmod(0o500)
        try:
            yield "mode 0500"
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    if not (
        mount("--bind", str(folder), str(folder)) and mount("-o", "remount,ro,bind", str(folder))
    ):
        umount(folder)
        pytest.skip("root without the right to mount (a container without CAP_SYS_ADMIN)")
    try:
        yield "read-only bind mount"
    finally:
        umount(folder)


def test_a_read_only_data_folder_plays_on_with_a_clear_message(
    tmp_path: Path, isolated_home: Path
) -> None:
    put_user_data(isolated_home, sessions=3)
    before = snapshot(isolated_home)
    journal_before = locations.journal_path().read_bytes()
    script = write_script(tmp_path, TINY)
    with read_only(isolated_home):
        with pytest.raises(OSError):
            (isolated_home / "probe").write_text("")
        code, lines, err = play(script)
    assert code == 0, err
    assert "Traceback" not in err
    assert lines[:2] == ["Tiny Test", "tier: young  length: 00:03  audio: null"]
    (note,) = notes(lines)
    assert note.startswith("note: cannot use the practice journal") and "read-only" in note
    assert note.endswith("this practice will not be saved")
    assert captions(lines) == TINY_CAPTIONS and lines[-1] == CLOSING
    assert snapshot(isolated_home) == before
    assert locations.journal_path().read_bytes() == journal_before
    assert count_rows(locations.journal_path(), "sessions") == 3


@contextlib.contextmanager
def full_folder(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    """A data folder on a small tmpfs (as root), to be filled; else a file-size limit of 0.

    Yields the folder and the preexec_fn that calmkit runs with.
    """
    place = tmp_path / "small-disk"
    place.mkdir()
    if can_mount() and mount("-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(place)):
        try:
            yield place / "home", default_sigint
        finally:
            umount(place)
        return

    def no_room() -> None:
        # Writing past the limit fails with EFBIG (SIGXFSZ ignored), much as a full disk does.
        default_sigint()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    yield place / "home", no_room


def fill(folder: Path) -> Path:
    filler = folder.parent / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_data_folder_plays_on_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with full_folder(tmp_path) as (home, preexec):
        monkeypatch.setenv("CALMKIT_HOME", str(home))
        put_user_data(home, sessions=20)
        journal = locations.journal_path()
        assert not Path(f"{journal}-wal").exists()
        before = snapshot(home)
        journal_before = journal.read_bytes()
        filler = fill(home) if preexec is default_sigint else None
        # Breath tones are made on first use, into the narration cache: here, no room.
        # Made only when sound plays (SDL's dummy device): tones nobody hears are not.
        script = write_script(
            tmp_path, TINY.replace("      count: 1\n", "      count: 1\n      guide: tones\n")
        )
        sound = calmkit_env(CALMKIT_AUDIO=None, SDL_AUDIODRIVER="dummy")

        code, lines, err = play(script, env=sound, preexec_fn=preexec)

        assert code == 0, err
        assert "Traceback" not in err
        (note,) = notes(lines)
        assert note.startswith("note: cannot use the practice journal")
        assert note.endswith("this practice will not be saved")
        assert captions(lines) == TINY_CAPTIONS and lines[-1] == CLOSING
        # Room again: everything that was there still is, the journal whole.
        if filler is not None:
            filler.unlink()
        assert snapshot(home) == before
        assert journal.read_bytes() == journal_before
        connection = sqlite3.connect(journal)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT count(*) FROM sessions").fetchone()[0] == 20
        connection.close()
        # No half-made clip was left to be played later.
        assert [p.name for p in home.rglob("*.ogg") if p.stat().st_size == 0] == []
        # And the next session, with room, is logged as usual.
        code, lines, err = play(script, env=sound)
        assert (code, notes(lines)) == (0, []), err
        assert len(logged()) == 21
        made = list((home / "narration" / "generated").glob("tone-*.ogg"))
        assert made and all(soundfile.info(str(p)).frames > 0 for p in made)


# --- 5. the sound device missing, or going away mid-session ---------------------------------------------


def test_a_sound_server_that_is_not_there_means_captions_and_one_notice(tmp_path: Path) -> None:
    script = write_script(tmp_path, TINY)
    env = calmkit_env(
        CALMKIT_AUDIO="pygame",
        SDL_AUDIODRIVER="pulseaudio",
        PULSE_SERVER=f"unix:{tmp_path / 'no-server-here'}",
    )
    code, lines, err = play(script, env=env)
    assert code == 0, err
    assert lines[:3] == [
        "Tiny Test",
        "tier: young  length: 00:03  audio: null",
        "note: no sound device found, showing captions only",
    ]
    assert captions(lines) == TINY_CAPTIONS and lines[-1] == CLOSING
    assert "Traceback" not in err


class PrivatePulse:
    """A PulseAudio server of our own, on its own socket, for this test alone (we kill it)."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
            pytest.fail("PulseAudio is needed: apt-get install -y pulseaudio pulseaudio-utils")
        folder.mkdir(parents=True, exist_ok=True)
        self.socket = folder / "native"
        self.server = f"unix:{self.socket}"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PULSE_", "XDG_"))
        }
        env.update(
            HOME=str(folder),
            XDG_RUNTIME_DIR=str(folder),
            PULSE_RUNTIME_PATH=str(folder),
            PULSE_STATE_PATH=str(folder),
        )
        command = [
            "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
            "--disable-shm=yes", "--log-target=stderr",
            "-L", "module-null-sink sink_name=calmkit_fault",
            "-L", f"module-native-protocol-unix socket={self.socket} auth-anonymous=1",
        ]  # fmt: skip
        self.log = (folder / "pulse.log").open("wb")
        errors = []
        for extra in ([], ["--system=false"]):
            self.process = subprocess.Popen(
                command + extra, env=env, stdout=self.log, stderr=self.log
            )
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.process.poll() is None:
                if self.ready():
                    return
                time.sleep(0.1)
            self.kill()
            errors.append(f"{' '.join(command + extra)}: exit {self.process.returncode}")
        pytest.fail(
            "could not start PulseAudio:\n"
            + "\n".join(errors)
            + "\n"
            + (folder / "pulse.log").read_text()
        )

    def ready(self) -> bool:
        done = subprocess.run(["pactl", "-s", self.server, "info"], capture_output=True, timeout=10)
        return done.returncode == 0

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.mark.alone  # kills the sound server at a moment in the session
@pytest.mark.system("pulseaudio", "pactl")
def test_the_sound_server_dying_mid_session_falls_back_to_captions(tmp_path: Path) -> None:
    """The real thing: PulseAudio killed while `calmkit play --plain` plays through it.

    What happens underneath: SDL notices the lost connection, marks its device
    disconnected and goes on feeding the mixer into nothing. No pygame call
    fails, clips even end on time; only SDL's device status says STOPPED. The
    backend reads it, so the session says so once and goes on with captions.
    """
    pulse = PrivatePulse(tmp_path / "pulse")
    script = write_script(tmp_path, FIVE)
    env = calmkit_env(
        CALMKIT_AUDIO="pygame", SDL_AUDIODRIVER="pulseaudio", PULSE_SERVER=pulse.server
    )
    process = start_calmkit("play", "--plain", str(script), env=env, cwd=tmp_path)
    lines: list[str] = []
    killed_at = 0.0
    arrived: list[float] = []
    try:
        assert process.stdout is not None
        watchdog = threading.Timer(CHILD_TIMEOUT, process.kill)
        watchdog.start()
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            arrived.append(time.monotonic())
            if lines[-1].endswith("] Two"):
                pulse.kill()
                killed_at = time.monotonic()
        watchdog.cancel()
        process.wait(timeout=CHILD_TIMEOUT)
        err = process.stderr.read() if process.stderr else ""
    finally:
        pulse.kill()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert lines[1].startswith("tier: young") and "audio: pygame (pulseaudio" in lines[1]
    gone = "note: sound stopped working (the sound device went away); showing captions only"
    assert notes(lines) == [gone]
    assert [caption.split("] ")[1] for caption in captions(lines)] == [
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
    ]
    assert lines[-1] == CLOSING
    # Noticed within about a second (the player looks once a second), before "Three".
    noticed = arrived[lines.index(gone)]
    print(f"the notice came {noticed - killed_at:.2f} s after PulseAudio was killed")
    assert killed_at < noticed < killed_at + 2.4
    assert lines.index(gone) < next(i for i, line in enumerate(lines) if line.endswith("] Three"))


class GoesAway(SpyBackend):
    """A device that vanishes at a moment: no call fails, only ``check`` tells."""

    def __init__(self, clock: FakeClock, at: float) -> None:
        super().__init__()
        self.clock = clock
        self.at = at

    def check(self) -> None:
        if self.clock.now() >= self.at:
            raise AudioUnavailable(DEVICE_GONE)


def test_a_device_going_away_silently_is_noticed_within_a_second() -> None:
    clock = FakeClock()
    cues = tuple(
        Cue(
            start=2.0 * n,
            duration=2.0,
            kind="say",
            step=n,
            text=f"line {n}",
            audio=f"/v/{n}.ogg",
            speech=1.0,
        )
        for n in range(5)
    )
    backend = GoesAway(clock, at=clock.now() + 4.5)
    events: list[tuple[float, PlayerEvent]] = []
    origin = clock.now()
    player = Player(
        Timeline(id="t", title="T", tier="kid", cues=cues, step_count=5),
        backend,
        clock=clock,
        listener=lambda event: events.append((clock.now() - origin, event)),
        ambient_path="/beds/rain.ogg",
    )
    assert player.run() == "completed"
    told = [(at, event) for at, event in events if isinstance(event, Notice)]
    assert told == [(5.0, Notice(f"sound stopped working ({DEVICE_GONE}); showing captions only"))]
    assert backend.played("voice") == ["/v/0.ogg", "/v/1.ogg", "/v/2.ogg"]
    assert isinstance(player.backend, NullBackend) and player.backend is not backend
    assert player.backend.played("voice") == ["/v/3.ogg", "/v/4.ogg"]
    assert [event.index for _, event in events if isinstance(event, CueStarted)] == [0, 1, 2, 3, 4]
    assert [event for _, event in events if isinstance(event, Finished)] == [
        Finished("completed", 10.0, 5, 10.0)
    ]


def test_the_pygame_backend_reads_the_device_status_and_refuses_once_it_is_gone() -> None:
    backend = PygameBackend()
    backend.open()  # SDL's dummy driver (conftest)
    try:
        watch = backend._watch
        assert watch is not None and watch.watching, "SDL's device status could not be read here"
        backend.check()
        backend.play("cues", str(REPO_ROOT / "audio" / "chimes" / "start.ogg"))
        # What SDL reports once its device is disconnected.
        watch._status = lambda device: 0
        for call in (backend.check, lambda: backend.play("voice", str(REPO_ROOT / "audio" / "chimes" / "end.ogg")),
                     lambda: backend.set_volume("ambient", 0.2), backend.pause_all):  # fmt: skip
            with pytest.raises(AudioUnavailable, match=DEVICE_GONE):
                call()
    finally:
        backend.close()


# --- 6. clips missing, corrupt or cut short --------------------------------------------------------------


class CountingPygame(PygameBackend):
    """The real pygame backend, noting each clip it really started."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[str] = []

    def play(self, group: Any, path: str, *args: Any, **kwargs: Any) -> None:
        super().play(group, path, *args, **kwargs)
        self.started.append(Path(path).name)


def test_bad_clips_cost_only_their_sound_with_one_warning_even_on_replay(tmp_path: Path) -> None:
    good = tone_clip(tmp_path / "good.ogg")
    other = tone_clip(tmp_path / "other.ogg", frequency=550.0)
    garbage = tmp_path / "garbage.ogg"
    garbage.write_bytes(os.urandom(6000))
    whole = good.read_bytes()
    cut = tmp_path / "cut.ogg"
    cut.write_bytes(whole[: len(whole) // 8])  # decodes, to no sound at all
    gone = tmp_path / "deleted.ogg"  # was there when the session was planned
    lines = [
        ("good", good), ("garbage", garbage), ("cut", cut), ("deleted", gone),
        ("garbage again", garbage), ("other", other),
    ]  # fmt: skip
    cues = tuple(
        Cue(start=2.0 * n, duration=2.0, kind="say", step=n, text=text, audio=str(path), speech=0.6)
        for n, (text, path) in enumerate(lines)
    )
    clock = FakeClock()
    backend = CountingPygame()
    backend.open()  # SDL's dummy driver (conftest)
    events: list[PlayerEvent] = []
    timeline = Timeline(id="t", title="T", tier="kid", cues=cues, step_count=len(cues))
    player = Player(timeline, backend, clock=clock, listener=events.append)

    def until(seconds: float) -> None:
        while player.elapsed < seconds:
            clock.advance(0.25)
            player.poll()

    try:
        player.start()
        until(9.0)  # "good" to "garbage again" have played
        player.previous_step()  # 1 s into "garbage again": back to "deleted"
        player.poll()
        player.repeat_step()  # and "deleted" once more
        player.poll()
        until(6.0 + 2.0)  # on to "garbage again", a second time
        assert player.run() == "completed"
    finally:
        backend.close()
    shown = [e.cue.text for e in events if isinstance(e, CueStarted)]
    assert shown == [
        "good", "garbage", "cut", "deleted", "garbage again",
        "deleted", "deleted", "garbage again", "other",
    ]  # fmt: skip
    warnings = [e.message for e in events if isinstance(e, Notice)]
    assert len(warnings) == 1, warnings
    assert "its words are shown as captions" in warnings[0]
    # The good clips still sound, on the same (real) backend, every time they come.
    assert player.backend is backend
    assert backend.started == ["good.ogg", "other.ogg"]


def test_a_corrupt_narration_clip_in_play_plain_warns_once(
    tmp_path: Path, isolated_home: Path
) -> None:
    script = write_script(
        tmp_path,
        "calmkit: 1\nid: clips-test\ntitle: Clips Test\nkind: breathing\nages: 5-18\nsteps:\n"
        "  - say: Hello there\n    pause: 0.2\n"
        "  - say: These words are garbled\n    pause: 0.2\n"
        "  - say: Hello there\n    pause: 0.2\n"
        "  - say: These words are garbled\n    pause: 0.2\n"
        "  - say: Cut short\n    pause: 0.2\n",
    )
    whole = tone_clip(tmp_path / "whole.ogg").read_bytes()
    narrate(
        isolated_home,
        {
            "Hello there": None,
            "These words are garbled": os.urandom(5000),
            "Cut short": whole[:300],
        },
    )
    env = calmkit_env(CALMKIT_AUDIO="pygame", SDL_AUDIODRIVER="dummy")
    code, lines, err = play(script, "--no-ambient", env=env)
    assert code == 0, err
    assert "Traceback" not in err
    assert "audio: pygame" in lines[1]
    assert [caption.split("] ")[1] for caption in captions(lines)] == [
        "Hello there", "These words are garbled", "Hello there", "These words are garbled", "Cut short",
    ]  # fmt: skip
    (warning,) = notes(lines)
    assert warning.endswith("its words are shown as captions"), warning
    assert lines[-1] == CLOSING


# --- 7. two sessions and a writer at once --------------------------------------------------------------------

HAMMER = """
import sys, time
from pathlib import Path
from calmkit.records.journal import Journal, Progress
stop = Path(sys.argv[1])
journal = Journal().open()
sessions = checkins = progress = 0
print("ready", flush=True)
while not stop.exists() or sessions < 20:
    session_id = journal.start_session("Busy", "belly", "Belly", "kid", 4)
    sessions += 1
    for step in range(1, 5):
        journal.record_progress(session_id, Progress(step, step * 1.5))
        progress += 1
        journal.add_checkin("Busy", "daily", "note", f"{sessions}-{step}", session_id=session_id)
        checkins += 1
    journal.finish_session(session_id, "completed", Progress(4, 6.0))
journal.close()
print(sessions, checkins, progress, flush=True)
"""


def test_two_sessions_playing_while_another_process_writes_lose_nothing(tmp_path: Path) -> None:
    # Five steps of about 1.2 s: a journal write at every step boundary, in each player.
    script = write_script(tmp_path, FIVE.replace("pause: 1.5", "pause: 0.2"))
    stop = tmp_path / "stop"
    hammer = subprocess.Popen(
        [sys.executable, "-c", HAMMER, str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=calmkit_env(),
    )  # fmt: skip
    try:
        assert hammer.stdout is not None and hammer.stdout.readline() == "ready\n"
        players = [
            start_calmkit(
                "play", "--plain", str(script), "--profile", name, env=calmkit_env(), cwd=tmp_path
            )
            for name in ("Sam", "Alex")
        ]
        results = [finish(player) for player in players]
        stop.touch()
        out, err = hammer.communicate(timeout=CHILD_TIMEOUT)
    finally:
        stop.touch()
        if hammer.poll() is None:
            hammer.kill()
            hammer.wait()
    for player, (lines, player_err) in zip(players, results, strict=True):
        assert player.returncode == 0, player_err
        assert notes(lines) == [], lines  # the journal was never too busy to write
        assert len(captions(lines)) == 5 and lines[-1] == CLOSING
    assert hammer.returncode == 0, err
    sessions, checkins, progress = map(int, out.split())
    assert sessions >= 20 and checkins == progress == 4 * sessions

    entries = logged()
    by_profile: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_profile.setdefault(entry["profile"], []).append(entry)
    for name in ("Sam", "Alex"):
        (entry,) = by_profile[name]
        assert (entry["status"], entry["steps_done"], entry["steps_total"]) == ("completed", 5, 5)
    busy = by_profile["Busy"]
    assert len(busy) == sessions
    assert all(
        (e["status"], e["steps_done"], len(e["checkins"])) == ("completed", 4, 4) for e in busy
    )
    path = locations.journal_path()
    assert count_rows(path, "checkins") == checkins
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
