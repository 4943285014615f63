"""How good a (mentor, mentee) pair is: the score, its readable breakdown, and the same score for
a whole cohort at once as a NumPy matrix. Pure functions, no ORM: the caller loads the profiles.

The score of a pair is the weighted sum of four components:

- topic: the sum, over the topics the mentor teaches and the mentee wants to learn, of
  mentor level (1-3) x mentee priority (1-3). Unbounded by design: two strong shared topics beat
  one. A pair with no shared topic scores 0 here and can still be matched (the optimiser first
  matches as many mentees as it can, and a poor match beats none).
- language: 1 when they share two or more languages, 0.5 when exactly one, 0 when none (such a
  pair is not eligible anyway, see `matching.rules`). A second language is a fallback, worth
  less than the first.
- time_zone: how much of a 09:00-17:00 working day they share, as a fraction 0..1. With offsets
  a and b (hours from UTC) the working days are 8 h windows shifted by d = |a - b| hours; since
  days repeat every 24 h the shift is taken round the clock, d = min(d mod 24, 24 - d mod 24)
  (UTC+14 and UTC-12 are 26 h apart on paper but share 6 h: one's Tuesday morning is the
  other's Monday afternoon). Shared hours = max(0, 8 - d); the component is that / 8.
- department: 1 when both departments are known and differ (a fresh perspective is the point
  of reverse mentoring), else 0. Departments compare case- and space-insensitively.

total = weights.topic * topic + weights.language * language + weights.time_zone * time_zone
        + weights.department * department

Weights must be finite and not negative: the optimiser relies on scores being >= 0 (see
`matching.optimiser`). Languages are compared on their primary subtag, lower-cased ("pt-BR"
and "pt" are both "pt"). Time zones arrive as UTC offsets: the caller turns a zone name into
an offset at the program's start, which keeps this module free of calendars.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext, ngettext

WORKING_DAY_HOURS = 8.0
HOURS_PER_DAY = 24.0
HALF_DAY_HOURS = HOURS_PER_DAY / 2


def normalise_language(code: str) -> str:
    """The primary subtag, lower-cased: "pt-BR" -> "pt", " EN " -> "en"."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def normalise_department(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Person:
    """A participant as matching sees them. `id` is the participant's id in the program (pins,
    exclusions and results use it); `user_id` and `manager_id` place them in the org chart."""

    id: int
    email: str
    languages: tuple[str, ...]
    utc_offset_hours: float
    department: str
    manager_id: int | None
    user_id: int

    def __post_init__(self) -> None:
        # One canonical form up front, so that every comparison downstream is a plain equality.
        languages = tuple(sorted({normalise_language(code) for code in self.languages} - {""}))
        object.__setattr__(self, "languages", languages)


@dataclass(frozen=True)
class MentorProfile:
    """A mentor, how many mentees they take, and the topics they teach: topic id -> level 1-3."""

    person: Person
    capacity: int
    topics: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError(f"mentor {self.person.id}: capacity must not be negative")

    @property
    def id(self) -> int:
        return self.person.id


@dataclass(frozen=True)
class MenteeProfile:
    """A mentee and the topics they want to learn: topic id -> priority 1-3."""

    person: Person
    topics: Mapping[int, int] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.person.id


@dataclass(frozen=True)
class Weights:
    """How much each component counts; a program may tune them."""

    topic: float = 1.0
    language: float = 1.0
    time_zone: float = 1.0
    department: float = 1.0

    def __post_init__(self) -> None:
        for name in ("topic", "language", "time_zone", "department"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"weight {name} must be a finite number >= 0, not {value!r}")

    def as_dict(self) -> dict[str, float]:
        return {
            "topic": self.topic,
            "language": self.language,
            "time_zone": self.time_zone,
            "department": self.department,
        }


@dataclass(frozen=True)
class SharedTopic:
    topic_id: int
    level: int
    priority: int

    @property
    def points(self) -> int:
        return self.level * self.priority


