"""Reads about payouts."""

from __future__ import annotations

from flattr_clone.progress import Progress
from payouts.batches.models import Payout


def latest_payout(*, user) -> Payout | None:
    """The creator's most recent payout, whatever its state."""
    return Payout.objects.filter(user=user).order_by("-created_at", "-pk").first()


def batch_progress(*, batch_id: int) -> Progress:
    """How far a payout batch is: payouts settled (paid, failed or reversed) of the total and
    the money paid; it has ended once none is still being sent. A batch with failed payouts
    counts as a failure (their money went back to earnings, for a later batch)."""
    from django.db.models import Count, Q, Sum

    from payouts.batches.models import PayoutBatch

    batch = PayoutBatch.objects.get(pk=batch_id)
    counts = batch.payouts.aggregate(
        total=Count("pk"),
        sending=Count("pk", filter=Q(status=Payout.Status.SENDING)),
        failed=Count("pk", filter=Q(status=Payout.Status.FAILED)),
        paid=Sum("amount_cents", filter=Q(status=Payout.Status.PAID)),
    )
    finished = batch.status == PayoutBatch.Status.DONE
    return Progress(
        done=counts["total"] - counts["sending"],
        total=counts["total"],
        unit="payouts",
        moved_cents=counts["paid"] or 0,
        finished=finished,
        failure=(
            f"{counts['failed']} payout{'' if counts['failed'] == 1 else 's'} failed"
            if finished and counts["failed"]
            else ""
        ),
    )
