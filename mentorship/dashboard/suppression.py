"""The anonymity rules of the executive pages, as pure functions over group sizes (no ORM).

A figure over a group smaller than the threshold is hidden. Complementary suppression makes the
rest safe: wherever a total is shown, the parts hidden under it are never alone and together
reach the threshold, else more parts are hidden (the smallest first) or, failing that, the total
itself; and a total that is hidden never has all its parts shown. The rules run to a fixed point
over every line of totals the pages can show (programs, departments, periods, sides), so that no sum
or difference of shown figures, on one page or across pages, gives away a hidden one.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def too_small(n: int, threshold: int) -> bool:
    """A group of fewer people than the threshold (an empty one included) is hidden."""
    return n < threshold


def selection_allowed(*, selected: int, complement: int, threshold: int) -> bool:
    """Whether a filtered view may be shown: the selected group reaches the threshold, and so
    does the rest of the scope unless it is empty (else the unfiltered page minus this one
    would describe the small rest)."""
    return not too_small(selected, threshold) and (
        complement == 0 or not too_small(complement, threshold)
    )


def suppress(
    sizes: Mapping[K, int],
    lines: Iterable[tuple[K, Sequence[K]]],
    threshold: Callable[[K], int],
    *,
    seed: Iterable[K] = (),
) -> set[K]:
    """The keys to hide, given every key's group size and the lines (total, its parts).

    Empty groups describe nobody and take no part in the lines. A key is hidden when it is small
    (0 < n < threshold) or in `seed` (hidden by another figure that shares its numbers); then,
    until nothing changes, along every line:
    - under a shown total, hidden parts come at least two at a time (the total minus the shown
      parts is their sum) and hold at least the largest threshold among them and the total of
      people; else the smallest shown part is hidden next, or the total when none is left;
    - under a hidden total, at least one part is hidden (else the parts would add up to it).
    """
    lines = [(total, [part for part in parts if sizes.get(part, 0) > 0]) for total, parts in lines]
    hidden = {key for key, n in sizes.items() if 0 < n < threshold(key)} | set(seed)
    changed = True
    while changed:
        changed = False
        for total, parts in lines:
            if not parts:
                continue
            hidden_parts = [part for part in parts if part in hidden]
            shown_parts = [part for part in parts if part not in hidden]
            if total in hidden:
                if shown_parts and not hidden_parts:
                    hidden.add(min(shown_parts, key=lambda part: sizes[part]))
                    changed = True
                continue
            if not hidden_parts:
                continue
            required = max(threshold(key) for key in (total, *hidden_parts))
            # The fewest people the hidden parts can hold: their sum where a person is in one
            # part only, less where one is in several (a pair meets in many months), but never
            # fewer than the total less the shown parts, nor than the largest hidden part.
            remainder = max(
                max(sizes[part] for part in hidden_parts),
                sizes.get(total, 0) - sum(sizes[part] for part in shown_parts),
            )
            if len(hidden_parts) == 1 or remainder < required:
                if shown_parts:
                    hidden.add(min(shown_parts, key=lambda part: sizes[part]))
                else:
                    hidden.add(total)
                changed = True
    return hidden
