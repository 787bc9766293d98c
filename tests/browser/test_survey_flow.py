"""A project campaign sent, one invitation answered on a phone (390×844) through the link its QR
code encodes, and the project score opened down to that answer."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image


def test_a_campaign_is_answered_through_its_qr_code_and_opened_down_to_the_answer(server, page_as, browser):
    code, pk = server.shell(
        "from opsqm.org.models import Project; p = Project.objects.filter(status='active').order_by('code').first(); print(p.code, p.pk)"
    ).split()
    year = server.shell("from django.utils import timezone; print(timezone.localdate().year)").strip()
    page = page_as("qm")
    page.goto(server.url("/surveys/campaigns/new/"))
    page.select_option("#id_level", "project")
    page.select_option("#id_project", value=pk)
    page.fill("#id_title", "浏览器测试调查")
    page.fill("#id_period_label", f"{year} 专项")
    page.fill("#id_contacts", "测试联系人, tester@example.com, 13900000000")
    page.click("#create-campaign")
    page.wait_for_url(re.compile(r"/surveys/campaigns/\d+/$"))
    page.click("#send-campaign")
    page.wait_for_selector("text=已发出调查")

    qr_href = page.locator("a.qr-link").first.get_attribute("href")
    png = page.request.get(server.url(qr_href)).body()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(decoded) == 1
    link = decoded[0].text
    assert link.startswith(server.url("/s/"))
    assert link == page.locator("input.invite-link").first.input_value()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    p = phone.new_page()
    p.goto(link)
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    groups = p.locator("div.scale[role=radiogroup]")
    for i in range(groups.count()):
        group = groups.nth(i)
        labels = group.locator("label")
        labels.nth(labels.count() - 2).click()  # one below the top of each scale
    number_inputs = p.locator("input[type=number]")
    for i in range(number_inputs.count()):
        number_inputs.nth(i).fill("88")
    p.locator("textarea").first.fill("希望<b>月报</b>更早发出")
    p.click("button[type=submit]")
    p.wait_for_url(re.compile(r"/s/thanks/$"))
    assert "感谢您的评价" in p.content()
    p.goto(link)
    assert "该调查链接不可用" in p.content()
    phone.close()

    page.goto(server.url(f"/surveys/?period={year}"))
    page.click(f"a[href='/surveys/explain/{code}/?period={year}']")
    page.wait_for_selector("#project-score")
    assert page.locator("#level-project").is_visible()
    response_id = server.shell(
        "from opsqm.surveys.models import Response; print(Response.objects.filter(invitation__campaign__title='浏览器测试调查').get().pk)"
    ).strip()
    page.click(f"#level-project a[href='/surveys/responses/{response_id}/']")
    page.wait_for_selector("#answers")
    assert "希望<b>月报</b>更早发出" in page.locator("body").inner_text()  # escaped, shown verbatim
    assert page.locator("#answers .raw-value").count() >= 5
