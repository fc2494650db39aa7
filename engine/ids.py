"""Ids as they arrive from forms and the API (numbers, strings, None)."""


def as_id(value) -> int:
    """The integer id in `value`, or 0 (which matches no row) when there is none."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
