"""Conformance rates, computed by hand: 符合率 = (符合 + 观察) ÷ (符合 + 观察 + 严重不符合 + 一般不符合)."""

from __future__ import annotations

import datetime as dt

from opsqm.audits import selectors
from opsqm.audits.tests.helpers import assess, run_to


def test_rates_per_audit_element_and_project_match_hand_computation(world, plan, people_version, process_version):
    audit = run_to(world, plan(checklists=[(people_version, None), (process_version, None)]), "onsite")
    # people: 1.1 conform, 1.2 minor, 1.3 not applicable, 2 observation -> counted 3, conform-like 2 -> 66.7 %
    # process: 1 conform, 2 major -> counted 2, conform-like 1 -> 50 %
    assess(world, audit, {"1.1": "conform", "1.2": "minor_nc", "1.3": "not_applicable", "2": "observation"}, element="people")
    assess(world, audit, {"1": "conform", "2": "major_nc"}, element="process")
    overall = selectors.conformance_for_audit(audit)
    assert (overall.conform, overall.observation, overall.major_nc, overall.minor_nc, overall.not_applicable, overall.not_assessed) == (
        2,
        1,
        1,
        1,
        1,
        0,
    )
    assert overall.rate == 3 / 5
    elements = {c.label: c for c in selectors.conformance_by_element(audit)}
    assert round(elements["人员"].rate, 4) == round(2 / 3, 4)
    assert elements["过程"].rate == 0.5
    assert elements["过程"].rate_percent == "50.0%"
    projects = selectors.conformance_by_project(world.qm, 2026)
    assert [(c.label, c.rate) for c in projects] == [("PB 项目乙", 3 / 5)]


def test_nothing_counted_shows_no_rate(world, plan):
    audit = run_to(world, plan(), "onsite")
    c = selectors.conformance_for_audit(audit)
    assert c.rate is None and c.rate_percent == "—" and c.not_assessed == 4


def test_project_rates_hide_foreign_projects(world, plan):
    run_to(world, plan(), "onsite")
    assert selectors.conformance_by_project(world.spec_a, 2026) == []
    assert selectors.conformance_by_project(world.qm, dt.date(2025, 1, 1).year) == []
