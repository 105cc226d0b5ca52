import pytest

from mockserver.testing import InProcess, ServerProcess


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run long tests too")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="long run: give --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def mock():
    """A fresh in-process stand-in (default workspace) for one test."""
    return InProcess()


@pytest.fixture
def clarifai(mock):
    ws = mock.world.workspace["clarifai"]
    with mock.client("clarifai", headers={"Authorization": f"Key {ws['key']}"}) as c:
        yield c


@pytest.fixture
def cloudfactory(mock):
    ws = mock.world.workspace["cloudfactory"]
    with mock.client("cloudfactory", headers={"x-api-key": ws["api_key"]}) as c:
        yield c


@pytest.fixture
def modelarts(mock):
    """ModelArts client authenticated with the workspace's IAM token (signing is tested separately)."""
    ws = mock.world.workspace["modelarts"]
    with mock.client("modelarts", headers={"X-Auth-Token": ws["token"]}) as c:
        yield c


@pytest.fixture(scope="session")
def live_server():
    """The real command line on free ports, shared by the tests that need sockets."""
    with ServerProcess() as server:
        yield server
