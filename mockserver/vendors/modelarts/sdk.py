"""ModelArts team labeling through Huawei's own SDK core, with a typed answer per operation.

``huaweicloudsdkmodelarts`` has no team-labeling operation, so a client calls the documented routes
with ``huaweicloudsdkcore``'s ``Client.do_http_request`` (which signs with AK/SK, sends, and raises
``ClientRequestException`` on an error answer).  This module does that for you, against the stand-in
or the real service alike (``pip install huaweicloudsdkcore``)::

    from mockserver.vendors.modelarts.sdk import client, do_http_request

    c = client("http://127.0.0.1:8702", ak="MOCKAK0000000000000",
               sk="MOCKSK0000000000000000000000000000000000", project_id="0123456789abcdef0123456789abcdef")
    page = do_http_request(c, "ListWorkforceTaskSamples", dataset_id="WxCREuCkBSAlQr9xrde",
                           workforce_task_id="iYZx7gScPUozOXner9k", query={"limit": 10})
    for sample in page.samples:                      # DescribeSampleResp objects
        print(sample.sample_id, sample.sample_status, [label.name for label in sample.labels])

* ``client(endpoint, ak, sk, project_id)``: a ``huaweicloudsdkcore`` client whose model package is this
  module (so answers deserialise into the classes below).  The endpoint needs its scheme; the SDK
  drops any path in it.
* ``do_http_request(client, operation, body=None, query=None, **path_params)``: the operation by its
  documented name (``OPERATIONS``: method and path), ``{project_id}`` filled from the credentials, the
  other path parameters by name; ``query`` a dict or pairs (``True`` is sent as ``true``).  Returns the
  operation's ``<Operation>Response``: documented fields as attributes (``None`` when absent),
  ``to_dict()`` for the wire form, ``status_code`` and ``raw_content`` as every SDK answer has.
* ``RawResponse``: pass it as ``response_type`` to ``Client.do_http_request`` to keep the JSON text.

The answer classes are in ``sdk_models``.
"""
from __future__ import annotations

import re
from typing import Any

try:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.client import Client, ClientBuilder
except ImportError as exc:  # pragma: no cover - the stand-in itself never needs it
    raise ImportError("mockserver.vendors.modelarts.sdk needs Huawei's SDK core: pip install huaweicloudsdkcore") from exc

from . import sdk_models
from .sdk_models import RawResponse, Response

__all__ = ["client", "do_http_request", "RawResponse", "OPERATIONS", "TeamLabelingClient"]


# ------------------------------------------------------------------------------------- operations

_T = "/v2/{project_id}/datasets/{dataset_id}/workforce-tasks"
_W = "/v2/{project_id}/workforces"
OPERATIONS: dict[str, tuple[str, str]] = {
    "CreateWorkforce": ("POST", _W),
    "ListWorkforces": ("GET", _W),
    "ShowWorkforce": ("GET", _W + "/{workforce_id}"),
    "UpdateWorkforce": ("PUT", _W + "/{workforce_id}"),
    "DeleteWorkforce": ("DELETE", _W + "/{workforce_id}"),
    "CreateWorker": ("POST", _W + "/{workforce_id}/workers"),
    "ListWorkers": ("GET", _W + "/{workforce_id}/workers"),
    "ListAllWorkers": ("GET", _W + "/workers"),
    "ShowWorker": ("GET", _W + "/{workforce_id}/workers/{worker_id}"),
    "UpdateWorker": ("PUT", _W + "/{workforce_id}/workers/{worker_id}"),
    "DeleteWorker": ("DELETE", _W + "/{workforce_id}/workers/{worker_id}"),
    "BatchDeleteWorkers": ("POST", _W + "/{workforce_id}/workers/batch-delete"),
    "ListWorkerTasks": ("GET", _W + "/worker-tasks"),
    "CreateWorkforceTask": ("POST", _T),
    "ListWorkforceTasks": ("GET", _T),
    "DescWorkforceTask": ("GET", _T + "/{workforce_task_id}"),
    "UpdateWorkforceTask": ("PUT", _T + "/{workforce_task_id}"),
    "StartWorkforceTask": ("POST", _T + "/{workforce_task_id}"),
    "DeleteWorkforceTask": ("DELETE", _T + "/{workforce_task_id}"),
    "StartWorkforceSamplingTask": ("POST", _T + "/{workforce_task_id}/acceptance"),
    "GetWorkforceSamplingTask": ("GET", _T + "/{workforce_task_id}/acceptance/report"),
    "AcceptSamples": ("POST", _T + "/{workforce_task_id}/acceptance/batch-comment"),
    "UpdateWorkforceSamplingTask": ("PUT", _T + "/{workforce_task_id}/acceptance/status"),
    "ListWorkforceTaskSamples": ("GET", _T + "/{workforce_task_id}/data-annotations/samples"),
    "UpdateWorkforceTaskSamples": ("PUT", _T + "/{workforce_task_id}/data-annotations/samples"),
    "DescribeWorkforceTaskSample": ("GET", _T + "/{workforce_task_id}/data-annotations/samples/{sample_id}"),
    "ReviewSamples": ("POST", _T + "/{workforce_task_id}/data-annotations/review"),
    "ListWorkforceTaskStats": ("GET", _T + "/{workforce_task_id}/data-annotations/stats"),
    "GetWorkforceTaskMetrics": ("GET", _T + "/{workforce_task_id}/metrics"),
    "SendEmails": ("POST", _T + "/{workforce_task_id}/notify"),
}


class TeamLabelingClient(Client):
    """huaweicloudsdkcore's client, deserialising answers into the classes of ``sdk_models``."""

    def __init__(self):
        super().__init__()
        self.model_package = sdk_models


def client(endpoint: str, ak: str, sk: str, project_id: str) -> TeamLabelingClient:
    """A signing (AK/SK) client for ``endpoint`` (``http://host:port``; the SDK drops any path)."""
    return (ClientBuilder(TeamLabelingClient).with_endpoints([endpoint])
            .with_credentials(BasicCredentials(ak, sk, project_id)).build())


def _query(query) -> list[tuple[str, Any]]:
    pairs = list(query.items()) if isinstance(query, dict) else list(query or [])
    return [(k, ("true" if v else "false") if isinstance(v, bool) else v) for k, v in pairs if v is not None]


def do_http_request(sdk_client: Client, operation: str, body: Any = None, query=None, headers: dict | None = None,
                    **path_params: str) -> Response:
    """Call ``operation`` (a name of ``OPERATIONS``) and return its typed answer (``<operation>Response``).
    An error answer raises huaweicloudsdkcore's ``ClientRequestException`` (``status_code``,
    ``error_code``, ``error_msg``, ``request_id``)."""
    try:
        method, path = OPERATIONS[operation]
    except KeyError:
        raise ValueError(f"unknown operation {operation!r}; known: {', '.join(OPERATIONS)}") from None
    wanted = set(re.findall(r"\{(\w+)\}", path)) - {"project_id"}
    missing = wanted - set(path_params)
    if missing:
        raise TypeError(f"{operation} needs the path parameter(s) {', '.join(sorted(missing))}")
    response_type = getattr(sdk_models, f"{operation}Response")
    return sdk_client.do_http_request(method, path, path_params=path_params, query_params=_query(query),
                                      header_params={"Content-Type": "application/json", **(headers or {})},
                                      body=body, response_type=response_type)
