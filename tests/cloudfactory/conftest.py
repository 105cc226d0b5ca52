import copy

import pytest

SEED_QUALITY = {
    "workstream_id": "ws-0001",
    "use_case_id": "uc-0001",
    "task_definition_id": "td-0001",
    "dataset_id": "6c24f094dfcf",
    "asset_id": "6c24f094dfcf",
    "task_id": "032d6802-0efa-46de-a73c-6c24f094dfcf",
    "unique_id": "032d6802-0efa-46de-a73c-6c24f094dfcf",
    "replace_duplicate": True,
    "task_url": "https://taskus.com/annotate/123412",
    "task_completed_at": "2020-12-22T10:13:24.127Z",
    "worker_id": "test_worker@cf.com",
    "review_completed_at": "2020-12-22T10:13:24.127Z",
    "review_duration": 120,
    "reviewed_by": "test_worker@cf.com",
    "review_score": 0.78,
    "review_explanation": "Some of the fields are filled wrong",
    "errors": {"missing_label": 24, "incorrect_label": 12, "boundary_not_captured": 1},
    "review_type": "QA",
    "task_review_count": 120,
    "subtask_review_count": 240,
    "review_metadata": {"Person accuracy": "0.9", "Date accuracy": "1", "Organization accuracy": "0.85",
                        "Address accuracy": "0.25", "Vendor accuracy": "0.9"},
    "review_measurements": {"attribute_1_count": 0.5, "attribute_1_label": "Header"},
}

THROUGHPUT = {
    "workstream_id": "ws-0001",
    "use_case_id": "uc-0001",
    "task_definition_id": "td-0001",
    "worker_id": "w1@cf.com",
    "task_id": "t-1",
    "task_started_at": "2020-12-22T10:00:00Z",
    "task_completed_at": "2020-12-22T10:02:00Z",
}


@pytest.fixture
def quality_body():
    return copy.deepcopy(SEED_QUALITY)


@pytest.fixture
def throughput_body():
    return copy.deepcopy(THROUGHPUT)


@pytest.fixture
def records(mock):
    """Stored records of a kind (white-box check that what the API said happened did happen)."""
    return lambda kind: mock.world.store.table(f"cloudfactory_{kind}").all()
