"""The data export (PRODUCT.md, "Leaving"): everything the platform holds about a user, as
one zip of JSON and CSV files (one pair per table), plus a README naming them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import zipfile

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Consent, DataExport, User
from payouts.batches.models import Payout
from payouts.funding.models import BudgetChange, TopUp
from payouts.ledger.models import Account, Transfer
from payouts.withdrawals.models import WithdrawalRefund
from tips.clicks.models import Click
from tips.payday.models import PaydayRecord
from tips.sites.models import Site
from tips.subscriptions.models import Subscription, SubscriptionMonth
from tips.things.models import Thing


def _rows(queryset, fields: list[str]) -> list[dict]:
    return [dict(zip(fields, row, strict=True)) for row in queryset.values_list(*fields)]


def export_tables(user: User) -> dict[str, list[dict]]:
    """Every table's rows about ``user``, by file name; amounts in cents."""
    accounts = Account.objects.filter(user=user)
    account_kinds = dict(accounts.values_list("pk", "kind"))
    ledger = []
    for row in (
        Transfer.objects.filter(Q(debit__in=accounts) | Q(credit__in=accounts))
        .order_by("created_at", "pk")
        .values("pk", "created_at", "kind", "amount_cents", "debit_id", "credit_id", "reference")
    ):
        mine = account_kinds.get(row["credit_id"]) or account_kinds.get(row["debit_id"])
        incoming = row["credit_id"] in account_kinds
        ledger.append(
            {
                "id": row["pk"],
                "time": row["created_at"],
                "account": mine,
                "kind": row["kind"],
                "amount_cents": row["amount_cents"] if incoming else -row["amount_cents"],
                "reference": row["reference"],
            }
        )
    return {
        "profile": [
            {
                "id": user.pk,
                "email": user.email,
                "handle": user.handle,
                "display_name": user.display_name,
                "language": user.language,
                "date_joined": user.date_joined,
                "monthly_emails": user.monthly_emails,
                "payout_emails": user.payout_emails,
                "news_emails": user.news_emails,
                "suspended_at": user.suspended_at,
                "suspension_reason": user.suspension_reason,
            }
        ],
        "consents": [
            {
                "document": c.document.kind,
                "version": c.document.version,
                "accepted_at": c.accepted_at,
            }
            for c in Consent.objects.filter(user=user).select_related("document")
        ],
        "things": _rows(
            Thing.objects.filter(owner=user).order_by("pk"),
            [
                "id",
                "url",
                "title",
                "description",
                "language",
                "tags",
                "hidden",
                "retired",
                "created_at",
            ],
        ),
        "sites": _rows(
            Site.objects.filter(owner=user).order_by("pk"),
            ["id", "host", "port", "path_prefix", "status", "method", "verified_at", "created_at"],
        ),
        "clicks_given": _rows(
            Click.objects.filter(reader=user).order_by("pk"),
            ["id", "month", "thing_id", "thing__url", "creator_id", "created_at", "revoked_at"],
        ),
        "clicks_received": _rows(
            Click.objects.filter(creator=user).order_by("pk"),
            ["id", "month", "thing_id", "thing__url", "created_at", "revoked_at"],
        ),
        "subscriptions": _rows(
            Subscription.objects.filter(reader=user).order_by("pk"),
            ["id", "thing_id", "thing__url", "status", "first_month", "last_month", "created_at"],
        ),
        "subscription_months": _rows(
            SubscriptionMonth.objects.filter(subscription__reader=user).order_by("pk"),
            ["id", "subscription_id", "month", "outcome", "refusal_message"],
        ),
        "budget_changes": _rows(
            BudgetChange.objects.filter(user=user).order_by("pk"),
            ["id", "amount_cents", "created_at"],
        ),
        "top_ups": _rows(
            TopUp.objects.filter(user=user).order_by("pk"),
            [
                "id",
                "amount_cents",
                "currency",
                "provider",
                "status",
                "refunded_cents",
                "created_at",
                "completed_at",
            ],
        ),
        "withdrawals": _rows(
            WithdrawalRefund.objects.filter(withdrawal__user=user).order_by("pk"),
            [
                "withdrawal_id",
                "withdrawal__created_at",
                "withdrawal__reason",
                "topup_id",
                "amount_cents",
                "status",
                "finished_at",
            ],
        ),
        "ledger": ledger,
        "payouts": _rows(
            Payout.objects.filter(user=user).order_by("pk"),
            ["id", "amount_cents", "currency", "status", "created_at", "paid_at"],
        ),
        "statements": _rows(
            PaydayRecord.objects.filter(reader=user).order_by("month"),
            [
                "month",
                "budget_cents",
                "wallet_cents",
                "given_cents",
                "commission_cents",
                "creators",
            ],
        ),
    }


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def build_zip(user: User) -> bytes:
    tables = export_tables(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            plain = [{k: _plain(v) for k, v in row.items()} for row in rows]
            archive.writestr(f"{name}.json", json.dumps(plain, indent=2, ensure_ascii=False))
            text = io.StringIO()
            if plain:
                writer = csv.DictWriter(text, fieldnames=list(plain[0]))
                writer.writeheader()
                writer.writerows(plain)
            archive.writestr(f"{name}.csv", text.getvalue())
        archive.writestr(
            "README.txt",
            f"{settings.SITE_NAME}: your data, {timezone.now():%Y-%m-%d %H:%M} UTC.\n"
            "One JSON and one CSV file per table; amounts are in cents of "
            f"{settings.PLATFORM_CURRENCY}.\n" + "\n".join(sorted(tables)) + "\n",
        )
    return buffer.getvalue()


def export_request(*, user: User) -> DataExport:
    """Write the export row; the task fills it and e-mails the link."""
    return DataExport.objects.create(
        user=user,
        token=secrets.token_urlsafe(32),
        expires_at=timezone.now() + dt.timedelta(hours=settings.EXPORT_LINK_HOURS),
    )


def export_build(*, export_id: int) -> DataExport | None:
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status == DataExport.Status.READY:
        return export
    data = build_zip(export.user)
    export.content = data
    export.size_bytes = len(data)
    export.status = DataExport.Status.READY
    export.save(update_fields=["content", "size_bytes", "status"])
    user = export.user
    context = {
        "url": settings.SITE_URL + reverse("export_download", args=[export.token]),
        "expires_at": export.expires_at,
        "SITE_NAME": settings.SITE_NAME,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("leaving/emails/export_subject.txt", context).strip()
        body = render_to_string("leaving/emails/export.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    return export