@dataclass(frozen=True)
class Breakdown:
    """The score of one pair, component by component (unweighted), with its weighted total."""

    shared_topics: tuple[SharedTopic, ...]
    topic: float
    shared_languages: tuple[str, ...]
    language: float
    overlap_hours: float
    time_zone: float
    department: float
    total: float

    @property
    def shared_topic_ids(self) -> tuple[int, ...]:
        return tuple(shared.topic_id for shared in self.shared_topics)

    def explain(self, topic_names: Mapping[int, str]) -> str:
        """One line a person can read, in the active language, e.g. "Shares AI tools (level 3 ×
        priority 2); 2 shared languages (en, vi); 6 h of working day in common; different
        departments"."""
        parts = [self._explain_topics(topic_names)]
        count = len(self.shared_languages)
        if count:
            parts.append(
                ngettext(
                    "%(count)d shared language (%(languages)s)",
                    "%(count)d shared languages (%(languages)s)",
                    count,
                )
                % {"count": count, "languages": ", ".join(self.shared_languages)}
            )
        else:
            parts.append(gettext("no shared language"))
        parts.append(_explain_overlap(self.overlap_hours))
        if self.department:
            parts.append(gettext("different departments"))
        return "; ".join(parts)

    def _explain_topics(self, topic_names: Mapping[int, str]) -> str:
        if not self.shared_topics:
            return gettext("No shared topic")
        topics = ", ".join(
            gettext("%(topic)s (level %(level)d × priority %(priority)d)")
            % {
                "topic": topic_names.get(shared.topic_id)
                or gettext("topic #%(id)d") % {"id": shared.topic_id},
                "level": shared.level,
                "priority": shared.priority,
            }
            for shared in self.shared_topics
        )
        return gettext("Shares %(topics)s") % {"topics": topics}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Breakdown:
        """The breakdown stored by as_dict(), to explain it again in the reader's language."""
        return cls(
            shared_topics=tuple(
                SharedTopic(item["topic"], item["level"], item["priority"])
                for item in data.get("shared_topics", [])
            ),
            topic=float(data.get("topic", 0)),
            shared_languages=tuple(data.get("shared_languages", [])),
            language=float(data.get("language", 0)),
            overlap_hours=float(data.get("overlap_hours", 0)),
            time_zone=float(data.get("time_zone", 0)),
            department=float(data.get("department", 0)),
            total=float(data.get("total", 0)),
        )

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready copy, for storing with a match run."""
        return {
            "shared_topics": [
                {"topic": s.topic_id, "level": s.level, "priority": s.priority}
                for s in self.shared_topics
            ],
            "topic": self.topic,
            "shared_languages": list(self.shared_languages),
            "language": self.language,
            "overlap_hours": self.overlap_hours,
            "time_zone": self.time_zone,
            "department": self.department,
            "total": self.total,
        }


def _explain_overlap(hours: float) -> str:
    # Hours and minutes rather than "5.75 h": no decimal separator to localise.
    minutes_total = round(hours * 60)
    whole, minutes = divmod(minutes_total, 60)
    if minutes_total == 0:
        return gettext("no working hours in common")
    if minutes == 0:
        return gettext("%(hours)d h of working day in common") % {"hours": whole}
    return gettext("%(hours)d h %(minutes)d min of working day in common") % {
        "hours": whole,
        "minutes": minutes,
    }


def language_component(shared_count: int) -> float:
    if shared_count >= 2:
        return 1.0
    return 0.5 if shared_count == 1 else 0.0


def overlap_hours(offset_a: float, offset_b: float) -> float:
    """Hours two 09:00-17:00 working days share, given the two UTC offsets (see module doc)."""
    shift = abs(offset_a - offset_b) % HOURS_PER_DAY
    # min(shift, 24 - shift), in the form score_matrix computes in place.
    shift = HALF_DAY_HOURS - abs(shift - HALF_DAY_HOURS)
    return max(0.0, WORKING_DAY_HOURS - shift)


def different_departments(a: str, b: str) -> bool:
    a, b = normalise_department(a), normalise_department(b)
    return bool(a) and bool(b) and a != b


def score_pair(mentor: MentorProfile, mentee: MenteeProfile, weights: Weights) -> Breakdown:
    """The score of one pair with its breakdown. Eligibility is not checked here."""
    shared_topics = tuple(
        sorted(
            (
                SharedTopic(topic_id, mentor.topics[topic_id], priority)
                for topic_id, priority in mentee.topics.items()
                if topic_id in mentor.topics
            ),
            # Strongest first, so the explanation leads with what matters most.
            key=lambda shared: (-shared.points, shared.topic_id),
        )
    )
    topic = float(sum(shared.points for shared in shared_topics))
    shared_languages = tuple(sorted(set(mentor.person.languages) & set(mentee.person.languages)))
    language = language_component(len(shared_languages))
    hours = overlap_hours(mentor.person.utc_offset_hours, mentee.person.utc_offset_hours)
    time_zone = hours / WORKING_DAY_HOURS
    department = float(different_departments(mentor.person.department, mentee.person.department))
    total = (
        weights.topic * topic
        + weights.language * language
        + weights.time_zone * time_zone
        + weights.department * department
    )
    return Breakdown(
        shared_topics=shared_topics,
        topic=topic,
        shared_languages=shared_languages,
        language=language,
        overlap_hours=hours,
        time_zone=time_zone,
        department=department,
        total=total,
    )


def _language_codes(
    mentors: Sequence[MentorProfile], mentees: Sequence[MenteeProfile]
) -> dict[str, int]:
    codes = sorted({code for p in (*mentors, *mentees) for code in p.person.languages})
    return {code: index for index, code in enumerate(codes)}


def _language_indicator(
    profiles: Sequence[MentorProfile] | Sequence[MenteeProfile], codes: Mapping[str, int]
) -> np.ndarray:
    """People x languages, 1.0 where the person speaks it. float32: the product of two of these
    counts shared languages exactly, in one small BLAS call, with no limit on how many languages
    a cohort speaks (a 64-bit mask would have one)."""
    matrix = np.zeros((len(profiles), len(codes)), dtype=np.float32)
    for row, profile in enumerate(profiles):
        for code in profile.person.languages:
            matrix[row, codes[code]] = 1.0
    return matrix


def shared_language_counts(
    mentors: Sequence[MentorProfile], mentees: Sequence[MenteeProfile]
) -> np.ndarray:
    """How many languages each (mentee, mentor) pair shares: int matrix, mentees x mentors."""
    codes = _language_codes(mentors, mentees)
    product = _language_indicator(mentees, codes) @ _language_indicator(mentors, codes).T
    return product.astype(np.int32)


def score_matrix(
    mentors: Sequence[MentorProfile], mentees: Sequence[MenteeProfile], weights: Weights
) -> np.ndarray:
    """`score_pair(mentor, mentee, weights).total` for every pair at once: float64 matrix,
    mentees x mentors, in the order given. Eligibility is not applied here."""
    n_mentees, n_mentors = len(mentees), len(mentors)
    if n_mentees == 0 or n_mentors == 0:
        return np.zeros((n_mentees, n_mentors), dtype=np.float64)

    # Topics: E[mentee, topic] = priority, M[mentor, topic] = level, so (E @ M.T)[i, j] is the
    # sum of level x priority over shared topics. A program offers tens of topics, so dense
    # matrices of people x topics are small and the product is one exact BLAS call (small
    # integers in float64); sparse matrices would only pay off with thousands of topics.
    topic_ids = sorted({t for p in (*mentors, *mentees) for t in p.topics})
    column = {topic_id: index for index, topic_id in enumerate(topic_ids)}
    levels = np.zeros((n_mentors, len(topic_ids)), dtype=np.float64)
    for row, mentor in enumerate(mentors):
        for topic_id, level in mentor.topics.items():
            levels[row, column[topic_id]] = level
    priorities = np.zeros((n_mentees, len(topic_ids)), dtype=np.float64)
    for row, mentee in enumerate(mentees):
        for topic_id, priority in mentee.topics.items():
            priorities[row, column[topic_id]] = priority
    # Each component is added into one running total in place: at 2,000 x 2,000 a fresh matrix
    # costs more in page faults than in arithmetic. The order of operations is score_pair's, so
    # the two agree to the last bit.
    total = priorities @ levels.T
    total *= weights.topic
    scratch = np.empty_like(total)

    # min(count, 2) / 2 is the language component: 0, 0.5 or 1.
    languages = _language_codes(mentors, mentees)
    counts = _language_indicator(mentees, languages) @ _language_indicator(mentors, languages).T
    np.minimum(counts, 2.0, out=counts)
    np.multiply(counts, 0.5, out=scratch)
    scratch *= weights.language
    total += scratch

    mentor_offsets = np.array([m.person.utc_offset_hours for m in mentors], dtype=np.float64)
    mentee_offsets = np.array([m.person.utc_offset_hours for m in mentees], dtype=np.float64)
    np.subtract.outer(mentee_offsets, mentor_offsets, out=scratch)
    np.abs(scratch, out=scratch)
    np.mod(scratch, HOURS_PER_DAY, out=scratch)
    # The shift round the clock, min(s, 24 - s), written as overlap_hours writes it.
    scratch -= HALF_DAY_HOURS
    np.abs(scratch, out=scratch)
    np.subtract(HALF_DAY_HOURS, scratch, out=scratch)
    np.subtract(WORKING_DAY_HOURS, scratch, out=scratch)
    np.maximum(scratch, 0.0, out=scratch)
    scratch /= WORKING_DAY_HOURS
    scratch *= weights.time_zone
    total += scratch

    # Departments as integer codes, -1 for unknown, so "differ" is one broadcast comparison.
    names: dict[str, int] = {}

    def department_codes(profiles: Sequence[MentorProfile] | Sequence[MenteeProfile]) -> np.ndarray:
        numbers = []
        for profile in profiles:
            name = normalise_department(profile.person.department)
            numbers.append(names.setdefault(name, len(names)) if name else -1)
        return np.array(numbers, dtype=np.int64)

    mentor_departments = department_codes(mentors)
    mentee_departments = department_codes(mentees)
    differ = (
        (mentee_departments[:, None] != mentor_departments[None, :])
        & (mentee_departments[:, None] >= 0)
        & (mentor_departments[None, :] >= 0)
    )
    # weights.department * 1.0 is weights.department, and adding nothing leaves a cell as is.
    np.add(total, weights.department, out=total, where=differ)
    return total
