"""Command line: ``mockserver serve``, ``mockserver simulate``, ``mockserver scenarios``.

Every option of ``serve`` and ``simulate`` can also come from an environment variable (``OPTIONS``, in
``mockserver.cli_options``, is the one table of them: argparse, the ``--help`` epilog and the README are
made from it; it and its value parsers and ``options_table`` are re-exported here). A flag on the
command line wins over the environment, the environment over the default.

Errors are one line on stderr, ``mockserver: ...``, naming what is wrong: exit status 2 for bad usage
or input (options, environment, ``--data`` file, scenario), 1 when something fails at run time
(a port that cannot be listened on...), 130 after Ctrl-C in ``simulate``.
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import tempfile

from . import __version__
# The option table, re-exported (see __all__): tests and the README check ``mockserver.cli.options_table``.
from .cli_options import (FALSE_WORDS, LOG_FORMATS, OPTIONS, TRUE_WORDS, Option, boolean, integer, log_format,
                          options_table, port, rate_limit, text_value, virtual_time)
from .vendors import VENDORS
from .world import Settings, World

PROG = "mockserver"

__all__ = ["COMMANDS", "FALSE_WORDS", "LOG_FORMATS", "OPTIONS", "PROG", "TRUE_WORDS", "Option", "Parser",
           "UsageError", "apply_environment", "boolean", "build_parser", "build_world", "cmd_scenarios",
           "cmd_serve", "cmd_simulate", "find_scenario", "integer", "log_format", "main", "open_data",
           "options_table", "port", "rate_limit", "text_value", "virtual_time"]


class UsageError(Exception):
    """Bad usage or input: one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``mockserver: argument --x: why (see 'mockserver serve --help')``."""

    def error(self, message: str):
        self.exit(2, f"{PROG}: {message} (see '{self.prog} --help')\n")


def _add_options(parser: argparse.ArgumentParser, command: str) -> None:
    for opt in OPTIONS:
        if command not in opt.commands:
            continue
        note = f" [default {opt.shown_default}; env {opt.env}]"
        if opt.positional:
            parser.add_argument(opt.dest, nargs="?", default=None, metavar=opt.flag, help=opt.meaning + note)
        elif opt.switch:
            parser.add_argument(opt.flag, dest=opt.dest, action=argparse.BooleanOptionalAction, default=None,
                                help=opt.meaning + note)
        else:
            parser.add_argument(opt.flag, dest=opt.dest, type=opt.parse, default=None, metavar=opt.metavar,
                                help=opt.meaning + note)


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Local stand-in for the labeling-workforce APIs of Clarifai, "
                    "Huawei Cloud ModelArts and CloudFactory.")
    parser.add_argument("-V", "--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    epilog = ("environment variables (a flag on the command line wins; an empty value counts as unset):\n"
              + options_table(command="serve"))
    s = sub.add_parser("serve", help="serve the three vendor APIs (each on its own port)",
                       description="Serve the Clarifai, ModelArts and CloudFactory APIs, each on its own port.",
                       epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_options(s, "serve")
    sim = sub.add_parser("simulate", help="run a scenario headless (no server) and print a report",
                         epilog="environment variables (a flag on the command line wins):\n"
                         + options_table(command="simulate"), formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_options(sim, "simulate")
    sc = sub.add_parser("scenarios", help="list the scenarios that ship with mockserver")
    sc.add_argument("--json", action="store_true", help="as JSON: [{name, description, path}]")
    return parser


def apply_environment(args: argparse.Namespace, command: str, environ=None) -> None:
    """Fill every option not given on the command line from its environment variable, else its default.
    Raises ``UsageError`` naming the variable when its value is invalid."""
    environ = os.environ if environ is None else environ
    for opt in OPTIONS:
        if command not in opt.commands or getattr(args, opt.dest, None) is not None:
            continue
        raw = environ.get(opt.env, "")
        if raw == "":
            setattr(args, opt.dest, opt.default)
            continue
        try:
            setattr(args, opt.dest, opt.parse(raw))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"{opt.env}: {exc}") from None


# -- checks done before anything starts ----------------------------------------------------------------

def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def open_data(path: str):
    """The store of ``--data PATH``, loaded if the file exists; ``UsageError`` naming the file and the
    reason if its directory is missing or not writable, or the file is not a readable JSON state."""
    from .persistence import DataFileError
    from .store import Store

    where = f"--data {path}"
    directory = os.path.dirname(os.path.abspath(path))
    shown_dir = os.path.dirname(path) or "."
    if not os.path.exists(directory):
        raise UsageError(f"{where}: directory {shown_dir} does not exist")
    if not os.path.isdir(directory):
        raise UsageError(f"{where}: {shown_dir} is not a directory")
    if os.path.isdir(path):
        raise UsageError(f"{where}: is a directory (give a file name in it, e.g. {os.path.join(path, 'state.json')})")
    try:
        fd, probe = tempfile.mkstemp(prefix=".mockserver-probe-", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"{where}: directory {shown_dir} is not writable ({exc.strerror or exc})") from None
    try:
        return Store(path)
    except DataFileError as exc:  # names the file: unreadable, not a state, or held by another server
        raise UsageError(f"--data {_one_line(exc)}") from None


def find_scenario(name_or_path: str, what: str) -> str:
    from .resources import find_scenario as find

    try:
        return str(find(name_or_path))
    except ValueError as exc:
        raise UsageError(f"{what} {_one_line(exc)}") from None


def build_world(args) -> World:
    """The served world, built as everywhere else (``compose.build_world``): a ``--data`` file's state kept,
    else the default workspace or ``--scenario`` seeded."""
    from .compose import build_world as compose_world

    store = open_data(args.data) if getattr(args, "data", None) else None
    settings = Settings(host=args.host, data_path=args.data, scenario_path=args.scenario, strict=args.strict,
                        control=args.control is not False, control_token=args.control_token or None)
    if getattr(args, "cloudfactory_rate_limit", None):
        settings.extra["cloudfactory_rate_limit"] = args.cloudfactory_rate_limit
    return compose_world(settings, store=store, scenario=args.scenario or None)


def _describe(exc: BaseException) -> str:
    """One line saying what failed: ``No such file or directory: '/x/clarifai.yaml'``, ``KeyError: 'x'``."""
    if isinstance(exc, OSError) and exc.strerror:
        target = f": {exc.filename!r}" if exc.filename else ""
        return f"{exc.strerror}{target}"
    text = _one_line(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)
    return status


# -- commands ------------------------------------------------------------------------------------------

def cmd_serve(args) -> int:
    # The HTTP stack (Connexion, Starlette, uvicorn: a third of a second and ~20 MB) only for serving:
    # ``simulate`` and ``scenarios`` run without it.
    import asyncio

    from .server import ListenError, serve

    ports = {name: getattr(args, f"{name}_port") for name in VENDORS}
    taken: dict[int, str] = {}
    for name, number in [*ports.items(), ("clarifai-grpc", args.clarifai_grpc_port)]:
        if number and number in taken:
            raise UsageError(f"--{taken[number]}-port and --{name}-port are both {number} (each vendor needs its "
                             "own port)")
        taken[number] = name
    if args.ports_file:
        directory = os.path.dirname(args.ports_file)
        if directory and not os.path.isdir(directory):
            raise UsageError(f"--ports-file {args.ports_file}: directory {directory} does not exist")
    if args.scenario:
        args.scenario = find_scenario(args.scenario, "--scenario")
    try:
        world = build_world(args)
    except UsageError:
        raise
    except ValueError as exc:  # a scenario that does not load names its file, field and reason
        raise UsageError(_one_line(exc)) from None
    except OSError as exc:
        return _fail(f"cannot start: {_describe(exc)}", 1)

    # This process is ours: Connexion logs an ERROR line for every query parameter a spec does not name
    # (any client's extra, e.g. schemathesis' probes), which the vendors ignore; keep the console for the
    # access log and real errors.
    logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
    # The collector too: what start-up built lives as long as the process, and the store's documents hold no
    # reference cycles, yet collections over them took a fifth to a third of a create's CPU under load
    # (bench/bench_http.py). Start-up objects are frozen out of collection, and young collections run less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    ready = asyncio.Event()  # set once every port listens (bound to the loop on first use)
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(serve(world, ports, ports_file=args.ports_file, quiet=args.quiet, log_format=args.log_format,
                             ready=ready, grpc_port=args.clarifai_grpc_port))
    except ListenError as exc:
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        if os.environ.get("MOCKSERVER_DEBUG"):
            raise
        when = "stopped on an error" if ready.is_set() else "cannot start"
        hint = "" if isinstance(exc, OSError) else " (MOCKSERVER_DEBUG=1 shows the traceback)"
        return _fail(f"{when}: {_describe(exc)}{hint}", 1)
    return 0


def _loop_factory():
    """uvloop's event loop when installed (it comes with uvicorn[standard], which Connexion's ``uvicorn`` extra
    pulls in; not on Windows), else asyncio's: the same server, a few percent more requests per second."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - depends on the platform
        return None
    return uvloop.new_event_loop


