from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "opsqm.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Every app's post_migrate, not just ours: permissions of apps migrated after
        # accounts only exist once their own post_migrate has run.
        post_migrate.connect(_create_role_groups, dispatch_uid="opsqm_role_groups")


def _create_role_groups(sender, **kwargs) -> None:
    from opsqm.accounts.services import ensure_role_groups

    ensure_role_groups()
