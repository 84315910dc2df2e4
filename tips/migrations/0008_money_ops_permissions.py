"""The "operator" group may see holds, disputes and the reconciliation with Stripe, resolve
reconciliation differences, and read the operators' audit log (issue 13; see
0004_operator_groups for how groups are written)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATOR = {
    "payouts": [
        "view_hold",
        "view_dispute",
        "view_stripebalancetransaction",
        "view_stripepayout",
        "view_reconciliationrun",
        "view_difference",
        "resolve_difference",
    ],
    "admin": ["view_logentry"],
}


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    for label in OPERATOR:
        create_permissions(global_apps.get_app_config(label), apps=apps, using=using, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name="operator")
    for app_label, codenames in OPERATOR.items():
        permissions = Permission.objects.using(using).filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        assert permissions.count() == len(codenames), (app_label, codenames)
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("payouts", "0007_money_ops"),
        ("tips", "0007_ownership"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
