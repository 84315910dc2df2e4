"""PostgreSQL refuses UPDATE and DELETE on ledger transfers and budget changes.

Both are history: a ledger mistake is corrected by a new transfer (PRODUCT.md,
Money) and payday reads the budget in effect at the end of a month. On SQLite,
the embedded demo, the rule is kept by the code alone. TRUNCATE stays allowed
(it fires no row trigger), which test databases use to empty tables.
"""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION payouts_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payouts_transfer_append_only
    BEFORE UPDATE OR DELETE ON payouts_transfer
    FOR EACH ROW EXECUTE FUNCTION payouts_append_only();
CREATE TRIGGER payouts_budgetchange_append_only
    BEFORE UPDATE OR DELETE ON payouts_budgetchange
    FOR EACH ROW EXECUTE FUNCTION payouts_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS payouts_budgetchange_append_only ON payouts_budgetchange;
DROP TRIGGER IF EXISTS payouts_transfer_append_only ON payouts_transfer;
DROP FUNCTION IF EXISTS payouts_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID, params=None)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW, params=None)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial")]

    operations = [migrations.RunPython(forbid, allow)]
