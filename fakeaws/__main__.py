"""The ``fakeaws`` command (also ``python -m fakeaws``).

fakeaws coverage                        # table: implemented/total per service
fakeaws coverage -v --service sts       # ... and the implemented operations
fakeaws coverage --markdown docs/coverage.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


class _UsageError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    # Report bad usage to main() instead of exiting, so that main() returns 2
    # after printing the help of the (sub)command that was misused.
    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(self, message)


def _build_parser() -> _Parser:
    parser = _Parser(prog="fakeaws", description="fakeaws: an in-process fake of AWS serverless.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    coverage = commands.add_parser(
        "coverage",
        help="which operations of each AWS service fakeaws implements",
        description="Implemented operations vs. the installed botocore service models.",
    )
    coverage.add_argument(
        "--markdown",
        metavar="PATH",
        help="write the markdown coverage page to PATH ('-' for stdout) instead of the table",
    )
    coverage.add_argument(
        "--service",
        metavar="NAME",
        action="append",
        help="only this botocore service (repeatable)",
    )
    coverage.add_argument(
        "-v", "--verbose", action="store_true", help="list the implemented operations"
    )
    coverage.set_defaults(run=_coverage, command_parser=coverage)
    return parser


def _coverage(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from fakeaws.coverage import UnknownServiceError, coverage_report, render_markdown, render_text

    try:
        report = coverage_report(args.service)
    except UnknownServiceError as exc:
        print(parser.format_usage(), end="", file=sys.stderr)
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    if args.markdown is None:
        sys.stdout.write(render_text(report, verbose=args.verbose))
    elif args.markdown == "-":
        sys.stdout.write(render_markdown(report))
    else:
        path = Path(args.markdown)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as f:
            f.write(render_markdown(report))
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            command_parser = getattr(args, "command_parser", parser)
            command_parser.error(f"unrecognized arguments: {' '.join(extras)}")
    except _UsageError as exc:
        print(exc.parser.format_help(), file=sys.stderr)
        print(f"{exc.parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return args.run(args, args.command_parser)


if __name__ == "__main__":
    sys.exit(main())
