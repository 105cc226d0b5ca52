"""Every ModelArts API page with an example request: the example is sent as printed (its placeholders and
the documentation's ids replaced by the workspace's) and the answer is held against the page's response
tables, field by field: a field the tables do not document fails, a documented field missing fails
unless ``OPTIONAL`` names when it may be absent (each with its reason), a value of another type fails.

The pages are read from ``../shared/reference/modelarts-docs`` beside the repository (present on CI
machines too); without them the tests are skipped, saying so.

The same walk runs a second time in strict mode, where the server also checks each answer against
``openapi/modelarts.yaml`` (a 500 if it does not conform): the spec and the pages must agree.
"""
from __future__ import annotations

import json
import re

import pytest

from doc_pages import DOCS, compare, pages
from ma_support import DATASET, LABELER, LABELER2, PROJECT, REVIEWER, SAMPLES, SEEDED_TASK, TASKS, TEAM
from mockserver.testing import InProcess, new_world
from mockserver.vendors.modelarts.workspace import DEFAULT
from mockserver.world import Settings

pytestmark = pytest.mark.skipif(not DOCS.is_dir(), reason=f"the ModelArts pages are not at {DOCS} "
                                                         "(../shared/reference/modelarts-docs beside the repository)")
PAGES = pages() if DOCS.is_dir() else []
ADMIN = DEFAULT["workforce"]["workers"][3]

# The documentation's ids -> the workspace's (the workspace already uses the ids of most examples).
IDS = {
    "tY330MHxV9dqIPVaTRM": SEEDED_TASK,  # the statistics example's task
    "l4u9Hpz2JJ67DNN1Hg9": TEAM, "3frbQ90hb8ZKksAhyR8": TEAM,  # teams of the start and update examples
    "89d4ae38431b8905449821605abdc3a9": LABELER2["worker_id"],  # the batch delete example's members
    "a2abd3f27b4e92c593c15282f8b6bd29": ADMIN["worker_id"],
    # samples: each example's member must hold the sample in the seeded task
    "0e1b5a16a5a577ee53aeb34278a4b3e7": SAMPLES[5], "0d43f9811d3808a3146c673257d4a1dbhh": SAMPLES[7],
    "xiaozhang@163.com": LABELER["email"], "xiaoli@163.com": LABELER2["email"],
}
PLACEHOLDERS = {"{project_id}": PROJECT, "{dataset_id}": DATASET, "{workforce_task_id}": SEEDED_TASK,
                "{workforce_id}": TEAM, "{worker_id}": LABELER2["worker_id"], "{sample_id}": SAMPLES[0]}
# "xxx@xxx.com" stands for a member each time: the seeded task's members in order, or a new person.
MEMBERS = [LABELER["email"], LABELER2["email"], REVIEWER["email"]]
NEW_PERSON = {"CreateWorker": ["new-member@example.com"]}

# When a documented field may be absent, per operation (table, field) -> why.
ROOT = "Response body parameters"
SAMPLE_WHEN = {
    ("DescribeSampleResp", "check_accept"): "only once the owner judged the sample in an acceptance",
    ("DescribeSampleResp", "check_comment"): "only once the owner judged the sample in an acceptance",
    ("DescribeSampleResp", "check_score"): "only once the owner judged the sample in an acceptance",
    ("DescribeSampleResp", "score"): "only once the owner scored the sample in an acceptance",
    ("DescribeSampleResp", "review_accept"): "only once a reviewer judged the sample",
    ("DescribeSampleResp", "review_comment"): "only once a reviewer judged the sample",
    ("DescribeSampleResp", "review_score"): "only once a reviewer judged the sample",
    ("DescribeSampleResp", "deletion_reasons"): "healthcare: not modelled",
    ("DescribeSampleResp", "sub_sample_url"): "healthcare: not modelled",
    ("DescribeSampleResp", "sample_data"): "not modelled (the bytes are behind source)",
    ("DescribeSampleResp", "hard_details"): "hard examples' reasons: not modelled",
}
TASK_WHEN = {
    (ROOT, "label_stats"): "only with label_stats=true (the example has none)",
    (ROOT, "checking_task_desc"): "only once an acceptance was started",
    ("WorkforceTask", "label_stats"): "a list shows no label statistics (the example has none)",
    ("WorkforceTask", "checking_task_desc"): "only once an acceptance was started",
    ("WorkforceSamplingTaskDesc", "action"): "only once the owner concluded the acceptance",
    ("WorkforcesConfig", "agency"): "only when given",
}
BATCH_WHEN = {(ROOT, "error_code"): "only when success is false", (ROOT, "error_msg"): "only when success is false",
              ("BatchResponse", "error_code"): "only when success is false",
              ("BatchResponse", "error_msg"): "only when success is false"}
OPTIONAL = {
    "ListWorkforceTaskSamples": SAMPLE_WHEN,
    "DescribeWorkforceTaskSample": {(ROOT, field): why for (_, field), why in SAMPLE_WHEN.items()},
    "DescWorkforceTask": TASK_WHEN, "ListWorkforceTasks": TASK_WHEN,
    "BatchDeleteWorkers": BATCH_WHEN, "SendEmails": BATCH_WHEN,
    "UpdateWorkforceTaskSamples": {**BATCH_WHEN, (ROOT, "results"): "the page's example answers {success: true}; a "
                                                                  "refused batch is an HTTP error"},
    "GetWorkforceSamplingTask": {(ROOT, "checking_stats"): "only with checking_task_id (the example sends none)"},
    "UpdateWorkforceSamplingTask": {(ROOT, "sample_count"): "only for action 3 (the conflict list)",
                                    (ROOT, "samples"): "only for action 3 (the conflict list)", **SAMPLE_WHEN},
}
# Tables of optional keys (attribute maps, search conditions): no key of theirs is required.
FREE = {"LabelProperty", "SampleLabelProperty", "SampleMetadata", "SearchCondition", "SearchLabels", "SearchLabel",
        "SearchProp", "HardDetail", "LabelAttribute", "LabelAttributeValue"}


