"""The hard rules of matching: which (mentor, mentee) pairs may be suggested at all. Pure
functions, no ORM; capacity is the optimiser's business, the rules here are about one pair.

A pair is eligible when the two share at least one language, neither is the other's direct or
indirect manager (the reporting line, in either direction), and HR has not excluded it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matching.scoring import MenteeProfile, MentorProfile, Person, shared_language_counts

# No real organisation is this deep; a longer chain means a corrupt org chart, and walking it
# for every participant would cost O(people x chain). Refusing beats silently cutting the chain
# short, which could let a manager and their report be paired.
MAX_REPORTING_DEPTH = 1000


class ReportingLineError(ValueError):
    """The org chart cannot be read as reporting lines (a chain longer than any real one)."""


def managers_above(
    user_id: int, managers: Mapping[int, int | None], first: int | None = None
) -> set[int]:
    """Every user above `user_id` in the org chart: their manager, that manager's manager, ...

    `first` is the person's own manager when `managers` does not know them. A loop in the chart
    (which the User model forbids, but imported data may hold) ends the walk: everyone on the
    loop is then above everyone else on it, which keeps all of them apart.
    """
    above: set[int] = set()
    current = managers.get(user_id, first)
    while current is not None and current not in above:
        above.add(current)
        if len(above) > MAX_REPORTING_DEPTH:
            raise ReportingLineError(
                f"the reporting line above user {user_id} is longer than "
                f"{MAX_REPORTING_DEPTH} levels; is the org chart corrupt?"
            )
        current = managers.get(current)
    # On a loop the walk comes back to the person; they are not their own manager.
    above.discard(user_id)
    return above


def _above_each(people: Iterable[Person], managers: Mapping[int, int | None]) -> list[set[int]]:
    # Memoised by user: a user enrolled once per program, but callers may pass duplicates.
    cache: dict[int, set[int]] = {}
    result = []
    for person in people:
        if person.user_id not in cache:
            cache[person.user_id] = managers_above(person.user_id, managers, person.manager_id)
        result.append(cache[person.user_id])
    return result


def _conflict_cells(
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    managers: Mapping[int, int | None],
) -> set[tuple[int, int]]:
    """(mentee index, mentor index) of every pair inside one reporting line."""
    mentor_rows: dict[int, list[int]] = defaultdict(list)
    for index, mentor in enumerate(mentors):
        mentor_rows[mentor.person.user_id].append(index)
    mentee_rows: dict[int, list[int]] = defaultdict(list)
    for index, mentee in enumerate(mentees):
        mentee_rows[mentee.person.user_id].append(index)

    # Look up each person's ancestors among the other side, rather than testing every pair:
    # the cost is people x depth, not mentors x mentees.
    cells: set[tuple[int, int]] = set()
    for i, above in enumerate(_above_each((m.person for m in mentees), managers)):
        for user_id in above:
            for j in mentor_rows.get(user_id, ()):
                cells.add((i, j))
    for j, above in enumerate(_above_each((m.person for m in mentors), managers)):
        for user_id in above:
            for i in mentee_rows.get(user_id, ()):
                cells.add((i, j))
    # The same person on both sides (bad input) is in their own reporting line.
    for user_id, rows in mentee_rows.items():
        for i in rows:
            for j in mentor_rows.get(user_id, ()):
                cells.add((i, j))
    return cells


def reporting_line_conflicts(
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    managers: Mapping[int, int | None],
) -> set[tuple[int, int]]:
    """(mentor id, mentee id) of every pair where one manages the other, directly or not.

    `managers` maps user id -> manager's user id (None at the top) for the whole org chart,
    managers who take no part in the program included.
    """
    return {(mentors[j].id, mentees[i].id) for i, j in _conflict_cells(mentors, mentees, managers)}


@dataclass(frozen=True)
class HardRules:
    """Each rule as a bool matrix, mentees x mentors, in the order the profiles were given.
    Kept apart so that an unmatched mentee can be told which rule stood in the way."""

    shares_language: np.ndarray
    reporting_line: np.ndarray
    excluded: np.ndarray

    @cached_property
    def eligible(self) -> np.ndarray:
        # Cached: the optimiser reads it row by row, and each read would otherwise rebuild it.
        return self.shares_language & ~self.reporting_line & ~self.excluded


def hard_rules(
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    managers: Mapping[int, int | None],
    excluded: Iterable[tuple[int, int]] = (),
) -> HardRules:
    """The three pair rules for a cohort. `excluded` holds (mentor id, mentee id) pairs;
    pairs naming someone outside the cohort are ignored (HR may exclude ahead of time)."""
    shape = (len(mentees), len(mentors))
    shares_language = shared_language_counts(mentors, mentees) > 0
    reporting_line = np.zeros(shape, dtype=bool)
    for i, j in _conflict_cells(mentors, mentees, managers):
        reporting_line[i, j] = True
    excluded_cells = np.zeros(shape, dtype=bool)
    mentor_column = {mentor.id: j for j, mentor in enumerate(mentors)}
    mentee_row = {mentee.id: i for i, mentee in enumerate(mentees)}
    for mentor_id, mentee_id in excluded:
        if mentor_id in mentor_column and mentee_id in mentee_row:
            excluded_cells[mentee_row[mentee_id], mentor_column[mentor_id]] = True
    return HardRules(shares_language, reporting_line, excluded_cells)


def eligibility_matrix(
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    managers: Mapping[int, int | None],
    excluded: Iterable[tuple[int, int]] = (),
) -> np.ndarray:
    """Bool matrix, mentees x mentors: True where the pair breaks no hard rule."""
    return hard_rules(mentors, mentees, managers, excluded).eligible
