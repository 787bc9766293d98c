from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from opsqm.findings.models import Finding
from opsqm.kpis.models import KpiTarget, ManualMeasure

Q1 = "?granularity=quarter&year=2026&period=2026-Q1"


def _project_urls(project) -> list[tuple[str, str]]:
    return [
        ("get", reverse("kpis:project", args=[project.pk])),
        ("get", reverse("kpis:project_export", args=[project.pk])),
        ("get", reverse("kpis:drill", args=[project.pk, "response_timeliness", "2026-Q1"])),
        ("post", reverse("kpis:raise_finding", args=[project.pk, "response_timeliness", "2026-Q1"])),
        ("post", reverse("kpis:measure_save", args=[project.pk])),
        ("post", reverse("kpis:project_targets", args=[project.pk])),
    ]


@pytest.mark.parametrize("who", ["outsider", "spec_a"])
def test_it_hides_a_foreign_project_behind_404(kpi_world, login, who):
    client = login(getattr(kpi_world, who))
    for method, url in _project_urls(kpi_world.project_b):
        assert getattr(client, method)(url).status_code == 404, url
    assert Finding.objects.count() == 0


def test_org_values_are_shown_only_to_org_wide_roles(kpi_world, login):
    org_drill = reverse("kpis:drill", args=["org", "response_timeliness", "2026-Q1"])
    spec = login(kpi_world.spec_a)
    page = spec.get(reverse("kpis:overview") + Q1).content.decode()
    assert "全公司（汇总）" not in page and kpi_world.project_b.code not in page and kpi_world.project_a.code in page
    assert spec.get(org_drill).status_code == 404
    assert spec.post(reverse("kpis:raise_finding", args=["org", "response_timeliness", "2026-Q1"])).status_code == 404
    qm = login(kpi_world.qm)
    page = qm.get(reverse("kpis:overview") + Q1).content.decode()
    assert "全公司（汇总）" in page and kpi_world.project_b.code in page
    assert qm.get(org_drill).status_code == 200


def test_an_empty_denominator_is_shown_as_a_dash(kpi_world, login):
    page = login(kpi_world.qm).get(reverse("kpis:overview") + "?granularity=month&year=2026&period=2026-06").content.decode()
    values = re.findall(r'class="kpi-value[^"]*"[^>]*>([^<]*)</a>', page)
    assert values and set(values) == {"—"}


def test_pages_use_a_bounded_number_of_queries(kpi_world, login, django_assert_max_num_queries):
    client = login(kpi_world.qm)
    client.get(reverse("kpis:overview") + Q1)  # fills the counter cache
    # +4 for 客户满意度: the year's satisfaction rules (target and roll-up), visible projects, the year's responses.
    with django_assert_max_num_queries(24):
        assert client.get(reverse("kpis:overview") + Q1).status_code == 200
    with django_assert_max_num_queries(24):
        assert client.get(reverse("kpis:project", args=[kpi_world.project_a.pk]) + "?year=2026").status_code == 200
    with django_assert_max_num_queries(29):
        assert client.get(reverse("kpis:overview") + Q1).status_code == 200


def test_drill_down_lists_met_breached_and_excluded_tickets(kpi_world, login):
    client = login(kpi_world.spec_a)
    url = reverse("kpis:drill", args=[kpi_world.project_a.pk, "response_timeliness", "2026-Q1"])
    met = client.get(url).content.decode()
    assert "A-1" in met and "A-3" in met and "A-2" not in met
    breached = client.get(url + "?show=den").content.decode()
    assert "A-2" in breached and "A-4" in breached and "A-1" not in breached
    excluded = client.get(url + "?show=out").content.decode()
    assert "A-6" in excluded  # priority without a target
    assert "B-1" not in met + breached + excluded


