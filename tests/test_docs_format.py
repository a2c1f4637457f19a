"""docs/script-format.md stays honest: every message the loader can give is in its table,
no row of the table is a message nothing gives, and its example script and plan load
without a single problem.

How the messages are found, without running anything: every problem is a
``Problem(...)`` built in content/yamldoc.py, content/loader.py or
content/library.py. Its message argument is read from the source with ``ast``
and turned into a template: text the code writes literally stays text, and
what it fills in (a key, a value, a suggestion) becomes a hole. Where the
message comes from a parameter (``report(node, message)``, ``mapping(node,
what)``, ``choice(..., what)``), each place that calls the function is
followed and the parameter is filled with what that call passes, if it is
written out there: so ``choice``'s ``unknown {what} '{text}'{hint}`` becomes
``unknown body area '…'…``, ``unknown kind '…'…`` and so on, one message per
call. Also filled in: local variables, module constants (``MAX_NESTING``,
``model.MIN_AGE``) and calmkit's helpers called on them (``one_of(...)``),
wording chosen by a parameter (``"a whole number" if whole else "a number"``)
and the variables of a loop over a list written in the code (``for key, (name,
low, high) in limits.items()``, item by item). So a changed limit or a changed
word shows up here too. What stays a hole is what only the file being read
decides.

The doc's table writes a message in backticks with CAPITALISED placeholders
(``KEY``, ``VALUE``). A row documents a template when the row, as written, is
one of the template's messages (its placeholders or examples standing where
the template has holes), or when the template, with its holes read as
placeholders, is one of the row's (the row's placeholders standing for words
the code writes out, such as 'FIELD' for 'title'). Severity must agree too.
"""

from __future__ import annotations

import ast
import collections
import functools
import importlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from calmkit.content import loader, model
from calmkit.content.library import load_library
from calmkit.content.loader import load_text

REPO_ROOT = Path(__file__).resolve().parent.parent
DOC = REPO_ROOT / "docs" / "script-format.md"
CONTENT = REPO_ROOT / "src" / "calmkit" / "content"
# Where problems are made: the YAML reader, the loader and the library (duplicate ids).
SOURCES = ("yamldoc", "loader", "library")
TABLE_HEADING = "## Every message"

# A hole in a template: something the code fills in when it reports.
HOLE = None
MISSING = object()
Template = tuple["Piece", ...]


@dataclass(frozen=True)
class Param:
    """A piece of a template still waiting for what a caller passes.

    ``through`` names a module function the value goes through on its way
    into the text (``_number_text(low)``), applied once the value is known.
    """

    name: str
    through: str | None = None


@dataclass(frozen=True)
class Pick:
    """``then if name else otherwise``, decided once the parameter ``name`` is known."""

    name: str
    then: Template
    otherwise: Template


@dataclass(frozen=True)
class LoopVar:
    """A variable of a ``for`` loop over a list written in the code: one message per item.

    ``path`` is where the variable sits in the loop's target (``for key, (name, low, high)
    in ...``: ``low`` is (1, 1)), so the variables of one item stay together.
    """

    loop: ast.For
    path: tuple[int, ...]
    through: str | None = None


Piece = str | Param | Pick | LoopVar | None
Text = tuple[str | None, ...]


@dataclass(frozen=True)
class Message:
    """A message the code can give: its text with holes, and its severity."""

    text: Text
    severity: Text
    where: str  # module:function, for the failure message

    def shown(self) -> str:
        return _shown(self.text)

    @property
    def level(self) -> str:
        return _shown(self.severity)


def _shown(text: Text) -> str:
    return "".join("…" if piece is HOLE else piece for piece in text)


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


# --- reading the sources ------------------------------------------------------------------


