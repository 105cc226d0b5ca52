"""One seeding clock: what the default workspace seeds carries the same time in every vendor and in the core."""
from datetime import datetime

from mockserver.workspace import SEEDED_AT


def test_every_vendor_and_the_core_seed_at_one_time(mock, clarifai, modelarts):
    project = mock.world.workspace["modelarts"]["project_id"]
    dataset = mock.world.workspace["modelarts"]["dataset"]["dataset_id"]
    clarifai_input = clarifai.get("/v2/users/mock-user/apps/mock-app/inputs", params={"per_page": 1}).json()["inputs"][0]
    tasks = modelarts.get(f"/v2/{project}/datasets/{dataset}/workforce-tasks").json()["tasks"]
    workforces = modelarts.get(f"/v2/{project}/workforces").json()["workforces"]
    state = clarifai.get("/_mock/state").json()
    times = {
        "clarifai input": datetime.fromisoformat(clarifai_input["created_at"].replace("Z", "+00:00")).timestamp(),
        "modelarts task": tasks[0]["create_time"] / 1000,
        "modelarts workforce": workforces[0]["create_time"] / 1000,
        "core task": state["core_tasks"][0]["created_at"],
        "core item": state["core_items"][0]["created_at"],
    }
    assert set(times.values()) == {SEEDED_AT}, times
