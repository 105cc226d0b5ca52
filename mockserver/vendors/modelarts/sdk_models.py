"""The typed answers of ``sdk``: one ``<Operation>Response`` per team-labeling operation and the documented
objects inside them, deserialised by huaweicloudsdkcore (this module is the client's model package).

Fields named ``@modelarts:...`` on the wire are attributes without the prefix (``metadata.size`` is
``@modelarts:size``).  Numbers the documentation types as free objects are plain ``int`` / ``float``.
"""
from __future__ import annotations

import decimal
import re
from typing import Any, ClassVar

try:
    from huaweicloudsdkcore.sdk_response import SdkResponse
except ImportError as exc:  # pragma: no cover - the stand-in itself never needs it
    raise ImportError("mockserver.vendors.modelarts.sdk needs Huawei's SDK core: pip install huaweicloudsdkcore") from exc


def _sdk_type(annotation: str) -> str:
    """``list[Worker] | None`` -> ``list[Worker]``; ``dict[str, int]`` -> ``dict(str, int)``; ``Any`` ->
    ``object``: the type strings huaweicloudsdkcore's deserialiser reads."""
    text = annotation.replace(" | None", "").replace("Optional[", "").strip()
    m = re.fullmatch(r"list\[(.+)\]", text)
    if m:
        return f"list[{_sdk_type(m.group(1))}]"
    m = re.fullmatch(r"dict\[str, (.+)\]", text)
    if m:
        return f"dict(str, {_sdk_type(m.group(1))})"
    return {"Any": "object", "dict": "object", "list": "list[object]"}.get(text, text)


def _plain(value):
    """JSON as Python: the SDK parses numbers as Decimal; free objects get int / float back."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Model:
    """A documented object: annotated fields, filled by keyword, ``None`` when absent."""

    openapi_types: ClassVar[dict[str, str]] = {}
    attribute_map: ClassVar[dict[str, str]] = {}
    _wire_names: ClassVar[dict[str, str]] = {}  # attribute -> wire name when they differ

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        types, names = {}, {}
        for klass in reversed(cls.__mro__):
            for name, annotation in vars(klass).get("__annotations__", {}).items():
                if name.startswith("_") or "ClassVar" in str(annotation):
                    continue
                types[name] = _sdk_type(str(annotation))
            names.update(vars(klass).get("_wire_names", {}))
        cls.openapi_types = types
        cls.attribute_map = {name: names.get(name, name) for name in types}

    def __init__(self, **kwargs):
        for name, kind in self.openapi_types.items():
            value = kwargs.get(name)
            setattr(self, name, _plain(value) if "object" in kind else value)

    def to_dict(self) -> dict:
        """The wire form (wire names, absent fields left out)."""
        def out(value):
            if isinstance(value, Model):
                return value.to_dict()
            if isinstance(value, list):
                return [out(v) for v in value]
            if isinstance(value, dict):
                return {k: out(v) for k, v in value.items()}
            return value
        return {self.attribute_map[n]: out(getattr(self, n)) for n in self.openapi_types if getattr(self, n) is not None}

    def __eq__(self, other):
        return type(other) is type(self) and other.to_dict() == self.to_dict()

    def __repr__(self):
        return f"{type(self).__name__}({self.to_dict()!r})"


class Response(Model, SdkResponse):
    """An operation's answer: its documented fields plus ``status_code`` and ``raw_content``."""

    def __init__(self, **kwargs):
        SdkResponse.__init__(self)
        Model.__init__(self, **kwargs)


class RawResponse(SdkResponse):
    """Keeps the answer as JSON text (``raw_content``): pass it as ``response_type``."""

    openapi_types: ClassVar[dict] = {}
    attribute_map: ClassVar[dict] = {}


class Worker(Model):
    email: str | None
    worker_id: str | None
    workforce_id: str | None
    status: int | None
    role: int | None
    description: str | None
    create_time: int | None
    update_time: int | None


class Workforce(Model):
    workforce_id: str | None
    workforce_name: str | None
    description: str | None
    worker_count: int | None
    workspace_id: str | None
    create_time: int | None
    update_time: int | None


class BatchResponse(Model):
    success: bool | None
    error_code: str | None
    error_msg: str | None


class SampleStats(Model):
    total_sample_count: int | None
    unannotated_sample_count: int | None
    unreviewed_sample_count: int | None
    uncheck_sample_count: int | None
    sampled_sample_count: int | None
    rejected_sample_count: int | None
    accepted_sample_count: int | None
    auto_annotation_sample_count: int | None
    deleted_sample_count: int | None


class WorkerTask(Model):
    email: str | None
    worker_id: str | None
    role: int | None
    task_id: str | None
    workforce_task_name: str | None
    dataset_id: str | None
    dataset_type: int | None
    task_status: int | None
    sample_stats: SampleStats | None
    pass_rate: float | None
    score: float | None
    email_status: int | None
    last_notify_time: int | None
    create_time: int | None
    update_time: int | None


class WorkforceStats(Model):
    workforce_count: int | None
    labeler_count: int | None
    reviewer_count: int | None


class LabelStats(Model):
    name: str | None
    type: int | None
    property: dict | None
    attributes: list[Any] | None
    count: int | None
    sample_count: int | None


