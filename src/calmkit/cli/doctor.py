"""`doctor`: sound, voices, narration and the data folder, checked (calmkit.doctor)."""

from __future__ import annotations

import argparse

from calmkit.cli.output import EXIT_OK, print_json


def cmd_doctor(args: argparse.Namespace) -> int:
    from calmkit.doctor import doctor_lines, doctor_report

    report = doctor_report()
    if args.json:
        print_json(report)
    else:
        for line in doctor_lines(report):
            print(line)
    return EXIT_OK
