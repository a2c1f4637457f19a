"""Reading a hand-written YAML file safely, keeping every value's line and column.

The loader validates PyYAML's node tree rather than plain Python values, so a
problem can be reported at the exact mark of the key or value at fault. What
YAML allows but a script never needs (anchors, aliases, several documents,
deep nesting) is refused before it can cost anything.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from calmkit.content import messages
from calmkit.content.messages import Says
from calmkit.content.problems import Problem

MAX_FILE_BYTES = 256 * 1024
MAX_NESTING = 24  # a script needs 5; deeper is a mistake or an attack
# Messages that state this module's limits, beside them.
NESTED = Says(f"nested more than {MAX_NESTING} levels deep")
TOO_LARGE = Says(
    f"file is too large ({{size}} KiB): scripts and plans can be at most "
    f"{MAX_FILE_BYTES // 1024} KiB"
)

# libyaml is much faster; PyYAML's pure-Python parser is the fallback.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """The parsed root node, or the problems that stopped parsing."""

    root: Node | None
    problems: list[Problem]


class _Position(Protocol):
    """A mark in the text: PyYAML's own, or libyaml's (a different class, the same fields)."""

    line: int
    column: int


def _problem_at(label: str, mark: _Position | None, message: str) -> Problem:
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
        message = messages.NOT_UTF8(byte=f"{byte:02x}")
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
                messages.ALIAS(anchor=event.anchor),
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            return _problem_at(
                label,
                event.start_mark,
                messages.ANCHOR(anchor=anchor),
            )
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                return _problem_at(
                    label,
                    event.start_mark,
                    messages.SECOND_DOCUMENT(),
                )
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                return _problem_at(label, event.start_mark, NESTED())
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


# Spaces a word processor pastes that YAML reads as text, not as indentation.
_ODD_SPACES = {
    "\u00a0": "a non-breaking space",
    "\u202f": "a narrow non-breaking space",
    "\u2007": "a figure space",
    "\u2009": "a thin space",
    "\u200b": "a zero-width space",
    "\u3000": "a wide (ideographic) space",
}
_CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb"
# "  - say: text", "  key: text" or "  - text": the key (if any) and where the text starts.
_LINE_PARTS = re.compile(r"^(?P<lead>\s*(?:-\s+)*)(?:(?P<key>[A-Za-z0-9_-]+):\s+)?(?P<text>.*)$")


def _indent_problem(
    label: str, lines: list[str], last_line: int, tabs: bool = True
) -> Problem | None:
    """A tab (when ``tabs``) or a pasted space in the indentation of a line up to
    ``last_line`` (0-based)."""
    for number, line in enumerate(lines[: last_line + 1], start=1):
        stripped = line.lstrip(" \t" + "".join(_ODD_SPACES))
        lead = line[: len(line) - len(stripped)]
        for col, char in enumerate(lead, start=1):
            if char == "\t" and tabs:
                return Problem(
                    label,
                    number,
                    col,
                    messages.TAB_INDENT(line=number),
                )
            if char in _ODD_SPACES:
                return Problem(
                    label,
                    number,
                    col,
                    messages.ODD_SPACE(
                        line=number, space=_ODD_SPACES[char], code=f"{ord(char):04X}", col=col
                    ),
                )
    return None


def _quoted(key: str | None, text: str) -> str:
    """The line as it should be written, its text in quotes YAML reads."""
    key_part = f"{key}: " if key else ""
    if '"' not in text and "\\" not in text:
        return f'{key_part}"{text}"'
    return f"{key_part}'{text.replace(chr(39), chr(39) * 2)}'"


def _flow_colon(line: str, column: int) -> tuple[str, str, int] | None:
    """In ``{area: hands, say: Squeeze: hard}``: the key, the text holding the second
    ': ' and the column where that text starts (1-based), or None."""
    brace = line.rfind("{", 0, column)
    if brace < 0:
        return None
    # The parser stops at the second colon: take it in, with the space after it.
    keys = list(re.finditer(r"([A-Za-z0-9_-]+):\s+", line[brace + 1 : column + 2]))
    if len(keys) < 2 or "," in line[brace + 1 + keys[-2].end() : brace + 1 + keys[-1].start()]:
        return None
    start = brace + 1 + keys[-2].end()
    end = min(
        (i for i in (line.find(",", column), line.find("}", column)) if i >= 0), default=len(line)
    )
    return keys[-2].group(1), line[start:end].strip(), start + 1


def _plain_cause(
    label: str, error: yaml.MarkedYAMLError, lines: list[str], detail: str
) -> Problem | None:
    """What a clinician did, read from the line YAML stopped at, in words that say the fix."""
    mark = error.problem_mark
    if mark is None:
        return None
    line_number = min(mark.line, len(lines) - 1) if lines else 0
    indented = _indent_problem(label, lines, line_number)
    if indented is not None:
        return indented
    context = error.context or ""
    if "quoted scalar" in context and "end of stream" in detail and error.context_mark:
        start = error.context_mark
        quote = lines[start.line][start.column] if start.line < len(lines) else '"'
        return Problem(
            label,
            start.line + 1,
            start.column + 1,
            messages.QUOTE_NOT_CLOSED(quote=quote),
        )
    if not lines or mark.line >= len(lines):
        return None
    line = lines[mark.line]
    parts = _LINE_PARTS.match(line)
    if parts is None:
        return None
    key, text = parts.group("key"), parts.group("text")
    text_col = parts.start("text")
    curly = next((i for i, char in enumerate(line) if char in _CURLY_QUOTES), None)
    line_no, curly_col = mark.line + 1, (curly or 0) + 1
    if "mapping values are not allowed" in detail:
        if curly is not None and curly == text_col:
            inner = text.strip().strip(_CURLY_QUOTES)
            return Problem(
                label,
                line_no,
                curly_col,
                messages.CURLY_QUOTE_STARTS(
                    quote=line[curly], col=curly_col, example=_quoted(key, inner)
                ),
            )
        before = line[: mark.column]
        if mark.line > 0 and re.fullmatch(r"\s*(?:-\s+)?[A-Za-z0-9_-]+\s*", before):
            return Problem(
                label,
                mark.line + 1,
                len(before) - len(before.lstrip()) + 1,
                messages.INDENTED_FURTHER(line=line_no),
            )
        if key is not None and mark.column > text_col:
            text = re.sub(r"\s+#.*$", "", text).rstrip()
            return Problem(
                label,
                mark.line + 1,
                mark.column + 1,
                messages.COLON_IN_TEXT(example=_quoted(key, text)),
            )
        return Problem(
            label,
            mark.line + 1,
            mark.column + 1,
            messages.COLON_IN_TEXT(example='say: "Breathe: slowly"'),
        )
    flow = _flow_colon(line, mark.column) if "expected ','" in detail else None
    if flow is not None:
        flow_key, flow_text, flow_col = flow
        return Problem(
            label,
            line_no,
            flow_col,
            messages.COLON_IN_TEXT(example=_quoted(flow_key, flow_text)),
        )
    if text[:1] in "\"'" and (
        "expected key" in detail or "expected <block end>" in detail or "indicator" in detail
    ):
        closing = text.find(text[0], 1)
        if closing > 0 and text_col + closing < mark.column:
            whole = re.sub(r"\s+#.*$", "", text).rstrip()
            return Problem(
                label,
                mark.line + 1,
                text_col + 1,
                messages.QUOTED_PART_ONLY(example=_quoted(key, whole)),
            )
    if curly is not None:
        return Problem(
            label,
            line_no,
            curly_col,
            messages.CURLY_QUOTE(line=line_no, quote=line[curly], col=curly_col),
        )
    return None


def _yaml_problem(label: str, error: yaml.YAMLError, text: str) -> Problem:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        detail = error.problem or error.context or "cannot be read"
        # libyaml words this one differently from PyYAML and from the format's contract.
        detail = detail.replace("not allowed in this context", "not allowed here")
        plain = _plain_cause(label, error, text.splitlines(), detail)
        if plain is not None:
            return replace(plain, detail=detail)
        return _problem_at(label, mark, messages.NOT_YAML(detail=detail))
    if isinstance(error, yaml.reader.ReaderError):
        message = messages.BAD_CHARACTER(code=f"0x{error.character:x}")
        if isinstance(error.character, str):
            message = messages.BAD_CHARACTER(code=f"{ord(error.character):#x}")
        # PyYAML counts characters from the start; libyaml counts bytes of the UTF-8 text.
        before = text[: max(error.position, 0)]
        if _Loader is not yaml.SafeLoader:
            before = text.encode("utf-8")[: max(error.position, 0)].decode("utf-8", "ignore")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        return Problem(label, line, col, message)
    return Problem(label, 1, 1, messages.NOT_YAML(detail=error))


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
                                messages.DUPLICATE_KEY(key=key_node.value, first_line=first_line),
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
                    TOO_LARGE(size=len(data) // 1024),
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
        return Document(None, [Problem(label, 1, 1, messages.TOO_DEEP())])
    lines = text.splitlines()
    pasted = _indent_problem(label, lines, len(lines) - 1, tabs=False)
    if pasted is not None:
        # YAML read a pasted space at a line's start as text and went on: the file's shape
        # is then not what its author sees, so nothing of it is used.
        return Document(None, [pasted])
    if root is None:
        return Document(None, [Problem(label, 1, 1, messages.EMPTY())])
    return Document(root, duplicate_key_problems(label, root))


def read_file(path: Path, label: str | None = None) -> Document:
    """Read and parse ``path``, refusing oversized files before reading them whole."""
    label = label if label is not None else str(path)
    try:
        # Non-blocking and checked: a named pipe or a device never hangs or floods us.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return Document(None, [Problem(label, 1, 1, messages.NOT_A_FILE())])
            data = b"" if info.st_size > MAX_FILE_BYTES else handle.read(MAX_FILE_BYTES + 1)
            if info.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
                size = max(info.st_size, len(data))
                return Document(
                    None,
                    [
                        Problem(
                            label,
                            1,
                            1,
                            TOO_LARGE(size=size // 1024),
                        )
                    ],
                )
    except OSError as error:
        return Document(None, [Problem(label, 1, 1, messages.CANNOT_READ(reason=error.strerror))])
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