class Module:
    """One source file: its syntax tree, its live module (for constants) and who is in what."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tree = ast.parse((CONTENT / f"{name}.py").read_text(encoding="utf-8"))
        self.runtime = importlib.import_module(f"calmkit.content.{name}")
        self.functions = [n for n in ast.walk(self.tree) if isinstance(n, ast.FunctionDef)]
        self.parent: dict[ast.AST, ast.FunctionDef] = {}
        for function in self.functions:  # outer functions first: the innermost one wins
            for node in ast.walk(function):
                self.parent[node] = function
        self.calls = [node for node in ast.walk(self.tree) if isinstance(node, ast.Call)]
        self.loops = {
            function: [node for node in ast.walk(function) if isinstance(node, ast.For)]
            for function in self.functions
        }
        # Per function: how often each name is set, and the values of its `name = ...` lines.
        self.stores: dict[ast.FunctionDef, collections.Counter[str]] = {}
        self.assigns: dict[ast.FunctionDef, dict[str, list[ast.expr]]] = {}
        for function in self.functions:
            stores: collections.Counter[str] = collections.Counter(_params(function))
            assigns: dict[str, list[ast.expr]] = {}
            # A comprehension's variables are its own, not the function's.
            own = {
                id(name)
                for node in ast.walk(function)
                if isinstance(node, ast.comprehension)
                for name in ast.walk(node.target)
            }
            for node in ast.walk(function):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    stores[node.id] += id(node) not in own
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigns.setdefault(target.id, []).append(node.value)
            self.stores[function] = stores
            self.assigns[function] = assigns


def _params(function: ast.FunctionDef) -> list[str]:
    args = function.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def _target_path(target: ast.expr, name: str) -> tuple[int, ...] | None:
    if isinstance(target, ast.Name):
        return () if target.id == name else None
    if isinstance(target, ast.Tuple | ast.List):
        for index, element in enumerate(target.elts):
            path = _target_path(element, name)
            if path is not None:
                return (index, *path)
    return None


def _defaults(function: ast.FunctionDef) -> dict[str, ast.expr]:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    found = {
        arg.arg: default
        for arg, default in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        )
    }
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is not None:
            found[arg.arg] = default
    return found


class Resolver:
    """What an expression can be, as templates, inside one function of one module."""

    def __init__(self, module: Module) -> None:
        self.module = module

    def is_local(self, function: ast.FunctionDef | None, name: str) -> bool:
        return function is not None and name in self.module.stores[function]

    def assigned(self, function: ast.FunctionDef, name: str) -> list[ast.expr] | None:
        """The values of ``name = ...`` lines, or None if it is also set some other way."""
        values = self.module.assigns[function].get(name, [])
        stores = self.module.stores[function][name]
        return values if values and stores == len(values) else None

    def value_of(self, node: ast.expr | None, function: ast.FunctionDef | None) -> object:
        """A value known without running the code at fault: constants, module constants
        (``MAX_NESTING``, ``model.MIN_AGE``) and calmkit's helpers called on them."""
        if node is None:
            return MISSING
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if self.is_local(function, node.id):
                return MISSING
            return getattr(self.module.runtime, node.id, MISSING)
        if isinstance(node, ast.Attribute):
            owner = self.value_of(node.value, function)
            return MISSING if owner is MISSING else getattr(owner, node.attr, MISSING)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv | ast.Mult):
            left, right = self.value_of(node.left, function), self.value_of(node.right, function)
            if isinstance(left, int) and isinstance(right, int):
                return left // right if isinstance(node.op, ast.FloorDiv) else left * right
        if isinstance(node, ast.Call) and not node.keywords:
            helper = self.value_of(node.func, function)
            arguments = [self.value_of(argument, function) for argument in node.args]
            pure = getattr(helper, "__module__", "") or ""
            bound_to_text = isinstance(getattr(helper, "__self__", None), str)
            if MISSING in arguments or not (pure.startswith("calmkit.content") or bound_to_text):
                return MISSING
            try:
                return helper(*arguments)  # type: ignore[operator]
            except Exception:  # not a helper for constants after all
                return MISSING
        return MISSING

    def templates(self, node: ast.expr | None, function: ast.FunctionDef | None) -> list[Template]:
        if node is None:
            return [(HOLE,)]
        if isinstance(node, ast.JoinedStr):
            parts = [self.templates(value, function) for value in node.values]
            return [tuple(itertools.chain(*choice)) for choice in itertools.product(*parts)]
        if isinstance(node, ast.FormattedValue):
            if node.format_spec is not None or node.conversion != -1:
                return [(HOLE,)]
            return self.templates(node.value, function)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.templates(node.left, function), self.templates(node.right, function)
            return [a + b for a, b in itertools.product(left, right)]
        params = _params(function) if function is not None else []
        if (
            isinstance(node, ast.IfExp)
            and isinstance(node.test, ast.Name)
            and node.test.id in params
        ):
            # ``"a whole number" if whole else "a number"``: decided by each caller.
            return [
                (Pick(node.test.id, then, otherwise),)
                for then in self.templates(node.body, function)
                for otherwise in self.templates(node.orelse, function)
            ]
        if isinstance(node, ast.Name) and function is not None:
            if node.id in params:
                return [(Param(node.id),)]
            values = self.assigned(function, node.id)
            if values is not None:
                return [t for value in values for t in self.templates(value, function)]
            loop_var = self.loop_var(function, node.id)
            if loop_var is not None:
                return [(loop_var,)]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in params
        ):
            return [(Param(node.args[0].id, through=node.func.id),)]
        text = _as_text(self.value_of(node, function))
        return [(text if text is not None else HOLE,)]

    def loop_var(
        self, function: ast.FunctionDef, name: str, through: str | None = None
    ) -> LoopVar | None:
        """``name`` as the variable of the one ``for`` loop that sets it, if its items are known."""
        for loop in self.module.loops[function]:
            path = _target_path(loop.target, name)
            if path is not None:
                if self.module.stores[function][name] != 1 or self.items(loop, function) is None:
                    return None
                return LoopVar(loop, path, through)
        return None

    def items(self, loop: ast.For, function: ast.FunctionDef) -> list[object] | None:
        """What a loop goes over, if the code writes it out: expressions, pairs of a dict's
        ``.items()`` or plain values of a module constant."""
        source = loop.iter
        pairs = False
        if (
            isinstance(source, ast.Call)
            and isinstance(source.func, ast.Attribute)
            and source.func.attr == "items"
            and not source.args
        ):
            source, pairs = source.func.value, True
        if isinstance(source, ast.Name) and (values := self.assigned(function, source.id)):
            source = values[0] if len(values) == 1 else source
        if pairs:
            if not isinstance(source, ast.Dict) or None in source.keys:
                return None
            return [ast.Tuple(elts=[k, v]) for k, v in zip(source.keys, source.values, strict=True)]
        if isinstance(source, ast.Tuple | ast.List):
            return list(source.elts)
        value = self.value_of(source, function)
        return list(value) if isinstance(value, tuple | list) else None

    def loop_items(self, loop_var: LoopVar, function: ast.FunctionDef) -> list[list[Template]]:
        """For each item of the loop, what the variable is."""
        found = []
        for item in self.items(loop_var.loop, function) or ():
            for index in loop_var.path:
                if isinstance(item, ast.Tuple | ast.List):
                    item = item.elts[index]
                elif isinstance(item, tuple | list):
                    item = item[index]
                else:
                    item = MISSING
            if isinstance(item, ast.expr):
                if loop_var.through is None:
                    found.append(self.templates(item, function))
                    continue
                item = self.value_of(item, function)
            if item is not MISSING and loop_var.through is not None:
                item = getattr(self.module.runtime, loop_var.through)(item)
            text = _as_text(item)
            found.append([(text if text is not None else HOLE,)])
        return found

    def calls_of(self, function: ast.FunctionDef) -> list[tuple[ast.Call, bool]]:
        """Each call of ``function`` in its module (not from inside itself), and whether it is
        a method call (``self.name(...)``: the first parameter is not passed)."""
        found = []
        for node in self.module.calls:
            if self.module.parent.get(node) is function:
                continue
            if isinstance(node.func, ast.Name) and node.func.id == function.name:
                found.append((node, False))
            elif isinstance(node.func, ast.Attribute) and node.func.attr == function.name:
                found.append((node, True))
        return found

    def fill(
        self, param: Param, argument: ast.expr | None, context: ast.FunctionDef | None
    ) -> list[Template]:
        """What a caller's argument makes of a parameter's piece."""
        if param.through is None:
            return self.templates(argument, context)
        value = self.value_of(argument, context)
        if value is not MISSING:
            text = _as_text(getattr(self.module.runtime, param.through)(value))
            return [(text if text is not None else HOLE,)]
        if isinstance(argument, ast.Name) and context and argument.id in _params(context):
            return [(Param(argument.id, param.through),)]
        if isinstance(argument, ast.Name) and context:
            loop_var = self.loop_var(context, argument.id, param.through)
            if loop_var is not None:
                return [(loop_var,)]
        return [(HOLE,)]

    def unroll(
        self, fields: dict[str, Template], function: ast.FunctionDef | None
    ) -> Iterator[dict[str, Template]]:
        """One set of templates per item of each loop they use, the item's variables together."""
        loop_vars = {p for t in fields.values() for p in t if isinstance(p, LoopVar)}
        if not loop_vars or function is None:
            yield fields
            return
        loop = next(iter(loop_vars)).loop
        mine = sorted((p for p in loop_vars if p.loop is loop), key=lambda p: p.path)
        per_var = [self.loop_items(p, function) for p in mine]
        for item in zip(*per_var, strict=True):
            for choice in itertools.product(*item):
                values = dict(zip(mine, choice, strict=True))
                unrolled = {
                    field: tuple(
                        itertools.chain.from_iterable(values.get(p, (p,)) for p in template)
                    )
                    for field, template in fields.items()
                }
                yield from self.unroll(unrolled, function)


