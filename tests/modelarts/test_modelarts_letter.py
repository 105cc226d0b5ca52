"""ModelArts to the letter of its pages: samples, the task detail, batches, a member's own calls, the
gateway's refusals, the sample bytes behind ``source``, and validation messages for people."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from ma_support import (DATASET, LABELER, LABELER2, REVIEWER, SAMPLES, SEEDED_TASK, TASKS, TEAM, V2, assert_error, ok)
from mockserver import core
from mockserver.vendors.modelarts import media
from mockserver.fielderrors import FieldError
from mockserver.vendors.modelarts.messages import humanize, plain
from mockserver.vendors.modelarts.records import member_token
from mockserver.vendors.modelarts.workspace import DEFAULT

SEEDED = f"{TASKS}/{SEEDED_TASK}"
ADMIN = DEFAULT["workforce"]["workers"][3]


def _holder(c, sample_id):
    samples = ok(c.get(f"{SEEDED}/data-annotations/samples", params={"limit": 100}))["samples"]
    return next(s for s in samples if s["sample_id"] == sample_id)["labelers"][0]


def _label(c, sample_id, labels=({"name": "tulips"},)):
    holder = _holder(c, sample_id)
    ok(c.put(f"{SEEDED}/data-annotations/samples", json={"samples": [
        {"sample_id": sample_id, "worker_id": holder["worker_id"], "labels": list(labels)}]}))
    return holder


# -- samples ---------------------------------------------------------------------------------------
def test_every_sample_names_a_member_and_shows_only_documented_metadata(modelarts):
    page = ok(modelarts.get(f"{SEEDED}/data-annotations/samples", params={"limit": 100}))
    for s in page["samples"]:
        assert s["worker_id"] == s["labelers"][0]["worker_id"]  # nobody labeled yet: the member holding it
        assert s["metadata"] == {"@modelarts:import_origin": 0, "@modelarts:size": [640, 480, 3]}  # no "split"
        assert s["sample_status"] == "__NONE__" and s["labels"] == []
        assert set(s["labelers"][0]) == {"email", "worker_id", "workforce_id", "status", "role", "description",
                                         "create_time", "update_time"}
    # the dataset keeps the sample's own attributes (sample_conditions filter on them)
    own = ok(modelarts.get(f"{V2}/datasets/{DATASET}/data-annotations/samples/{SAMPLES[0]}"))
    assert own["metadata"] == {"split": "eval"}


def test_hard_example_keys_show_when_set(modelarts, api):
    ds = ok(modelarts.post(f"{V2}/datasets", json={"dataset_name": "hard", "label_type": 1}))["dataset_id"]
    ok(modelarts.post(f"{V2}/datasets/{ds}/data-annotations/samples", json={"samples": [
        {"sample_id": "h1", "name": "h1.png", "metadata": {"@modelarts:hard": 1.0, "@modelarts:hard_coefficient": 0.7,
                                                          "@modelarts:hard_reasons": [1, 3], "@modelarts:size": [1242, 375, 3],
                                                          "camera": "front"}},
        {"sample_id": "t1", "name": "t1.txt", "sample_type": 1, "data": "a short text"}]}))
    task = api.task(api.team(), dataset=ds)
    got = {s["sample_id"]: s for s in api.samples(task, dataset=ds)["samples"]}
    assert got["h1"]["metadata"] == {"@modelarts:import_origin": 0, "@modelarts:size": [1242, 375, 3],
                                     "@modelarts:hard": 1.0, "@modelarts:hard_coefficient": 0.7,
                                     "@modelarts:hard_reasons": [1, 3]}
    assert got["t1"]["metadata"] == {"@modelarts:import_origin": 0}  # no image, no size
    # each source serves the sample: a PNG of the documented size, or the text given at upload
    png = modelarts.get(got["h1"]["source"])
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png.content[16:20], "big") == 1242 and int.from_bytes(png.content[20:24], "big") == 375
    assert len(png.content) == got["h1"]["sample_size"]
    text = modelarts.get(got["t1"]["source"])
    assert text.text == "a short text" and got["t1"]["sample_size"] == len("a short text")


def test_labels_carry_id_score_annotated_by_and_their_property(modelarts, mock):
    holder = _label(modelarts, SAMPLES[1], [{"name": "rose", "type": 1, "id": "my-id", "score": 0.4,
                                             "annotated_by": "auto", "property": {"@modelarts:shape": "bndbox",
                                                                                  "@modelarts:feature": [[1, 2], [30, 40]],
                                                                                  "@modelarts:color": "#3399ff"}},
                                            {"name": "tulip"}])
    one = ok(modelarts.get(f"{SEEDED}/data-annotations/samples/{SAMPLES[1]}"))
    given, plain = one["labels"]
    assert given == {"id": "my-id", "name": "rose", "type": 1, "score": 0.4, "annotated_by": "auto",
                     "property": {"@modelarts:shape": "bndbox", "@modelarts:feature": [[1, 2], [30, 40]],
                                  "@modelarts:color": "#3399ff"}}
    assert plain["type"] == 0 and plain["score"] == 1.0 and plain["annotated_by"] == "human" and plain["property"] == {}
    assert re.fullmatch(r"[0-9a-f]{32}", plain["id"]) and one["worker_id"] == holder["worker_id"]
    # a label the core holds as a box (e.g. a simulated labeler's) shows as a bndbox feature
    world = mock.world
    ctid = f"modelarts:{DEFAULT['project_id']}/{SEEDED_TASK}"
    other = _holder(modelarts, SAMPLES[3])
    core.submit_many(world.store, ctid, [(SAMPLES[3], other["email"], [{"concept": "bee", "box": [5, 6, 50, 60]}])],
                     source=f"modelarts:dataset:{DEFAULT['project_id']}/{DATASET}")
    (bee,) = ok(modelarts.get(f"{SEEDED}/data-annotations/samples/{SAMPLES[3]}"))["labels"]
    assert bee["property"] == {"@modelarts:shape": "bndbox", "@modelarts:feature": [[5, 6], [50, 60]]}


def test_sample_status_uses_the_table_s_vocabulary(modelarts):
    _label(modelarts, SAMPLES[1])
    statuses = {s["sample_status"] for s in ok(modelarts.get(f"{SEEDED}/data-annotations/samples",
                                                             params={"limit": 100}))["samples"]}
    assert statuses == {"__NONE__", "__UNREVIEWED__"}  # never the example's UN_ANNOTATION


# -- the signed source URL ---------------------------------------------------------------------------
def test_source_is_a_signed_url_that_expires_on_the_virtual_clock(modelarts, mock):
    mock.world.clock.set(mode="manual", now=1_800_000_000)
    s = ok(modelarts.get(f"{SEEDED}/data-annotations/samples/{SAMPLES[0]}"))
    url = urlsplit(s["source"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == f"/obs/{DATASET}/{SAMPLES[0]}/flower_00.jpg" and url.netloc == "modelarts.local"
    assert set(query) == {"AccessKeyId", "Expires", "Signature"} and int(query["Expires"]) == 1_800_000_000 + 3600
    with mock.client("modelarts") as anonymous:  # the signature is the credential
        got = anonymous.get(s["source"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        assert len(got.content) == s["sample_size"]
        for broken in (s["source"].replace("Signature=", "Signature=0"), s["source"].split("?")[0],
                       s["source"].replace(f"Expires={query['Expires']}", f"Expires={int(query['Expires']) + 1}")):
            refused = anonymous.get(broken)
            assert refused.status_code == 403 and "<Code>AccessDenied</Code>" in refused.text
            assert refused.headers["content-type"].startswith("application/xml")
        assert anonymous.get(s["source"].replace(SAMPLES[0], "nope")).status_code == 404
        mock.world.clock.advance(3601)
        expired = anonymous.get(s["source"])
        assert expired.status_code == 403 and "Request has expired" in expired.text


def test_placeholder_pngs_are_cheap_and_their_length_is_known_without_building_them():
    a = media.placeholder_png("a", 300, 200)
    b = media.placeholder_png("b", 300, 200)
    assert a != b and len(a) == len(b) == media.placeholder_size({"sample_id": "x", "sample_type": 0,
                                                                  "metadata": {"@modelarts:size": [300, 200]}})
    assert media.image_size({"@modelarts:size": [10 ** 6, 10]}) == media.DEFAULT_SIZE  # bounded


# -- the task detail -----------------------------------------------------------------------------
def test_checking_task_desc_reports_and_names_the_action_once_concluded(modelarts):
    for s in SAMPLES:
        _label(modelarts, s)
    ok(modelarts.post(f"{SEEDED}/data-annotations/review", json={"comments": [
        {"sample_id": s, "accept": True} for s in SAMPLES]}))
    assert "checking_task_desc" not in ok(modelarts.get(SEEDED))
    checking = ok(modelarts.post(f"{SEEDED}/acceptance", json={"sampling_num": 4}))["task_id"]
    desc = ok(modelarts.get(SEEDED))["checking_task_desc"]
    assert desc["checking_task_id"] == checking and "action" not in desc
    assert desc["checking_stats"]["sampled_sample_count"] == 4 and desc["checking_stats"]["task_id"] == checking
    assert desc["total_stats"]["task_id"] == SEEDED_TASK
    ok(modelarts.put(f"{SEEDED}/acceptance/status", json={"action": 0}))
    desc = ok(modelarts.get(SEEDED))["checking_task_desc"]
    assert desc["action"] == 0 and desc["checking_stats"]["accepted_sample_count"] == 4
    listed = ok(modelarts.get(TASKS))["tasks"][0]
    assert listed["checking_task_desc"] == desc and "worker_stats" not in listed


def test_task_shows_members_as_whole_workers_and_marks_a_removed_one(modelarts):
    ok(modelarts.delete(f"{V2}/workforces/{TEAM}/workers/{LABELER2['worker_id']}"), 204)
    workers = ok(modelarts.get(SEEDED))["workforces_config"]["workforces"][0]["workers"]
    by_email = {w["email"]: w for w in workers}
    assert by_email[LABELER2["email"]]["status"] == 3 and by_email[LABELER["email"]]["status"] == 2
    assert "agency" not in ok(modelarts.get(SEEDED))["workforces_config"]


# -- batches -----------------------------------------------------------------------------------------
def test_notify_is_all_or_nothing_with_a_result_per_address(modelarts):
    refused = ok(modelarts.post(f"{SEEDED}/notify", json={"emails": [LABELER["email"], "not-an-address",
                                                                     "stranger@example.com"]}))
    assert refused["success"] is False and refused["error_code"] == "ModelArts.0101"
    assert [r["error_code"] for r in refused["results"]] == ["ModelArts.4200", "ModelArts.0101", "ModelArts.4604"]
    assert all(r["success"] is False and r["error_msg"] for r in refused["results"])
    rows = {r["email"]: r for r in ok(modelarts.get(SEEDED))["worker_stats"]}
    assert rows[LABELER["email"]]["email_status"] == 0 and rows[LABELER["email"]]["last_notify_time"] == 0
    sent = ok(modelarts.post(f"{SEEDED}/notify", json={"emails": [LABELER["email"]]}))
    assert sent == {"success": True, "results": [{"success": True}]}


# -- members calling as themselves -----------------------------------------------------------------
def test_a_member_s_tasks_answer_for_the_calling_member(mock, modelarts):
    with mock.client("modelarts", headers={"X-Auth-Token": member_token(LABELER["worker_id"])}) as me:
        mine = ok(me.get(f"{V2}/workforces/worker-tasks"))
        assert mine["count"] == 1 and mine["worker_tasks"][0]["email"] == LABELER["email"]
        assert mine["worker_tasks"][0]["worker_id"] == LABELER["worker_id"]
        assert ok(me.get(f"{V2}/workforces/worker-tasks", params={"email": LABELER["email"]}))["count"] == 1
        assert_error(me.get(f"{V2}/workforces/worker-tasks", params={"email": LABELER2["email"]}), 403,
                     "ModelArts.4600")
    # the owner is no member: every member's rows, or the one named
    assert ok(modelarts.get(f"{V2}/workforces/worker-tasks"))["count"] == 4
    assert ok(modelarts.get(f"{V2}/workforces/worker-tasks", params={"email": REVIEWER["email"]}))["count"] == 1


def test_a_member_labels_and_reviews_as_itself_and_nothing_more(mock):
    with mock.client("modelarts", headers={"X-Auth-Token": member_token(LABELER["worker_id"])}) as me:
        mine = ok(me.get(f"{SEEDED}/data-annotations/samples", params={"limit": 100}))
        assert mine["sample_count"] == 10 and {s["worker_id"] for s in mine["samples"]} == {LABELER["worker_id"]}
        sample = mine["samples"][0]["sample_id"]
        ok(me.put(f"{SEEDED}/data-annotations/samples", json={"samples": [{"sample_id": sample,
                                                                          "labels": [{"name": "rose"}]}]}))
        assert_error(me.put(f"{SEEDED}/data-annotations/samples", json={"samples": [
            {"sample_id": sample, "worker_id": LABELER2["worker_id"], "labels": []}]}), 403, "ModelArts.4600")
        for method, path, body in (("POST", f"{V2}/workforces", {"workforce_name": "mine"}),
                                   ("DELETE", SEEDED, None), ("POST", f"{SEEDED}/acceptance", {"sampling_num": 1}),
                                   ("GET", f"{V2}/workforces", None)):
            assert_error(me.request(method, path, json=body), 403, "ModelArts.4600")
        assert ok(me.get(SEEDED))["task_id"] == SEEDED_TASK  # reading the task is allowed
    with mock.client("modelarts", headers={"X-Auth-Token": member_token(REVIEWER["worker_id"])}) as reviewer:
        assert ok(reviewer.get(f"{SEEDED}/data-annotations/samples"))["sample_count"] == 20  # a reviewer sees all
        ok(reviewer.post(f"{SEEDED}/data-annotations/review", json={"comments": [
            {"sample_id": sample, "accept": False, "comment": "no", "score": "C"}]}))
        assert_error(reviewer.post(f"{SEEDED}/data-annotations/review", json={"email": ADMIN["email"], "comments": [
            {"sample_id": sample, "accept": True}]}), 403, "ModelArts.4600")
        one = ok(reviewer.get(f"{SEEDED}/data-annotations/samples/{sample}"))
        assert one["review_accept"] is False and one["sample_status"] == "__REJECTED__"


def test_members_created_through_the_api_get_a_token_too(modelarts, mock):
    team = ok(modelarts.post(f"{V2}/workforces", json={"workforce_name": "fresh"}), 201)["workforce_id"]
    ok(modelarts.post(f"{V2}/workforces/{team}/workers", json={"emails": "fresh@example.com", "role": 0}), 201)
    worker_id = ok(modelarts.get(f"{V2}/workforces/{team}/workers"))["workers"][0]["worker_id"]
    with mock.client("modelarts", headers={"X-Auth-Token": member_token(worker_id)}) as fresh:
        assert ok(fresh.get(f"{V2}/workforces/worker-tasks")) == {"count": 0, "worker_tasks": []}


# -- teams -------------------------------------------------------------------------------------------
def test_all_workers_default_to_labelers(modelarts):
    listed = ok(modelarts.get(f"{V2}/workforces/workers"))
    assert {w["role"] for w in listed["workers"]} == {0} and listed["total_number"] == 2
    admins = ok(modelarts.get(f"{V2}/workforces/workers", params={"role": 2}))
    assert [w["email"] for w in admins["workers"]] == [ADMIN["email"]]


# -- validation messages for people ------------------------------------------------------------------
@pytest.mark.parametrize("method,path,body,expected", [
    ("post", f"{V2}/workforces", {"workforce_name": "bad name!" * 1000},
     "workforce_name must be 1 to 64 letters, digits, underscores (_) or hyphens (-)"),
    ("post", f"{V2}/workforces", {}, "workforce_name is required"),
    ("post", TASKS, {"task_name": 5}, "task_name must be a string"),
    ("post", TASKS, {"workforces_config": {"workforces": [{"workers": [{"role": []}]}]}},
     "workforces_config.workforces[0].workers[0].role must be 0 (labeler), 1 (reviewer), 2 (team administrator)"),
    ("post", f"{V2}/workforces/{TEAM}/workers", {"emails": "x@example.com", "role": 7},
     "role must be 0 (labeler), 1 (reviewer), 2 (team administrator) or 3 (dataset owner, not for a new member)"),
    ("post", f"{SEEDED}/acceptance", {"sampling_rate": 2}, "sampling_rate must be at most 1"),
    ("post", f"{SEEDED}/acceptance", {"sampling_rate": 0}, "sampling_rate must be greater than 0"),
    ("post", f"{SEEDED}/acceptance", {}, "give one of sampling_rate, sampling_num"),
    ("get", f"{TASKS}?limit=5000", None, "limit must be at most 1000"),
    ("get", f"{TASKS}/{SEEDED_TASK}?sample_stats=maybe", None, "sample_stats must be true or false"),
    ("post", f"{V2}/workforces/{TEAM}/workers/batch-delete", {"workers": []}, "workers must not be empty"),
    ("post", f"{SEEDED}/acceptance/batch-comment", {"comments": [{"accept": True, "score": "Z"}]},
     "comments[0].score must be one of A, B, C, D"),
    ("post", TASKS, {"data_sync_type": 9}, "data_sync_type must be one of 0, 1, 2, 3"),
    ("post", f"{V2}/workforces", [1], "the body must be a JSON object"),
])
def test_validation_messages_name_the_field_and_the_documented_rule(modelarts, method, path, body, expected):
    r = getattr(modelarts, method)(path, **({"json": body} if body is not None else {}))
    assert_error(r, 400, "ModelArts.0101")
    msg = r.json()["error_msg"]
    assert expected in msg, msg
    assert "' does not match '" not in msg and "is not valid under any of the given schemas" not in msg
    assert len(msg) < 300  # never the value sent nor a schema


def test_humanize_keeps_what_it_does_not_know():
    """Messages that are not one field's rule (the gate's) are kept; field errors are said from their parts."""
    assert plain("the x-api-key header is given more than once", "x-api-key") == \
        "the x-api-key header is given more than once"
    assert plain("is odd", "size") == "size: is odd"
    assert plain("body is not valid JSON\n\nFailed validating...", "body") == "body is not valid JSON"
    assert humanize(FieldError("checking_task_id", "required", True, "is required", "query")) == \
        "the query parameter checking_task_id is required"
    assert humanize(FieldError("zz", "additionalProperties", False, "is not a parameter", "query")) == \
        "unknown query parameter zz"
    assert humanize(FieldError("size", "multipleOf", 2, "must be a multiple of 2")) == "size must be a multiple of 2"


def test_batch_comment_is_all_or_nothing(modelarts, mock):
    for s in SAMPLES:
        _label(modelarts, s)
    ok(modelarts.post(f"{SEEDED}/data-annotations/review", json={"comments": [{"sample_id": s, "accept": True}
                                                                              for s in SAMPLES]}))
    ok(modelarts.post(f"{SEEDED}/acceptance", json={"sampling_rate": 1.0}))
    before = mock.world.store.export()
    good = {"sample_id": SAMPLES[1], "worker_id": LABELER["worker_id"], "accept": True, "score": "A"}
    for bad in ({"sample_id": "nope", "accept": True}, {"sample_id": SAMPLES[0], "worker_id": LABELER["worker_id"],
                                                        "accept": True}):  # labeler holds SAMPLES[1], not [0]
        assert_error(modelarts.post(f"{SEEDED}/acceptance/batch-comment", json={"comments": [good, bad]}), 400,
                     "ModelArts.4420")
        assert mock.world.store.export() == before
    ok(modelarts.post(f"{SEEDED}/acceptance/batch-comment", json={"comments": [good]}))
    assert ok(modelarts.get(f"{SEEDED}/data-annotations/samples/{SAMPLES[1]}"))["check_accept"] is True


def test_a_signature_of_any_characters_is_refused_not_a_crash(mock):
    with mock.client("modelarts") as anonymous:
        r = anonymous.get(f"/obs/{DATASET}/{SAMPLES[0]}/x.jpg", params={"Signature": "\U000f86c9é", "Expires": "9"})
        assert r.status_code == 403 and "AccessDenied" in r.text
        assert anonymous.get(f"/obs/{DATASET}/{SAMPLES[0]}/x.jpg", params={"Expires": "soon", "Signature": "00"}
                             ).status_code == 403


def test_member_tokens_work_for_a_state_saved_before_they_were_issued(mock):
    tokens = mock.world.store.table("modelarts_tokens")
    tokens.remove(member_token(LABELER["worker_id"]))  # as an older saved state holds it
    with mock.client("modelarts", headers={"X-Auth-Token": member_token(LABELER["worker_id"])}) as me:
        assert ok(me.get(f"{V2}/workforces/worker-tasks"))["worker_tasks"][0]["email"] == LABELER["email"]
    with mock.client("modelarts", headers={"X-Auth-Token": member_token("f" * 32)}) as nobody:
        assert_error(nobody.get(f"{V2}/workforces/worker-tasks"), 401, "ModelArts.0203")


def test_notify_judges_each_address_of_a_joined_string_too(modelarts):
    """One string of addresses joined by commas is judged address by address, as a list is (a result per
    address, nothing sent), not refused as a whole."""
    refused = ok(modelarts.post(f"{SEEDED}/notify", json={"emails": f"{LABELER['email']}, not-an-address"}))
    assert refused["success"] is False
    assert [r["error_code"] for r in refused["results"]] == ["ModelArts.4200", "ModelArts.0101"]
