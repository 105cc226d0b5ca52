"""Throughput and Quality: every documented field and rule, good and bad."""
import pytest

QUALITY = "/v1/workstreams/ws-0001/task_reviewed"
THROUGHPUT = "/v1/workstreams/ws-0001/task_completed"


def test_seed_example_is_accepted(cloudfactory, quality_body, records):
    r = cloudfactory.post(QUALITY, json=quality_body)
    assert r.status_code == 202
    assert r.json() == {"message": "Data successfully received."}
    (rec,) = records("quality")
    assert rec["review_score"] == 0.78 and rec["errors"]["missing_label"] == 24
    assert rec["review_measurements"] == {"attribute_1_count": 0.5, "attribute_1_label": "Header"}


def test_quality_minimal_body(cloudfactory, quality_body, records):
    body = {k: quality_body[k] for k in ("workstream_id", "use_case_id", "task_definition_id", "worker_id",
                                         "review_completed_at", "review_score")}
    assert cloudfactory.post(QUALITY, json=body).status_code == 202
    assert records("quality")[0]["replace_duplicate"] is True


@pytest.mark.parametrize("field", ["workstream_id", "use_case_id", "task_definition_id", "worker_id",
                                   "review_completed_at", "review_score"])
def test_quality_required_fields(cloudfactory, quality_body, field):
    del quality_body[field]
    r = cloudfactory.post(QUALITY, json=quality_body)
    assert r.status_code == 400
    assert r.json()["message"] == "Bad Request"
    assert r.json()["errors"] == {field: "is required"}


@pytest.mark.parametrize("field,value", [
    ("review_score", 1.01), ("review_score", -0.1), ("review_score", "0.5"), ("review_score", True),
    ("review_completed_at", "2020-12-22"), ("review_completed_at", "yesterday"), ("review_completed_at", "2020-13-40T10:00:00Z"),
    ("review_completed_at", "2020-12-22T10:13:24"), ("task_completed_at", "22/12/2020 10:13"),
    ("review_type", "Audit"), ("errors", {"missing": -1}), ("errors", {"missing": 1.5}), ("errors", [1]),
    ("review_duration", -1), ("replace_duplicate", "yes"), ("review_metadata", "x"), ("use_case_id", ""),
    ("data_source", "ftp"), ("task_review_count", -3), ("worker_id", 7),
])
def test_quality_bad_values(cloudfactory, quality_body, field, value):
    quality_body[field] = value
    r = cloudfactory.post(QUALITY, json=quality_body)
    assert r.status_code == 400, r.text
    assert list(r.json()["errors"]) == [field]


@pytest.mark.parametrize("value", ["2020-12-22T10:13:24Z", "2020-12-22T10:13:24.127+05:45", "2020-12-22T10:13:24.1234567Z"])
def test_quality_good_times(cloudfactory, quality_body, value):
    quality_body["review_completed_at"] = value
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202


@pytest.mark.parametrize("score", [0, 1, 0.0, 1.0])
def test_quality_score_bounds_inclusive(cloudfactory, quality_body, score):
    quality_body["review_score"] = score
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202


def test_every_bad_field_is_named(cloudfactory, quality_body):
    quality_body.update(review_score=3, review_type="nope", use_case_id="uc-9999", task_definition_id="td-9999")
    del quality_body["worker_id"]
    quality_body["review_completed_at"] = "soon"
    r = cloudfactory.post(QUALITY, json=quality_body)
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"review_score", "review_type", "use_case_id", "task_definition_id",
                                       "worker_id", "review_completed_at"}


@pytest.mark.parametrize("field,value", [("use_case_id", "uc-9999"), ("task_definition_id", "td-9999"),
                                         ("use_case_id", "uc-0002x")])
def test_ids_validated_against_workstream(cloudfactory, quality_body, throughput_body, field, value):
    for path, body in ((QUALITY, quality_body), (THROUGHPUT, throughput_body)):
        body[field] = value
        r = cloudfactory.post(path, json=body)
        assert r.status_code == 404 and r.json()["message"] == "Not found"
        assert field in r.json()["errors"]