def _wanted(template: Template) -> set[Param]:
    """The parameters a template still waits for, also inside its picks."""
    found: set[Param] = set()
    for piece in template:
        if isinstance(piece, Param):
            found.add(piece)
        elif isinstance(piece, Pick):
            found |= {Param(piece.name)} | _wanted(piece.then) | _wanted(piece.otherwise)
    return found


def _substitute(
    template: Template, values: dict[Param, Template], decided: dict[str, bool | None]
) -> Template:
    pieces: list[Piece] = []
    for piece in template:
        if isinstance(piece, Param):
            pieces.extend(values.get(piece, (HOLE,)))
        elif isinstance(piece, Pick):
            decision = decided.get(piece.name)
            if decision is not None:
                chosen = piece.then if decision else piece.otherwise
                pieces.extend(_substitute(chosen, values, decided))
                continue
            passed = values.get(Param(piece.name), (HOLE,))
            if len(passed) == 1 and isinstance(passed[0], Param) and passed[0].through is None:
                # Passed on unchanged by a caller's own parameter: its callers decide.
                then = _substitute(piece.then, values, decided)
                otherwise = _substitute(piece.otherwise, values, decided)
                pieces.append(Pick(passed[0].name, then, otherwise))
            else:
                pieces.append(HOLE)
        else:
            pieces.append(piece)
    return tuple(pieces)


