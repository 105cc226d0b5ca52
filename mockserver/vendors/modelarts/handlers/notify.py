"""Notifying a workforce task's members by email.

All or nothing, with a result per address as the page defines: when any address cannot be notified
(not an address: ``ModelArts.0101``; not a member of the task: ``ModelArts.4604``), nobody is; the
answer is still 200 with ``success`` false, ``error_code`` / ``error_msg`` of the first refusal, the
refused addresses with their own code and message and the others with ``ModelArts.4200`` (not sent
because the batch was refused).  Sent: the member's ``email_status`` becomes 3 and its
``last_notify_time`` now (virtual clock).
"""
from __future__ import annotations

from ....world import current_world
from .. import records as R
from ..errors import refused_batch


async def send_emails(project_id, dataset_id, workforce_task_id, body):
    world = current_world()
    store = world.store
    # One string may join several addresses; each address is judged on its own below (a result per address).
    emails = body["emails"] if isinstance(body["emails"], list) else \
        [e.strip() for e in body["emails"].replace(";", ",").split(",") if e.strip()]
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        members = {w["email"] for wf in task["workforces_config"].get("workforces", []) for w in wf["workers"]}
        problems = {}
        for email in emails:
            if "@" not in email:
                problems[email] = {"success": False, "error_code": "ModelArts.0101",
                                   "error_msg": f"Invalid parameter: {email!r} is not an email address"}
            elif email not in members:
                problems[email] = {"success": False, "error_code": "ModelArts.4604",
                                   "error_msg": f"The worker does not exist: {email} is not a member of this task"}
        if problems:
            return refused_batch(emails, problems, "not sent, another address of the batch was refused",
                                 f"{len(problems)} of {len(emails)} addresses cannot be notified; none was")
        now = world.now_ms()
        status, notified = dict(task["email_status"]), dict(task["last_notify"])
        for email in emails:
            status[email] = 3
            notified[email] = now
        R.tasks(store).update(task["id"], {"email_status": status, "last_notify": notified})
    return {"success": True, "results": [{"success": True} for _ in emails]}
