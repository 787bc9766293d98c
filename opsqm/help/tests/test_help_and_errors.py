"""使用帮助, Chinese error pages with a way back, and the shared form conventions."""

from __future__ import annotations

from django import forms
from django.test import Client, override_settings


def test_help_shows_the_role_guides_and_glossary(world, login):
    client = login(world.ops_a)
    body = client.get("/help/").content.decode()
    assert "运维经理" in body and "术语" in body
    assert "调休" in client.get("/help/glossary/").content.decode()
    assert client.get("/help/roles/ops-manager/").status_code == 200
    assert client.get("/help/roles/nobody/").status_code == 404


def test_help_links_only_to_pages_the_reader_may_open(world, login):
    body = login(world.ops_a).get("/help/roles/quality-manager/").content.decode()
    assert 'href="/audits/programs/"' not in body and "年度内审方案" in body
    assert 'href="/audits/programs/"' in login(world.qm).get("/help/roles/quality-manager/").content.decode()


def test_a_missing_page_is_a_chinese_page_in_the_layout_with_a_way_home(world, login):
    response = login(world.spec_a).get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and "返回首页" in body and 'id="sidebar"' in body


def test_an_anonymous_missing_page_is_chinese_without_the_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_a_csrf_failure_says_the_page_expired_with_a_way_back(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.spec_a)
    response = client.post("/accounts/profile/token/")
    body = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in body and "返回首页" in body


@override_settings(DEBUG=False)
def test_a_server_error_page_is_chinese(world, rf):
    from opsqm.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500 and "系统出错了" in response.content.decode()


def test_radio_groups_keep_bootstrap_input_classes_off_the_wrapper_and_empty_choices_say_please_choose():
    from opsqm.forms_base import StyledFormMixin

    class F(StyledFormMixin, forms.Form):
        pick = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")], widget=forms.RadioSelect)
        kind = forms.ChoiceField(choices=[("", "---------"), ("x", "某")])
        note = forms.CharField(widget=forms.Textarea)

    form = F()
    html = str(form["pick"])
    assert "form-check-input" not in html and "form-control" not in html and 'class="choice-group"' in html
    assert "请选择" in str(form["kind"]) and "---------" not in str(form["kind"])
    assert 'maxlength="4000"' in str(form["note"]) and "data-counter" in str(form["note"])
    assert not F(data={"pick": "a", "kind": "x", "note": "长" * 4001}).is_valid()


def test_people_pickers_show_department_and_post(world):
    from django.contrib.auth import get_user_model

    from opsqm.forms_base import StyledFormMixin
    from opsqm.org.models import Post, Staff

    post = Post.objects.create(name="质量工程师", category="technical")
    Staff.objects.create(user=world.spec_a, employee_no="E001", department=world.department, post=post)

    class F(StyledFormMixin, forms.Form):
        people = forms.ModelMultipleChoiceField(queryset=get_user_model().objects.order_by("pk"))

    html = str(F()["people"])
    assert 'data-multiselect="1"' in html and 'data-sub="运行维护部 · 质量工程师"' in html