def test_ids_of_another_workstream_are_unknown(cloudfactory, mock, quality_body):
    # td-0002 exists in ws-0001 too; uc of ws-0002 only would be refused: use a fresh id known only to ws-0002.
    mock.world.store.table("cloudfactory_workstreams").update("ws-0002", {"use_case_ids": ["uc-only-2"]})
    quality_body["use_case_id"] = "uc-only-2"
    r = cloudfactory.post(QUALITY, json=quality_body)
    assert r.status_code == 404 and "use_case_id" in r.json()["errors"]


def test_body_workstream_must_match_path(cloudfactory, quality_body):
    quality_body["workstream_id"] = "ws-0002"
    r = cloudfactory.post(QUALITY, json=quality_body)
    assert r.status_code == 409 and "workstream_id" in r.json()["errors"]


def test_body_must_be_an_object(cloudfactory):
    r = cloudfactory.post(QUALITY, json=[1, 2])
    assert r.status_code == 400 and r.json()["errors"] == {"body": "must be a JSON object"}


def test_unique_id_replace_duplicate_true_replaces(cloudfactory, quality_body, records):
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202
    quality_body["review_score"] = 0.5
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202
    (rec,) = records("quality")
    assert rec["review_score"] == 0.5 and rec["replaced_count"] == 1


def test_unique_id_replace_duplicate_false_keeps_first(cloudfactory, quality_body, records):
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202
    quality_body.update(review_score=0.1, replace_duplicate=False)
    r = cloudfactory.post(QUALITY, json=quality_body)
    assert r.status_code == 202 and r.json() == {"message": "Data successfully received."}
    (rec,) = records("quality")
    assert rec["review_score"] == 0.78


def test_unique_id_scope_includes_use_case_and_task_definition(cloudfactory, quality_body, records):
    cloudfactory.post(QUALITY, json=quality_body)
    quality_body["use_case_id"] = "uc-0002"
    cloudfactory.post(QUALITY, json=quality_body)
    quality_body["task_definition_id"] = "td-0002"
    cloudfactory.post(QUALITY, json=quality_body)
    assert len(records("quality")) == 3


def test_without_unique_id_every_call_is_a_record(cloudfactory, quality_body, records):
    del quality_body["unique_id"]
    cloudfactory.post(QUALITY, json=quality_body)
    cloudfactory.post(QUALITY, json=quality_body)
    assert len(records("quality")) == 2


# -- Throughput --------------------------------------------------------------------------------
def test_throughput_defaults(cloudfactory, throughput_body, records):
    r = cloudfactory.post(THROUGHPUT, json=throughput_body)
    assert r.status_code == 202 and r.json() == {"message": "Data successfully received."}
    (rec,) = records("throughput")
    assert rec["duration"] == 120 and rec["task_count"] == 1 and rec["subtask_count"] is None
    assert rec["data_source"] == "api"


def test_throughput_all_fields(cloudfactory, throughput_body, records):
    throughput_body.update(duration=90, task_count=3, subtask_count=12, data_source="csv_manual", measure_1=4,
                           measure_2=0.5, measure_3=10, task_created_at="2020-12-22T09:00:00Z", dataset_id="d",
                           asset_id="a", task_url="https://x/1", unique_id="u1", replace_duplicate=False)
    assert cloudfactory.post(THROUGHPUT, json=throughput_body).status_code == 202
    (rec,) = records("throughput")
    assert rec["duration"] == 90 and rec["task_count"] == 3 and rec["subtask_count"] == 12
    assert rec["data_source"] == "csv_manual" and rec["measure_2"] == 0.5


@pytest.mark.parametrize("field", ["use_case_id", "task_definition_id", "worker_id", "task_started_at",
                                   "task_completed_at"])
def test_throughput_required_fields(cloudfactory, throughput_body, field):
    del throughput_body[field]
    r = cloudfactory.post(THROUGHPUT, json=throughput_body)
    assert r.status_code == 400 and r.json()["errors"] == {field: "is required"}