def _expand(
    resolver: Resolver,
    fields: dict[str, Template],
    function: ast.FunctionDef | None,
    depth: int = 0,
) -> Iterator[tuple[dict[str, Template], str]]:
    """Follow the parameters in ``fields`` out to every caller, until none is left."""
    for unrolled in resolver.unroll(fields, function):
        yield from _expand_params(resolver, unrolled, function, depth)


def _expand_params(
    resolver: Resolver,
    fields: dict[str, Template],
    function: ast.FunctionDef | None,
    depth: int,
) -> Iterator[tuple[dict[str, Template], str]]:
    wanted = sorted(
        set().union(*(_wanted(template) for template in fields.values())),
        key=lambda p: (p.name, p.through or ""),
    )
    where = f"{resolver.module.name}:{function.name if function else '<module>'}"
    calls = resolver.calls_of(function) if wanted and function is not None else []
    if not wanted or not calls or depth > 10:
        yield {field: _substitute(t, {}, {}) for field, t in fields.items()}, where
        return
    assert function is not None
    names = _params(function)
    defaults = _defaults(function)
    for call, method in calls:
        caller = resolver.module.parent.get(call)
        passed = names[1:] if method and names[:1] == ["self"] else names
        bound: dict[str, tuple[ast.expr | None, ast.FunctionDef | None]] = {
            name: (default, None) for name, default in defaults.items()
        }
        bound.update({name: (arg, caller) for name, arg in zip(passed, call.args, strict=False)})
        bound.update({kw.arg: (kw.value, caller) for kw in call.keywords if kw.arg})
        decided: dict[str, bool | None] = {}
        for name, (argument, context) in bound.items():
            value = resolver.value_of(argument, context)
            decided[name] = None if value is MISSING else bool(value)
        options = [resolver.fill(p, *bound.get(p.name, (None, None))) for p in wanted]
        for choice in itertools.product(*options):
            values = dict(zip(wanted, choice, strict=True))
            filled = {field: _substitute(t, values, decided) for field, t in fields.items()}
            yield from _expand(resolver, filled, caller, depth + 1)


