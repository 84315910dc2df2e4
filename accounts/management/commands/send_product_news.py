"""``python manage.py send_product_news --subject "…" --file news.txt [--dry-run] [--json]``

Product news to every open account that chose it (Settings → E-mail choices, off by
default), each with its one-click unsubscribe link and the RFC 8058 headers. The text is
the operator's, sent as written (plain text); the unsubscribe line is added below it."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.emails import Kind, optional_email_headers, unsubscribe_url
from accounts.models import User


class Command(BaseCommand):
    help = "Send product news to the users who chose to get it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--subject", required=True)
        parser.add_argument("--file", required=True, help="plain text of the news (UTF-8)")
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, subject: str, file: str, dry_run: bool, **options) -> None:
        try:
            body = Path(file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        if not body or not subject.strip():
            raise CommandError("both a subject and a non-empty text are needed")
        recipients = User.objects.filter(
            news_emails=True, is_active=True, closed_at__isnull=True
        ).exclude(email="")
        sent = 0
        for user in recipients.iterator():
            if dry_run:
                sent += 1
                continue
            with translation.override(user.language or settings.LANGUAGE_CODE):
                footer = _("Unsubscribe from product news in one click: %(url)s") % {
                    "url": unsubscribe_url(user, Kind.NEWS)
                }
            EmailMessage(
                subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject.strip(),
                body=f"{body}\n\n--\n{footer}\n",
                to=[user.email],
                headers=optional_email_headers(user, Kind.NEWS),
            ).send()
            sent += 1
        result = {"recipients": sent, "status": "dry_run" if dry_run else "sent"}
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"{sent} recipient(s), {result['status']}")
