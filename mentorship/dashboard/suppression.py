"""The anonymity rules of the executive pages, as pure functions over group sizes (no ORM).

A figure over a group smaller than the threshold is hidden; among siblings that add up to a
shown total, one hidden sibling takes the next-smallest with it (complementary suppression), so
that the total minus the shown siblings never gives the hidden one away; and a filter (a
department, a period) is allowed only when neither the selected group nor the rest is small.
"""

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def too_small(n: int, threshold: int) -> bool:
    """A group of fewer people than the threshold (an empty one included) is hidden."""
    return n < threshold


def hidden_siblings(sizes: Mapping[K, int], threshold: int) -> set[K]:
    """The keys of the sibling groups to hide, whose sizes add up to a total that is shown.

    Every small group is hidden. When exactly one is, the smallest of the others (ties broken
    by key order as given) is hidden too, so that the total minus the shown ones is a sum of two
    hidden groups, never a single one.
    """
    hidden = {key for key, n in sizes.items() if too_small(n, threshold)}
    if len(hidden) == 1:
        shown = [key for key in sizes if key not in hidden]
        if shown:
            hidden.add(min(shown, key=lambda key: sizes[key]))
    return hidden


def selection_allowed(*, selected: int, complement: int, threshold: int) -> bool:
    """Whether a filtered view may be shown: the selected group reaches the threshold, and so
    does the rest of the scope unless it is empty (else the unfiltered page minus this one
    would describe the small rest)."""
    return not too_small(selected, threshold) and (
        complement == 0 or not too_small(complement, threshold)
    )


def total_reveals_a_part(parts: Iterable[tuple[int, int]]) -> bool:
    """Whether a total over several programs would give away one program's hidden figure.

    `parts` are (group size, that program's threshold) of the programs the total adds up. A
    part is hidden on its own program's page when it is small but not empty; when exactly one
    is, the total minus the others' shown figures would be that part, so the total is hidden.
    """
    return sum(1 for n, threshold in parts if 0 < n < threshold) == 1
