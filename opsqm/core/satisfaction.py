"""Customer-satisfaction maths: scale normalization and the level / project / company roll-up.

Pure Python (no Django). PRODUCT.md "Satisfaction conversion", every number configurable:

- a rating answer becomes 0–100: (value − scale min) / (scale max − scale min) × 100;
  unanswered questions are left out (not zero), text and choice questions never score;
- a response's score is the weighted mean of its rating answers (question weights);
- a project's level score (incident / project / customer) is the mean of that level's response
  scores, and only when it has at least ``min_responses`` responses (else "样本不足");
- project satisfaction = Σ w·level score / Σ w over the levels that have a score;
- company satisfaction = mean of project satisfactions, weighted equally, by contract value or by
  the number of responses behind each project's score.

Every result keeps the inputs it was computed from, so a page can open a score down to the raw
answer (``ProjectScore.levels[...].responses[...].parts[...].answer.value``).

>>> a = RatingAnswer(value=4, scale_min=1, scale_max=5)
>>> a.normalized
75.0
>>> r = response_score([a, RatingAnswer(value=None, scale_min=1, scale_max=5), RatingAnswer(value=10, scale_min=0, scale_max=10, weight=3)])
>>> r.score
93.75
>>> band_for(93.75, DEFAULT_BANDS)
'非常满意'
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "LEVELS",
    "DEFAULT_LEVEL_WEIGHTS",
    "DEFAULT_BANDS",
    "COMPANY_METHODS",
    "Rules",
    "RatingAnswer",
    "ScoredPart",
    "ResponseScore",
    "LevelScore",
    "ProjectScore",
    "CompanyScore",
    "SurveyPeriod",
    "normalize",
    "response_score",
    "level_score",
    "project_score",
    "company_score",
    "band_for",
    "parse_period",
]

LEVELS = ("incident", "project", "customer")
DEFAULT_LEVEL_WEIGHTS: Mapping[str, float] = {"incident": 0.3, "project": 0.4, "customer": 0.3}
# (lower bound inclusive, label), highest first; the last band catches everything below.
DEFAULT_BANDS: tuple[tuple[float, str], ...] = ((90.0, "非常满意"), (75.0, "满意"), (60.0, "一般"), (0.0, "不满意"))
COMPANY_METHODS = ("equal", "contract_value", "responses")


@dataclass(frozen=True)
class Rules:
    level_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_LEVEL_WEIGHTS))
    bands: tuple[tuple[float, str], ...] = DEFAULT_BANDS
    min_responses: int = 1

    def __post_init__(self) -> None:
        if self.min_responses < 1:
            raise ValueError("min_responses must be at least 1")
        if any(w < 0 for w in self.level_weights.values()):
            raise ValueError("level weights must not be negative")
        bounds = [b for b, _ in self.bands]
        if not bounds or bounds != sorted(bounds, reverse=True):
            raise ValueError("bands must be given highest first")


@dataclass(frozen=True)
class RatingAnswer:
    """One rating answer as the respondent gave it (``value`` None = not answered)."""

    value: float | None
    scale_min: float
    scale_max: float
    weight: float = 1.0
    question: str = ""
    ref: Any = None  # the caller's id for the answer row

    def __post_init__(self) -> None:
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must be greater than scale_min")
        if self.weight < 0:
            raise ValueError("weight must not be negative")

    @property
    def normalized(self) -> float | None:
        return normalize(self.value, self.scale_min, self.scale_max)


@dataclass(frozen=True)
class ScoredPart:
    answer: RatingAnswer
    normalized: float
    weight: float


@dataclass(frozen=True)
class ResponseScore:
    score: float | None  # None when no rating question was answered
    parts: tuple[ScoredPart, ...]
    ref: Any = None  # the caller's id for the response


@dataclass(frozen=True)
class LevelScore:
    level: str
    responses: tuple[ResponseScore, ...]  # only responses that have a score
    min_responses: int

    @property
    def count(self) -> int:
        return len(self.responses)

    @property
    def sufficient(self) -> bool:
        return self.count >= self.min_responses

    @property
    def score(self) -> float | None:
        if not self.sufficient or not self.responses:
            return None
        return sum(r.score for r in self.responses) / len(self.responses)  # type: ignore[misc]


@dataclass(frozen=True)
class ProjectScore:
    project: Any
    levels: Mapping[str, LevelScore]
    weights: Mapping[str, float]
    score: float | None
    band: str | None

    @property
    def responses(self) -> int:
        """Responses behind the score (levels that count only)."""
        return sum(lv.count for lv in self.levels.values() if lv.score is not None)

    def terms(self) -> list[tuple[str, float, float]]:
        """(level, weight, level score) of the levels that entered the weighted mean."""
        return [
            (lv, self.weights.get(lv, 0.0), self.levels[lv].score)
            for lv in LEVELS
            if lv in self.levels and self.levels[lv].score is not None and self.weights.get(lv, 0.0) > 0
        ]  # type: ignore[misc]


@dataclass(frozen=True)
class CompanyScore:
    method: str
    score: float | None
    terms: tuple[tuple[Any, float, float], ...]  # (project, weight, project score)


@dataclass(frozen=True)
class SurveyPeriod:
    code: str
    kind: str  # "year" | "quarter" | "month"
    start: dt.date
    end: dt.date  # exclusive

    @property
    def year(self) -> int:
        return self.start.year

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def normalize(value: float | None, scale_min: float, scale_max: float) -> float | None:
    """0–100 for a value on [scale_min, scale_max]; None stays None; out-of-scale raises."""
    if value is None:
        return None
    if scale_max <= scale_min:
        raise ValueError("scale_max must be greater than scale_min")
    if not scale_min <= value <= scale_max:
        raise ValueError(f"value {value} outside the scale {scale_min}–{scale_max}")
    return (float(value) - scale_min) / (scale_max - scale_min) * 100.0


def response_score(answers: Iterable[RatingAnswer], ref: Any = None) -> ResponseScore:
    parts = tuple(ScoredPart(a, a.normalized, a.weight) for a in answers if a.value is not None)  # type: ignore[arg-type]
    total_weight = sum(p.weight for p in parts)
    if total_weight <= 0:
        return ResponseScore(None, parts, ref)
    return ResponseScore(sum(p.normalized * p.weight for p in parts) / total_weight, parts, ref)


def level_score(level: str, responses: Iterable[ResponseScore], rules: Rules) -> LevelScore:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    return LevelScore(level, tuple(r for r in responses if r.score is not None), rules.min_responses)


def band_for(score: float | None, bands: Sequence[tuple[float, str]]) -> str | None:
    if score is None:
        return None
    for bound, label in bands:
        if score >= bound:
            return label
    return bands[-1][1]


def project_score(project: Any, responses_by_level: Mapping[str, Iterable[ResponseScore]], rules: Rules) -> ProjectScore:
    levels = {lv: level_score(lv, responses_by_level.get(lv, ()), rules) for lv in LEVELS}
    weights = {lv: float(rules.level_weights.get(lv, 0.0)) for lv in LEVELS}
    used = [(weights[lv], levels[lv].score) for lv in LEVELS if levels[lv].score is not None and weights[lv] > 0]
    total = sum(w for w, _ in used)
    score = sum(w * s for w, s in used) / total if total > 0 else None  # type: ignore[operator]
    return ProjectScore(project, levels, weights, score, band_for(score, rules.bands))


def company_score(projects: Iterable[ProjectScore], method: str, contract_values: Mapping[Any, float] | None = None) -> CompanyScore:
    """Mean of the project scores that exist, weighted by `method`; None when no weight remains."""
    if method not in COMPANY_METHODS:
        raise ValueError(f"unknown method {method!r}")
    terms = []
    for p in projects:
        if p.score is None:
            continue
        if method == "equal":
            weight = 1.0
        elif method == "contract_value":
            weight = float((contract_values or {}).get(p.project, 0.0))
        else:
            weight = float(p.responses)
        terms.append((p.project, weight, p.score))
    total = sum(w for _, w, _s in terms)
    score = sum(w * s for _, w, s in terms) / total if total > 0 else None
    return CompanyScore(method, score, tuple(terms))


_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")


def parse_period(code: str) -> SurveyPeriod:
    """'2026', '2026-Q3' or '2026-09' → the period's local dates; anything else raises ValueError."""
    match = _PERIOD.match((code or "").strip())
    if not match:
        raise ValueError(f"bad period {code!r}")
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(f"year out of range: {year}")
    if match.group(2):
        q = int(match.group(2))
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)
        return SurveyPeriod(f"{year}-Q{q}", "quarter", start, end)
    if match.group(3):
        m = int(match.group(3))
        start = dt.date(year, m, 1)
        end = start + dt.timedelta(days=calendar.monthrange(year, m)[1])
        return SurveyPeriod(f"{year}-{m:02d}", "month", start, end)
    return SurveyPeriod(str(year), "year", dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
