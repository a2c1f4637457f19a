"""Every `calmkit ...` command shown in the README and the guides is one calmkit accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from calmkit.cli import build_parser

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", "docs/clinician-guide.md", "docs/script-format.md"]
FENCE = re.compile(r"```sh\n(.*?)```", re.DOTALL)


def shown_commands() -> list[tuple[str, str]]:
    found = []
    for name in DOCUMENTS:
        for block in FENCE.findall((REPO_ROOT / name).read_text("utf-8")):
            for line in block.splitlines():
                # Drop an environment prefix (CALMKIT_HOME=... calmkit ...) and a comment.
                command = line.split("  #", 1)[0].strip()
                command = re.sub(r"^(\w+=\S+\s+)+", "", command)
                if command.startswith("calmkit"):
                    found.append((name, command))
    return found


def test_the_documents_show_commands() -> None:
    names = {name for name, _ in shown_commands()}
    assert names == set(DOCUMENTS)


@pytest.mark.parametrize(("document", "command"), shown_commands())
def test_a_shown_command_parses(document: str, command: str) -> None:
    words = shlex.split(command)[1:]
    try:
        build_parser().parse_args(words)
    except SystemExit as error:  # argparse's way of refusing
        pytest.fail(f"{document}: `{command}` is refused by calmkit's parser ({error})")
