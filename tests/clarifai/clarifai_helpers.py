"""Shared values of the Clarifai tests (imported by name: pytest puts this folder on sys.path)."""
KEY = "mock-clarifai-key"
SCOPED = "/v2/users/mock-user/apps/mock-app"


def seed_task(**over):
    """The seed guide's non-assigned task, with overrides."""
    task = {"type": "CONCEPTS_CLASSIFICATION", "name": "Annotate cat", "worker": {"strategy": "FULL"},
            "concept_ids": ["cat"], "input_source": {"type": "ALL_INPUTS"}, "sample_ms": 1000,
            "review": {"strategy": "NONE"}}
    task.update(over)
    return task
