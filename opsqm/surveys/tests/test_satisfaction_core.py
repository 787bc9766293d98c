"""The pure roll-up maths, each figure computed a second way by a plain loop written here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from opsqm.core import satisfaction as core


def test_core_module_never_imports_django():
    code = "import sys, opsqm.core.satisfaction; assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_docstring_examples_run():
    import doctest

    assert doctest.testmod(core).failed == 0


def test_a_rating_answer_becomes_0_to_100():
    assert core.normalize(1, 1, 5) == 0
    assert core.normalize(5, 1, 5) == 100
    assert core.normalize(7, 1, 10) == pytest.approx(6 / 9 * 100)
    assert core.normalize(None, 1, 5) is None
    with pytest.raises(ValueError):
        core.normalize(6, 1, 5)


def test_unanswered_questions_are_left_out_not_counted_as_zero():
    r = core.response_score([core.RatingAnswer(None, 1, 5), core.RatingAnswer(5, 1, 5)])
    assert r.score == 100


def test_response_and_project_and_company_scores_match_a_plain_loop():
    # Three responses per level for two projects, with weights; recomputed below without the core.
    raw = {
        ("P1", "incident"): [[(4, 1, 5, 1.0), (8, 0, 10, 3.0)], [(5, 1, 5, 1.0), (None, 0, 10, 3.0)]],
        ("P1", "project"): [[(3, 1, 5, 2.0), (70, 0, 100, 1.0)]],
        ("P2", "incident"): [[(2, 1, 5, 1.0)]],
        ("P2", "project"): [],
    }
    customer = [[(4, 1, 5, 1.0)], [(1, 1, 5, 1.0), (10, 1, 10, 1.0)]]  # both projects share the customer
    rules = core.Rules(level_weights={"incident": 0.3, "project": 0.4, "customer": 0.3})

    def plain_response(answers):
        num = den = 0.0
        for value, lo, hi, w in answers:
            if value is None:
                continue
            num += (value - lo) / (hi - lo) * 100 * w
            den += w
        return num / den

    def to_core(answers):
        return core.response_score([core.RatingAnswer(v, lo, hi, w) for v, lo, hi, w in answers])

    expected_projects = {}
    computed = []
    for project in ("P1", "P2"):
        num = den = 0.0
        levels = {"incident": raw[(project, "incident")], "project": raw[(project, "project")], "customer": customer}
        for level, responses in levels.items():
            if not responses:
                continue
            mean = sum(plain_response(r) for r in responses) / len(responses)
            num += rules.level_weights[level] * mean
            den += rules.level_weights[level]
        expected_projects[project] = num / den
        ps = core.project_score(project, {lv: [to_core(r) for r in rs] for lv, rs in levels.items()}, rules)
        assert ps.score == pytest.approx(expected_projects[project])
        computed.append(ps)
    # P2 has no project-level responses: its score uses incident and customer only.
    assert computed[1].levels["project"].score is None

    equal = core.company_score(computed, "equal")
    assert equal.score == pytest.approx(sum(expected_projects.values()) / 2)
    values = {"P1": 1_000_000.0, "P2": 3_000_000.0}
    by_value = core.company_score(computed, "contract_value", values)
    assert by_value.score == pytest.approx((expected_projects["P1"] * 1 + expected_projects["P2"] * 3) / 4)
    # Responses weighting: the customer-level responses count once for each project.
    n1 = 2 + 1 + 2
    n2 = 1 + 0 + 2
    by_n = core.company_score(computed, "responses")
    assert by_n.score == pytest.approx((expected_projects["P1"] * n1 + expected_projects["P2"] * n2) / (n1 + n2))


def test_a_level_below_the_minimum_responses_has_no_score():
    rules = core.Rules(min_responses=3)
    rs = [core.response_score([core.RatingAnswer(5, 1, 5)]) for _ in range(2)]
    ps = core.project_score("P", {"incident": rs}, rules)
    assert ps.levels["incident"].score is None and ps.levels["incident"].count == 2
    assert ps.score is None and ps.band is None


def test_bands_follow_the_configured_bounds():
    assert [core.band_for(s, core.DEFAULT_BANDS) for s in (95, 90, 89.9, 75, 60, 59.9, 0)] == [
        "非常满意",
        "非常满意",
        "满意",
        "满意",
        "一般",
        "不满意",
        "不满意",
    ]


@pytest.mark.parametrize(
    "code,kind,start,end",
    [
        ("2026", "year", "2026-01-01", "2027-01-01"),
        ("2026-Q3", "quarter", "2026-07-01", "2026-10-01"),
        ("2026-Q4", "quarter", "2026-10-01", "2027-01-01"),
        ("2026-02", "month", "2026-02-01", "2026-03-01"),
        ("2026-12", "month", "2026-12-01", "2027-01-01"),
    ],
)
def test_periods_parse_to_local_days(code, kind, start, end):
    p = core.parse_period(code)
    assert (p.kind, p.start.isoformat(), p.end.isoformat()) == (kind, start, end)


@pytest.mark.parametrize("bad", ["", "2026-Q5", "2026-13", "26", "2026-1", "x"])
def test_bad_periods_are_rejected(bad):
    with pytest.raises(ValueError):
        core.parse_period(bad)
