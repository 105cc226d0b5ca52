"""Which of Clarifai's labeling RPCs the stand-in answers, over REST and over gRPC, read from the code that runs.

``LABELING_RPCS`` is the reference list: the 56 V2 RPCs a labeling integration touches (tasks, task work,
annotations, inputs, concepts, datasets and their versions, collaborators, label orders). Each must be a
method of clarifai-grpc's ``V2`` service. For each one:

- REST: a route in ``specgen.ROUTES`` serves it (the generated spec's operation) and the handler of that
  name exists in ``handlers``;
- gRPC: the servicer's method for it has a handler (``grpc_bridge.rpcs()``), i.e. it does not answer
  NOT_IMPLEMENTED.

``rpc_table(markdown=True)`` is README.md's table (a test keeps the two equal):
``python -m mockserver.vendors.clarifai.coverage`` prints it.
"""
from __future__ import annotations

from . import handlers
from .grpc_bridge import SERVICE, rpcs
from .specgen import OPERATION_IDS, ROUTES

LABELING_RPCS = (
    # tasks and task work
    "PostTasks", "GetTask", "ListTasks", "PatchTasks", "DeleteTasks", "GetTaskAnnotationCount", "GetTaskInputCount",
    "GetInputSamples", "ListNextTaskAssignments", "PutTaskAssignments",
    # annotations
    "PostAnnotations", "ListAnnotations", "GetAnnotation", "PatchAnnotations", "PatchAnnotationsStatus",
    "DeleteAnnotation", "DeleteAnnotations", "ListAnnotationWorkers", "PostAnnotationsSearches",
    # inputs
    "GetInput", "ListInputs", "PostInputs", "PatchInputs", "DeleteInput", "DeleteInputs", "PostInputsSearches",
    "GetInputCount",
    # concepts
    "GetConcept", "ListConcepts", "PostConcepts", "PatchConcepts", "GetConceptCounts", "PostConceptsSearches",
    # datasets, their inputs and versions
    "ListDatasets", "GetDataset", "PostDatasets", "PatchDatasets", "DeleteDatasets", "ListDatasetInputs",
    "GetDatasetInput", "PostDatasetInputs", "DeleteDatasetInputs", "ListDatasetVersions", "GetDatasetVersion",
    "PostDatasetVersions", "PatchDatasetVersions", "DeleteDatasetVersions",
    # collaborators
    "ListCollaborators", "PostCollaborators", "PatchCollaborators", "DeleteCollaborators",
    # label orders
    "PostLabelOrders", "GetLabelOrder", "ListLabelOrders", "PatchLabelOrders", "DeleteLabelOrders",
)


def _snake(name: str) -> str:
    from ...app import snake

    return snake(name)


def rest_served(rpc: str) -> bool:
    """A route of ``specgen.ROUTES`` serves ``rpc`` and its handler exists."""
    routes = [r for r in ROUTES if r[0] == rpc]
    return bool(routes) and all(callable(getattr(handlers, _snake(OPERATION_IDS.get((r[0], r[2]), r[0])), None))
                                for r in routes)


def grpc_served(rpc: str) -> bool:
    """The gRPC servicer answers ``rpc`` with a handler (not NOT_IMPLEMENTED)."""
    found = rpcs().get(rpc)
    return found is not None and found.handler is not None


def coverage() -> list[tuple[str, bool, bool]]:
    """``[(rpc, over REST, over gRPC)]`` for ``LABELING_RPCS``, in that order; an RPC clarifai-grpc's ``V2``
    does not have raises ``KeyError`` (the reference list is out of date)."""
    return [(SERVICE.methods_by_name[name].name, rest_served(name), grpc_served(name)) for name in LABELING_RPCS]


def rpc_table(markdown: bool = True) -> str:
    """The labeling RPCs and whether each is served over REST and gRPC; ``markdown``: as README.md has it."""
    rows = coverage()
    rest, grpc = sum(r[1] for r in rows), sum(r[2] for r in rows)
    if not markdown:
        return "\n".join(f"{n:<26} REST {'yes' if r else 'no ':<3}  gRPC {'yes' if g else 'no'}" for n, r, g in rows)
    lines = [f"| RPC ({len(rows)}) | REST ({rest}) | gRPC ({grpc}) |", "|---|---|---|"]
    for name, r, g in rows:
        lines.append(f"| {name} | {'yes' if r else 'no'} | {'yes' if g else 'no'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(rpc_table(markdown=True))
