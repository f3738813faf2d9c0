"""The exception tree. The CLI maps each branch to an exit code.

::

    MinerscopeError
    ├── InputError            bad input: a file, line or field (exit 1)
    │   ├── ConflictError     a row that contradicts a stored one (exit 1)
    │   └── DatabaseError     the database file cannot be opened, read or written (exit 1)
    │       └── DatabaseBusyError  another process held the lock past the wait (exit 3)
    ├── NoDataError           the database holds nothing to answer with (exit 1)
    └── SourceError           a data source is unavailable or answered junk (exit 3)
"""

from __future__ import annotations


class MinerscopeError(Exception):
    """Base of every error minerscope raises on purpose."""


class InputError(MinerscopeError):
    """Bad input, reported as one line naming the file, line and field when known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = message
        where = []
        if path is not None:
            where.append(path if line is None else f"{path}:{line}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class ConflictError(InputError):
    """A row that contradicts what the database already holds (e.g. another hash).

    ``key`` is the natural key of the offending row (a height, an epoch) when known, so an
    importer can name the line it came from.
    """

    def __init__(
        self,
        message: str,
        *,
        key: int | str | None = None,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.key = key
        super().__init__(message, path=path, line=line, field=field)


class DatabaseError(InputError):
    """The database file is missing, not minerscope's, damaged, newer, read-only or full.

    ``path`` is the database file; the message says what is wrong and, where there is one,
    what to do.
    """


class DatabaseBusyError(DatabaseError):
    """Another process kept the database locked for longer than the wait."""


class NoDataError(MinerscopeError):
    """The database holds no data that can answer the question asked."""


class SourceError(MinerscopeError):
    """A data source (node, server, API) is unavailable or answered something unusable."""
