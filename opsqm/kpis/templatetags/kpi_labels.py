from django import template

from opsqm.kpis import labels

register = template.Library()
register.filter("kpi_name", labels.kpi_name)
register.filter("kpi_formula", labels.kpi_formula)
register.filter("period_label", labels.period_label)
