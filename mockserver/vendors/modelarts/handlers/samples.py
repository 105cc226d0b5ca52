"""The samples of a workforce task: list and describe them, members submit labels, reviewers judge them.

A sample (DescribeSampleResp) shows every field of the documentation's table that the stand-in has
data for (see docs/modelarts.md): ``worker_id`` is the member whose labels the sample shows (the one
asked for with ``worker_id``, else the author of the labels shown, else the first member holding it);
``metadata`` holds only the documented ``@modelarts:`` keys; ``source`` is a signed URL on this port
that serves the sample's bytes until it expires (``media``); ``review_*`` and ``check_*`` appear once
a reviewer or the owner judged the sample.
"""
from __future__ import annotations

from mockserver import core
from mockserver.core import InvalidArgument, InvalidState, NotAllowed, NotFound

from ....world import current_world
from .. import media
from .. import records as R
from ..errors import err, forbidden, invalid, sample_not_found
from ..wire import SAMPLE_STATES, matches_state, sample_status, to_core_labels, to_wire_labels, to_wire_metadata
from .common import _as_caller, _base_url, _caller_email, _ctid, _member_view, _page, _store, _task_accepted, \
    _worker_email


def _members(task: dict) -> dict[str, dict]:
    """email -> the member's entry in the task's workforces_config."""
    return {w["email"]: w for wf in task["workforces_config"].get("workforces", []) for w in wf["workers"]}


def _labelers(store, task: dict, works: list[dict]) -> list[dict]:
    by_email = _members(task)
    out = []
    for work in works:
        if work["state"] == "returned":
            continue
        entry = by_email.get(work["worker"]) or {"email": work["worker"], "role": 0}
        if not entry.get("worker_id"):
            entry = {**entry, "worker_id": R.worker_id_for(store, task["project_id"], work["worker"]) or ""}
        out.append(_member_view(store, entry, task))
    return out


def _task_sample_view(task: dict, ti: dict, task_accepted: bool, worker_email: str | None = None) -> dict:
    store = _store()
    world = current_world()
    sample = R.samples(store).get(f"{task['dataset_id']}|{ti['item_id']}") or {"sample_id": ti["item_id"]}
    works = core.list_work(store, _ctid(task), ti["item_id"], source=ti["source"])
    mine = [w for w in works if w["worker"] == worker_email] if worker_email else []
    author = worker_email
    # A member asked for shows their own labels; else the item's result (the core's one rule), else,
    # while the item is not settled, the first submission (what a reviewer is looking at).
    result = core.item_result(store, _ctid(task), ti["item_id"], source=ti["source"]) if ti["state"] == "approved" \
        else None
    if mine:
        labels = mine[0].get("labels")
    elif result is not None:
        labels = result["labels"]
        author = author or result["workers"][0]
    else:
        submitted = [w for w in works if w["state"] == "submitted"]
        labels = submitted[0]["labels"] if submitted else None
        author = author or (submitted[0]["worker"] if submitted else None)
    labelers = _labelers(store, task, works)
    if author is None and labelers:
        author = labelers[0]["email"]
    sample_type = sample.get("sample_type", 0)
    image = media.image_size(sample.get("metadata")) if sample_type == 0 else None
    view = {"sample_id": ti["item_id"], "sample_type": sample_type,
            "sample_name": sample.get("sample_name") or ti["item_id"], "sample_dir": sample.get("sample_dir") or "",
            "source": media.signed_url(store, _base_url(), task["project_id"], task["dataset_id"], sample,
                                       world.clock.now()),
            "sample_size": sample.get("sample_size") or media.placeholder_size(sample),
            "sample_time": sample.get("sample_time", 0), "metadata": to_wire_metadata(sample, image),
            "sample_status": sample_status(ti, task_accepted),
            "labels": to_wire_labels(labels, task["label_type"], f"{ti['item_id']}|{author or ''}"),
            "labelers": labelers,
            "worker_id": (R.worker_id_for(store, task["project_id"], author) or "") if author else ""}
    # The review verdict is the core's (a simulated reviewer's as much as a client's); a comment on a
    # task without reviewers is only a note.
    verdicts = [r for r in ti.get("reviews") or () if r["decision"] in ("approved", "rejected")]
    note = {"accept": verdicts[-1]["decision"] == "approved", "comment": verdicts[-1].get("comment"),
            "score": verdicts[-1].get("score")} if verdicts else R.review_notes(store).get(f"{task['id']}|{ti['item_id']}")
    if note:
        view.update(review_accept=note["accept"], review_comment=note.get("comment") or "",
                    review_score=note.get("score") or "")
    rec = ti.get("acceptance")
    if rec and rec.get("verdicts"):
        verdict = rec["verdicts"].get(author or "") or next(iter(rec["verdicts"].values()))
        view.update(check_accept=verdict["accept"], check_comment=verdict.get("comment") or "",
                    check_score=verdict.get("score") or "")
        if verdict.get("score"):
            view["score"] = verdict["score"]
    return view


def _check_state(value: str | None) -> str | None:
    if value is None:
        return None
    upper = value.upper()
    if upper not in SAMPLE_STATES:
        raise invalid(f"sample_state {value!r}")
    return upper


def _default_member(store, task: dict, email: str | None) -> str | None:
    """A labeler calling with its own token sees its own samples unless it names someone."""
    caller = _caller_email()
    if email is None and caller and caller in core.get_task(store, _ctid(task))["workers"]:
        return caller
    return email