def _merge(template: Template) -> Text:
    """Adjacent text joined, adjacent holes made one."""
    merged: list[str | None] = []
    for piece in template:
        if piece is HOLE or isinstance(piece, Param | Pick | LoopVar):
            if not merged or merged[-1] is not HOLE:
                merged.append(HOLE)
        elif merged and merged[-1] is not HOLE:
            merged[-1] += piece
        elif piece:
            merged.append(piece)
    return tuple(merged)


@functools.cache
def code_messages() -> tuple[Message, ...]:
    """Every message a Problem can carry, one per template, in source order."""
    found: dict[tuple[Text, Text], Message] = {}
    for name in SOURCES:
        module = Module(name)
        resolver = Resolver(module)
        for node in module.calls:
            if not isinstance(node.func, ast.Name) or node.func.id != "Problem":
                continue
            # Problem(path, line, col, message, severity="error")
            arguments = dict(
                zip(("path", "line", "col", "message", "severity"), node.args, strict=False)
            )
            arguments.update({kw.arg: kw.value for kw in node.keywords if kw.arg})
            function = module.parent.get(node)
            texts = resolver.templates(arguments["message"], function)
            severity = arguments.get("severity")
            levels = resolver.templates(severity, function) if severity else [("error",)]
            for text, level in itertools.product(texts, levels):
                fields = {"text": text, "severity": level}
                for done, where in _expand(resolver, fields, function):
                    message = Message(_merge(done["text"]), _merge(done["severity"]), where)
                    found.setdefault((message.text, message.severity), message)
    return tuple(found.values())


# --- reading the doc ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    message: str
    severity: str
    line: int