def cmd_simulate(args) -> int:
    if not args.scenario:
        raise UsageError("simulate needs a scenario: a file or the name of a shipped one (see 'mockserver "
                         "scenarios'), as an argument or in MOCKSERVER_SCENARIO")
    path = find_scenario(args.scenario, "simulate:")
    from .simulation.headless import main as simulate

    return simulate(path, seed=args.seed, until=args.until, json_report=args.json_report, quiet=args.quiet,
                    html=args.html)


def cmd_scenarios(args) -> int:
    from .resources import find_scenario as find, shipped_scenarios

    shipped = shipped_scenarios()
    if args.json:
        print(json.dumps([{"name": name, "description": text, "path": str(find(name))} for name, text in shipped],
                         indent=2))
        return 0
    width = max((len(name) for name, _ in shipped), default=0)
    for name, text in shipped:
        print(f"{name:{width}s}  {text}".rstrip())
    return 0


COMMANDS = {"serve": cmd_serve, "simulate": cmd_simulate, "scenarios": cmd_scenarios}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        apply_environment(args, args.command)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:  # never a traceback on the console; MOCKSERVER_DEBUG=1 shows it
        if os.environ.get("MOCKSERVER_DEBUG"):
            raise
        return _fail(f"unexpected error: {_describe(exc)} (MOCKSERVER_DEBUG=1 shows the traceback)", 1)
