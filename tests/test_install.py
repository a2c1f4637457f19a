"""A plain `pip install .` into a fresh venv carries the whole library with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed_calmkit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `calmkit` console script of a fresh, non-editable install."""
    environment = tmp_path_factory.mktemp("venv")
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(REPO_ROOT)],
        check=True,
        timeout=600,
    )
    return environment / "bin" / "calmkit"


def _clean_env(home: Path) -> dict[str, str]:
    # No PYTHONPATH: only the installed package may answer.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return {**env, "CALMKIT_HOME": str(home)}


def _run(calmkit: Path, *args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = _clean_env(home)
    return subprocess.run(
        [str(calmkit), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_installed_package_has_the_library(installed_calmkit: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "home"
    listed = _run(installed_calmkit, "list", "--json", cwd=elsewhere, home=home)
    assert listed.returncode == 0, listed.stderr
    library = json.loads(listed.stdout)
    shipped = {path.stem for path in (REPO_ROOT / "scripts").rglob("*.yaml")}
    shipped -= {path.stem for path in (REPO_ROOT / "scripts" / "plans").glob("*.yaml")}
    assert {script["id"] for script in library["scripts"]} == shipped
    assert library["problems"] == []
    # The files come from the installed package, not from this checkout.
    for script in library["scripts"]:
        assert "site-packages" in script["path"], script["path"]
        assert not script["path"].startswith(str(REPO_ROOT))
    assert library["plans"], "the example plans ship too"


def test_installed_package_validates_and_shows(installed_calmkit: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    validated = _run(installed_calmkit, "validate", cwd=tmp_path, home=home)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    shown = _run(installed_calmkit, "show", "balloon-belly", "--json", cwd=tmp_path, home=home)
    assert shown.returncode == 0, shown.stderr
    timeline = json.loads(shown.stdout)
    assert timeline["id"] == "balloon-belly"
    last = timeline["cues"][-1]
    assert timeline["duration"] == pytest.approx(last["start"] + last["duration"], abs=0.01)


def test_installed_package_ships_audio(installed_calmkit: Path, tmp_path: Path) -> None:
    site = subprocess.run(
        [
            installed_calmkit.parent / "python",
            "-c",
            "import calmkit.locations as l; print(l.builtin_audio_dir())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=_clean_env(tmp_path),
    ).stdout.strip()
    shipped = sorted(
        p.relative_to(REPO_ROOT / "audio") for p in (REPO_ROOT / "audio").rglob("*") if p.is_file()
    )
    installed = sorted(p.relative_to(site) for p in Path(site).rglob("*") if p.is_file())
    assert shipped and installed == shipped
    assert "site-packages" in site


def test_python_dash_m_runs(installed_calmkit: Path) -> None:
    python = installed_calmkit.parent / "python"
    result = subprocess.run(
        [python, "-m", "calmkit", "--version"], capture_output=True, text=True, cwd=Path.home()
    )
    assert result.returncode == 0
    assert result.stdout.startswith("calmkit ")
    assert sys.version_info >= (3, 11)


def _run_installed(
    installed_calmkit: Path, tmp_path: Path, code: str
) -> subprocess.CompletedProcess[str]:
    """Python code run by the installed calmkit's own interpreter, away from the repository."""
    shown = subprocess.run(
        [str(installed_calmkit.parent / "python"), "-c", code],
        cwd=tmp_path,
        env=_clean_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    return shown


def test_installed_package_carries_the_report_stylesheet(
    installed_calmkit: Path, tmp_path: Path
) -> None:
    """report.css is a data file beside report/html.py: the wheel must carry it."""
    shown = _run_installed(
        installed_calmkit,
        tmp_path,
        "from calmkit.report.html import CSS; print('size: A4 portrait' in CSS)",
    )
    assert shown.stdout.strip() == "True"


def test_installed_package_carries_the_messages(installed_calmkit: Path, tmp_path: Path) -> None:
    """messages.toml is a data file beside content/messages.py: the wheel must carry it."""
    code = (
        "from calmkit.content import messages; "
        "print(messages.__file__); print(len(messages.every_message()), messages.EMPTY())"
    )
    shown = _run_installed(installed_calmkit, tmp_path, code)
    module_file, read = shown.stdout.strip().splitlines()
    assert "site-packages" in module_file
    shipped = tomllib.loads(
        (REPO_ROOT / "src" / "calmkit" / "content" / "messages.toml").read_text()
    )
    assert read == f"{len(shipped)} the file is empty"
