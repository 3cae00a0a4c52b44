"""Document paths: reading, writing and projecting nested attributes.

A resolved path is a tuple of map keys (``str``) and list indexes (``int``):
``a.b[2]`` is ``("a", "b", 2)``. The first element is always a top-level
attribute name.
"""

from __future__ import annotations

from fakeaws.errors import validation_error
from fakeaws.services.dynamodb.types import AttributeValue, copy_value

Path = tuple[str | int, ...]

INVALID_FOR_UPDATE = "The document path provided in the update expression is invalid for update"


def describe(path: Path) -> str:
    """DynamoDB's rendering of a path in messages: ``[a, b, [2]]``."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path) + "]"


def get(item: dict, path: Path) -> AttributeValue | None:
    """The value at ``path``, or None when any part of it is missing or of another type."""
    value = item.get(path[0])
    for element in path[1:]:
        holder = value and value.get("L" if isinstance(element, int) else "M")
        if holder is None:
            return None
        value = _child(holder, element)
    return value


def put(item: dict, path: Path, value: AttributeValue) -> Path:
    """Write ``value`` at ``path`` in place; the path actually written is returned.

    "If the element doesn't already exist, SET appends the new element at the
    end of the list": an index past the end appends.
    """
    holder, last = _holder(item, path), path[-1]
    if isinstance(last, int) and last >= len(holder):
        holder.append(value)
        return path[:-1] + (len(holder) - 1,)
    holder[last] = value
    return path


def remove(item: dict, path: Path) -> None:
    """Remove ``path`` in place (later list elements shift down); a missing last element is fine."""
    holder, last = _holder(item, path), path[-1]
    if isinstance(last, int):
        if last < len(holder):
            del holder[last]
    else:
        holder.pop(last, None)


def _holder(item: dict, path: Path) -> dict | list:
    """The map payload or list that holds ``path``'s last element; it must already exist."""
    holder: dict | list = item
    for element, following in zip(path, path[1:]):
        value = _child(holder, element)
        kind = "L" if isinstance(following, int) else "M"
        if value is None or kind not in value:
            raise validation_error(INVALID_FOR_UPDATE)
        holder = value[kind]
    return holder


def _child(holder: dict | list, element: str | int) -> AttributeValue | None:
    if isinstance(element, int):
        return holder[element] if element < len(holder) else None
    return holder.get(element)


def overlap_problem(paths: list[Path]) -> str | None:
    """DynamoDB's complaint about two paths of one update or projection, if any.

    One path inside (or equal to) another overlaps; two paths that use the
    same element as a map key in one and a list index in the other conflict.
    The first overlap wins over any conflict (dynalite's order, tested
    against DynamoDB).
    """
    conflict = None
    for n, later in enumerate(paths):
        for earlier in paths[:n]:
            for a, b in zip(earlier, later):
                if type(a) is not type(b):
                    conflict = conflict or _two("conflict", earlier, later)
                    break
                if a != b:
                    break
            else:
                return _two("overlap", earlier, later)
    return conflict


def _two(relation: str, one: Path, two: Path) -> str:
    return (
        f"Two document paths {relation} with each other; must remove or rewrite one of these "
        f"paths; path one: {describe(one)}, path two: {describe(two)}"
    )


def project(item: dict, paths: list[Path]) -> dict:
    """The parts of ``item`` named by ``paths``, keeping their nesting (deep copies).

    Projected list elements keep their order and close up: ``l[3], l[1]`` of a
    five-element list gives a two-element list.
    """
    tree: dict = {}  # element -> subtree, or None for "the whole value"
    for path in paths:
        node = tree
        for element in path[:-1]:
            node = node.setdefault(element, {})
            if node is None:  # an enclosing path already takes the whole value
                break
        else:
            node[path[-1]] = None
    return _pick_map(item, tree)


def _pick_map(mapping: dict, tree: dict) -> dict:
    picked = {}
    for key, subtree in tree.items():
        if isinstance(key, str) and key in mapping:
            value = _pick(mapping[key], subtree)
            if value is not None:
                picked[key] = value
    return picked


def _pick(value: AttributeValue, tree: dict | None) -> AttributeValue | None:
    if tree is None:
        return copy_value(value)
    if "M" in value:
        picked = _pick_map(value["M"], tree)
        return {"M": picked} if picked else None
    if "L" in value:
        elements = value["L"]
        indexes = sorted(i for i in tree if isinstance(i, int) and i < len(elements))
        chosen = [_pick(elements[i], tree[i]) for i in indexes]
        kept = [v for v in chosen if v is not None]
        return {"L": kept} if kept else None
    return None
