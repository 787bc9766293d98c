import pytest


@pytest.fixture
def approved_plan(world):
    from opsqm.plans import services

    plan = services.plan_generate(actor=world.qm, year=2026)
    plan = services.plan_submit(actor=world.qm, plan=plan)
    return services.plan_approve(actor=world.gm, plan=plan, note="同意")
