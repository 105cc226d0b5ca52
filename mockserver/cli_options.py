"""The command line's options, in one table: ``OPTIONS`` (each option's flag, environment variable,
default, meaning, the commands it belongs to and the parser of its value), the value parsers, and
``options_table`` (the ``--help`` epilog and the README's table are made from it).

``mockserver.cli`` builds argparse and reads the environment from this table; the names here are also
importable from ``mockserver.cli`` (``options_table``, ``OPTIONS``, ``Option``...), as before the split.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Callable

from .vendors import VENDORS
from .vendors.clarifai import GRPC_DEFAULT_PORT

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
LOG_FORMATS = ("text", "json")


# -- value types (each raises ArgumentTypeError with a message that reads after the option's name) ----

def port(text: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0..65535; 0 picks a free one)")
    return value


def boolean(text: str) -> bool:
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not a yes/no value (use {'/'.join(TRUE_WORDS)} "
                                     f"or {'/'.join(FALSE_WORDS)})")


def integer(text: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def log_format(text: str) -> str:
    word = str(text).strip().lower()
    if word not in LOG_FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a log format (use {' or '.join(LOG_FORMATS)})")
    return word


def virtual_time(text: str) -> str:
    from .simulation.scenario import parse_time

    try:
        parse_time(text, base=0.0)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a time (seconds, 90m/8h/2d after the start, "
                                         "or ISO 8601)") from None
    return text


def rate_limit(text: str) -> dict:
    from .vendors.cloudfactory.ratelimit import parse_option

    try:
        return parse_option(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def text_value(text: str) -> str:
    return text


# -- the one table of options -------------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    """One option of the table: ``parse`` turns a command-line or environment string into its value
    (raising ``argparse.ArgumentTypeError``); ``commands`` are the subcommands that take it."""

    dest: str
    flag: str  # "--host"; for a positional argument, its name in capitals ("SCENARIO")
    env: str
    default: Any
    shown_default: str  # the default as the help and the README say it
    meaning: str
    commands: tuple[str, ...]
    parse: Callable[[str], Any] = text_value  # from a command-line or environment string
    metavar: str | None = None

    @property
    def switch(self) -> bool:
        return self.parse is boolean

    @property
    def positional(self) -> bool:
        return not self.flag.startswith("-")

    @property
    def shown_flag(self) -> str:
        if self.switch:
            return f"{self.flag}, --no-{self.flag[2:]}"
        return self.flag if self.positional or not self.metavar else f"{self.flag} {self.metavar}"


OPTIONS: list[Option] = [
    Option("host", "--host", "MOCKSERVER_HOST", "127.0.0.1", "127.0.0.1",
           "address to listen on (0.0.0.0 or :: for every interface)", ("serve",), metavar="ADDRESS"),
    *[Option(f"{name}_port", f"--{name}-port", f"MOCKSERVER_{name.upper()}_PORT", default, str(default),
             f"{name} port (0 picks a free one)", ("serve",), port, "PORT")
      for name, default in ((name, vendor.default_port) for name, vendor in VENDORS.items())],
    Option("clarifai_grpc_port", "--clarifai-grpc-port", "MOCKSERVER_CLARIFAI_GRPC_PORT", GRPC_DEFAULT_PORT,
           str(GRPC_DEFAULT_PORT), "clarifai gRPC port (0 picks a free one; if the default is taken, Clarifai is "
           "served over REST only, with a warning)", ("serve",), port, "PORT"),
    Option("ports_file", "--ports-file", "MOCKSERVER_PORTS_FILE", None, "none",
           "write {vendor: base URL} as JSON here once every port listens", ("serve",), metavar="PATH"),
    Option("data", "--data", "MOCKSERVER_DATA", None, "in memory",
           "keep the state in this JSON file (loaded at start, saved atomically)", ("serve",), metavar="PATH"),
    Option("scenario", "--scenario", "MOCKSERVER_SCENARIO", None, "default workspace",
           "scenario to load: a file, or the name of a shipped one (see 'mockserver scenarios')", ("serve",),
           metavar="NAME|PATH"),
    Option("control_token", "--control-token", "MOCKSERVER_CONTROL_TOKEN", None, "none on loopback; generated otherwise",
           "the control API (/_mock) then needs 'Authorization: Bearer TOKEN' (or 'X-Mockserver-Token: TOKEN'); "
           "bound off loopback without one, a token is generated and printed", ("serve",), metavar="TOKEN"),
    Option("control", "--control", "MOCKSERVER_CONTROL", True, "on",
           "serve the control API under /_mock (--no-control removes all of it but /_mock/health)", ("serve",),
           boolean),
    Option("cloudfactory_rate_limit", "--cloudfactory-rate-limit", "MOCKSERVER_CLOUDFACTORY_RATE_LIMIT", None, "off",
           "CloudFactory per-key limit, REQUESTS/SECONDS of virtual time (e.g. 100/60); a workstream's rate_limit "
           "in the workspace wins", ("serve",), rate_limit, "N/S"),
    Option("strict", "--strict", "MOCKSERVER_STRICT", False, "off",
           "validate answers against the specs too; refuse unknown fields", ("serve",), boolean),
    Option("log_format", "--log-format", "MOCKSERVER_LOG_FORMAT", "text", "text",
           "access log: one text line or one JSON object per request", ("serve",), log_format, "text|json"),
    Option("quiet", "--quiet", "MOCKSERVER_QUIET", False, "off",
           "serve: print nothing but errors (no URLs, no access log); simulate: no progress lines",
           ("serve", "simulate"), boolean),
    Option("scenario", "SCENARIO", "MOCKSERVER_SCENARIO", None, "required",
           "simulate: the scenario to run, a file or a shipped name", ("simulate",)),
    Option("seed", "--seed", "MOCKSERVER_SEED", None, "the scenario's",
           "simulate: override the scenario's seed", ("simulate",), integer, "N"),
    Option("until", "--until", "MOCKSERVER_UNTIL", None, "until done",
           "simulate: stop at this virtual time (seconds, 90m/8h/2d after the start, or ISO 8601)",
           ("simulate",), virtual_time, "TIME"),
    Option("json_report", "--json-report", "MOCKSERVER_JSON_REPORT", None, "none",
           "simulate: also write the report as JSON here", ("simulate",), metavar="PATH"),
    Option("html", "--html", "MOCKSERVER_HTML", None, "none",
           "simulate: also write the report as one self-contained HTML file here (charts inlined, opens offline)",
           ("simulate",), metavar="PATH"),
]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a | splits a Markdown table cell, even inside `code`


def options_table(markdown: bool = False, command: str | None = None) -> str:
    """The table of options and their environment variables (for ``--help`` and the README)."""
    rows, seen = [], set()
    for opt in OPTIONS:
        if command is not None and command not in opt.commands:
            continue
        key = (opt.flag, opt.env)
        if key in seen:
            continue
        seen.add(key)
        rows.append(opt)
    if markdown:
        lines = ["| option | env var | default | meaning |", "|---|---|---|---|"]
        lines += [f"| `{_cell(o.shown_flag)}` | `{o.env}` | {_cell(o.shown_default)} | {_cell(o.meaning)} |"
                  for o in rows]
        return "\n".join(lines)
    table = [("variable", "option", "default")] + [(o.env, o.flag, o.shown_default) for o in rows]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    return "\n".join(f"  {env:{widths[0]}s}  {flag:{widths[1]}s}  {default}" for env, flag, default in table)
