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
    new table, copy, drop, rename, recreate the indexes and triggers:
    sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes") from its
    stored definition, so every other column, constraint, index and trigger (including any a
    later migration added) is kept.
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
    # triggers on blocks (a later migration's, applied first on a development database)
    # are dropped with the table: recreate them after the rename
    triggers = [
        str(r[0])
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'blocks'"
        )
    ]
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA table_info(blocks)"))
    conn.execute(new)
    conn.execute(f"INSERT INTO _blocks_0002 ({columns}) SELECT {columns} FROM blocks")
    conn.execute("DROP TABLE blocks")
    conn.execute("ALTER TABLE _blocks_0002 RENAME TO blocks")
    for sql in indexes + triggers:
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
        5,
        "0005_block_days",
        # Per-day block aggregates, kept current by triggers, so that daily economics over a
        # node-sized chain read about 7,000 rows instead of every block. One row per UTC day
        # (block timestamp // 86,400, as Coin Metrics counts days) and retarget epoch
        # (height // 2016). The subsidy of a block stored without one is the consensus
        # schedule, 50 BTC >> (height // 210,000) (``consensus.block_subsidy_sat``).
        """
        CREATE TABLE block_days (
            day          INTEGER NOT NULL,
            epoch        INTEGER NOT NULL,
            blocks       INTEGER NOT NULL CHECK (blocks >= 0),
            min_height   INTEGER NOT NULL,
            max_height   INTEGER NOT NULL,
            fees_sat     INTEGER NOT NULL,
            fee_blocks   INTEGER NOT NULL,
            subsidy_sat  INTEGER NOT NULL,
            bits         INTEGER,
            PRIMARY KEY (day, epoch)
        ) STRICT, WITHOUT ROWID;

        INSERT INTO block_days
            SELECT time_s / 86400, height / 2016, COUNT(*), MIN(height), MAX(height),
                   COALESCE(SUM(fees_sat), 0), COUNT(fees_sat),
                   SUM(COALESCE(subsidy_sat, 5000000000 >> (height / 210000))), MAX(bits)
            FROM blocks GROUP BY time_s / 86400, height / 2016;

        CREATE TRIGGER block_days_insert AFTER INSERT ON blocks BEGIN
            INSERT INTO block_days
                VALUES (NEW.time_s / 86400, NEW.height / 2016, 1, NEW.height, NEW.height,
                        COALESCE(NEW.fees_sat, 0), NEW.fees_sat IS NOT NULL,
                        COALESCE(NEW.subsidy_sat, 5000000000 >> (NEW.height / 210000)), NEW.bits)
            ON CONFLICT (day, epoch) DO UPDATE SET
                blocks = blocks + 1,
                min_height = MIN(min_height, excluded.min_height),
                max_height = MAX(max_height, excluded.max_height),
                fees_sat = fees_sat + excluded.fees_sat,
                fee_blocks = fee_blocks + excluded.fee_blocks,
                subsidy_sat = subsidy_sat + excluded.subsidy_sat,
                bits = COALESCE(excluded.bits, bits);
        END;

        CREATE TRIGGER block_days_delete AFTER DELETE ON blocks BEGIN
            UPDATE block_days SET
                blocks = blocks - 1,
                fees_sat = fees_sat - COALESCE(OLD.fees_sat, 0),
                fee_blocks = fee_blocks - (OLD.fees_sat IS NOT NULL),
                subsidy_sat = subsidy_sat
                    - COALESCE(OLD.subsidy_sat, 5000000000 >> (OLD.height / 210000)),
                min_height = CASE WHEN OLD.height != min_height THEN min_height
                    ELSE COALESCE((SELECT MIN(b.height) FROM blocks b INDEXED BY blocks_time_s
                    WHERE b.time_s BETWEEN day * 86400 AND day * 86400 + 86399
                    AND b.height / 2016 = epoch), min_height) END,
                max_height = CASE WHEN OLD.height != max_height THEN max_height
                    ELSE COALESCE((SELECT MAX(b.height) FROM blocks b INDEXED BY blocks_time_s
                    WHERE b.time_s BETWEEN day * 86400 AND day * 86400 + 86399
                    AND b.height / 2016 = epoch), max_height) END
            WHERE day = OLD.time_s / 86400 AND epoch = OLD.height / 2016;
            DELETE FROM block_days
            WHERE day = OLD.time_s / 86400 AND epoch = OLD.height / 2016 AND blocks = 0;
        END;

        CREATE TRIGGER block_days_update_same_day
        AFTER UPDATE OF time_s, fees_sat, subsidy_sat, bits ON blocks
        WHEN OLD.time_s / 86400 = NEW.time_s / 86400 BEGIN
            UPDATE block_days SET
                fees_sat = fees_sat - COALESCE(OLD.fees_sat, 0) + COALESCE(NEW.fees_sat, 0),
                fee_blocks = fee_blocks - (OLD.fees_sat IS NOT NULL) + (NEW.fees_sat IS NOT NULL),
                subsidy_sat = subsidy_sat
                    - COALESCE(OLD.subsidy_sat, 5000000000 >> (OLD.height / 210000))
                    + COALESCE(NEW.subsidy_sat, 5000000000 >> (NEW.height / 210000)),
                bits = COALESCE(NEW.bits, bits)
            WHERE day = NEW.time_s / 86400 AND epoch = NEW.height / 2016;
        END;

        CREATE TRIGGER block_days_update_other_day AFTER UPDATE OF time_s ON blocks
        WHEN OLD.time_s / 86400 != NEW.time_s / 86400 BEGIN
            UPDATE block_days SET
                blocks = blocks - 1,
                fees_sat = fees_sat - COALESCE(OLD.fees_sat, 0),
                fee_blocks = fee_blocks - (OLD.fees_sat IS NOT NULL),
                subsidy_sat = subsidy_sat
                    - COALESCE(OLD.subsidy_sat, 5000000000 >> (OLD.height / 210000)),
                min_height = CASE WHEN OLD.height != min_height THEN min_height
                    ELSE COALESCE((SELECT MIN(b.height) FROM blocks b INDEXED BY blocks_time_s
                    WHERE b.time_s BETWEEN day * 86400 AND day * 86400 + 86399
                    AND b.height / 2016 = epoch), min_height) END,
                max_height = CASE WHEN OLD.height != max_height THEN max_height
                    ELSE COALESCE((SELECT MAX(b.height) FROM blocks b INDEXED BY blocks_time_s
                    WHERE b.time_s BETWEEN day * 86400 AND day * 86400 + 86399
                    AND b.height / 2016 = epoch), max_height) END
            WHERE day = OLD.time_s / 86400 AND epoch = OLD.height / 2016;
            DELETE FROM block_days
            WHERE day = OLD.time_s / 86400 AND epoch = OLD.height / 2016 AND blocks = 0;
            INSERT INTO block_days
                VALUES (NEW.time_s / 86400, NEW.height / 2016, 1, NEW.height, NEW.height,
                        COALESCE(NEW.fees_sat, 0), NEW.fees_sat IS NOT NULL,
                        COALESCE(NEW.subsidy_sat, 5000000000 >> (NEW.height / 210000)), NEW.bits)
            ON CONFLICT (day, epoch) DO UPDATE SET
                blocks = blocks + 1,
                min_height = MIN(min_height, excluded.min_height),
                max_height = MAX(max_height, excluded.max_height),
                fees_sat = fees_sat + excluded.fees_sat,
                fee_blocks = fee_blocks + excluded.fee_blocks,
                subsidy_sat = subsidy_sat + excluded.subsidy_sat,
                bits = COALESCE(excluded.bits, bits);
        END;
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


def _statements(sql: str) -> list[str]:
    """Split a migration into complete statements (a trigger body holds semicolons)."""
    out: list[str] = []
    buf = ""
    for piece in sql.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    if buf.strip(" \n;"):
        out.append(buf.strip())
    return out


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
                for statement in _statements(sql):
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
