"""The command line: parse arguments, call the layers below, print the answer.

Each command group has its module beside this one; heavy modules are imported
inside the commands, so `calmkit` alone reaches the app quickly.

Exit codes: 0 fine (also when the reader of the output went away); 1 a problem
(a broken file, an unknown target, an unusable journal, nothing written, "no" to
`forget`, or an unexpected error); 2 a usage error (argparse's, a bad date, a
missing path for `validate`, a name or kind `new` cannot use); 130 interrupted (Ctrl+C,
or a `play --plain` session that was not completed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from calmkit import __version__, locations
from calmkit.cli.doctor import cmd_doctor
from calmkit.cli.library import cmd_list, cmd_new, cmd_show, cmd_validate
from calmkit.cli.narration import cmd_narrate
from calmkit.cli.options import (
    ENGINE_CHOICES,
    age_option,
    ages_option,
    date_option,
    looked_up_name,
    new_name,
    refusal,
)
from calmkit.cli.output import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, print_error, shown_output
from calmkit.cli.packs import cmd_import, cmd_pack
from calmkit.cli.play import cmd_play, run_tui
from calmkit.cli.records import cmd_export, cmd_forget, cmd_locate, cmd_log, cmd_report
from calmkit.report import FORMATS

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calmkit",
        description="A calm practice companion: breathing, relaxation, imagery and grounding.",
    )
    parser.add_argument("--version", action="version", version=f"calmkit {__version__}")
    # For the app itself (`calmkit` with no command): who is practising.
    parser.add_argument("--profile", dest="app_profile", type=new_name, help="who is practising")
    parser.add_argument(
        "--with",
        dest="app_with",
        action="append",
        default=[],
        type=new_name,
        help="someone practising along",
    )
    parser.add_argument("--age", dest="app_age", type=age_option, help="the child's age")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    listing = command("list", cmd_list, "the library: scripts and plans, broken files marked")
    listing.add_argument("--json", action="store_true", help="print JSON")

    show = command("show", cmd_show, "the compiled timeline of a script, plan or file")
    show.add_argument("target", help="a script id, a plan id or a .yaml file")
    show.add_argument("--age", type=age_option, help="the child's age (chooses the tier)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.add_argument(
        "--no-audio", action="store_true", help="the timeline as it plays when there is no sound"
    )

    validate = command("validate", cmd_validate, "check script and plan files")
    validate.add_argument("paths", nargs="*", help="files or folders (default: the whole library)")
    validate.add_argument(
        "--strict", action="store_true", help="warnings fail too (exit 1), as errors do"
    )

    new = command("new", cmd_new, "start a script or plan from a commented template")
    new.add_argument("what", choices=["script", "plan"], help="what to start")
    new.add_argument("name", help="its id or title, like calm-lake or 'Calm Lake'")
    new.add_argument("--kind", default="breathing", help="a script's kind (default: breathing)")
    new.add_argument("--ages", type=ages_option, help="a script's ages, like 9-14")
    new.add_argument("--age", type=age_option, help="a plan's child's age (default: 10)")
    new.add_argument("--for", dest="for_profile", type=new_name, help="a plan's profile name")
    new.add_argument("--out", help="the file to write (default: your library)")

    locate = command("locate", cmd_locate, "the folders calmkit uses")
    locate.add_argument("--json", action="store_true", help="print JSON")

    play = command("play", cmd_play, "play a script, a plan or a file")
    play.add_argument("target")
    play.add_argument("--plain", action="store_true")
    play.add_argument("--profile", type=new_name)
    play.add_argument("--with", dest="with_profiles", action="append", default=[], type=new_name)
    play.add_argument("--age", type=age_option)
    play.add_argument("--no-audio", action="store_true")
    play.add_argument("--no-ambient", action="store_true")
    play.add_argument(
        "--no-checkin", action="store_true", help="--plain: ask no check-in questions"
    )

    narrate = command("narrate", cmd_narrate, "make narration clips with a text-to-speech engine")
    narrate.add_argument("targets", nargs="*", help="scripts or plans (default: the whole library)")
    narrate.add_argument("--engine", default="auto", choices=ENGINE_CHOICES)
    narrate.add_argument("--voice", help="the engine's voice (default: its best)")
    narrate.add_argument("--force", action="store_true", help="render again even if cached")
    narrate.add_argument("--jobs", type=int, help="lines rendered at once (default: all cores)")
    narrate.add_argument("--into", help=argparse.SUPPRESS)  # tools/: the shipped audio/narration

    log = command("log", cmd_log, "the practice journal")
    log.add_argument("--profile", type=looked_up_name)
    log.add_argument("--since", type=date_option("--since"))
    log.add_argument("--until", type=date_option("--until"))
    log.add_argument("--json", action="store_true")

    report = command("report", cmd_report, "a report for the psychologist")
    report.add_argument("--profile", type=looked_up_name)
    report.add_argument("--since", type=date_option("--since"))
    report.add_argument("--until", type=date_option("--until"))
    report.add_argument("--format", choices=FORMATS, default="html")
    report.add_argument("--out", help="the file to write (default: print it)")
    report.add_argument(
        "--replace", action="store_true", help="overwrite --out if it exists (default: a new name)"
    )

    pack = command("pack", cmd_pack, "make one file of a plan for a family: scripts, clips, voice")
    pack.add_argument("plan", help="a plan id or a plan's .yaml file")
    pack.add_argument("--out", help="the .zip to write (default: PLAN-pack.zip here)")
    pack.add_argument(
        "--engine", default="auto", choices=ENGINE_CHOICES,
        help="the voice to narrate your scripts with (default: the best installed)",
    )  # fmt: skip
    pack.add_argument("--voice", help="the engine's voice (default: its best)")
    pack.add_argument(
        "--no-narration", action="store_true", help="no narration clips: captions only at home"
    )

    imports = command("import", cmd_import, "add a script, plan or pack to your library")
    imports.add_argument("file", help="a script or plan .yaml, or a pack (a folder or .zip)")
    imports.add_argument(
        "--profile",
        type=new_name,
        help="give the plan to this person (a new name becomes a new profile)",
    )
    imports.add_argument(
        "--replace",
        action="store_true",
        help="overwrite files and ids already in your library; with --profile, give the"
        " person this plan in place of the one they have",
    )

    doctor = command("doctor", cmd_doctor, "check sound, voices, narration and the data folder")
    doctor.add_argument("--json", action="store_true")

    export = command("export", cmd_export, "write everything calmkit holds to one file")
    export.add_argument(
        "--profile", type=looked_up_name, help="only this person's practice (default: everyone)"
    )
    export.add_argument("--out", help="the file to write (default: calmkit-export-….zip here)")
    export.add_argument(
        "--replace", action="store_true", help="overwrite --out if it exists (default: a new name)"
    )

    forget = command("forget", cmd_forget, "delete a person's data, or everything")
    forget.add_argument(
        "--profile", type=looked_up_name, help="only this person (default: everything)"
    )
    forget.add_argument("--yes", action="store_true", help="do not ask first")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    try:
        _finish_cut_short_imports()
        if handler is None:
            return run_tui(args)  # Textual writes to the real terminal, literal text only
        with shown_output():
            refused = refusal(args)
            if refused is not None:
                print_error(refused.message)
                return EXIT_USAGE
            return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (| head): nothing more to say.
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # the last resort: one line, never a traceback
        if os.environ.get("CALMKIT_DEBUG"):
            raise
        print_error(
            f"something went wrong ({type(error).__name__}: {error}); "
            "set CALMKIT_DEBUG=1 to see the details"
        )
        return EXIT_PROBLEM
    finally:
        notices = locations.take_notices()
        if notices and not sys.stderr.closed:
            print("\n".join(f"note: {text}" for text in notices), file=sys.stderr)


def _finish_cut_short_imports() -> None:
    """An import killed halfway left its stage: finish it or remove it (staging.py)."""
    from calmkit.packs.staging import recover

    for text in recover():
        print(f"note: {text}", file=sys.stderr)
