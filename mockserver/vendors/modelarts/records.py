"""ModelArts' own tables (teams, workers, datasets, samples, workforce tasks), ids and look-ups.

Labeling behaviour (assignment, work, review, acceptance, statistics) lives in ``mockserver.core``;
these tables only hold what the ModelArts wire needs besides it.  Key choices:

* A worker is known to the core by its **email** (ModelArts keys member progress by email); the
  32-hex ``worker_id`` is per project and per email, so the same person has the same id in every team.
* A dataset is the core *source* ``modelarts:dataset:<project>/<dataset>``; a workforce task is the
  core task ``modelarts:<project>/<task>``.
* Ids come from a per-world counter through a hash, so a fresh server always hands out the same ids.
* Every person gets an IAM token of its own when first seen, ``member_token(worker_id)``
  (``mock-modelarts-member-<worker_id>``): with it a team member calls as itself (its own task list,
  its own labels, its own reviews).
"""
from __future__ import annotations

import hashlib
import string

from .errors import err, sample_not_found, worker_not_found

ALPHABET = string.ascii_letters + string.digits


def workforces(store):
    return store.table("modelarts_workforces", indexes=("project_id", "name_key"))


def workers(store):
    # id = workforce_id|worker_id: one team membership (role, description, status).
    return store.table("modelarts_workers", indexes=("project_id", "workforce_id", "email_key"))


def datasets(store):
    return store.table("modelarts_datasets", indexes=("project_id",))


def samples(store):
    # id = dataset_id|sample_id: the dataset's own view of a sample (labels synced back live here).
    return store.table("modelarts_samples", indexes=("dataset_key",))


def tasks(store):
    return store.table("modelarts_tasks", indexes=("project_id", "dataset_key", "name_key"))


def review_notes(store):
    # id = task_id|sample_id: the owner's comment on a task without reviewers (decides nothing).
    return store.table("modelarts_review_notes")


def _counter(store, kind: str) -> int:
    coll = store.table("modelarts_counters")
    with store.lock:
        doc = coll.get(kind)
        n = (doc or {}).get("n", 0) + 1
        coll.upsert({"id": kind, "n": n})
        return n


def new_id(store, kind: str, length: int = 19) -> str:
    """A 19-character id of letters and digits, deterministic for a fresh world."""
    n = _counter(store, kind)
    digest = int.from_bytes(hashlib.sha256(f"modelarts:{kind}:{n}".encode()).digest(), "big")
    out = []
    for _ in range(length):
        digest, r = divmod(digest, len(ALPHABET))
        out.append(ALPHABET[r])
    return "".join(out)


def new_hex_id(store, kind: str) -> str:
    """A 32-hex id as ModelArts gives workers and samples."""
    n = _counter(store, kind)
    return hashlib.md5(f"modelarts:{kind}:{n}".encode()).hexdigest()


def source_of(project_id: str, dataset_id: str) -> str:
    return f"modelarts:dataset:{project_id}/{dataset_id}"


def core_task_id(project_id: str, task_id: str) -> str:
    return f"modelarts:{project_id}/{task_id}"


def load_dataset(store, project_id: str, dataset_id: str) -> dict:
    doc = datasets(store).get(dataset_id)
    if doc is None or doc["project_id"] != project_id:
        raise err("4352", f"Dataset does not exist: {dataset_id}")
    return doc


def load_task(store, project_id: str, dataset_id: str, task_id: str) -> dict:
    load_dataset(store, project_id, dataset_id)
    doc = tasks(store).get(task_id)
    if doc is None or doc["project_id"] != project_id or doc["dataset_id"] != dataset_id:
        raise err("4619", f"Workforce task does not exist: {task_id}")
    return doc


def load_workforce(store, project_id: str, workforce_id: str) -> dict:
    doc = workforces(store).get(workforce_id)
    if doc is None or doc["project_id"] != project_id:
        raise err("4601", f"The workforce does not exist: {workforce_id}")
    return doc


def load_worker(store, project_id: str, workforce_id: str, worker_id: str) -> dict:
    load_workforce(store, project_id, workforce_id)
    doc = workers(store).get(f"{workforce_id}|{worker_id}")
    if doc is None:
        raise worker_not_found(worker_id)
    return doc


def load_sample(store, dataset_id: str, sample_id: str) -> dict:
    doc = samples(store).get(f"{dataset_id}|{sample_id}")
    if doc is None:
        raise sample_not_found(sample_id)
    return doc


def people(store):
    # id = project_id|worker_id -> email; ``email_key`` (project|email) gives the id back.
    return store.table("modelarts_people", indexes=("email_key",))


def person_id(store, project_id: str, email: str, wanted_id: str | None = None) -> str:
    """The worker id of ``email`` in the project, made (``wanted_id`` or a fresh one) on first sight."""
    coll = people(store)
    doc = coll.first(email_key=f"{project_id}|{email}")
    if doc is not None:
        return doc["worker_id"]
    worker_id = wanted_id or new_hex_id(store, "worker")
    coll.insert({"id": f"{project_id}|{worker_id}", "worker_id": worker_id, "email": email,
                 "email_key": f"{project_id}|{email}"})
    store.table("modelarts_tokens").upsert({"id": member_token(worker_id), "project_id": project_id, "user": email,
                                            "email": email, "worker_id": worker_id})
    return worker_id


MEMBER_TOKEN_PREFIX = "mock-modelarts-member-"


def member_token(worker_id: str) -> str:
    """The IAM token with which the team member ``worker_id`` calls as itself."""
    return MEMBER_TOKEN_PREFIX + worker_id


def worker_id_for(store, project_id: str, email: str) -> str | None:
    doc = people(store).first(email_key=f"{project_id}|{email}")
    return doc["worker_id"] if doc else None


def email_for(store, project_id: str, worker_id: str) -> str | None:
    doc = people(store).get(f"{project_id}|{worker_id}")
    return doc["email"] if doc else None