def _doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def doc_rows() -> list[Row]:
    text = _doc_text()
    start = text.index(TABLE_HEADING)
    rows = []
    for number, line in enumerate(
        text[start:].splitlines()[1:], start=text[:start].count("\n") + 2
    ):
        if line.startswith("## "):
            break
        if not line.startswith("|") or line.startswith("|---") or "`" not in line:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([^`]+)`", cells[0])
        if match is None:
            continue
        rows.append(Row(match.group(1), cells[1].strip("* "), number))
    return rows


@functools.cache
def literal_capitals() -> frozenset[str]:
    """Capitalised words the messages themselves use (YAML, UTF): not placeholders."""
    words: set[str] = set()
    for message in code_messages():
        for piece in message.text:
            if piece is not HOLE:
                words |= set(re.findall(r"\b[A-Z][A-Z0-9_]*\b", piece))
    return frozenset(words)


@functools.cache
def row_template(row: Row) -> Text:
    """A row's message with each CAPITALISED placeholder read as a hole."""
    keep = literal_capitals()
    pieces: list[str | None] = []
    last = 0
    for match in re.finditer(r"\b[A-Z][A-Z0-9_]*\b", row.message):
        if match.group() in keep:
            continue
        pieces += [row.message[last : match.start()], HOLE]
        last = match.end()
    pieces.append(row.message[last:])
    return _merge(tuple(pieces))


@functools.cache
def _pattern(template: Text, hole: str) -> re.Pattern[str]:
    """A template as a regular expression, each hole matching ``hole``."""
    return re.compile("".join(hole if p is HOLE else re.escape(p) for p in template), re.DOTALL)


def says(row: Row, text: Text) -> bool:
    """Whether the row documents the messages of this template: the row as written is one
    of them (its placeholders standing where the template has holes, or its examples
    filling them), or the template, read with its holes as placeholders, is one of the
    row's (the row's placeholders standing for words the template writes out)."""
    as_placeholders = "".join("X" if p is HOLE else p for p in text)
    return bool(
        # A hole in the code may be empty (a hint that has no suggestion); a placeholder not.
        _pattern(text, ".*?").fullmatch(row.message)
        or _pattern(row_template(row), ".+?").fullmatch(as_placeholders)
    )


# --- the tests ------------------------------------------------------------------------------


def test_the_extraction_finds_the_messages_it_should() -> None:
    """The extraction itself works: known messages come out filled in, as the user sees them."""
    shown = {message.shown() for message in code_messages()}
    assert len(shown) > 60
    for expected in (
        "unknown key '…' in breathe step…",
        "unknown body area '…'…",
        "'count' must be a whole number of breaths from 1 to 60, got …",
        "file is too large (… KiB): scripts and plans can be at most 256 KiB",
        "nested more than 24 levels deep",
        "duplicate script id '…': … already uses it",
        "missing 'calmkit: 1' (the format version) at the top of the file",
    ):
        assert expected in shown, f"not extracted: {expected}"
    warnings = {m.shown() for m in code_messages() if m.level == "warning"}
    assert any(text.startswith("unknown ambient") for text in warnings)


def test_every_message_is_in_the_doc() -> None:
    rows = doc_rows()
    assert len(rows) > 30, f"no message table under {TABLE_HEADING!r} in {DOC}"
    missing = []
    for message in code_messages():
        severity = message.level
        matches = [row for row in rows if says(row, message.text)]
        if not any(row.severity == severity for row in matches):
            found = f" (rows {[r.line for r in matches]} say another severity)" if matches else ""
            missing.append(f"{severity}: {message.shown()}  [{message.where}]{found}")
    assert not missing, "docs/script-format.md does not list:\n" + "\n".join(sorted(missing))


def test_every_row_of_the_table_is_a_real_message() -> None:
    messages = code_messages()
    invented = [
        f"line {row.line}: {row.message}"
        for row in doc_rows()
        if not any(says(row, message.text) for message in messages)
    ]
    assert not invented, "rows no code gives:\n" + "\n".join(invented)


# --- the examples ---------------------------------------------------------------------------


def _example(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```yaml\n(.+?)\n```", _doc_text(), re.DOTALL)
    assert match, f"docs/script-format.md has no <!-- {marker} --> yaml block"
    return match.group(1) + "\n"


def test_the_example_script_loads_without_problems() -> None:
    result = load_text(_example("example-script"), "example-script.yaml")
    assert [str(problem) for problem in result.problems] == []
    assert result.script is not None
    builtin = load_library(include_user=False)
    # Copied into the user's folder, it must not clash with a built-in script.
    assert result.script.id not in builtin.scripts
    kinds = {type(step).__name__.lower() for step in result.script.steps}
    assert {"say", "breathe", "tense", "release", "silence", "chime"} <= kinds
    assert any(getattr(step, "speak", None) for step in result.script.steps)


def test_the_example_script_follows_the_writing_guidance() -> None:
    result = load_text(_example("example-script"), "example-script.yaml")
    assert result.script is not None
    for step in result.script.steps:
        text = getattr(step, "text", None)
        for line in text.all_lines() if text else ():
            assert len(line.split()) <= 30, f"longer than 30 words: {line}"


def test_the_example_plan_loads_without_problems() -> None:
    builtin = load_library(include_user=False)
    result = load_text(_example("example-plan"), "example-plan.yaml", known_scripts=builtin.scripts)
    assert [str(problem) for problem in result.problems] == []
    assert result.plan is not None
    assert result.plan.id not in builtin.plans


# --- the vocabulary ---------------------------------------------------------------------


def _section(heading: str, after: str = "") -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    text = _doc_text()
    start = text.index(after) if after else 0
    level = heading.split(" ", 1)[0]
    match = re.search(rf"^{re.escape(heading)}$", text[start:], re.MULTILINE)
    assert match, f"docs/script-format.md has no section {heading!r}"
    body = text[start + match.end() :]
    end = re.search(rf"^#{{1,{len(level)}}} ", body, re.MULTILINE)
    return body[: end.start()] if end else body


def test_every_word_of_the_format_is_in_the_doc() -> None:
    """Kinds, areas, guides, chimes, beds, tiers, check-ins and every key, as `code`."""
    doc = _doc_text()
    words = (
        *model.KINDS,
        *model.AREAS,
        *model.GUIDES,
        *model.CHIMES,
        *model.AMBIENT_BEDS,
        model.NO_AMBIENT,
        *model.VARIANTS,
        *model.CHECKIN_MOMENT_ITEMS,
        *model.CHECKIN_DAILY_ITEMS,
        *model.SOUND_EXTENSIONS,
        *loader.SCRIPT_KEYS,
        *loader.PLAN_KEYS,
        *loader.ACTIONS,
        *loader.STEP_EXTRAS,
        *loader.BREATHE_KEYS,
        *loader.TENSE_KEYS,
        *loader.RELEASE_KEYS,
        *loader.SOUND_KEYS,
        *loader.SCHEDULE_KEYS,
        *loader.SESSION_KEYS,
        *loader.SETTINGS_KEYS,
        *loader.PLAN_BREATHE_KEYS,
        *loader.CHECKIN_KEYS,
    )
    missing = sorted({word for word in words if f"`{word}`" not in doc})
    assert not missing, f"not in docs/script-format.md: {missing}"


def test_every_field_and_step_has_its_section() -> None:
    for key in loader.SCRIPT_KEYS:
        _section(f"### {key}", after="## The fields of a script")
    for key in loader.PLAN_KEYS:
        _section(f"### {key}", after="## The fields of a plan")
    for action in loader.ACTIONS:
        _section(f"### {action}", after="## Steps")
    _section("#### checkin", after="## The fields of a plan")


def test_the_defaults_in_the_doc_are_the_code_s() -> None:
    breathe = _section("### breathe", after="## Steps")
    for tier, (inhale, exhale) in model.DEFAULT_PACE.items():
        low, high = model.TIER_AGES[tier]
        assert f"| {tier} ({low}–{high}) | {inhale:g} s | {exhale:g} s |" in breathe
    assert (
        f"| `count` | a whole number of breaths, 1–60 | {model.DEFAULT_BREATH_COUNT} |" in breathe
    )
    assert f"| `{model.DEFAULT_GUIDE}` |" in breathe
    say = _section("### say", after="## Steps")
    assert f"| {model.DEFAULT_SAY_PAUSE:g} |" in say
    assert f"| 1–15 s | {model.DEFAULT_TENSE_HOLD:g} |" in _section("### tense", after="## Steps")
    assert f"| 0–60 s | {model.DEFAULT_RELEASE_REST:g} |" in _section(
        "### release", after="## Steps"
    )
    tiers = _section("## Age tiers and fallback")
    for tier, (low, high) in model.TIER_AGES.items():
        words = model.WORDS_PER_MINUTE[tier]
        assert f"| `{tier}` | {low}–{high} | {words} words a minute |" in tiers
        order = ", ".join(model.tier_fallback_order(tier))
        assert f"| {tier} | {order} |" in tiers
    limit = model.MAX_SCRIPT_SECONDS // 60
    assert f"at most **{limit} minutes**" in _section("## How steps become time")
