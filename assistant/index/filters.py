"""Chroma `where` filters evaluated in Python, with Chroma's semantics, so that `InsightIndex.search` can
filter an over-fetched candidate list itself: local Chroma has no metadata index and a filtered query on
100k items costs 50-200 ms, against about 25 ms for fetching 256 unfiltered neighbours.

Semantics, checked against Chroma 1.5 by tests/assistant/index/test_filters.py: equality is type-aware
(1 == 1.0, but True != 1 and "1" != 1); `$ne`/`$nin` also match items that lack the key; `$gt`, `$gte`,
`$lt`, `$lte` compare numbers only. Anything else (e.g. `$contains`) is left to Chroma.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chromadb.api.types import validate_where

from assistant.errors import InvalidInputError

_EQUALITY = {"$eq", "$ne", "$in", "$nin"}
_ORDER = {"$gt", "$gte", "$lt", "$lte"}
_MISSING = object()


def normalise_where(where: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Read several plain fields as their conjunction, and check the filter as Chroma would."""
    if not where:
        return None
    if len(where) > 1 and not any(key.startswith("$") for key in where):
        where = {"$and": [{key: value} for key, value in where.items()]}
    normalised = dict(where)
    try:
        validate_where(normalised)
    except ValueError as exc:
        raise InvalidInputError(f"Invalid search filter: {exc}") from None
    return normalised


def can_evaluate(where: Mapping[str, Any]) -> bool:
    """True if `matches` implements every operator and operand type in this (validated) filter."""
    for key, condition in where.items():
        if key in ("$and", "$or"):
            if not all(can_evaluate(clause) for clause in condition):
                return False
        elif isinstance(condition, dict):
            ((operator, operand),) = condition.items()
            if operator in _ORDER:
                if not _is_number(operand):
                    return False
            elif operator not in _EQUALITY:
                return False
    return True


def matches(metadata: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    """Whether an item's metadata satisfies a filter that `can_evaluate` accepted."""
    for key, condition in where.items():
        if key == "$and":
            ok = all(matches(metadata, clause) for clause in condition)
        elif key == "$or":
            ok = any(matches(metadata, clause) for clause in condition)
        else:
            ok = _field_matches(metadata.get(key, _MISSING), condition)
        if not ok:
            return False
    return True


def pinned_call_ids(where: Mapping[str, Any]) -> list[str] | None:
    """The call ids a filter restricts results to (at top level or inside a top-level `$and`), if any."""
    clauses = where.get("$and", [where])
    for clause in clauses:
        condition = clause.get("call_id", _MISSING)
        if isinstance(condition, str):
            return [condition]
        if isinstance(condition, dict):
            ((operator, operand),) = condition.items()
            if operator == "$eq" and isinstance(operand, str):
                return [operand]
            if operator == "$in" and all(isinstance(value, str) for value in operand):
                return list(operand)
    return None


def _field_matches(value: Any, condition: Any) -> bool:
    if not isinstance(condition, dict):
        return _equal(value, condition)
    ((operator, operand),) = condition.items()
    if operator == "$eq":
        return _equal(value, operand)
    if operator == "$ne":
        return not _equal(value, operand)
    if operator == "$in":
        return any(_equal(value, option) for option in operand)
    if operator == "$nin":
        return not any(_equal(value, option) for option in operand)
    if not _is_number(value):
        return False
    if operator == "$gt":
        return bool(value > operand)
    if operator == "$gte":
        return bool(value >= operand)
    if operator == "$lt":
        return bool(value < operand)
    if operator == "$lte":
        return bool(value <= operand)
    raise ValueError(f"unsupported operator {operator}")


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python, but Chroma keeps booleans apart from numbers.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(value: Any, target: Any) -> bool:
    if value is _MISSING:
        return False
    if isinstance(value, bool) or isinstance(target, bool):
        return isinstance(value, bool) and isinstance(target, bool) and value == target
    if isinstance(value, str) or isinstance(target, str):
        return isinstance(value, str) and isinstance(target, str) and value == target
    return _is_number(value) and _is_number(target) and value == target