@pytest.mark.parametrize("field,value", [
    ("task_count", 0), ("task_count", 1.5), ("subtask_count", -1), ("duration", -5), ("duration", "60"),
    ("data_source", "email"), ("task_started_at", "2020-12-22 10:00"), ("task_created_at", "x"),
    ("measure_1", "many"), ("task_completed_at", "2020-12-22T09:59:59Z"),
])
def test_throughput_bad_values(cloudfactory, throughput_body, field, value):
    throughput_body[field] = value
    r = cloudfactory.post(THROUGHPUT, json=throughput_body)
    # completed before started: every field is well formed, they contradict each other
    assert r.status_code == (409 if field == "task_completed_at" else 400), r.text
    assert list(r.json()["errors"]) == [field]


def test_throughput_takes_the_workstream_from_the_path(cloudfactory, throughput_body, records):
    """The Throughput page's body list has no workstream_id: the path says which workstream."""
    del throughput_body["workstream_id"]
    assert cloudfactory.post(THROUGHPUT, json=throughput_body).status_code == 202
    assert records("throughput")[0]["workstream_id"] == "ws-0001"
    throughput_body["workstream_id"] = "ws-0002"  # given, it must still be the path's
    r = cloudfactory.post(THROUGHPUT, json=throughput_body)
    assert r.status_code == 409 and list(r.json()["errors"]) == ["workstream_id"]


@pytest.mark.parametrize("source", ["api", "csv_manual", "csv_auto"])
def test_throughput_data_sources(cloudfactory, throughput_body, source):
    throughput_body["data_source"] = source
    assert cloudfactory.post(THROUGHPUT, json=throughput_body).status_code == 202


def test_throughput_unique_id(cloudfactory, throughput_body, records):
    throughput_body["unique_id"] = "job-1"
    cloudfactory.post(THROUGHPUT, json=throughput_body)
    throughput_body["task_count"] = 5
    cloudfactory.post(THROUGHPUT, json=throughput_body)
    assert [r["task_count"] for r in records("throughput")] == [5]
    throughput_body.update(task_count=9, replace_duplicate=False)
    cloudfactory.post(THROUGHPUT, json=throughput_body)
    assert [r["task_count"] for r in records("throughput")] == [5]


# -- auth ----------------------------------------------------------------------------------------
def test_missing_key_is_401(mock, quality_body):
    with mock.client("cloudfactory") as c:
        r = c.post(QUALITY, json=quality_body)
    assert r.status_code == 401 and "message" in r.json()


def test_bad_key_is_403(mock, quality_body):
    with mock.client("cloudfactory", headers={"x-api-key": "nope"}) as c:
        r = c.post(QUALITY, json=quality_body)
    assert r.status_code == 403 and r.json() == {"message": "Bad credentials"}


def test_key_of_another_workstream_is_403(mock, quality_body, records):
    with mock.client("cloudfactory", headers={"x-api-key": "other-cloudfactory-key"}) as c:
        r = c.post(QUALITY, json=quality_body)
        assert r.status_code == 403 and r.json()["message"] == "Forbidden"
        quality_body.update(workstream_id="ws-0002", use_case_id="uc-0002", task_definition_id="td-0002")
        assert c.post("/v1/workstreams/ws-0002/task_reviewed", json=quality_body).status_code == 202
    assert [r["workstream_id"] for r in records("quality")] == ["ws-0002"]


def test_bad_json_is_400_in_shape(cloudfactory):
    r = cloudfactory.post(QUALITY, content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["message"] == "Bad Request"


def test_wrong_method_is_405_with_allow(cloudfactory):
    r = cloudfactory.get(QUALITY)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
    assert r.json() == {"message": "Method Not Allowed"}


def test_unknown_route_is_404_in_shape(cloudfactory):
    r = cloudfactory.get("/v1/nothing-here")
    assert r.status_code == 404 and r.json() == {"message": "Not found"}


def test_non_json_body_is_415(cloudfactory):
    r = cloudfactory.post(QUALITY, content=b'{"review_score": 5}', headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["message"] == "Bad Request"
