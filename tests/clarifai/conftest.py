import httpx
import pytest

@pytest.fixture
def as_user(mock):
    """``as_user("labeler-1")``: an in-process client calling with that collaborator's PAT."""
    clients = []

    def make(user: str):
        pat = mock.world.workspace["clarifai"]["collaborator_pats"][user]
        client = mock.client("clarifai", headers={"Authorization": f"Key {pat}"})
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def live(live_server):
    """The live server's Clarifai URL, its state reset to the default workspace."""
    url = live_server.urls["clarifai"]
    assert httpx.post(f"{url}/_mock/reset").status_code == 200
    return url


@pytest.fixture
def mock():
    """The in-process stand-in in strict mode: every answer is also validated against openapi/clarifai.yaml."""
    from mockserver.world import Settings
    from mockserver.testing import InProcess, new_world

    return InProcess(new_world(settings=Settings(strict=True)))
