"""CloudFactory handlers (operationId -> snake_case): wire format in and out, nothing more.

One module per resource: performance (Throughput and Quality records), uploads (Secure Upload),
reports, media and tasks (Oversight), webhooks (delivery log).  The work is done by the adapter's
domain modules (``..performance``, ``..oversight``...); errors are CloudFactory's envelope (``..errors``).

Routing resolves each operationId to a name in *this* package (``ModuleResolver`` in
``mockserver.app``), so every handler is re-exported here.
"""
from __future__ import annotations

from .performance import task_completed, task_reviewed
from .uploads import post_upload_url, put_csv_upload, get_upload
from .reports import get_reports
from .media import post_media, put_media_upload
from .tasks import post_tasks, get_task
from .webhooks import get_webhook_deliveries

__all__ = [
    "task_completed", "task_reviewed", "post_upload_url", "put_csv_upload", "get_upload", "get_reports",
    "post_media", "put_media_upload", "post_tasks", "get_task", "get_webhook_deliveries",
]
