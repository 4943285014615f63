"""The best pairing of a whole cohort, found by one exact global optimisation, plus the ranked
alternatives HR looks at and the greedy pass the benchmark compares against. Pure, no ORM.

Objective, in this order: match as many mentees as the hard rules and capacities allow; among
those pairings, the largest total score. Pinned pairs are fixed first and use up capacity.

How: a rectangular assignment problem solved with SciPy's `linear_sum_assignment` (a shortest
augmenting path method, exact). Rows are the mentees still to match, columns are mentor
capacity slots (a mentor with room for c more mentees gives c identical columns, or fewer when
fewer mentees could take them). A cell is worth BIG + score when the pair is eligible and 0 when
not; a mentee placed on a 0 cell, or left without a column, is unmatched. The matrix is
mentees x slots float64: 32 MB for 2,000 x 2,000, and capacity multiplies the columns.

Why BIG + score gives the lexicographic optimum exactly: scores are >= 0 (weights are), so the
score part S of any pairing lies in [0, U], where U is the sum over rows of the row's best
eligible score. With BIG = U + 1, a pairing of k mentees is worth k * BIG + S. Any pairing of
k + 1 mentees is worth at least (k + 1) * BIG = k * BIG + U + 1 > k * BIG + S, so no score can
buy back a lost mentee; between pairings of the same size, the one with the larger S wins. The
sums are float64: cardinality has a margin of 1, and scores keep their bits down to the unit in
the last place of BIG (about 1e-11 for 2,000 mentees), far below any difference that matters.

Deterministic: mentors and mentees are sorted by id before anything is built, so the same
cohort in any order gives the same matrix, and the solver is deterministic on a given matrix.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext
from scipy.optimize import linear_sum_assignment

from matching.rules import HardRules, hard_rules
from matching.scoring import Breakdown, MenteeProfile, MentorProfile, Weights, score_matrix
from matching.scoring import score_pair as _score_pair

Pair = tuple[int, int]  # (mentor id, mentee id)


class PinError(ValueError):
    """Pinned pairs that cannot all be kept; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UnmatchedReason:
    """Why a mentee was left unmatched: a code to store, put into words (in the language active
    when it is shown) by str()."""

    NO_LANGUAGE_IN_PROFILE = "no_language_in_profile"
    NO_SHARED_LANGUAGE = "no_shared_language"
    AT_CAPACITY = "at_capacity"
    REPORTING_LINE = "reporting_line"
    EXCLUDED = "excluded"
    REPORTING_LINE_OR_EXCLUDED = "reporting_line_or_excluded"

    code: str
    languages: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.code == self.NO_SHARED_LANGUAGE:
            return gettext("no mentor shares a language: speaks %(languages)s") % {
                "languages": ", ".join(self.languages)
            }
        texts = {
            self.NO_LANGUAGE_IN_PROFILE: gettext(
                "no mentor shares a language: no language in the profile"
            ),
            self.AT_CAPACITY: gettext("all eligible mentors are at capacity"),
            self.REPORTING_LINE: gettext(
                "every mentor who shares a language is in the same reporting line"
            ),
            self.EXCLUDED: gettext("every mentor who shares a language was excluded by HR"),
            self.REPORTING_LINE_OR_EXCLUDED: gettext(
                "every mentor who shares a language is in the same reporting line or was "
                "excluded by HR"
            ),
        }
        return texts[self.code]


@dataclass(frozen=True)
class Solution:
    """Pairs (mentor id, mentee id, breakdown) sorted by mentor then mentee, their total score,
    each unmatched mentee with a reason, and the seconds spent in the solver itself."""

    pairs: list[tuple[int, int, Breakdown]]
    total_score: float
    unmatched: list[tuple[int, UnmatchedReason]]
    solver_seconds: float

    @property
    def matched_count(self) -> int:
        return len(self.pairs)


