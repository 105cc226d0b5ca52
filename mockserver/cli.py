"""Command line: ``mockserver serve`` (and ``python -m mockserver serve``)."""
from __future__ import annotations

import argparse
import asyncio
import sys

from . import __version__
from .server import DEFAULT_PORTS, serve
from .world import Settings, World


def build_world(args) -> World:
    from .workspace import seed_workspace

    settings = Settings(host=args.host, data_path=args.data, scenario_path=args.scenario, strict=args.strict)
    world = World(settings)
    loader = None
    if args.scenario:
        from .scenario_hook import load_scenario  # provided by the simulation package

        loader = load_scenario(world, args.scenario)
    else:
        restored = bool(args.data and len(world.store.db.tables()))
        world.reset_hooks.append(lambda w: seed_workspace(w))
        if restored:
            from .workspace import default_workspace

            world.workspace = default_workspace()
        else:
            seed_workspace(world)
    return world if loader is None else loader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mockserver", description="Local stand-in for the labeling-workforce APIs "
                                     "of Clarifai, Huawei Cloud ModelArts and CloudFactory.")
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    sub = parser.add_subparsers(dest="command")
    s = sub.add_parser("serve", help="serve the three vendor APIs (each on its own port)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    for name, port in DEFAULT_PORTS.items():
        s.add_argument(f"--{name}-port", type=int, default=port, help=f"{name} port (default {port}; 0 = any free port)")
    s.add_argument("--ports-file", help="write {vendor: base URL} as JSON here once every port listens")
    s.add_argument("--data", help="keep the state in this JSON file (loaded at start, saved atomically)")
    s.add_argument("--scenario", help="load this scenario file instead of the embedded default workspace")
    s.add_argument("--strict", action="store_true", help="validate responses against the specs too, and reject unknown fields")
    s.add_argument("--quiet", action="store_true", help="print nothing but errors")
    sim = sub.add_parser("simulate", help="run a scenario headless (no server) and print a report")
    sim.add_argument("scenario", help="scenario file (YAML)")
    sim.add_argument("--seed", type=int, help="override the scenario's seed")
    sim.add_argument("--until", help="stop at this virtual time: seconds or 90m/8h/2d after the start, or ISO 8601")
    sim.add_argument("--json-report", help="also write the report as JSON here")
    sim.add_argument("--quiet", action="store_true", help="no progress output")
    args = parser.parse_args(argv)
    if args.command == "simulate":
        from .simulation.headless import main as simulate

        return simulate(args.scenario, seed=args.seed, until=args.until, json_report=args.json_report,
                        quiet=args.quiet)
    if args.command != "serve":
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        world = build_world(args)
    except (OSError, ValueError) as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    ports = {name: getattr(args, f"{name}_port") for name in DEFAULT_PORTS}
    try:
        asyncio.run(serve(world, ports, ports_file=args.ports_file, quiet=args.quiet))
    except OSError as exc:
        print(f"mockserver: cannot listen: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
