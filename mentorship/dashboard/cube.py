"""Additive figures over cells (program, group, period, side) with every total a dashboard page
can show of them, and the keys that anonymity hides (pure, no ORM).

A page reads one key: a program or ALL, a department (or the group of anonymous answers) or ALL,
a period or ALL, a side or ALL. Sums add up from the cells to every total. Group sizes add up
over programs, groups and sides (a person or a pair is in one of each), but not over periods
(one pair meets in many months), so the size of each period total is counted separately, in SQL.
"""

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from mentorship.dashboard.suppression import suppress


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self):
        # The markers survive the cache's pickling as the same objects.
        return self.name


ALL = _Marker("ALL")
# The group of anonymous answers: they have no department, so only totals over groups hold them.
ANONYMOUS = _Marker("ANONYMOUS")

Key = tuple  # (program, group, period, side)
PROGRAM, GROUP, PERIOD, SIDE = range(4)


@dataclass
class Cube:
    """One population's cells and totals. `period_parent` maps a month to its quarter."""

    period_parent: Mapping[str, str] = field(default_factory=dict)
    sums: dict[Key, Counter] = field(default_factory=dict)
    sizes: dict[Key, int] = field(default_factory=dict)
    hidden: set[Key] = field(default_factory=set)

    def _chain(self, dimension: int, value) -> list:
        """The value and everything above it in its dimension."""
        chain = [value]
        if dimension == PERIOD:
            while chain[-1] in self.period_parent:
                chain.append(self.period_parent[chain[-1]])
        if value is not ALL:
            chain.append(ALL)
        return chain

    def _parent(self, dimension: int, value):
        if dimension == PERIOD and value in self.period_parent:
            return self.period_parent[value]
        return ALL

    def add(self, key: Key, **components) -> None:
        """Adds a cell's sums to the cell and to every total above it."""
        chains = [self._chain(dimension, value) for dimension, value in enumerate(key)]
        for total in itertools.product(*chains):
            self.sums.setdefault(total, Counter()).update(components)

    def count(self, key: Key, n: int) -> None:
        """Adds a group size to the key and to its totals over programs, groups and sides (its
        period stays: each period level has its own count)."""
        chains = [
            [value] if dimension == PERIOD else self._chain(dimension, value)
            for dimension, value in enumerate(key)
        ]
        for total in itertools.product(*chains):
            self.sizes[total] = self.sizes.get(total, 0) + n

    def lines(self) -> list[tuple[Key, list[Key]]]:
        """(total, parts) of every dimension of every key."""
        lines: dict[tuple[Key, int], list[Key]] = {}
        for key in self.sizes:
            for dimension, value in enumerate(key):
                if value is ALL:
                    continue
                total = list(key)
                total[dimension] = self._parent(dimension, value)
                lines.setdefault((tuple(total), dimension), []).append(key)
        return [(total, parts) for (total, _dimension), parts in lines.items()]

    def suppress(self, threshold: Callable[[Key], int], *, seed: Iterable[Key] = ()) -> None:
        self.hidden = suppress(
            self.sizes, self.lines(), threshold, seed=(key for key in seed if key in self.sizes)
        )

    def size(self, key: Key) -> int:
        return self.sizes.get(key, 0)

    def sum(self, key: Key, component: str) -> int:
        return self.sums.get(key, Counter())[component]

    def is_hidden(self, key: Key, threshold: int) -> bool:
        return key in self.hidden or self.size(key) < threshold
