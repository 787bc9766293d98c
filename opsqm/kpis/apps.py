from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _project_of(instance) -> int | None:
    """The project whose cached KPI counters a changed ticket-side row affects."""
    for path in ("project_id", "ticket.project_id", "agreement.project_id"):
        value = instance
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except Exception:  # noqa: BLE001 - not this kind of row, or a deleted parent
            continue
        if isinstance(value, int):
            return value
    return None


class KpisConfig(AppConfig):
    name = "opsqm.kpis"
    label = "kpis"
    verbose_name = _("服务质量指标")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from opsqm.kpis.selectors import kpi_cache_clear

        def clear(instance=None, **kwargs) -> None:
            kpi_cache_clear(_project_of(instance))

        # Ticket rows written through the ORM (admin, tests, small edits); bulk imports and
        # recomputes move the data stamp instead (see opsqm.kpis.selectors).
        for model in ("tickets.Ticket", "tickets.TicketPause", "tickets.SlaPriority", "tickets.SlaAgreement"):
            post_save.connect(clear, sender=model, dispatch_uid=f"kpis-cache-save-{model}", weak=False)
            post_delete.connect(clear, sender=model, dispatch_uid=f"kpis-cache-delete-{model}", weak=False)
