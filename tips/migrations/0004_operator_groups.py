"""The operators' groups, "support" and "operator" (README, "Operator groups").

Staff get what their group allows and nothing else; superusers keep everything. The
groups span the three apps, so they live in ``tips``, the one app whose migrations may
depend on all of them. Written once here and frozen, as a migration must be: a later
change of a set is a new migration.

Permissions are normally created after ``migrate`` (``post_migrate``); the ones named
here are created first, from the models as these migrations left them. Running this
again adds what is missing and removes nothing, so a group an admin has edited keeps
its extra permissions; going back leaves the groups (and who is in them) in place.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPPORT = {
    "accounts": ["view_user", "suspend_user"],
    "tips": ["view_thing", "view_click"],
    "payouts": ["view_payout", "view_payoutbatch", "view_paymentaccount", "view_topup"],
}

# Everything support has, plus the money: payday, payouts, the ledger and its check.
OPERATOR = {
    "accounts": SUPPORT["accounts"],
    "tips": [
        *SUPPORT["tips"],
        "view_operations_dashboard",
        "view_paydayrun",
        "view_paydayrecord",
        "run_payday",
        "view_monthlyemail",
    ],
    "payouts": [
        *SUPPORT["payouts"],
        "retry_payout",
        "clear_payout_flag",
        "view_account",
        "view_transfer",
        "view_ledgercheck",
        "run_ledger_check",
        "view_budgetchange",
        "view_providerevent",
    ],
}


def create_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    for label in ("accounts", "payouts", "tips"):
        create_permissions(global_apps.get_app_config(label), apps=apps, using=using, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames_by_app in (("support", SUPPORT), ("operator", OPERATOR)):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        for app_label, codenames in codenames_by_app.items():
            permissions = Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            assert permissions.count() == len(codenames), (app_label, codenames)
            group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0003_operator_permissions"),
        ("payouts", "0005_operator_permissions"),
        ("tips", "0003_operator_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
