"""ModelArts team-labeling handlers (operationId -> snake_case): wire format <-> core.

Every route is under ``/v2/{project_id}``; the gate has already checked that the caller owns the
project.  Missing resources answer HTTP 400 with the resource's own code (see ``errors``).

One module per resource; routing resolves each operationId to a name in *this* package
(``ModuleResolver`` in ``mockserver.app``), so every handler is re-exported here.
"""
from __future__ import annotations

from .workforces import (create_workforce, list_workforces, show_workforce, update_workforce, delete_workforce,
                         create_worker, list_workers, list_all_workers, show_worker, update_worker, delete_worker,
                         batch_delete_workers)
from .datasets import (create_dataset, list_datasets, show_dataset, upload_samples, list_dataset_samples,
                       show_dataset_sample)
from .tasks import (create_workforce_task, list_workforce_tasks, desc_workforce_task, update_workforce_task,
                    start_workforce_task, delete_workforce_task)
from .samples import (list_workforce_task_samples, describe_workforce_task_sample, update_workforce_task_samples,
                      review_samples)
from .stats import list_workforce_task_stats, get_workforce_task_metrics, list_worker_tasks
from .notify import send_emails
from .acceptance import (start_workforce_sampling_task, get_workforce_sampling_task, accept_samples,
                         update_workforce_sampling_task)
from .media import get_sample_object

__all__ = [
    "create_workforce", "list_workforces", "show_workforce", "update_workforce", "delete_workforce",
    "create_worker", "list_workers", "list_all_workers", "show_worker", "update_worker", "delete_worker",
    "batch_delete_workers", "create_dataset", "list_datasets", "show_dataset", "upload_samples",
    "list_dataset_samples", "show_dataset_sample", "create_workforce_task", "list_workforce_tasks",
    "desc_workforce_task", "update_workforce_task", "start_workforce_task", "delete_workforce_task",
    "list_workforce_task_samples", "describe_workforce_task_sample", "update_workforce_task_samples",
    "review_samples", "list_workforce_task_stats", "get_workforce_task_metrics", "list_worker_tasks", "send_emails",
    "start_workforce_sampling_task", "get_workforce_sampling_task", "accept_samples",
    "update_workforce_sampling_task", "get_sample_object",
]