@dataclass(frozen=True)
class Cohort:
    """A cohort with its scores and rules computed once, sorted by id. Build it once to solve,
    run the greedy pass and list alternatives without scoring everybody again."""

    mentors: tuple[MentorProfile, ...]
    mentees: tuple[MenteeProfile, ...]
    weights: Weights
    scores: np.ndarray  # mentees x mentors
    rules: HardRules
    _mentor_index: dict[int, int] = field(init=False, repr=False)
    _mentee_index: dict[int, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_mentor_index", {m.id: j for j, m in enumerate(self.mentors)})
        object.__setattr__(self, "_mentee_index", {m.id: i for i, m in enumerate(self.mentees)})

    @classmethod
    def build(
        cls,
        mentors: Iterable[MentorProfile],
        mentees: Iterable[MenteeProfile],
        weights: Weights,
        managers: Mapping[int, int | None],
        excluded: Iterable[Pair] = (),
    ) -> Cohort:
        sorted_mentors = tuple(sorted(mentors, key=lambda m: m.id))
        sorted_mentees = tuple(sorted(mentees, key=lambda m: m.id))
        for role, people in (("mentor", sorted_mentors), ("mentee", sorted_mentees)):
            repeated = [pid for pid, n in Counter(p.id for p in people).items() if n > 1]
            if repeated:
                raise ValueError(f"{role} ids appear more than once: {sorted(repeated)}")
        return cls(
            mentors=sorted_mentors,
            mentees=sorted_mentees,
            weights=weights,
            scores=score_matrix(sorted_mentors, sorted_mentees, weights),
            rules=hard_rules(sorted_mentors, sorted_mentees, managers, excluded),
        )

    # --- Pins ----------------------------------------------------------------------------------

    def _pinned_cells(self, pinned: Iterable[Pair]) -> list[tuple[int, int]]:
        """(mentee index, mentor index) of each pin, sorted; PinError lists every bad pin."""
        problems: list[str] = []
        cells: set[tuple[int, int]] = set()
        for mentor_id, mentee_id in sorted(set(pinned)):
            j = self._mentor_index.get(mentor_id)
            i = self._mentee_index.get(mentee_id)
            if j is None:
                problems.append(
                    gettext("A pinned pair names mentor #%(id)d, who is not in the cohort.")
                    % {"id": mentor_id}
                )
            if i is None:
                problems.append(
                    gettext("A pinned pair names mentee #%(id)d, who is not in the cohort.")
                    % {"id": mentee_id}
                )
            if i is None or j is None:
                continue
            names = {
                "mentor": self.mentors[j].person.email,
                "mentee": self.mentees[i].person.email,
            }
            if not self.rules.shares_language[i, j]:
                problems.append(
                    gettext("%(mentor)s and %(mentee)s are pinned but share no language.") % names
                )
            if self.rules.reporting_line[i, j]:
                problems.append(
                    gettext("%(mentor)s and %(mentee)s are pinned but are in one reporting line.")
                    % names
                )
            if self.rules.excluded[i, j]:
                problems.append(
                    gettext("%(mentor)s and %(mentee)s are both pinned and excluded by HR.") % names
                )
            cells.add((i, j))
        for i, count in sorted(Counter(i for i, _ in cells).items()):
            if count > 1:
                problems.append(
                    gettext("%(mentee)s is pinned to %(count)d mentors; a mentee has one.")
                    % {"mentee": self.mentees[i].person.email, "count": count}
                )
        for j, count in sorted(Counter(j for _, j in cells).items()):
            if count > self.mentors[j].capacity:
                problems.append(
                    gettext(
                        "%(mentor)s is pinned to %(count)d mentees but takes at most %(capacity)d."
                    )
                    % {
                        "mentor": self.mentors[j].person.email,
                        "count": count,
                        "capacity": self.mentors[j].capacity,
                    }
                )
        if problems:
            raise PinError(problems)
        return sorted(cells)

    def _room_after(self, pinned_cells: list[tuple[int, int]]) -> np.ndarray:
        room = np.array([m.capacity for m in self.mentors], dtype=np.int64)
        for _, j in pinned_cells:
            room[j] -= 1
        return room

    # --- Solving -------------------------------------------------------------------------------

    def solve(self, pinned: Iterable[Pair] = ()) -> Solution:
        """The exact optimum (see the module docstring)."""
        pinned_cells = self._pinned_cells(pinned)
        room = self._room_after(pinned_cells)
        eligible = self.rules.eligible
        is_pinned = np.zeros(len(self.mentees), dtype=bool)
        for i, _ in pinned_cells:
            is_pinned[i] = True

        # Only mentees who could still be matched and mentors who could still take one of
        # them enter the solver: the others cannot change the answer, and the matrix is the
        # memory and time of the whole run.
        rows = np.flatnonzero(~is_pinned & eligible[:, room > 0].any(axis=1))
        slots = np.minimum(room, eligible[rows].sum(axis=0))
        columns = np.flatnonzero(slots > 0)

        solved_cells: list[tuple[int, int]] = []
        solver_seconds = 0.0
        if len(rows) and len(columns):
            # Built in place in one matrix: at 2,000 x 2,000 each temporary copy costs 32 MB.
            cell_eligible = eligible[np.ix_(rows, columns)]
            values = self.scores[np.ix_(rows, columns)]
            np.copyto(values, 0.0, where=~cell_eligible)
            big = float(values.max(axis=1).sum()) + 1.0
            np.add(values, big, out=values, where=cell_eligible)
            slot_mentor = columns
            if (slots[columns] > 1).any():
                slot_mentor = np.repeat(columns, slots[columns])
                values = np.repeat(values, slots[columns], axis=1)
            # Negated and minimised rather than maximize=True, which would copy the matrix.
            np.negative(values, out=values)
            started = time.perf_counter()
            row_ind, col_ind = linear_sum_assignment(values)
            solver_seconds = time.perf_counter() - started
            for r, c in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
                i, j = int(rows[r]), int(slot_mentor[c])
                # A mentee on a 0 cell is unmatched: the solver had to give every row a column.
                if eligible[i, j]:
                    solved_cells.append((i, j))
        return self._solution(pinned_cells + solved_cells, room, solver_seconds)

    def greedy(self, pinned: Iterable[Pair] = ()) -> Solution:
        """Pins first, then each mentee in id order takes the best eligible mentor who still has
        room (lowest mentor id on a tie). Kept only to measure what the optimum is worth."""
        pinned_cells = self._pinned_cells(pinned)
        room = self._room_after(pinned_cells)
        pinned_rows = {i for i, _ in pinned_cells}
        eligible = self.rules.eligible
        cells: list[tuple[int, int]] = []
        started = time.perf_counter()
        for i in range(len(self.mentees)):
            if i in pinned_rows:
                continue
            candidates = eligible[i] & (room > 0)
            if candidates.any():
                # argmax returns the first maximum: mentors are sorted by id.
                j = int(np.argmax(np.where(candidates, self.scores[i], -np.inf)))
                cells.append((i, j))
                room[j] -= 1
        solver_seconds = time.perf_counter() - started
        return self._solution(pinned_cells + cells, room, solver_seconds)

    def _solution(
        self, cells: list[tuple[int, int]], room: np.ndarray, solver_seconds: float
    ) -> Solution:
        pairs = sorted(
            (
                self.mentors[j].id,
                self.mentees[i].id,
                _score_pair(self.mentors[j], self.mentees[i], self.weights),
            )
            for i, j in cells
        )
        matched = {i for i, _ in cells}
        unmatched = [
            (mentee.id, self.unmatched_reason(i))
            for i, mentee in enumerate(self.mentees)
            if i not in matched
        ]
        return Solution(
            pairs=[(mentor_id, mentee_id, breakdown) for mentor_id, mentee_id, breakdown in pairs],
            total_score=math.fsum(breakdown.total for _, _, breakdown in pairs),
            unmatched=unmatched,
            solver_seconds=solver_seconds,
        )

    def unmatched_reason(self, row: int) -> UnmatchedReason:
        """Why the mentee at `row` could not be matched. Called for mentees the solution left
        out: if any mentor was eligible, they were all full."""
        shares = self.rules.shares_language[row]
        if not shares.any():
            languages = self.mentees[row].person.languages
            if not languages:
                return UnmatchedReason(UnmatchedReason.NO_LANGUAGE_IN_PROFILE)
            return UnmatchedReason(UnmatchedReason.NO_SHARED_LANGUAGE, languages)
        if self.rules.eligible[row].any():
            return UnmatchedReason(UnmatchedReason.AT_CAPACITY)
        in_line = self.rules.reporting_line[row][shares]
        excluded = self.rules.excluded[row][shares]
        if in_line.all():
            return UnmatchedReason(UnmatchedReason.REPORTING_LINE)
        if excluded.all():
            return UnmatchedReason(UnmatchedReason.EXCLUDED)
        return UnmatchedReason(UnmatchedReason.REPORTING_LINE_OR_EXCLUDED)

    # --- Alternatives --------------------------------------------------------------------------

    def alternatives(self, mentee_id: int, k: int = 0) -> list[tuple[int, float]]:
        """The k best eligible mentors for a mentee, best first, as (mentor id, score); k=0
        gives them all. Capacity is ignored: HR may swap someone out to make room."""
        if k < 0:
            raise ValueError("k must be >= 0")
        i = self._mentee_index[mentee_id]
        columns = np.flatnonzero(self.rules.eligible[i])
        scores = self.scores[i, columns]
        # Best score first, then the lowest mentor id (columns are sorted by id already, and
        # lexsort is stable).
        order = columns[np.lexsort((columns, -scores))]
        if k:
            order = order[:k]
        return [(self.mentors[j].id, float(self.scores[i, j])) for j in order.tolist()]

    def all_alternatives(self, k: int = 0) -> dict[int, list[tuple[int, float]]]:
        """`alternatives` for every mentee, by mentee id, in one sort of the whole matrix."""
        if k < 0:
            raise ValueError("k must be >= 0")
        eligible = self.rules.eligible
        # Ineligible cells sort last; a stable sort keeps equal scores in column order, which
        # is mentor id order.
        order = np.argsort(np.where(eligible, -self.scores, np.inf), axis=1, kind="stable")
        counts = eligible.sum(axis=1)
        if k:
            counts = np.minimum(counts, k)
        mentor_ids = np.array([mentor.id for mentor in self.mentors], dtype=np.int64)
        result = {}
        for i, mentee in enumerate(self.mentees):
            columns = order[i, : counts[i]]
            result[mentee.id] = list(
                zip(mentor_ids[columns].tolist(), self.scores[i, columns].tolist(), strict=True)
            )
        return result


def solve(
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    weights: Weights,
    managers: Mapping[int, int | None],
    excluded: Iterable[Pair] = frozenset(),
    pinned: Iterable[Pair] = frozenset(),
) -> Solution:
    """The best pairing of the cohort: most mentees matched, then the largest total score.
    `excluded` and `pinned` hold (mentor id, mentee id); a pin that breaks a hard rule or a
    capacity raises PinError."""
    return Cohort.build(mentors, mentees, weights, managers, excluded).solve(pinned)


def greedy(
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    weights: Weights,
    managers: Mapping[int, int | None],
    excluded: Iterable[Pair] = frozenset(),
    pinned: Iterable[Pair] = frozenset(),
) -> Solution:
    """The greedy pass (see Cohort.greedy), for comparison with `solve`."""
    return Cohort.build(mentors, mentees, weights, managers, excluded).greedy(pinned)


def alternatives(
    mentee_id: int,
    k: int,
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    weights: Weights,
    managers: Mapping[int, int | None],
    excluded: Iterable[Pair] = frozenset(),
) -> list[tuple[int, float]]:
    """The k best eligible mentors for one mentee (k=0: all), best first, ties by mentor id."""
    return Cohort.build(mentors, mentees, weights, managers, excluded).alternatives(mentee_id, k)