# -- what the world must hold for an example to mean something ------------------------------------
def _ok(r):
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


def labeled(c):
    """Every sample of the seeded task labeled by the member holding it."""
    listed = _ok(c.get(f"{TASKS}/{SEEDED_TASK}/data-annotations/samples", params={"limit": 100}))["samples"]
    body = {"samples": [{"sample_id": s["sample_id"], "worker_id": lb["worker_id"], "labels": [{"name": "tulips"}]}
                        for s in listed for lb in s["labelers"]]}
    _ok(c.put(f"{TASKS}/{SEEDED_TASK}/data-annotations/samples", json=body))


def reviewed(c):
    labeled(c)
    comments = [{"sample_id": s, "accept": True, "comment": "", "score": "A"} for s in SAMPLES]
    _ok(c.post(f"{TASKS}/{SEEDED_TASK}/data-annotations/review", json={"comments": comments}))


def accepting(c):
    reviewed(c)
    return _ok(c.post(f"{TASKS}/{SEEDED_TASK}/acceptance", json={"sampling_rate": 1.0}))["task_id"]


def judged(c):
    """An acceptance running over every sample, one of them judged by the owner."""
    accepting(c)
    _ok(c.post(f"{TASKS}/{SEEDED_TASK}/acceptance/batch-comment", json={"comments": [
        {"sample_id": SAMPLES[1], "worker_id": LABELER["worker_id"], "accept": True, "comment": "fine", "score": "A"}]}))


SETUP = {
    "StartWorkforceSamplingTask": reviewed, "AcceptSamples": accepting, "UpdateWorkforceSamplingTask": accepting,
    "ReviewSamples": labeled, "GetWorkforceSamplingTask": judged, "ListWorkforceTaskSamples": judged,
    "DescribeWorkforceTaskSample": judged, "DescWorkforceTask": judged, "ListWorkforceTasks": judged,
    "ListWorkforceTaskStats": judged, "GetWorkforceTaskMetrics": judged, "ListWorkerTasks": judged,
}


# -- sending an example ------------------------------------------------------------------------------
def _replace(text: str, emails: list[str]) -> str:
    for theirs, ours in {**IDS, **PLACEHOLDERS}.items():
        text = text.replace(theirs, ours)
    it = iter(emails)
    return re.sub(r"xxx@xxx\.com", lambda m: next(it), text)


def request_of(page):
    """(method, path with query, JSON body or None) of the page's example, ids replaced."""
    emails = NEW_PERSON.get(page.operation, MEMBERS * 2)
    path = page.example_path or page.path
    path = path.replace("??", "?")  # ListAllWorkers' example has a doubled '?': role=2 is what it means
    body = None if page.example_body is None else json.loads(_replace(json.dumps(page.example_body), emails))
    return page.example_method or page.method, _replace(path, emails), body


@pytest.fixture(scope="module", params=[False, True], ids=["lenient", "strict"])
def stand_in(request):
    return InProcess(new_world(settings=Settings(strict=request.param)))


@pytest.mark.parametrize("page", PAGES, ids=[p.operation for p in PAGES])
def test_example_answer_matches_the_response_table(stand_in, page):
    stand_in.world.reset()
    strict = stand_in.world.settings.strict
    method, path, body = request_of(page)
    if strict and "filePreview" in path:
        path = re.sub(r"&?filePreview=[^&]*", "", path)  # undocumented on its own page: strict mode refuses it
    with stand_in.client("modelarts", headers={"X-Auth-Token": DEFAULT["token"]}) as c:
        if page.operation in SETUP:
            SETUP[page.operation](c)
        r = c.request(method, path, json=body) if body is not None else c.request(method, path)
    assert r.status_code == (page.example_status or 200), (method, path, r.text[:500])
    if r.status_code == 204:
        assert not r.content  # No Content: the page's table (if any) describes nothing that is sent
        return
    answer = r.json()
    if not page.tables:
        assert answer == {}, f"{page.name}: documents no response body, answered {answer}"
        return
    problems = compare(page, answer, OPTIONAL.get(page.operation, {}), FREE)
    assert not problems, f"{page.name} ({method} {path}):\n  " + "\n  ".join(problems)


def test_every_page_with_an_example_is_walked():
    assert len(PAGES) == 30
    assert {p.operation for p in PAGES} >= {"DescWorkforceTask", "CreateWorkforceTask", "ListWorkforceTaskSamples",
                                            "DescribeWorkforceTaskSample", "BatchDeleteWorkers", "SendEmails"}


def test_the_walker_catches_what_it_should():
    """The comparison fails on an undocumented field, a missing documented one and a wrong type."""
    page = next(p for p in PAGES if p.operation == "DescWorker")
    good = {"email": "a@b.c", "worker_id": "w", "workforce_id": "f", "status": 0, "role": 2, "description": "",
            "create_time": 1, "update_time": 1}
    assert compare(page, good, {}, FREE) == []
    assert compare(page, {**good, "data_sync_type": 0}, {}, FREE) == [
        "answer.data_sync_type: not in the page's table Response body parameters"]
    missing = dict(good)
    del missing["status"]
    assert compare(page, missing, {}, FREE) == ["answer.status: documented in Response body parameters but missing"]
    assert compare(page, {**good, "role": "2"}, {}, FREE)[0].startswith("answer.role: documented as Integer")
