from __future__ import annotations

from opsqm.jobs.models import JobStatus
from opsqm.jobs.services import JobFailed, job_create, job_progress, run_job


def test_a_job_reports_progress_and_its_result(world, login):
    job = job_create(kind="t", title="测试任务", user=world.spec_a, project=world.project_a)

    def work(j):
        job_progress(j.pk, 5, 10, "一半")
        return {"next_url": "/org/projects/", "next_label": "查看"}

    run_job(job.pk, work)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.percent == 100 and job.result["next_url"] == "/org/projects/"
    status = login(world.spec_a).get(f"/jobs/{job.pk}/status.json").json()
    assert status["status"] == "succeeded" and status["percent"] == 100


def test_a_failed_job_shows_the_users_message(world, login):
    job = job_create(kind="t", title="测试任务", user=world.spec_a)

    def work(j):
        raise JobFailed("第 3 行：解决时间早于创建时间", {"errors": 1})

    run_job(job.pk, work)
    body = login(world.spec_a).get(f"/jobs/{job.pk}/").content.decode()
    assert "第 3 行：解决时间早于创建时间" in body


def test_jobs_of_others_are_404(world, login):
    job = job_create(kind="t", title="乙项目任务", user=world.spec_b, project=world.project_b)
    assert login(world.spec_a).get(f"/jobs/{job.pk}/").status_code == 404
    assert login(world.outsider).get(f"/jobs/{job.pk}/status.json").status_code == 404
    assert login(world.ops_b).get(f"/jobs/{job.pk}/").status_code == 200  # a member of project B
    assert login(world.qm).get(f"/jobs/{job.pk}/").status_code == 200
    assert login(world.qm).get("/jobs/not-a-uuid/").status_code == 404


def test_the_progress_partial_polls_until_done(world, login):
    job = job_create(kind="t", title="进行中", user=world.qm)
    body = login(world.qm).get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in body
