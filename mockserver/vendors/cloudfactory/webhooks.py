"""Webhooks of Oversight tasks: signed POSTs to the task's ``callback_url``, retried on the virtual clock.

* When: on the documented events only, unless the workstream opts in to more: ``task.completed`` and
  ``task.failed`` by default; ``task.in_progress`` (the task left the queue) when the workstream's
  ``webhook_events`` lists it.  ``queued`` is the state a task is born in, which the submit answer tells.
* Body: the Task Status body plus ``event`` (``task.<state>``), ``previous_state`` and ``occurred_at``
  (ISO 8601 virtual time of the change), serialised once as compact JSON (``separators=(",", ":")``):
  the body is fixed when the change happens and retries resend the same bytes.
* Signature: ``X-CF-Signature: t=<t>;v1=<hex>`` where ``t`` is the attempt's virtual time in whole epoch
  seconds and ``<hex>`` = lowercase hex HMAC-SHA256(key = the workstream's ``webhook_secret`` as UTF-8,
  message = ``f"{t}.{raw_body}"`` as UTF-8): the decimal ``t``, one ``.``, then the raw body bytes exactly
  as received.  Also ``X-CF-Event`` and ``X-CF-Delivery`` headers.  docs/cloudfactory.md shows how to check it.
* Success: any 2xx answer within 5 s (real time).  Otherwise (status, timeout, refused connection) the
  attempt fails and a retry is scheduled 1 h, 2 h, 4 h, 8 h (virtual) after the failed attempt's time:
  5 attempts at most, then the delivery is ``failed``.
* Only hosts in ``world.settings.webhook_allow_hosts`` (loopback by default; ``*`` allows any) are
  called; another host is logged as ``refused`` and never called nor retried.
* The network calls run in a small pool of threads (``WORKERS``) sharing one pooled HTTP client, never
  under the store lock nor on the event loop; an outcome is recorded under the lock. 300 deliveries
  used to cost a thread and a client each.
  Every attempt is logged in ``cloudfactory_webhook_deliveries`` (``GET /v1/webhook_deliveries``, a
  stand-in extension).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from ...scheduler import handler, scheduler_of
from .wire import iso
from .workspace import DOCUMENTED_EVENTS

TABLE = "cloudfactory_webhook_deliveries"
TIMEOUT = 5.0
BACKOFF = (3600, 7200, 14400, 28800)
WORKERS = 8


class Sender:
    """The world's webhook sender: one pooled client, ``WORKERS`` threads; closed at shutdown."""

    def __init__(self, world):
        import httpx  # here, with the first delivery: a headless simulation never needs the HTTP client

        self.client = httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False,
                                   limits=httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS))
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="cf-webhook")
        world.on_shutdown.append(lambda w: self.close())

    def submit(self, *args) -> None:
        self.pool.submit(_send, self.client, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.client.close()


def sender(world) -> Sender:
    return world.service("cloudfactory_webhooks", Sender)


def table(store):
    return store.table(TABLE, indexes=("workstream_id", "task_id"))


def sign(secret: str, t: int, raw_body: str) -> str:
    return hmac.new(secret.encode(), f"{t}.{raw_body}".encode(), hashlib.sha256).hexdigest()


def notify(world, task: dict, status: dict, previous: str, at: float) -> None:
    """Called under the store lock when ``task`` changed state."""
    url = task.get("callback_url")
    if not url:
        return
    event = f"task.{task['state']}"
    workstream = world.store.table("cloudfactory_workstreams").get(task["workstream_id"]) or {}
    if event not in workstream.get("webhook_events", DOCUMENTED_EVENTS):
        return
    body = dict(status)
    body.update({"event": event, "previous_state": previous, "occurred_at": iso(at)})
    coll = table(world.store)
    delivery_id = f"{task['id']}:{len(task['history'])}"
    coll.upsert({"id": delivery_id, "workstream_id": task["workstream_id"], "task_id": task["id"],
                 "event": body["event"], "url": url, "body": json.dumps(body, separators=(",", ":")),
                 "status": "pending", "created_at": at, "attempts": []})
    attempt(world, delivery_id, 1, at)


def _allowed(world, url: str) -> bool:
    allow = tuple(world.settings.webhook_allow_hosts or ())
    host = (urlsplit(url).hostname or "").lower()
    return "*" in allow or host in {h.lower() for h in allow}


def attempt(world, delivery_id: str, number: int, at: float) -> None:
    """Make attempt ``number`` (due at virtual time ``at``). Called under the store lock."""
    coll = table(world.store)
    delivery = coll.get(delivery_id)
    if delivery is None or delivery["status"] != "pending":
        return
    if not _allowed(world, delivery["url"]):
        _record(world, delivery_id, {"attempt": number, "at": iso(at), "url": delivery["url"],
                                     "status_code": None, "outcome": "refused",
                                     "error": "host not in webhook_allow_hosts"}, final="refused")
        return
    secret = world.store.table("cloudfactory_workstreams").get(delivery["workstream_id"])["webhook_secret"]
    t = int(at)
    headers = {"Content-Type": "application/json", "User-Agent": "CloudFactory-Webhook (mockserver stand-in)",
               "X-CF-Signature": f"t={t};v1={sign(secret, t, delivery['body'])}",
               "X-CF-Event": delivery["event"], "X-CF-Delivery": delivery_id}
    sender(world).submit(world, delivery_id, number, at, delivery["url"], delivery["body"], headers)


def _send(client, world, delivery_id, number, at, url, body, headers) -> None:
    import httpx  # (imported already: the client is one)

    status_code, error = None, None
    try:
        status_code = client.post(url, content=body.encode(), headers=headers).status_code
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" or type(exc).__name__
    ok = status_code is not None and 200 <= status_code < 300
    entry = {"attempt": number, "at": iso(at), "url": url, "status_code": status_code,
             "outcome": "delivered" if ok else "failed"}
    if error:
        entry["error"] = error
    with world.store.lock:
        if ok:
            _record(world, delivery_id, entry, final="delivered")
        elif number <= len(BACKOFF):
            due = at + BACKOFF[number - 1]
            entry["next_retry_at"] = iso(due)
            if _record(world, delivery_id, entry):
                scheduler_of(world).at(due, "cf.webhook.retry", {"delivery_id": delivery_id, "attempt": number + 1,
                                                                 "due": due})
        else:
            _record(world, delivery_id, entry, final="failed")


def _record(world, delivery_id: str, entry: dict, final: str | None = None) -> bool:
    coll = table(world.store)
    delivery = coll.get(delivery_id)
    if delivery is None:  # reset meanwhile
        return False
    fields = {"attempts": delivery["attempts"] + [entry]}
    if final:
        fields["status"] = final
    coll.update(delivery_id, fields)
    return True


@handler("cf.webhook.retry")
def _retry(world, payload):
    attempt(world, payload["delivery_id"], payload["attempt"], payload["due"])


def public(delivery: dict) -> dict:
    return {"id": delivery["id"], "task_id": delivery["task_id"], "event": delivery["event"], "url": delivery["url"],
            "status": delivery["status"], "created_at": iso(delivery["created_at"]),
            "body": delivery["body"], "attempts": delivery["attempts"]}