async def list_workforce_task_samples(project_id, dataset_id, workforce_task_id, offset=0, limit=10,
                                      sample_state=None, label_name=None, label_type=None, worker_id=None, **kwargs):
    store = _store()
    task = R.load_task(store, project_id, dataset_id, workforce_task_id)
    wanted = _check_state(sample_state)
    email = _default_member(store, task, _worker_email(store, project_id, worker_id))
    ctid = _ctid(task)
    accepted = _task_accepted(core.get_task(store, ctid))
    # O(samples in the task): the core keeps no index by ModelArts state or label.
    docs = [ti for ti in core.list_task_items(store, ctid) if matches_state(ti, wanted, accepted)]
    views = None
    if email or label_name is not None or label_type is not None:
        views = [_task_sample_view(task, ti, accepted, email) for ti in docs]
        if email:
            views = [v for v in views if any(lb["email"] == email for lb in v["labelers"])]
        if label_name is not None:
            views = [v for v in views if any(lb["name"] == label_name for lb in v["labels"])]
        if label_type is not None:
            views = [v for v in views if any(lb["type"] == int(label_type) for lb in v["labels"])]
        return {"sample_count": len(views), "samples": _page(views, offset, limit, 10)}
    page = _page(docs, offset, limit, 10)
    return {"sample_count": len(docs), "samples": [_task_sample_view(task, ti, accepted) for ti in page]}


async def describe_workforce_task_sample(project_id, dataset_id, workforce_task_id, sample_id, worker_id=None,
                                         sample_state=None, **kwargs):
    store = _store()
    task = R.load_task(store, project_id, dataset_id, workforce_task_id)
    email = _default_member(store, task, _worker_email(store, project_id, worker_id))
    ctid = _ctid(task)
    try:
        ti = core.get_task_item(store, ctid, sample_id, source=R.source_of(project_id, dataset_id))
    except NotFound:
        raise sample_not_found(sample_id) from None
    accepted = _task_accepted(core.get_task(store, ctid))
    wanted = _check_state(sample_state)
    if not matches_state(ti, wanted, accepted):
        raise err("4420", f"Sample not found in state {wanted}: {sample_id}")
    return _task_sample_view(task, ti, accepted, email)


async def update_workforce_task_samples(project_id, dataset_id, workforce_task_id, body):
    """A member submits labels: each sample names its member by ``worker_id``, or the body by ``email``
    (a member calling with its own token is that member).  All or nothing: every sample is checked
    before any is written."""
    store = _store()
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        ctid = _ctid(task)
        source = R.source_of(project_id, dataset_id)
        default_email = _as_caller(body.get("email"), "submit labels")
        batch = []
        for s in body.get("samples") or []:
            email = _as_caller(_worker_email(store, project_id, s.get("worker_id")), "submit labels") or default_email
            if not email:
                raise invalid("each sample needs a worker_id, or the request an email")
            if not s.get("sample_id"):
                raise invalid("samples[].sample_id is required")
            try:
                core.get_task_item(store, ctid, s["sample_id"], source=source)
            except NotFound:
                raise sample_not_found(s['sample_id']) from None
            batch.append((s["sample_id"], email, to_core_labels(s.get("labels") or [])))
        try:
            core.submit_many(store, ctid, batch, source=source)
        except NotAllowed as exc:
            raise forbidden(exc.message) from None
        except InvalidArgument as exc:
            raise invalid(exc.message) from None
    return {"success": True}


def _comment_fields(c: dict) -> None:
    score = c.get("score")
    if score not in (None, "") and score not in ("A", "B", "C", "D"):
        raise invalid("score is one of A, B, C, D")


async def review_samples(project_id, dataset_id, workforce_task_id, body):
    """Reviewers' verdicts.  The reviewer is the member calling with its own token, else ``email`` in
    the body (a stand-in extension), else the task's first reviewer; comments on one sample are
    combined (any refusal rejects it).  On a task without reviewers the comments are only recorded."""
    store = _store()
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        ctid = _ctid(task)
        source = R.source_of(project_id, dataset_id)
        reviewers = core.get_task(store, ctid)["review"]["reviewers"]
        reviewer = _as_caller(body.get("email"), "review") or (reviewers[0] if reviewers else None)
        by_sample: dict = {}
        for c in body.get("comments") or []:
            _comment_fields(c)
            if not c.get("sample_id"):
                raise invalid("comments[].sample_id is required")
            by_sample.setdefault(c["sample_id"], []).append(c)
        decisions, notes = [], []
        for sample_id, comments in by_sample.items():
            try:
                core.get_task_item(store, ctid, sample_id, source=source)
            except NotFound:
                raise sample_not_found(sample_id) from None
            accept = all(c.get("accept", False) for c in comments)
            text = "; ".join(c["comment"] for c in comments if c.get("comment"))
            scores = [c["score"] for c in comments if c.get("score")]
            score = min(scores) if scores else None  # "A" is the best grade: the worst one counts
            if reviewer is not None:
                decisions.append((sample_id, reviewer, "approve" if accept else "reject", text or None, score))
            else:
                # No reviewer on the task: labels went straight to acceptance; the owner's comment is
                # kept on the sample but decides nothing (the acceptance does).
                notes.append({"id": f"{task['id']}|{sample_id}", "accept": accept, "comment": text, "score": score})
        # All or nothing: the core checks every verdict before it applies any.
        try:
            if decisions:
                core.review_many(store, ctid, decisions, source=source)
        except NotAllowed as exc:
            raise forbidden(exc.message) from None
        except (InvalidState, InvalidArgument) as exc:
            raise invalid(exc.message) from None
        for note in notes:
            R.review_notes(store).upsert(note)
    return {}
