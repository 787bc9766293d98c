from __future__ import annotations

from django.urls import reverse

from opsqm.notifications.models import Notification
from opsqm.notifications.services import notify


def test_notify_creates_rows_and_one_plain_email_per_recipient_after_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    world.gm.email = "gm@example.cn"
    world.gm.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify(users=[world.gm, world.gm, world.mgmt], title="重大问题 <b>x</b>", body="正文", url="/findings/1/")
        assert mailoutbox == []  # nothing leaves before the transaction commits
    for cb in callbacks:
        cb()
    assert len(rows) == 2 and Notification.objects.filter(read_at__isnull=True).count() == 2
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["gm@example.cn"] and "/findings/1/" in mailoutbox[0].body
    assert not mailoutbox[0].alternatives  # plain text only


def test_the_bell_counts_unread_with_one_query_and_escapes_titles(world, login, django_assert_max_num_queries):
    notify(users=[world.spec_a], title="<script>alert(1)</script>", email=False)
    notify(users=[world.spec_a], title="第二条", email=False)
    notify(users=[world.spec_b], title="别人的", email=False)
    client = login(world.spec_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("notifications:list")).content.decode()
    bell_queries = [
        q for q in ctx.captured_queries if "COUNT" in q["sql"].upper() and "read_at" in q["sql"] and "IS NULL" in q["sql"].upper()
    ]
    assert len(bell_queries) == 1
    assert '>2<span class="visually-hidden">' in page
    assert 'data-testid="bell"' in page and "&lt;script&gt;" in page and "<script>alert" not in page and "别人的" not in page


def test_mark_read_and_mark_all_read_touch_only_my_rows(world, login):
    mine = notify(users=[world.spec_a], title="a", url="/findings/", email=False)[0]
    notify(users=[world.spec_a], title="b", email=False)
    other = notify(users=[world.spec_b], title="c", email=False)[0]
    client = login(world.spec_a)
    r = client.post(reverse("notifications:open", args=[mine.pk]))
    assert r.status_code == 302 and r["Location"] == "/findings/"
    assert client.post(reverse("notifications:open", args=[other.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.filter(user=world.spec_a, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert client.get(reverse("notifications:open", args=[mine.pk])).status_code == 405


def test_an_external_redirect_target_is_not_followed(world, login):
    n = notify(users=[world.spec_a], title="x", url="https://evil.example/", email=False)[0]
    r = login(world.spec_a).post(reverse("notifications:open", args=[n.pk]))
    assert r["Location"] == reverse("notifications:list")


def test_anonymous_users_are_sent_to_login(client):
    assert client.get(reverse("notifications:list")).status_code == 302
