"""Pure-Python core of opsqm: business calendars, the SLA engine, KPI maths, checklist
parsing and ticket file reading. Never imports Django, so it can be tested and
benchmarked without a database; submodules are imported on demand."""

__all__ = ["calendars", "sla", "kpi", "checklists", "ticket_io"]
