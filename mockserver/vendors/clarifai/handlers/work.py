"""Annotations, task work (assignments, review, counts) and the app's collaborators."""
from __future__ import annotations

from ....world import current_principal
from .. import assignments as work
from .. import collaborators as collab
from .. import labeling as ann
from .. import searches as srch
from ..wire import ok, page_of
from .common import action_of, app_of, caller, is_owner, listed


# -- annotations ------------------------------------------------------------------------------------------
async def post_annotations(body, **_):
    return ok(annotations=ann.post(app_of(), caller(), listed(body, "annotations"), owner=is_owner()))


async def list_annotations(page=None, per_page=None, ids=None, input_ids=None, user_ids=None, task_id=None,
                           statuses=None, statusescode=None, list_all_annotations=None, **_):
    # ``statuses.code`` arrives as ``statusescode`` (Connexion drops the dot from argument names).
    codes = list(statuses or []) + list(statusescode or [])
    found = ann.find(app_of(), ids=ids, input_ids=input_ids, user_ids=user_ids, task_id=task_id, statuses=codes,
                     list_all=bool(list_all_annotations))
    return ok(annotations=page_of(found, page, per_page))


async def get_annotation(input_id, annotation_id, **_):
    return ok(annotation=ann.get_one(app_of(), input_id, annotation_id))


async def patch_annotations(body, **_):
    action = action_of(body, ("merge", "overwrite", "remove"), "merge")
    return ok(annotations=ann.patch(app_of(), listed(body, "annotations"), action))


async def delete_annotation(input_id, annotation_id, **_):
    ann.delete(app_of(), ids=[annotation_id], input_ids=[input_id])
    return ok()


async def delete_annotations(body, **_):
    body = body or {}
    ann.delete(app_of(), ids=body.get("ids"), input_ids=body.get("input_ids"))
    return ok()


delete_app_annotations = delete_annotations  # DeleteAnnotations' second path, DELETE /v2/annotations


async def list_annotation_workers(page=None, per_page=None, additional_fields=None, trusted_only=None, **_):
    full = bool(set(additional_fields or ()) & {"all", "names"})
    return ok(workers=page_of(ann.workers(app_of(), bool(trusted_only), full), page, per_page))


async def post_annotations_searches(body, **_):
    return ok(**srch.run(app_of(), "annotations", body or {}))


# -- task work --------------------------------------------------------------------------------------------
async def patch_annotations_status(task_id, body, **_):
    return ok(**work.patch_status(app_of(), caller(), task_id, body or {}))


async def list_next_task_assignments(task_id, worker_user_id=None, **_):
    return ok(inputs=work.next_inputs(app_of(), task_id, worker_user_id or caller()))


async def put_task_assignments(task_id, body, **_):
    return ok(task_assignments=work.put_assignments(app_of(), caller(), task_id, body or {}, owner=is_owner()))


async def get_task_annotation_count(task_id, user_ids=None, **_):
    return ok(**work.annotation_counts(app_of(), task_id, user_ids))


async def get_task_input_count(task_id, user_ids=None, **_):
    return ok(**work.input_counts(app_of(), task_id, user_ids))


async def get_input_samples(task_id, user_ids=None, **_):
    return ok(hits=work.input_samples(app_of(), task_id, user_ids))


# -- collaborators ----------------------------------------------------------------------------------------
def _collaborators(docs) -> dict:
    return {"collaborators": [collab.render(d) for d in docs]}


async def list_collaborators(list_all_collaborators=None, page=None, per_page=None, **_):
    app = app_of()
    docs = page_of(collab.listing(app, bool(list_all_collaborators)), page, per_page)
    return ok(**_collaborators(docs), app_owner={"id": collab.owner_of(app)})


async def post_collaborators(body, **_):
    collab.require_owner(current_principal())
    return ok(**_collaborators(collab.add(app_of(), listed(body, "collaborators"))))


async def patch_collaborators(body, **_):
    collab.require_owner(current_principal())
    action = (body or {}).get("action") or "overwrite"
    return ok(**_collaborators(collab.patch(app_of(), listed(body, "collaborators"), action)))


async def delete_collaborators(body, **_):
    collab.require_owner(current_principal())
    body = body or {}
    refs, emails = body.get("collaborator_ids") or [], body.get("user_emails") or []
    if not isinstance(refs, list) or not isinstance(emails, list):
        from ..wire import invalid
        raise invalid("collaborator_ids: a list is required")
    collab.remove(app_of(), refs, emails)
    return ok()


__all__ = ['post_annotations', 'list_annotations', 'get_annotation', 'patch_annotations', 'delete_annotation',
           'delete_annotations', 'list_annotation_workers', 'post_annotations_searches', 'patch_annotations_status',
           'list_next_task_assignments', 'put_task_assignments', 'get_task_annotation_count', 'get_task_input_count', 'get_input_samples',
           'list_collaborators', 'post_collaborators', 'patch_collaborators', 'delete_collaborators']
