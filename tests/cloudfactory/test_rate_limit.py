"""Per-key rate limit: off by default, configurable, 429 with Retry-After on the virtual clock."""

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
