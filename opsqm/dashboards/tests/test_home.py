from __future__ import annotations


def test_the_dashboard_counts_only_what_the_user_may_see(world, login):
    summary = login(world.qm).get("/").context["summary"]
    assert (summary.project_count, summary.customer_count) == (2, 2)
    summary = login(world.spec_a).get("/").context["summary"]
    assert (summary.project_count, summary.customer_count, summary.staff_count) == (1, 1, None)
    body = login(world.outsider).get("/").content.decode()
    assert "还没有可查看的运维项目" in body


def test_the_dashboard_runs_a_bounded_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.qm)
    with django_assert_max_num_queries(15):
        assert client.get("/").status_code == 200


def test_my_work_page_renders_for_every_persona(world, login):
    for user in (world.qm, world.spec_a, world.ops_a, world.auditor, world.gm, world.outsider):
        assert login(user).get("/my-work/").status_code == 200


def test_the_sidebar_links_only_to_pages_that_exist(world, login):
    import re

    body = login(world.qm).get("/").content.decode()
    links = set(re.findall(r'class="nav-link[^"]*" href="([^"]+)"', body))
    client = login(world.qm)
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_system_administrator_maintains_staff_in_the_admin(world, login):
    client = login(world.admin)
    for path in ("/admin/", "/admin/org/staff/", "/admin/org/department/add/", "/admin/accounts/user/", "/admin/org/project/"):
        assert client.get(path).status_code == 200, path
    assert login(world.qm).get("/admin/").status_code == 302  # not staff: sent to the admin login


def test_only_the_most_specific_sidebar_link_is_active():
    from opsqm.navigation import NavItem, sidebar_for
    from unittest import mock

    items = (NavItem("org", "A", "org:project_list"), NavItem("org", "B", "org:project_create"))
    user = mock.Mock(is_authenticated=True)
    with mock.patch("opsqm.navigation.all_items", return_value=items):
        links = sidebar_for(user, "/org/projects/new/")[0]["items"]
    assert [link["active"] for link in links] == [False, True]


def test_money_is_grouped_by_thousands_in_chinese(world, login):
    body = login(world.qm).get("/").content.decode()
    assert "3,000,000" in body  # 1,000,000 + 2,000,000 of the two projects
