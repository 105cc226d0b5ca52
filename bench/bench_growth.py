"""Growth: the HTTP bench's calls against our server holding 1k, 10k and 100k stored items per vendor.

Run: python bench/bench_growth.py                         (sizes 1000,10000,100000: the preload dominates)
     python bench/bench_growth.py --sizes 100,1000 --rounds 1 --seconds 1   (a smoke run)

N items per vendor, each made by the vendor's own create call (bench/_calls.py `feeds`): Clarifai tasks (one
input each, 100 per PostTasks), ModelArts workforce tasks (over the 20-sample dataset), CloudFactory Oversight
tasks and Quality records (N/2 of each). The preload goes through the full ASGI stack inside the server process (bench/_growth_server.py:
gate, Connexion, handler, core, store; no sockets), then the same calls as bench/bench_http.py are loaded with
wrk over loopback (a call whose single request takes over --slow seconds is reported, not loaded).
The measured creates add data too: the table counts are printed per size.
Per-request cost should be flat: a call whose req/s at the largest size falls below 0.8x the smallest is
profiled in-process (cProfile) at both sizes, and the functions whose per-request time grew are listed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _calls import feeds, probe, setup  # noqa: E402
from _common import OurServer, ensure_wrk, fmt, lua_script, machine, median, run_wrk, settle, snippet, table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class Launcher(OurServer):
    """Our server with the bench command channel (see _growth_server.py)."""

    def __init__(self):
        super().__init__([sys.executable, os.path.join(HERE, "_growth_server.py"), "serve", "--quiet"])

    def command(self, cmd: dict, timeout: float = 3600) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()  # bounded: the launcher answers every command, or dies (EOF)
        if not line:
            raise RuntimeError(f"launcher died: {self.proc.stderr.read()[-2000:]}")
        return json.loads(line)

    def stop(self) -> None:
        if self.proc and self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        super().stop()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--vendors", default="clarifai,modelarts,cloudfactory")
    p.add_argument("--flat", type=float, default=0.8, help="req/s ratio to the smallest size below which a call is profiled")
    p.add_argument("--preload-budget", type=float, default=900.0,
                   help="seconds: a vendor's preload to the next size estimated longer than this is skipped (and said)")
    p.add_argument("--slow", type=float, default=1.0, help="seconds: a call slower than this once is not loaded")
    p.add_argument("--json", help="also write the raw figures here")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    vendors = tuple(args.vendors.split(","))
    wrk = ensure_wrk()
    if not wrk:
        return 2
    print(f"Machine: {machine()}")
    print(f"sizes {sizes}; wrk -t1 -c{args.connections} -d{args.seconds:g}s, {args.rounds} rounds per size; "
          "server: mockserver's serve() with an in-process preload channel")

    server = Launcher().start()
    try:
        s = setup(server.urls, vendors)
        for problem in s.problems:
            print(f"SETUP PROBLEM: {problem}")
        live = []
        for c in s.calls:
            status, body = probe(server.urls[c.vendor], c)
            if 200 <= status < 300:
                live.append(c)
            else:
                print(f"NOT MEASURED: {c.vendor} {c.name} ({c.method} {c.path}) answers {status}: {snippet(body)}")
        grow_with = feeds(s.calls)
        for v in vendors:
            if not grow_with.get(v):
                print(f"NO PRELOAD for {v}: none of its create calls is defined")
        added: dict = {}
        rate: dict = {}  # seconds per preloaded item, from the last preload (to bound the next one)
        skipped: set = set()  # (vendor, size) not reached within the preload budget
        results: dict[tuple[str, str], dict[int, dict]] = {}
        profiles: dict[tuple[str, str], dict[int, dict]] = {}
        preload_rows, count_rows = [], []
        with tempfile.TemporaryDirectory(prefix="bench_growth_") as tmp:
            for size in sizes:
                for v, fs in grow_with.items():
                    for f in fs:  # a vendor's N items are split evenly over its kinds (CloudFactory: tasks, records)
                        need = max(0, size // len(fs) - added.get((v, f.label), 0))
                        n_req = -(-need // f.per_request)
                        if not n_req:
                            continue
                        est = rate.get((v, f.label), 0) * need
                        if est > args.preload_budget:  # bounded: say so rather than run for an hour
                            skipped.add((v, size))
                            preload_rows.append([size, v, f.label, need, "-", "-", "not preloaded",
                                                 f"estimated {est:.0f} s > --preload-budget {args.preload_budget:g} s"])
                            print(f"size {size}: {v} {f.label}: NOT PRELOADED (estimated {est:.0f} s at "
                                  f"{rate[(v, f.label)] * 1e3:.2f} ms/item)", flush=True)
                            continue
                        t0 = time.perf_counter()
                        out = server.command({"op": "grow", "vendor": v, "method": f.method, "path": f.path,
                                              "headers": f.headers, "body": f.body, "count": n_req,
                                              "token": uuid.uuid4().hex[:8]})
                        ok = sum(n for st, n in out.get("statuses", {}).items() if st.startswith("2"))
                        added[(v, f.label)] = added.get((v, f.label), 0) + ok * f.per_request
                        rate[(v, f.label)] = (time.perf_counter() - t0) / max(need, 1)
                        preload_rows.append([size, v, f.label, n_req * f.per_request, fmt(time.perf_counter() - t0, 1),
                                             fmt(out.get("seconds", 0) / max(n_req, 1) * 1e3, 2),
                                             json.dumps(out.get("statuses")),
                                             snippet(out.get("first_error") or out.get("error") or "", 90)])
                        print(f"size {size}: {v} {f.label}: +{n_req * f.per_request} in {time.perf_counter() - t0:.1f} s "
                              f"{out.get('statuses')}", flush=True)
                counts = server.command({"op": "counts"}).get("counts", {})
                count_rows.append([size, server.rss_mib()] + [counts])
                slow = {}
                for c in live:
                    if (c.vendor, size) in skipped:
                        slow[(c.vendor, c.name)] = None
                        results.setdefault((c.vendor, c.name), {})[size] = [{"error": "size not reached (preload budget)"}]
                for c in live:  # one timed request first: a call that takes seconds is not loaded with wrk
                    if (c.vendor, c.name) in slow:
                        continue
                    t0 = time.perf_counter()
                    status, body = probe(server.urls[c.vendor], c)
                    took = time.perf_counter() - t0
                    if took > args.slow:
                        slow[(c.vendor, c.name)] = took
                        results.setdefault((c.vendor, c.name), {})[size] = [{"error": f"one request took {took:.1f} s"}]
                        print(f"size {size}: {c.vendor} {c.name}: one request took {took:.2f} s: not loaded", flush=True)
                for r in range(args.rounds):
                    for i, c in enumerate(live):
                        if (c.vendor, c.name) in slow:
                            continue
                        script = lua_script(tmp, f"g{i}", c.method, c.headers, c.body, uuid.uuid4().hex[:10])
                        res = run_wrk(wrk, server.urls[c.vendor] + c.path, script, 1, args.connections, args.seconds)
                        results.setdefault((c.vendor, c.name), {}).setdefault(size, []).append(res)
                        settle(server.urls[c.vendor] + "/_mock/health")
                for c in live:
                    if (c.vendor, size) in skipped or ((c.vendor, c.name) in slow and size != sizes[-1]):
                        continue
                    prof = server.command({"op": "profile", "vendor": c.vendor, "method": c.method, "path": c.path,
                                           "headers": c.headers, "body": c.body, "count": 200, "seconds": 2.0,
                                           "token": uuid.uuid4().hex[:8]})
                    profiles.setdefault((c.vendor, c.name), {})[size] = prof
                print(f"size {size} measured", flush=True)

        # -- tables -----------------------------------------------------------------------------------
        table(["size", "vendor", "items", "added", "wall s", "ms/request", "statuses", "first error"], preload_rows,
              "Preload (in-process, full ASGI stack)")
        tables = sorted({t for row in count_rows for t in row[2]})
        table(["table"] + [f"docs @{row[0]}" for row in count_rows],
              [["(server RSS MiB)"] + [fmt(row[1], 0) for row in count_rows],
               ["(RSS bytes per stored document)"] + [fmt(row[1] * 2**20 / max(sum(row[2].values()), 1) if row[1] else None)
                                                     for row in count_rows]]
              + [[t] + [row[2].get(t, 0) for row in count_rows] for t in tables
                 if any(row[2].get(t, 0) > 50 for row in count_rows)],
              "Store documents per table (over 50 docs) and server memory when measured")

        def agg(runs, key):
            ok = [x for x in runs if "requests" in x]
            return median([x[key] for x in ok]) if ok else None

        rows, flagged = [], []
        for c in live:
            per = results.get((c.vendor, c.name), {})
            base = agg(per.get(sizes[0], []), "rps")
            row = [c.vendor, c.name]
            for size in sizes:
                rps = agg(per.get(size, []), "rps")
                row.append(fmt(rps))
            for size in sizes[1:]:
                rps = agg(per.get(size, []), "rps")
                row.append(fmt(rps / base, 2) if rps and base else "-")
            for size in sizes:
                row.append(fmt((agg(per.get(size, []), "p50_us") or 0) / 1000, 2))
            prof = profiles.get((c.vendor, c.name), {})
            for size in sizes:
                us = prof.get(size, {}).get("per_request_us")
                row.append(fmt(us / 1000 if us else None, 2))
            bad = sum(x.get("non2xx", 0) + x.get("sock_errors", 0) for runs in per.values() for x in runs)
            notes = [f"non-2xx/socket errors {bad}"] if bad else []
            notes += [f"@{sz}: {x['error']}" for sz, runs in per.items() for x in runs if "error" in x]
            row.append("; ".join(notes))
            rows.append(row)
            reached = [sz for sz in sizes if (c.vendor, sz) not in skipped]
            last = agg(per.get(reached[-1], []), "rps")
            p0 = prof.get(sizes[0], {}).get("per_request_us")
            p1 = prof.get(reached[-1], {}).get("per_request_us")
            if (base and last and last / base < args.flat) or (p0 and p1 and p0 / p1 < args.flat) or (base and not last):
                flagged.append(c)
        table(["vendor", "call"] + [f"req/s @{s}" for s in sizes] + [f"x{s}/{sizes[0]}" for s in sizes[1:]]
              + [f"p50 ms @{s}" for s in sizes] + [f"in-proc ms @{s}" for s in sizes] + ["notes"], rows,
              "Per-request cost across data sizes (wrk req/s and p50; in-process ms per request under cProfile)")

        for c in flagged:
            have = [sz for sz in sizes if sz in profiles.get((c.vendor, c.name), {})]
            if len(have) < 2:
                continue
            small = profiles[(c.vendor, c.name)][have[0]].get("funcs", {})
            large = profiles[(c.vendor, c.name)][have[-1]].get("funcs", {})
            grow = []
            for name, (calls_l, tt_l, ct_l) in large.items():
                calls_s, tt_s, ct_s = small.get(name, (0, 0, 0))
                grow.append((tt_l - tt_s, name, calls_s, calls_l, tt_s, tt_l, ct_s, ct_l))
            grow.sort(reverse=True)
            table(["function", f"calls/req @{have[0]}", f"calls/req @{have[-1]}", f"own µs @{have[0]}",
                   f"own µs @{have[-1]}", f"cum µs @{have[0]}", f"cum µs @{have[-1]}"],
                  [[g[1], fmt(g[2], 1), fmt(g[3], 1), fmt(g[4], 0), fmt(g[5], 0), fmt(g[6], 0), fmt(g[7], 0)]
                   for g in grow[:8]],
                  f"NOT FLAT: {c.vendor} {c.name} ({c.method} {c.path.split('?')[0]}): functions whose own time grew most")
            more = sorted(((v[0] / max(small.get(k, (0,))[0], 1e-9), k, small.get(k, (0,))[0], v[0])
                           for k, v in large.items() if v[0] >= 1.5 * small.get(k, (0,))[0] and v[0] >= 2), reverse=True)
            table(["function", f"calls/req @{have[0]}", f"calls/req @{have[-1]}"],
                  [[m[1], fmt(m[2], 1), fmt(m[3], 1)] for m in more[:8]] or [["(none: same calls per request; "
                                                                              "growth is time per call, or noise)", "", ""]],
                  "... functions CALLED more often per request at the larger size (noise-free sign of a scan)")
            mine = sorted(((v[2] - small.get(k, (0, 0, 0))[2], k, small.get(k, (0, 0, 0))[2], v[2]) for k, v in large.items()
                           if k.startswith("mockserver/")), reverse=True)[:6]
            table(["mockserver function", f"cum µs @{have[0]}", f"cum µs @{have[-1]}"],
                  [[m[1], fmt(m[2], 0), fmt(m[3], 0)] for m in mine], "... and the project's own functions, by cumulative growth")
        if not flagged:
            print(f"\nEvery measured call kept at least {args.flat:g}x its req/s at {sizes[0]} items.")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump({"machine": machine(), "sizes": sizes, "results": {f"{k[0]}/{k[1]}": v for k, v in results.items()},
                           "preload": preload_rows}, fh, indent=1)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
