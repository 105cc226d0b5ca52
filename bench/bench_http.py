"""Our server against Stoplight Prism over HTTP, same machine, same specs, loaded alternately with wrk.

Run: python bench/bench_http.py            (3 rounds of 5 s per call and server: about 3 minutes)
     python bench/bench_http.py --rounds 1 --seconds 1    (a smoke run)

Prism (5.x, installed into bench/.prism/ with npm if missing) mocks openapi/{clarifai,modelarts,cloudfactory}.yaml,
one process per spec; our server is `python -m mockserver serve --quiet`. Setup creates, in OUR server, a task in
each vendor for the GETs (ids and keys come from GET /_mock/workspace); the same requests go to Prism. Each call is
probed once on both before any load: a call that answers an error is reported with its status and not loaded.
wrk (-t1 -c16 by default) loads one server at a time, alternating which goes first in each round; the figures are
medians over rounds. Loopback only; every run is bounded by --seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _calls import probe, setup  # noqa: E402
from _common import (OurServer, PrismServers, ensure_prism, ensure_wrk, fmt, http_json, lua_script, machine,  # noqa: E402
                     median, prism_version, run_wrk, settle, snippet, table)


def store_counts(url: str) -> dict[str, int]:
    status, state = http_json("GET", url + "/_mock/state")
    return {k: len(v) for k, v in state.items()} if status == 200 and isinstance(state, dict) else {}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=5.0, help="wrk duration of one run")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--vendors", default="clarifai,modelarts,cloudfactory")
    p.add_argument("--json", help="also write the raw figures here")
    args = p.parse_args(argv)
    vendors = tuple(args.vendors.split(","))

    wrk = ensure_wrk()
    prism = ensure_prism()
    if not wrk:
        return 2
    print(f"Machine: {machine()}")
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.seconds:g}s --latency, {args.rounds} rounds, "
          f"alternating; Prism {prism_version() if prism else 'NOT AVAILABLE'} (-v warn); ours: mockserver serve --quiet")

    ours = OurServer().start()
    prisms = None
    try:
        if prism:
            try:
                prisms = PrismServers(vendors).start()
            except (RuntimeError, TimeoutError) as exc:
                print(f"PRISM DID NOT START: {exc}")
        s = setup(ours.urls, vendors)
        for problem in s.problems:
            print(f"SETUP PROBLEM: {problem}")

        # -- probes: one request each, exactly as wrk will send it ---------------------------------------
        rows, load = [], []
        for c in s.calls:
            st_o, b_o = probe(ours.urls[c.vendor], c)
            st_p, b_p = probe(prisms.urls[c.vendor], c) if prisms else (None, "prism not running")
            ok_o, ok_p = 200 <= st_o < 300, st_p is not None and 200 <= st_p < 300
            load.append((c, ok_o, ok_p))
            rows.append([c.vendor, c.name, f"{c.method} {c.path.split('?')[0]}", st_o,
                         st_p if st_p is not None else "-",
                         "" if ok_o else "ours: " + snippet(b_o, 100), "" if ok_p else "prism: " + snippet(b_p, 100)])
        table(["vendor", "call", "request", "ours", "Prism", "ours error", "Prism error"], rows,
              "Probe (status of one request before loading; errors are not loaded)")

        before_counts, before_rss = store_counts(ours.urls["clarifai"]), ours.rss_mib()
        results: dict[tuple[str, str, str], list[dict]] = {}
        creates_sent: dict[str, int] = {}
        with tempfile.TemporaryDirectory(prefix="bench_http_") as tmp:
            for r in range(args.rounds):
                for i, (c, ok_o, ok_p) in enumerate(load):
                    targets = [("ours", ours.urls[c.vendor], ok_o)]
                    if prisms:
                        targets.append(("prism", prisms.urls[c.vendor], ok_p))
                    if (r + i) % 2:
                        targets.reverse()
                    for who, base, ok in targets:
                        if not ok:
                            continue
                        token = uuid.uuid4().hex[:10]
                        script = lua_script(tmp, f"{who}_{c.vendor}_{i}", c.method, c.headers, c.body, token)
                        res = run_wrk(wrk, base + c.path, script, args.threads, args.connections, args.seconds)
                        results.setdefault((c.vendor, c.name, who), []).append(res)
                        settle(base + ("/_mock/health" if who == "ours" else "/"))
                        if who == "ours" and c.creates and "requests" in res:
                            creates_sent[c.vendor] = creates_sent.get(c.vendor, 0) + res["requests"]
                print(f"round {r + 1}/{args.rounds} done", flush=True)
        after_counts, after_rss = store_counts(ours.urls["clarifai"]), ours.rss_mib()

        # -- figures ------------------------------------------------------------------------------------
        def agg(c, who, key):
            runs = [x for x in results.get((c.vendor, c.name, who), []) if "requests" in x]
            return median([x[key] for x in runs]) if runs else None

        def errors(c, who):
            runs = results.get((c.vendor, c.name, who), [])
            bad = sum(x.get("non2xx", 0) for x in runs)
            sock = sum(x.get("sock_errors", 0) for x in runs)
            failed = [x["error"] for x in runs if "error" in x]
            parts = []
            if bad:
                parts.append(f"{who} non-2xx {bad}")
            if sock:
                parts.append(f"{who} socket errors {sock}")
            if failed:
                parts.append(f"{who} wrk failed: {snippet(failed[0], 80)}")
            return parts

        rows, raw = [], []
        for c, ok_o, ok_p in load:
            o_rps, p_rps = agg(c, "ours", "rps"), agg(c, "prism", "rps")
            ratio = o_rps / p_rps if o_rps and p_rps else None
            note = errors(c, "ours") + errors(c, "prism")
            if not ok_o:
                note.insert(0, "ours: probe failed, not loaded")
            if not ok_p:
                note.insert(0, "Prism: probe failed, not loaded")
            rows.append([c.vendor, c.name, fmt(o_rps), fmt(p_rps), fmt(ratio, 2), fmt(_ms(agg(c, "ours", "p50_us")), 2),
                         fmt(_ms(agg(c, "prism", "p50_us")), 2), fmt(_ms(agg(c, "ours", "p99_us")), 2),
                         fmt(_ms(agg(c, "prism", "p99_us")), 2), "; ".join(note + ([c.note] if c.note else []))])
            raw.append({"vendor": c.vendor, "call": c.name, "path": c.path,
                        "ours": results.get((c.vendor, c.name, "ours"), []),
                        "prism": results.get((c.vendor, c.name, "prism"), [])})
        table(["vendor", "call", "ours req/s", "Prism req/s", "ours/Prism", "ours p50 ms", "Prism p50 ms",
               "ours p99 ms", "Prism p99 ms", "notes"], rows,
              f"Throughput and latency (medians of {args.rounds} rounds)")

        grown = sorted(set(before_counts) | set(after_counts))
        rows = [[t, before_counts.get(t, 0), after_counts.get(t, 0), after_counts.get(t, 0) - before_counts.get(t, 0)]
                for t in grown if after_counts.get(t, 0) != before_counts.get(t, 0)]
        table(["table", "docs before", "docs after", "added"], rows,
              "Our data growth during the run (every create is stored; Prism stores nothing)")
        print(f"creates accepted by ours per vendor: {creates_sent}; "
              f"our RSS {fmt(before_rss, 0)} MiB -> {fmt(after_rss, 0)} MiB"
              + (f"; Prism RSS (3 processes) {fmt(prisms.rss_mib(), 0)} MiB" if prisms else ""))
        if args.json:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump({"machine": machine(), "args": vars(args), "calls": raw, "problems": s.problems}, fh, indent=1)
    finally:
        if prisms:
            prisms.stop()
        ours.stop()
    return 0


def _ms(us):
    return None if us is None else us / 1000.0


if __name__ == "__main__":
    sys.exit(main())
