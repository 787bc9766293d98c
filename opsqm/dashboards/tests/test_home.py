from __future__ import annotations


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
    from unittest import mock

    from opsqm.navigation import NavItem, sidebar_for

    items = (NavItem("org", "A", "org:project_list"), NavItem("org", "B", "org:project_create"))
    user = mock.Mock(is_authenticated=True)
    with mock.patch("opsqm.navigation.all_items", return_value=items):
        links = sidebar_for(user, "/org/projects/new/")[0]["items"]
    assert [link["active"] for link in links] == [False, True]
