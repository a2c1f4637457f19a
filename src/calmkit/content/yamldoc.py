"""Reading a hand-written YAML file safely, keeping every value's line and column.

The loader validates PyYAML's node tree rather than plain Python values, so a
problem can be reported at the exact mark of the key or value at fault. What
YAML allows but a script never needs (anchors, aliases, several documents,
deep nesting) is refused before it can cost anything.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from calmkit.content.problems import Problem

MAX_FILE_BYTES = 256 * 1024
MAX_NESTING = 24  # a script needs 5; deeper is a mistake or an attack

# libyaml is much faster; PyYAML's pure-Python parser is the fallback.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """The parsed root node, or the problems that stopped parsing."""

    root: Node | None
    problems: list[Problem]


def _problem_at(label: str, mark: yaml.Mark | None, message: str) -> Problem:
    if mark is None:
        return Problem(label, 1, 1, message)
    return Problem(label, mark.line + 1, mark.column + 1, message)


def _decode(label: str, data: bytes) -> tuple[str | None, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        # utf-8-sig counts from after a byte order mark; the column counts characters.
        start = error.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        col = len(data[line_start:start].decode("utf-8-sig")) + 1
        byte = data[start]
        message = f"not UTF-8 text (byte 0x{byte:02x} cannot be read): save the file as UTF-8"
        return None, Problem(label, line, col, message)


def _scan_events(label: str, text: str) -> Problem | None:
    """Refuse anchors, aliases, extra documents and deep nesting before composing."""
    depth = 0
    documents = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return _problem_at(
                label,
                event.start_mark,
                f"YAML aliases ('*{event.anchor}') are not allowed: write the value out in full",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            return _problem_at(
                label,
                event.start_mark,
                f"YAML anchors ('&{anchor}') are not allowed: write each value out in full",
            )
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                return _problem_at(
                    label,
                    event.start_mark,
                    "a file holds one script or plan, but a second YAML document starts here",
                )
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                return _problem_at(
                    label, event.start_mark, f"nested more than {MAX_NESTING} levels deep"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _yaml_problem(label: str, error: yaml.YAMLError, text: str) -> Problem:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        detail = error.problem or error.context or "cannot be read"
        # libyaml words this one differently from PyYAML and from the format's contract.
        detail = detail.replace("not allowed in this context", "not allowed here")
        return _problem_at(label, mark, f"not valid YAML: {detail}")
    if isinstance(error, yaml.reader.ReaderError):
        message = f"not valid YAML: character 0x{error.character:x} is not allowed"
        if isinstance(error.character, str):
            message = f"not valid YAML: character {ord(error.character):#x} is not allowed"
        # PyYAML counts characters from the start; libyaml counts bytes of the UTF-8 text.
        before = text[: max(error.position, 0)]
        if _Loader is not yaml.SafeLoader:
            before = text.encode("utf-8")[: max(error.position, 0)].decode("utf-8", "ignore")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        return Problem(label, line, col, message)
    return Problem(label, 1, 1, f"not valid YAML: {error}")


def duplicate_key_problems(label: str, node: Node) -> list[Problem]:
    """PyYAML keeps the last of two equal keys silently; a script author wants to know."""
    problems: list[Problem] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                if isinstance(key_node, ScalarNode):
                    first_line = seen.get(key_node.value)
                    if first_line is not None:
                        problems.append(
                            _problem_at(
                                label,
                                key_node.start_mark,
                                f"duplicate key '{key_node.value}' (first given on line "
                                f"{first_line})",
                            )
                        )
                    else:
                        seen[key_node.value] = key_node.start_mark.line + 1
                stack.append(value_node)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
    problems.sort()
    return problems


def parse_bytes(label: str, data: bytes) -> Document:
    if len(data) > MAX_FILE_BYTES:
        return Document(
            None,
            [
                Problem(
                    label,
                    1,
                    1,
                    f"file is too large ({len(data) // 1024} KiB): scripts and plans can be "
                    f"at most {MAX_FILE_BYTES // 1024} KiB",
                )
            ],
        )
    text, problem = _decode(label, data)
    if problem is not None or text is None:
        return Document(None, [problem] if problem else [])
    try:
        problem = _scan_events(label, text)
        if problem is not None:
            return Document(None, [problem])
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        return Document(None, [_yaml_problem(label, error, text)])
    except RecursionError:
        return Document(None, [Problem(label, 1, 1, "nested too deeply to read")])
    if root is None:
        return Document(None, [Problem(label, 1, 1, "the file is empty")])
    return Document(root, duplicate_key_problems(label, root))


def read_file(path: Path, label: str | None = None) -> Document:
    """Read and parse ``path``, refusing oversized files before reading them whole."""
    label = label if label is not None else str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                size = path.stat().st_size
                return Document(
                    None,
                    [
                        Problem(
                            label,
                            1,
                            1,
                            f"file is too large ({size // 1024} KiB): scripts and plans "
                            f"can be at most {MAX_FILE_BYTES // 1024} KiB",
                        )
                    ],
                )
    except OSError as error:
        return Document(None, [Problem(label, 1, 1, f"cannot be read: {error.strerror}")])
    return parse_bytes(label, data)


class ScalarReader:
    """Turns scalar nodes into Python values with YAML's own rules (1:30 is 90, yes is True)."""

    def __init__(self) -> None:
        self._constructor = SafeConstructor()

    def value(self, node: ScalarNode) -> object:
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            # A value YAML's own resolver mis-typed (say 2026-13-45 as a date): keep the text.
            return node.value
        finally:
            self._constructor.constructed_objects.clear()
