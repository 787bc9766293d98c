from __future__ import annotations

from opsqm.tickets.models import Calendar, HolidayYear

HOLIDAYS_2027 = "2027-01-01~2027-01-03 休 元旦\n2027-02-06~2027-02-13 休 春节\n2027-02-14 班\n"


def test_yearly_view_marks_makeup_workdays_and_holidays(world, login):
    cal = Calendar.objects.get(code="cn-5x8")
    html = login(world.spec_a).get(f"/tickets/calendars/{cal.pk}/?year=2026").content.decode()
    assert 'data-date="2026-02-14" data-kind="makeup"' in html
    assert 'data-date="2026-02-16" data-kind="holiday"' in html
    assert 'data-date="2026-02-21" data-kind="holiday"' in html
    assert 'data-date="2026-03-02" data-kind="workday"' in html and "7.5h" in html
    assert 'data-date="2026-03-07" data-kind="weekend"' in html


def test_builtin_calendars_exist_and_cannot_be_edited(world, login):
    assert set(Calendar.objects.filter(builtin=True).values_list("code", flat=True)) == {"7x24", "cn-5x8"}
    cal = Calendar.objects.get(code="cn-5x8")
    assert login(world.qm).get(f"/tickets/calendars/{cal.pk}/edit/").status_code == 404
    assert login(world.qm).post(f"/tickets/calendars/{cal.pk}/delete/").status_code == 404


def test_holiday_import_previews_then_saves(world, login):
    client = login(world.qm)
    preview = client.post("/tickets/calendars/holidays/import/", {"text": HOLIDAYS_2027, "source_note": "国办发明电"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "2027-02-14" in html and "确认导入" in html
    assert not HolidayYear.objects.exists()
    saved = client.post("/tickets/calendars/holidays/import/", {"confirm": "1", "confirmed_text": HOLIDAYS_2027, "source_note": "x"})
    assert saved.status_code == 302
    year = HolidayYear.objects.get(year=2027)
    assert "2027-02-10" in year.holidays and year.makeup_workdays == ["2027-02-14"]
    cal = Calendar.objects.get(code="cn-5x8")
    html = client.get(f"/tickets/calendars/{cal.pk}/?year=2027").content.decode()
    assert 'data-date="2027-02-14" data-kind="makeup"' in html


def test_holiday_import_reports_bad_lines_in_chinese(world, login):
    response = login(world.qm).post("/tickets/calendars/holidays/import/", {"text": "2027-01-01 休\n2027-02-30 休\n2027-03-01 玩\n"})
    html = response.content.decode()
    assert "第 2 行" in html and "不存在" in html and "第 3 行" in html
    assert not HolidayYear.objects.exists()


def test_holiday_import_warns_about_a_builtin_year_and_shows_the_difference(world, login):
    response = login(world.qm).post("/tickets/calendars/holidays/import/", {"text": "2026-01-01~2026-01-03 休\n"})
    html = response.content.decode()
    assert "该年份已在系统内置安排中" in html and "不再放假" in html


def test_only_master_data_roles_manage_calendars(world, login):
    for user in (world.spec_a, world.outsider, world.gm):
        assert login(user).get("/tickets/calendars/holidays/import/").status_code == 403
        assert login(user).get("/tickets/calendars/new/").status_code == 403


def test_custom_calendar_with_slots_and_exceptions(world, login):
    client = login(world.qm)
    data = {
        "code": "bank",
        "name": "银行客户",
        "kind": "weekly",
        "time_zone": "Asia/Shanghai",
        "use_china_holidays": "on",
        "slots_0": "08:30-17:30",
        "slots_1": "08:30-17:30",
        "slots_2": "08:30-17:30",
        "slots_3": "08:30-17:30",
        "slots_4": "08:30-17:30",
        "slots_5": "09:00-12:00",
        "slots_6": "",
    }
    response = client.post("/tickets/calendars/new/", data)
    assert response.status_code == 302
    cal = Calendar.objects.get(code="bank")
    assert cal.weekly_slots["5"] == [[32400, 43200]]
    bad = client.post("/tickets/calendars/new/", {**data, "code": "bad", "slots_0": "18:00-09:00"})
    assert "开始时间必须早于结束时间" in bad.content.decode()
    client.post(f"/tickets/calendars/{cal.pk}/exceptions/add/", {"date": "2026-03-07", "kind": "holiday", "note": "客户年会"})
    html = client.get(f"/tickets/calendars/{cal.pk}/?year=2026").content.decode()
    assert 'data-date="2026-03-07" data-kind="holiday"' in html


def test_holiday_import_accepts_an_uploaded_gbk_text_file(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("2027.txt", "# 2027 年安排\n2027-10-01~2027-10-07 休 国庆节\n2027-10-09 班\n".encode("gbk"))
    html = login(world.qm).post("/tickets/calendars/holidays/import/", {"file": upload}).content.decode()
    assert "2027-10-07" in html and "2027-10-09" in html and "确认导入" in html
    bad = SimpleUploadedFile("x.exe", b"MZ")
    assert "只能上传 .txt 或 .csv 文件" in login(world.qm).post("/tickets/calendars/holidays/import/", {"file": bad}).content.decode()


def test_the_yearly_view_counts_real_hours_on_a_daylight_saving_day():
    from opsqm.core.calendars import BusinessCalendar
    from opsqm.tickets.calendars import year_grid

    # Berlin, every day 00:00-24:00: Sunday 2026-03-29 has only 23 hours.
    cal = BusinessCalendar(tz="Europe/Berlin", weekly_slots=dict.fromkeys(range(7), ((0, 86400),)))
    march = year_grid(cal, 2026)[2]
    cells = {c.date.day: c for week in march["weeks"] for c in week if c}
    assert cells[29].hours == "23" and cells[28].hours == "24"
