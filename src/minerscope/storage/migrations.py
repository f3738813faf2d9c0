"""Numbered schema migrations, applied in order and recorded in ``_migrations``.

A migration is never edited once released: add a new one instead. Each runs in the
same transaction as its record in ``_migrations``.
"""

from __future__ import annotations

import sqlite3
from typing import Final

MIGRATIONS: Final[tuple[tuple[int, str, str], ...]] = (
    (
        1,
        "0001_core_tables",
        """
        CREATE TABLE blocks (
            height         INTEGER PRIMARY KEY CHECK (height >= 0),
            hash           TEXT    NOT NULL UNIQUE CHECK (length(hash) = 64),
            prev_hash      TEXT,
            time_s         INTEGER NOT NULL,
            median_time_s  INTEGER,
            bits           INTEGER,
            chainwork_hex  TEXT,
            fees_sat       INTEGER CHECK (fees_sat >= 0),
            subsidy_sat    INTEGER CHECK (subsidy_sat >= 0),
            tx_count       INTEGER CHECK (tx_count >= 0),
            size_bytes     INTEGER CHECK (size_bytes >= 0),
            weight_wu      INTEGER CHECK (weight_wu >= 0)
        ) STRICT;
        CREATE INDEX blocks_time_s ON blocks (time_s);

        CREATE TABLE epochs (
            epoch          INTEGER PRIMARY KEY CHECK (epoch >= 0),
            start_height   INTEGER NOT NULL UNIQUE,
            bits           INTEGER NOT NULL,
            end_hash       TEXT
        ) STRICT;

        CREATE TABLE daily (
            date           TEXT    PRIMARY KEY
                                   CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            blocks         INTEGER CHECK (blocks >= 0),
            difficulty     REAL    CHECK (difficulty > 0),
            issuance_sat   INTEGER CHECK (issuance_sat >= 0),
            fees_sat       INTEGER CHECK (fees_sat >= 0),
            price_usd      REAL    CHECK (price_usd > 0),
            source         TEXT    NOT NULL
        ) STRICT;

        CREATE TABLE prices (
            source         TEXT    NOT NULL,
            time_s         INTEGER NOT NULL,
            price_usd      REAL    NOT NULL CHECK (price_usd > 0),
            PRIMARY KEY (source, time_s)
        ) STRICT;
        CREATE INDEX prices_time_s ON prices (time_s);
        """,
    ),
    (
        6,
        "0006_mvrv_daily",
        """
        CREATE TABLE mvrv_daily (
            source         TEXT    NOT NULL,
            date           TEXT    NOT NULL
                                   CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            mvrv_ratio     REAL    NOT NULL CHECK (mvrv_ratio > 0),
            PRIMARY KEY (source, date)
        ) STRICT;
        """,
    ),
)


def applied_versions(conn: sqlite3.Connection) -> list[int]:
    """Versions recorded in ``_migrations``, ascending."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_s INTEGER NOT NULL"
        ") STRICT"
    )
    return [int(r[0]) for r in conn.execute("SELECT version FROM _migrations ORDER BY version")]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet recorded; return the names applied."""
    done = set(applied_versions(conn))
    applied: list[str] = []
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in sql.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO _migrations (version, name, applied_at_s)"
                " VALUES (?, ?, CAST(strftime('%s','now') AS INTEGER))",
                (version, name),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(name)
    return applied
