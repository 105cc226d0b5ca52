from mockserver.vendors.clarifai import specgen


def test_committed_spec_is_the_generators_output():
    assert specgen.SPEC_PATH.read_text() == specgen.render(), "run python -m mockserver.vendors.clarifai.specgen"


def test_every_call_has_a_scoped_twin_with_a_unique_operation_id():
    spec = specgen.build()
    ops = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ops) == len(set(ops))
    assert "PostTasksScoped" in ops and "PostTasks" in ops and "PutTaskAssignments" in ops
    assert "/v2/users/{user_id}/apps/{app_id}/task/{task_id}/annotations/status" in spec["paths"]
