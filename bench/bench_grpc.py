"""Clarifai over gRPC next to Clarifai over REST: GetTask and ListTasks, one client calling in a loop.

Run: python bench/bench_grpc.py                 (2 s per call and client, 3 rounds: about 40 s)
     python bench/bench_grpc.py --seconds 0.5 --rounds 1     (a smoke run)

One `python -m mockserver serve --quiet` on free ports (gRPC too). Setup makes 20 tasks (PARTITIONED over the
three workspace labelers, ALL_INPUTS) through REST; then, for each call, three clients take turns, each
calling sequentially on one connection for --seconds:
  - rest-httpx: plain JSON over HTTP/1.1 keep-alive (httpx), the cheapest REST client;
  - rest-json-channel: clarifai-grpc's JSON channel (requests), what the SDK does over REST;
  - grpc: clarifai-grpc's insecure gRPC channel to the gRPC port.
Printed per call and client: calls/s and p50/p99 client-side latency (medians over rounds), and the
server-side time of the same calls from the request journal (gate/front entry to answer: the handler plus
the transport's own work, here the JSON mapping and ParseDict for gRPC). Every answer is checked to be a
success before timing. Loopback only; every run is bounded by --seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import httpx  # noqa: E402

from _common import OurServer, machine  # noqa: E402

KEY = "mock-clarifai-key"
APP = "/v2/users/mock-user/apps/mock-app"
TASK = {"type": "CONCEPTS_CLASSIFICATION", "name": "bench", "concept_ids": ["cat"],
        "worker": {"strategy": "PARTITIONED", "user_ids": ["labeler-1", "labeler-2", "labeler-3"],
                   "partitioned_strategy_info": {"type": "EVENLY", "workers_per_input": 1}},
        "input_source": {"type": "ALL_INPUTS"}, "review": {"strategy": "NONE"}}


def clients(urls: dict, task_id: str) -> dict:
    """client name -> {call name -> a function making one call and returning True on success}."""
    from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
    from clarifai_grpc.grpc.api import service_pb2 as S
    from clarifai_grpc.grpc.api import service_pb2_grpc
    from clarifai_grpc.grpc.api.status import status_code_pb2 as C

    rest = httpx.Client(base_url=urls["clarifai"], headers={"Authorization": f"Key {KEY}"})
    meta = (("authorization", f"Key {KEY}"),)
    json_stub = service_pb2_grpc.V2Stub(ClarifaiChannel.get_json_channel(base_url=urls["clarifai"]))
    host, port = urls["clarifai_grpc"].removeprefix("http://").rsplit(":", 1)
    grpc_stub = service_pb2_grpc.V2Stub(ClarifaiChannel.get_insecure_grpc_channel(base=host, port=int(port)))
    get_req, list_req = S.GetTaskRequest(task_id=task_id), S.ListTasksRequest(page=1, per_page=20)

    def stub_calls(stub):
        return {"GetTask": lambda: stub.GetTask(get_req, metadata=meta).status.code == C.SUCCESS,
                "ListTasks": lambda: len(stub.ListTasks(list_req, metadata=meta).tasks) == 20}

    return {
        "rest-httpx": {"GetTask": lambda: rest.get(f"/v2/tasks/{task_id}").status_code == 200,
                       "ListTasks": lambda: len(rest.get("/v2/tasks", params={"page": 1, "per_page": 20})
                                                .json()["tasks"]) == 20},
        "rest-json-channel": stub_calls(json_stub),
        "grpc": stub_calls(grpc_stub),
    }


def run(fn, seconds: float) -> tuple[float, list[float]]:
    latencies = []
    end = time.perf_counter() + seconds
    while True:
        t0 = time.perf_counter()
        if not fn():
            raise RuntimeError("a call failed")
        t1 = time.perf_counter()
        latencies.append(t1 - t0)
        if t1 >= end:
            break
    return len(latencies) / sum(latencies), latencies


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def server_ms(url: str, path_prefix: str, grpc: bool, after_id: int) -> float | None:
    entries = httpx.get(f"{url}/_mock/journal", params={"vendor": "clarifai", "path_prefix": path_prefix,
                                                       "after_id": after_id}).json()["entries"]
    times = [e["duration_ms"] for e in entries
             if (e["request_headers"].get("content-type") == "application/grpc") == grpc]
    return statistics.median(times) if times else None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=2.0, help="duration of one run (one call, one client)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", help="also write the raw figures here")
    args = p.parse_args(argv)
    print(f"Machine: {machine()}")
    print(f"one client, sequential calls, {args.seconds:g} s per run, {args.rounds} rounds (medians); "
          "ours: mockserver serve --quiet --clarifai-grpc-port 0")
    with OurServer([sys.executable, "-m", "mockserver", "serve", "--quiet", "--clarifai-grpc-port", "0"]) as ours:
        urls = ours.urls
        if "clarifai_grpc" not in urls:
            print("the gRPC port did not start (grpcio or clarifai-grpc missing?)")
            return 2
        answer = httpx.post(f"{urls['clarifai']}{APP}/tasks", headers={"Authorization": f"Key {KEY}"},
                            json={"tasks": [TASK] * 20}).json()
        task_id = answer["tasks"][0]["id"]
        made = clients(urls, task_id)
        figures: dict = {}
        for call in ("GetTask", "ListTasks"):
            prefix = f"/v2/tasks/{task_id}" if call == "GetTask" else "/v2/tasks"
            for name, calls in made.items():  # warm up: connections, first-use caches
                run(calls[call], 0.2)
            for r in range(args.rounds):
                order = list(made) if r % 2 == 0 else list(made)[::-1]
                for name in order:
                    httpx.delete(f"{urls['clarifai']}/_mock/journal")
                    rate, lat = run(made[name][call], args.seconds)
                    srv = server_ms(urls["clarifai"], prefix, name == "grpc", 0)
                    figures.setdefault(call, {}).setdefault(name, []).append(
                        {"rate": rate, "p50": pct(lat, 0.5) * 1000, "p99": pct(lat, 0.99) * 1000, "server": srv})
        print()
        print("| call | client | calls/s | p50 ms | p99 ms | server ms (p50) |")
        print("|---|---|---|---|---|---|")
        for call, per_client in figures.items():
            for name, runs in per_client.items():
                med = {k: statistics.median(r[k] for r in runs if r[k] is not None) for k in ("rate", "p50", "p99")}
                servers = [r["server"] for r in runs if r["server"] is not None]
                srv = f"{statistics.median(servers):.2f}" if servers else "-"
                print(f"| {call} | {name} | {med['rate']:.0f} | {med['p50']:.2f} | {med['p99']:.2f} | {srv} |")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump(figures, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