def test_manual_measure_entry_and_a_stale_edit(kpi_world, login):
    client = login(kpi_world.spec_a)
    url = reverse("kpis:measure_save", args=[kpi_world.project_a.pk])
    response = client.post(url, {"kpi": "availability", "period": "2026-03", "value": "0.995", "version": ""})
    assert response.status_code == 302
    measure = ManualMeasure.objects.get()
    assert measure.value == Decimal("0.995") and measure.version == 1
    client.post(url, {"kpi": "availability", "period": "2026-03", "value": "0.990", "version": "1"})
    measure.refresh_from_db()
    assert measure.value == Decimal("0.99") and measure.version == 2
    response = client.post(url, {"kpi": "availability", "period": "2026-03", "value": "0.5", "version": "1"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    measure.refresh_from_db()
    assert measure.value == Decimal("0.99")
    # The ops manager may read the page but not enter measures.
    assert login(kpi_world.ops_a).post(url, {"kpi": "complaints", "period": "2026-03", "value": "1"}).status_code == 403


def test_only_the_quality_manager_edits_targets(kpi_world, login):
    url = reverse("kpis:project_targets", args=[kpi_world.project_a.pk])
    assert login(kpi_world.spec_a).post(url, {"target_response_timeliness": "80"}).status_code == 403
    assert login(kpi_world.qm).post(url, {"target_response_timeliness": "80"}).status_code == 302
    assert KpiTarget.objects.get(project=kpi_world.project_a).target == Decimal("0.8")
    assert login(kpi_world.spec_a).post(reverse("kpis:catalogue"), {"target_fcr": "50"}).status_code == 403
    login(kpi_world.qm).post(reverse("kpis:catalogue"), {"target_fcr": "50"})
    assert KpiTarget.objects.get(project__isnull=True).target == Decimal("0.5")


def test_raising_a_finding_from_a_miss_is_idempotent(kpi_world, login):
    client = login(kpi_world.qm)
    url = reverse("kpis:raise_finding", args=[kpi_world.project_a.pk, "response_timeliness", "2026-Q1"])
    first = client.post(url)
    second = client.post(url)
    finding = Finding.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("findings:detail", args=[finding.pk])
    assert finding.source == "kpi" and finding.project == kpi_world.project_a
    assert finding.title.startswith("PA 2026年第1季度 响应及时率") and "未达目标 95.0%" in finding.title
    page = client.get(reverse("kpis:overview") + Q1).content.decode()
    assert finding.code in page


def test_the_xlsx_export_contains_the_numbers_and_neutralizes_formulas(kpi_world, login):
    project = kpi_world.project_a
    project.name = '=HYPERLINK("http://x")'
    project.save()
    content = login(kpi_world.qm).get(reverse("kpis:overview_export") + Q1).content
    rows = list(load_workbook(BytesIO(content)).worksheets[1].iter_rows(values_only=True))
    ours = [r for r in rows if r[1] == "PA" and r[3] == "响应及时率"]
    # met; breached; A-6 has no target.
    assert ours and ours[0][5:7] == (3, 5) and ours[0][4] == pytest.approx(0.6) and ours[0][8] == "未达标"
    assert ours[0][2] == '\'=HYPERLINK("http://x")'
    org = [r for r in rows if r[1] == "全公司" and r[3] == "响应及时率"]
    assert org[0][5:7] == (4, 7)  # pooled with B-1 met and B-2 breached
    content = login(kpi_world.spec_a).get(reverse("kpis:project_export", args=[project.pk]) + "?year=2026").content
    assert load_workbook(BytesIO(content)).worksheets[0].max_row > 4


def test_the_quarter_xlsx_is_a_printable_matrix_as_on_the_screen(kpi_world, login):
    content = login(kpi_world.qm).get(reverse("kpis:overview_export") + Q1 + "&cutoff=2026-03-20").content
    ws = load_workbook(BytesIO(content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "范围")
    assert rows[header][1] == "响应及时率"
    company = next(i for i, r in enumerate(rows) if r[0] == "全公司（汇总）")
    pa = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("PA "))
    # Pooled, B-1 met of A-1..A-4, B-1, B-2 decided by 2026-03-20 23:59 Shanghai (A-5 met too).
    assert rows[company][1] == pytest.approx(4 / 7) and rows[pa][1] == pytest.approx(3 / 5)
    assert rows[pa + 1][0] == "目标" and rows[pa + 1][1] == pytest.approx(0.95)
    assert ws.cell(pa + 1, 2).number_format == "0.0%"
    assert ws.cell(pa + 1, 2).fill.fgColor.rgb.endswith("F8D7DA")  # missed: shaded
    assert ws.freeze_panes == f"B{header + 2}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
