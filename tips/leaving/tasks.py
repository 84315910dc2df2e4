"""Leaving's tasks: build a data export, finish closings that waited for payday, delete
expired exports."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.models import DataExport
from tips.leaving.export import export_build
from tips.leaving.services import finish_waiting_closings as _finish_waiting_closings


@shared_task(name="tips.leaving.tasks.build_export", acks_late=True)
def build_export(export_id: int) -> str:
    export = export_build(export_id=export_id)
    return export.status if export else "gone"


@shared_task(name="tips.leaving.tasks.finish_waiting_closings")
def finish_waiting_closings() -> int:
    return _finish_waiting_closings()


@shared_task(name="tips.leaving.tasks.delete_expired_exports")
def delete_expired_exports() -> int:
    deleted, _ = DataExport.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
