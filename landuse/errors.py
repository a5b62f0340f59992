"""Exceptions and warnings raised by landuse.

Every error is a :class:`LanduseError`; the ones about a bad *value* (a wrong CRS,
missing or mistyped columns, broken geometry) are also :class:`ValueError` so that
generic ``except ValueError`` code keeps working.

Messages follow one shape: what is wrong (argument named), what was received
(with counts and a few offending ids), and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "BankError",
    "CRSError",
    "GeometryError",
    "LanduseError",
    "LanduseWarning",
    "PolicyError",
    "SchemaError",
    "StoreBusyError",
    "format_ids",
]


class LanduseError(Exception):
    """Base class of every error raised by landuse."""


class CRSError(LanduseError, ValueError):
    """A coordinate reference system is missing, geographic where metres are needed, or mismatched."""


class SchemaError(LanduseError, ValueError):
    """Columns are missing, duplicated, or hold values of the wrong type."""


class GeometryError(LanduseError, ValueError):
    """Geometries are of the wrong type, empty, or cannot be repaired."""


class PolicyError(LanduseError, ValueError):
    """A policy profile is malformed: a key is missing, unknown, or holds a wrong value."""


class BankError(LanduseError, ValueError):
    """A request the project bank refuses: unknown id, illegal transition, newer schema, …."""


class StoreBusyError(LanduseError):
    """Another process holds the store's write lock; nothing was written — retry."""

    @classmethod
    def waited(cls, label: str, doing: str, timeout: float) -> StoreBusyError:
        """Build the error for ``doing`` on store ``label`` after waiting ``timeout`` seconds."""
        return cls(
            f"store busy, retry: {label} is being written by another process and "
            f"{doing} waited {timeout:g} s for it (ProjectBank.open(..., timeout=) waits "
            "longer). Nothing was written."
        )


class LanduseWarning(UserWarning):
    """A recoverable data problem that landuse fixed or worked around (repairs, dropped rows)."""


def format_ids(ids: Iterable[Any], *, limit: int = 5) -> str:
    """Format a few offending ids for an error message.

    Parameters
    ----------
    ids
        The offending ids (index values or id column values).
    limit
        How many to show before eliding the rest.

    Returns
    -------
    str
        ``"17, 42, 88"`` or ``"17, 42, 88, … (+12 more)"``.

    Examples
    --------
    >>> format_ids(["P1", "P2"])
    'P1, P2'
    >>> format_ids(range(8), limit=3)
    '0, 1, 2, … (+5 more)'
    """
    ids = list(ids)
    shown = ", ".join(str(i) for i in ids[:limit])
    if len(ids) > limit:
        shown += f", … (+{len(ids) - limit} more)"
    return shown
