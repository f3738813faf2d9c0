"""Numbered schema migrations, applied in order and recorded in ``_migrations``.

A migration is never edited once released: add a new one instead. Each runs in the
same transaction as its record in ``_migrations``. A migration is SQL text (statements
separated by ``;``) or a function of the connection, for changes SQL alone cannot make
generically (rebuilding a table whatever columns later migrations added to it).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Final

Migration = str | Callable[[sqlite3.Connection], None]

_BLOCK_POOLS_SQL = """
    CREATE TABLE block_pools (
        height             INTEGER PRIMARY KEY CHECK (height >= 0),
        pool_slug          TEXT    NOT NULL CHECK (length(pool_slug) > 0),
        basis              TEXT    NOT NULL CHECK (basis = 'file' OR basis = 'tag'
                                       OR basis = 'address' OR basis = 'tag+address'
                                       OR basis = 'tag!=address' OR basis = 'mempool'
                                       OR basis = 'none'),
        source             TEXT    NOT NULL,
        coinbase_text      TEXT,
        matched_tag        TEXT,
        payout_address     TEXT,
        address_pool_slug  TEXT,
        block_hash         TEXT    CHECK (length(block_hash) = 64)
    ) STRICT
"""
# basis: OR, not IN (...): SQLite evaluates a CHECK's IN list slowly (an ephemeral index per
# row), 1.4 s more for the 282,174 rows of the reference attribution file. No index on
# pool_slug: every query joins on height.


def _blocks_hash_nullable(conn: sqlite3.Connection) -> None:
    """0002: ``blocks.hash`` may be NULL (a block known by height and time only); add
    ``block_pools``.

    SQLite cannot drop a NOT NULL constraint in place, so the table is rebuilt (create the
    new table, copy, drop, rename, recreate the indexes: sqlite.org/lang_altertable.html,
    "Making Other Kinds Of Table Schema Changes") from its stored definition, so every
    other column, constraint and index (including any a later migration added) is kept.
    """
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'blocks'")
    create = str(row.fetchone()[0])
    new, n = re.subn(r"(\bhash\s+TEXT\s+)NOT\s+NULL\s+", r"\1", create, count=1, flags=re.I)
    if n != 1:
        raise sqlite3.DatabaseError("0002: blocks.hash is not declared 'TEXT NOT NULL'")
    new, n = re.subn(r"^CREATE TABLE\s+\"?blocks\"?", "CREATE TABLE _blocks_0002", new, count=1)
    if n != 1:
        raise sqlite3.DatabaseError("0002: unexpected definition of the blocks table")
    indexes = [
        str(r[0])
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'blocks'"
            " AND sql IS NOT NULL"
        )
    ]
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA table_info(blocks)"))
    conn.execute(new)
    conn.execute(f"INSERT INTO _blocks_0002 ({columns}) SELECT {columns} FROM blocks")
    conn.execute("DROP TABLE blocks")
    conn.execute("ALTER TABLE _blocks_0002 RENAME TO blocks")
    for sql in indexes:
        conn.execute(sql)
    for statement in _BLOCK_POOLS_SQL.split(";"):
        if statement.strip():
            conn.execute(statement)


MIGRATIONS: Final[tuple[tuple[int, str, Migration], ...]] = (
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
    (2, "0002_hashless_blocks_and_block_pools", _blocks_hash_nullable),
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
            if callable(sql):
                sql(conn)
            else:
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
