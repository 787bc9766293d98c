from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "opsqm.audits"
    label = "audits"
    verbose_name = _("审核与检查")

    def ready(self):
        from opsqm.accounts.access import register_history_rule
        from opsqm.audits import selectors

        # History of audit records follows the audit's own visibility (an audit that also covers a
        # foreign project is hidden from the project's people, and so are its notes and evidence).
        register_history_rule("audits.audit", selectors.visible_audits)
        for model in self.get_models():
            if model.__name__ != "Audit" and any(f.name == "audit" for f in model._meta.get_fields()):
                register_history_rule(
                    model._meta.label_lower, lambda user, m=model: m._base_manager.filter(audit__in=selectors.visible_audits(user))
                )
