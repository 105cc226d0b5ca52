"""Scenario ``requests``: calls to a vendor's own API at load time, so what they create (a Clarifai
task, a ModelArts team task...) exists in the vendor's tables too, exactly as a client would make it.

They go through the vendor's ASGI app in process (no sockets, no fault injection, same gate and
handlers as the server), on an event loop of their own in the CALLING thread: a load that holds the
store's lock (``POST /_mock/scenario`` runs all or nothing, off the server's loop) can then make them
without waiting for itself. A request answered with a status >= 400 refuses the scenario.
"""
from __future__ import annotations

import asyncio
import contextvars
import json
import threading


def run(world, sc) -> None:
    reqs = sc.doc.get("requests") or []
    if not reqs:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no loop in this thread, run one here
        asyncio.run(_run(world, sc, reqs))
        return
    # Called from code that runs on an event loop (a test's, say): a loop of their own in a helper thread,
    # with this context (the event time the core stamps with). Nobody holds the store's lock on this path.
    context = contextvars.copy_context()
    failure: list[BaseException] = []

    def helper() -> None:
        try:
            context.run(asyncio.run, _run(world, sc, reqs))
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            failure.append(exc)

    thread = threading.Thread(target=helper, name="mockserver-scenario-requests")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


async def _run(world, sc, reqs: list) -> None:
    import httpx

    from mockserver.app import build_app
    from mockserver.vendors import VENDORS

    clients: dict[str, httpx.AsyncClient] = {}
    try:
        for i, r in enumerate(reqs):
            vendor = r["vendor"]
            if vendor not in clients:
                gate = build_app(VENDORS[vendor], world, inside_long_operations=True)
                clients[vendor] = httpx.AsyncClient(transport=httpx.ASGITransport(app=gate),
                                                    base_url=f"http://{vendor}.scenario")
            headers = dict(r.get("headers") or {})
            if "json" in r:
                headers.setdefault("Content-Type", "application/json")
            resp = await clients[vendor].request(r.get("method", "POST"), r["path"], headers=headers,
                                                 content=json.dumps(r["json"]) if "json" in r else None)
            expected = r.get("expect")
            ok = resp.status_code == expected if expected is not None else resp.status_code < 400
            if not ok:
                raise ValueError(f"{sc.origin}: requests[{i}]: {r.get('method', 'POST')} {r['path']} answered "
                                 f"HTTP {resp.status_code}: {resp.text[:500]}")
    finally:
        for c in clients.values():
            await c.aclose()
