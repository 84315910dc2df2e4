"""Issue 19: the transfer table keeps only the indexes a query uses, and a BRIN on its time.

Non-atomic: on PostgreSQL every index is dropped and created CONCURRENTLY, so the ledger
keeps taking payments while this runs on millions of rows, and no table is rewritten (the
uniqueness of idempotency keys moves from the field to a constraint of the very same name
in Django's state only: the database's constraint stays as it is). On SQLite, the ordinary
operations.
"""

from django.db import migrations, models

import django.utils.timezone

import flattr_clone.db


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("payouts", "0006_top_up_expiry"),
    ]

    operations = [
        flattr_clone.db.AddIndexConcurrentlyIfPostgres(
            model_name="transfer",
            index=flattr_clone.db.TimeOrderedIndex(
                fields=["created_at"], name="ledger_transfer_time_brin"
            ),
        ),
        flattr_clone.db.DropFieldIndexesConcurrently(
            model_name="transfer",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                verbose_name="time",
            ),
        ),
        flattr_clone.db.DropFieldIndexesConcurrently(
            model_name="transfer",
            name="reference",
            field=models.CharField(blank=True, max_length=200, verbose_name="reference"),
        ),
        flattr_clone.db.DropFieldIndexesConcurrently(
            model_name="transfer",
            name="debit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="debits",
                to="payouts.account",
                verbose_name="debit account",
            ),
        ),
        flattr_clone.db.DropFieldIndexesConcurrently(
            model_name="transfer",
            name="credit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="credits",
                to="payouts.account",
                verbose_name="credit account",
            ),
        ),
        flattr_clone.db.DropFieldIndexesConcurrently(
            model_name="transfer",
            name="idempotency_key",
            field=models.CharField(max_length=200, verbose_name="idempotency key"),
            keep_elsewhere=True,
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="transfer",
                    constraint=models.UniqueConstraint(
                        fields=("idempotency_key",), name="payouts_transfer_idempotency_key_key"
                    ),
                ),
            ],
        ),
    ]