class CheckTaskStats(Model):
    task_id: str | None
    sampling_rate: float | None
    sampling_num: int | None
    total_sample_count: int | None
    sampled_sample_count: int | None
    checked_sample_count: int | None
    unchecked_sample_count: int | None
    accepted_sample_count: int | None
    rejected_sample_count: int | None
    pass_rate: float | None
    score: str | None
    total_score: int | None


class WorkforceSamplingTaskDesc(Model):
    checking_task_id: str | None
    action: int | None
    overwrite_last_result: bool | None
    checking_stats: CheckTaskStats | None
    total_stats: CheckTaskStats | None


class WorkforceConfig(Model):
    workforce_id: str | None
    workforce_name: str | None
    workers: list[Worker] | None


class WorkforcesConfig(Model):
    agency: str | None
    workforces: list[WorkforceConfig] | None


class WorkforceTask(Model):
    task_id: str | None
    task_name: str | None
    description: str | None
    dataset_id: str | None
    version_id: str | None
    status: int | None
    repetition: int | None
    create_time: int | None
    update_time: int | None
    workforces_config: WorkforcesConfig | None
    synchronize_data: bool | None
    synchronize_auto_labeling_data: bool | None
    auto_sync_dataset: bool | None
    sample_search_conditions: list[Any] | None
    check_rate: float | None
    pass_rate: float | None
    score: float | None
    checking_task_desc: WorkforceSamplingTaskDesc | None
    sample_stats: SampleStats | None
    label_stats: list[LabelStats] | None
    workforce_stats: WorkforceStats | None


class SampleLabel(Model):
    id: str | None
    name: str | None
    type: int | None
    property: dict | None
    score: float | None
    annotated_by: str | None


class SampleMetadata(Model):
    _wire_names: ClassVar[dict[str, str]] = {
        "import_origin": "@modelarts:import_origin", "size": "@modelarts:size", "hard": "@modelarts:hard",
        "hard_coefficient": "@modelarts:hard_coefficient", "hard_reasons": "@modelarts:hard_reasons"}
    import_origin: int | None
    size: list[int] | None
    hard: float | None
    hard_coefficient: float | None
    hard_reasons: list[int] | None


class DescribeSampleResp(Model):
    sample_id: str | None
    sample_type: int | None
    sample_name: str | None
    sample_dir: str | None
    source: str | None
    sample_size: int | None
    sample_time: int | None
    metadata: SampleMetadata | None
    sample_status: str | None
    labels: list[SampleLabel] | None
    labelers: list[Worker] | None
    worker_id: str | None
    review_accept: bool | None
    review_comment: str | None
    review_score: str | None
    check_accept: bool | None
    check_comment: str | None
    check_score: str | None
    score: str | None


# ------------------------------------------------------------------------------- one per operation

class CreateWorkforceResponse(Response):
    workforce_id: str | None


class ListWorkforcesResponse(Response):
    total_number: int | None
    workforces: list[Workforce] | None


class ShowWorkforceResponse(Workforce, Response):
    pass


class UpdateWorkforceResponse(Response):
    pass


class DeleteWorkforceResponse(Response):
    pass


class CreateWorkerResponse(Response):
    pass


class ListWorkersResponse(Response):
    total_number: int | None
    workers: list[Worker] | None


class ListAllWorkersResponse(ListWorkersResponse):
    pass


class ShowWorkerResponse(Worker, Response):
    pass


class UpdateWorkerResponse(Response):
    pass


class DeleteWorkerResponse(Response):
    pass


class BatchDeleteWorkersResponse(Response):
    success: bool | None
    error_code: str | None
    error_msg: str | None
    results: list[BatchResponse] | None


class ListWorkerTasksResponse(Response):
    count: int | None
    worker_tasks: list[WorkerTask] | None


class CreateWorkforceTaskResponse(Response):
    task_id: str | None


class ListWorkforceTasksResponse(Response):
    count: int | None
    tasks: list[WorkforceTask] | None


class DescWorkforceTaskResponse(WorkforceTask, Response):
    worker_stats: list[WorkerTask] | None


class UpdateWorkforceTaskResponse(Response):
    pass


class StartWorkforceTaskResponse(Response):
    pass


class DeleteWorkforceTaskResponse(Response):
    pass


class StartWorkforceSamplingTaskResponse(Response):
    task_id: str | None


class GetWorkforceSamplingTaskResponse(Response):
    checking_stats: CheckTaskStats | None
    total_stats: CheckTaskStats | None


class AcceptSamplesResponse(Response):
    pass


class UpdateWorkforceSamplingTaskResponse(Response):
    sample_count: int | None
    samples: list[DescribeSampleResp] | None


class ListWorkforceTaskSamplesResponse(Response):
    sample_count: int | None
    samples: list[DescribeSampleResp] | None


class DescribeWorkforceTaskSampleResponse(DescribeSampleResp, Response):
    pass


class UpdateWorkforceTaskSamplesResponse(BatchDeleteWorkersResponse):
    pass


class ReviewSamplesResponse(Response):
    pass


class ListWorkforceTaskStatsResponse(Response):
    sample_stats: dict[str, int] | None
    label_stats: list[LabelStats] | None
    grouped_label_stats: dict[str, list[LabelStats]] | None
    key_sample_stats: dict[str, int] | None
    metadata_stats: dict | None
    hard_detail_stats: dict | None
    data_spliting_enable: bool | None
    data_path: str | None


class GetWorkforceTaskMetricsResponse(Response):
    sample_stats: dict[str, dict[str, int]] | None


class SendEmailsResponse(BatchDeleteWorkersResponse):
    pass
