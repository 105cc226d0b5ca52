"""README's table of the labeling RPCs is the one the code computes (``coverage.rpc_table``), and that table
says what runs: each RPC it marks served answers over REST and gRPC, each it marks not served answers
NOT_IMPLEMENTED / has no route."""
import re
from pathlib import Path

from clarifai_grpc.grpc.api import service_pb2

from mockserver.vendors.clarifai import coverage, grpc_bridge, specgen

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
REFERENCE = Path("/work/shared/reference/clarifai-labeling-rpcs.md")


def test_readme_table_is_the_code_s_own():
    table = coverage.rpc_table(markdown=True)
    assert table in README, "README.md's RPC table differs: paste `python -m mockserver.vendors.clarifai.coverage`"


def test_the_list_is_56_v2_rpcs():
    names = coverage.LABELING_RPCS
    assert len(names) == 56 == len(set(names))
    service = service_pb2.DESCRIPTOR.services_by_name["V2"]
    assert all(n in service.methods_by_name for n in names)
    if REFERENCE.exists():  # the reference notes, where the checkout has them
        listed = re.findall(r"^\| (\w+) \| \w+Request \|", REFERENCE.read_text(), flags=re.M)
        assert listed == list(names)


def test_table_says_what_runs():
    rpcs = grpc_bridge.rpcs()
    routed = {r[0] for r in specgen.ROUTES}
    for name, rest, grpc in coverage.coverage():
        assert rest == (name in routed)
        assert grpc == (rpcs[name].handler is not None)
    # A streaming or unknown RPC is never counted as served.
    assert not coverage.grpc_served("StreamInputs") and not coverage.rest_served("StreamInputs")


def test_a_missing_route_shows_in_the_table(monkeypatch):
    """The table would change (and README's test fail) if a route went away."""
    before = coverage.rpc_table()
    monkeypatch.setattr(coverage, "ROUTES", [r for r in specgen.ROUTES if r[0] != "GetInputSamples"])
    after = coverage.rpc_table()
    assert after != before and "| GetInputSamples | no | yes |" in after and "REST (55)" in after
