"""Notifying a workforce task's members by email."""
from __future__ import annotations

from ....world import current_world
from .. import records as R
from .workforces import _emails


async def send_emails(project_id, dataset_id, workforce_task_id, body):
    world = current_world()
    store = world.store
    emails = body["emails"] if isinstance(body["emails"], list) else _emails(body["emails"])
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        members = {w["email"] for wf in task["workforces_config"].get("workforces", []) for w in wf["workers"]}
        status, notified, results = dict(task["email_status"]), dict(task["last_notify"]), []
        for email in emails:
            if "@" not in email:
                status[email] = 1
                results.append({"success": False, "error_code": "ModelArts.0101", "error_msg": f"Bad email {email}"})
            elif email not in members:
                results.append({"success": False, "error_code": "ModelArts.4604",
                                "error_msg": f"{email} is not a member of this task"})
            else:
                status[email] = 3
                notified[email] = world.now_ms()
                results.append({"success": True})
        R.tasks(store).update(task["id"], {"email_status": status, "last_notify": notified})
    return {"success": all(r["success"] for r in results), "results": results}
