"""Per-key rate limit: off by default, configurable, 429 with Retry-After on the virtual clock."""
import pytest

from mockserver.vendors.cloudfactory.workspace import DEFAULT as CF

QUALITY = "/v1/workstreams/ws-0001/task_reviewed"


def test_off_by_default(cloudfactory, quality_body):
    for _ in range(30):
        assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202


def test_limit_per_key_with_retry_after(cloudfactory, mock, quality_body):
    mock.world.clock.set(mode="manual", now=1_699_999_990)  # 10 s into a 60 s window
    mock.world.settings.extra["cloudfactory_rate_limit"] = {"requests": 2, "per_seconds": 60}
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202
    assert cloudfactory.get("/v1/tasks/nope").status_code == 404  # every keyed call counts
    r = cloudfactory.post(QUALITY, json=quality_body)
    assert r.status_code == 429
    assert r.json() == {"message": "Too Many Requests"}
    assert r.headers["Retry-After"] == "50"
    with mock.client("cloudfactory", headers={"x-api-key": "other-cloudfactory-key"}) as other:
        assert other.get("/v1/webhook_deliveries").status_code == 200  # its own budget
    mock.world.clock.advance(50)
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202


def test_bad_config_means_off(cloudfactory, mock, quality_body):
    mock.world.settings.extra["cloudfactory_rate_limit"] = {"requests": 0, "per_seconds": 60}
    for _ in range(5):
        assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202


def _world(**section):
    from mockserver.testing import InProcess, new_world
    from mockserver.workspace import default_workspace

    ws = default_workspace()
    ws["cloudfactory"].update(section)
    return InProcess(new_world(ws))


def test_limit_from_the_workspace_section_applies_to_each_workstream(quality_body):
    """What a scenario file's ``workspace: {cloudfactory: {rate_limit: ...}}`` sets, without Python."""
    mock = _world(rate_limit={"requests": 1, "per_seconds": 60})
    mock.world.clock.set(mode="manual", now=1_700_000_000)  # a window's start
    with mock.client("cloudfactory", headers={"x-api-key": "mock-cloudfactory-key"}) as c:
        assert c.post(QUALITY, json=quality_body).status_code == 202
        r = c.post(QUALITY, json=quality_body)
        assert r.status_code == 429 and r.headers["Retry-After"] == "40"
        assert not any(h.lower().startswith("x-ratelimit") for h in r.headers)  # no page shows them
    with mock.client("cloudfactory", headers={"x-api-key": "other-cloudfactory-key"}) as other:
        assert other.get("/v1/webhook_deliveries").status_code == 200
        assert other.get("/v1/webhook_deliveries").status_code == 429  # ws-0002 inherits the section's


def test_a_workstream_s_own_limit_wins_and_zero_turns_a_server_limit_off(quality_body):
    mock = _world(other_workstreams=[{**CF["other_workstreams"][0], "rate_limit": {"requests": 0, "per_seconds": 0}}])
    mock.world.settings.extra["cloudfactory_rate_limit"] = {"requests": 1, "per_seconds": 60}  # the server's
    with mock.client("cloudfactory", headers={"x-api-key": "mock-cloudfactory-key"}) as c:
        assert c.post(QUALITY, json=quality_body).status_code == 202
        assert c.post(QUALITY, json=quality_body).status_code == 429
    with mock.client("cloudfactory", headers={"x-api-key": "other-cloudfactory-key"}) as other:
        for _ in range(5):
            assert other.get("/v1/webhook_deliveries").status_code == 200


def test_configure_at_run_time_and_bad_limits_are_refused(mock, cloudfactory, quality_body):
    from mockserver.vendors.cloudfactory import ratelimit

    mock.world.clock.set(mode="manual", now=1_700_000_000)
    assert ratelimit.configure(mock.world, "ws-0001", {"requests": 1, "per_seconds": 10}) == \
        {"requests": 1, "per_seconds": 10.0}
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 429
    assert ratelimit.configure(mock.world, "ws-0001", None) is None  # back to the server's (off)
    assert cloudfactory.post(QUALITY, json=quality_body).status_code == 202
    for bad in ({"requests": -1, "per_seconds": 1}, {"requests": 1.5, "per_seconds": 1}, {"per": 1}, "10/s"):
        with pytest.raises(ValueError, match="rate_limit"):
            ratelimit.configure(mock.world, "ws-0001", bad)
    with pytest.raises(ValueError, match="no cloudfactory workstream"):
        ratelimit.configure(mock.world, "ws-9", None)
    with pytest.raises(ValueError, match="rate_limit"):
        _world(rate_limit={"requests": "many"})


@pytest.mark.parametrize("text,expected", [("100/60", {"requests": 100, "per_seconds": 60.0}),
                                           ("5 / 1.5s", {"requests": 5, "per_seconds": 1.5}),
                                           ("off", {"requests": 0, "per_seconds": 0.0})])
def test_the_command_line_form(text, expected):
    from mockserver.vendors.cloudfactory.ratelimit import parse_option

    assert parse_option(text) == expected
    with pytest.raises(ValueError, match="REQUESTS/SECONDS"):
        parse_option("fast")


def test_limit_set_through_the_control_api_by_loading_a_scenario(cloudfactory):
    """No Python: POST /_mock/scenario with a workspace section sets it; a bad one is refused, naming it."""
    loaded = cloudfactory.post("/_mock/scenario", json={
        "name": "limited", "workspace": {"cloudfactory": {"rate_limit": {"requests": 1, "per_seconds": 3600}}}})
    assert loaded.status_code == 200, loaded.text
    assert [cloudfactory.get("/v1/webhook_deliveries").status_code for _ in range(2)] == [200, 429]
    refused = cloudfactory.post("/_mock/scenario", json={
        "name": "bad", "workspace": {"cloudfactory": {"rate_limit": {"requests": "many"}}}})
    assert refused.status_code == 422 and "rate_limit.requests" in refused.json()["error"]
