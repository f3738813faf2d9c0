"""Opening databases like a database tool: read commands never create, change or leave a
file; anything that is not a minerscope database is refused, unchanged, in one line."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from minerscope import storage
from minerscope.errors import DatabaseBusyError, DatabaseError
from minerscope.records import PriceRecord
from minerscope.storage import _dbfile as dbfile
from minerscope.storage import db as dbmod


def _files(folder: Path) -> dict[str, str]:
    """Every file in a folder with a hash of its bytes (to see that nothing changed)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.iterdir())
    }


def _ours(path: Path) -> Path:
    conn = storage.open_for_writing(path)
    with storage.transaction(conn):
        storage.upsert_prices(conn, [PriceRecord("x", 1_300_000_000, 1.0)])
    conn.close()
    return path


def _foreign(path: Path, *, wal: bool = False) -> Path:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    conn.execute("INSERT INTO users VALUES (1, 'ada')")
    conn.commit()
    conn.close()
    return path


def test_missing_and_empty_paths(tmp_path: Path) -> None:
    for name in ("missing.sqlite", "nodir/x.sqlite"):
        with pytest.raises(DatabaseError, match="no minerscope database at .*quickstart"):
            storage.open_for_reading(tmp_path / name)
    (tmp_path / "zero.sqlite").write_bytes(b"")
    with pytest.raises(DatabaseError, match="no minerscope database at"):
        storage.open_for_reading(tmp_path / "zero.sqlite")
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("VACUUM")
    with pytest.raises(DatabaseError, match=r"no minerscope database .*\(an empty SQLite file\)"):
        storage.open_for_reading(empty)
    assert sorted(_files(tmp_path)) == ["empty.sqlite", "zero.sqlite"]  # nothing created
    # Write commands create it (a 0-byte file and an empty SQLite file are adopted) ...
    for name in ("new.sqlite", "zero.sqlite", "empty.sqlite"):
        conn = storage.open_for_writing(tmp_path / name)
        assert storage.applied_versions(conn) == [m[0] for m in storage.MIGRATIONS]
        conn.close()
    # ... but not the folder of a mistyped path.
    with pytest.raises(DatabaseError, match="the folder .*nodir does not exist"):
        storage.open_for_writing(tmp_path / "nodir" / "x.sqlite")
    assert not (tmp_path / "nodir").exists()


@pytest.mark.parametrize("opener", ["read", "write"])
def test_what_is_not_a_database_is_refused_unchanged(tmp_path: Path, opener: str) -> None:
    ours = _ours(tmp_path / "ours.sqlite")
    (tmp_path / "dir.sqlite").mkdir()
    (tmp_path / "text.sqlite").write_text("hello, not a database\n" * 50)
    (tmp_path / "cut.sqlite").write_bytes(ours.read_bytes()[:5000])
    (tmp_path / "head.sqlite").write_bytes(ours.read_bytes()[:60])
    _foreign(tmp_path / "app.sqlite")
    _foreign(tmp_path / "appwal.sqlite", wal=True)
    newer = tmp_path / "newer.sqlite"
    shutil.copy(ours, newer)
    raw = sqlite3.connect(newer)
    raw.execute("INSERT INTO _migrations VALUES (99, '0099_from_the_future', 0)")
    raw.commit()
    raw.close()
    other_ids = tmp_path / "appid.sqlite"
    raw = sqlite3.connect(other_ids)
    raw.execute("PRAGMA application_id = 42")
    raw.commit()
    raw.close()
    fifo = tmp_path / "fifo.sqlite"
    os.mkfifo(fifo)
    before = _files(tmp_path)
    open_ = storage.open_for_reading if opener == "read" else storage.open_for_writing
    for name, reason in (
        ("dir.sqlite", "is a directory, not a database file"),
        ("text.sqlite", "is not an SQLite database file"),
        ("cut.sqlite", "is a truncated SQLite file: 5,000 bytes, its header says"),
        ("head.sqlite", r"is a truncated SQLite file \(60 bytes"),
        ("app.sqlite", r"another application \(tables: users\).*nothing was changed"),
        ("appwal.sqlite", r"another application \(tables: users\)"),
        ("newer.sqlite", r"newer minerscope: schema version\(s\) 99 are unknown .*upgrade"),
        ("appid.sqlite", r"another application \(application id 0x2a\)"),
        ("fifo.sqlite", "is not a regular file"),
    ):
        with pytest.raises(DatabaseError, match=reason) as info:
            open_(tmp_path / name)
        assert "\n" not in str(info.value)
        assert str(info.value).startswith(str(tmp_path / name) + ": ")
    assert _files(tmp_path) == before  # no byte changed, no -wal, -shm or journal left
    with pytest.raises(DatabaseError, match="not a regular file"):
        open_("/dev/zero")


def test_reading_leaves_no_files_and_upgrades_an_older_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _ours(tmp_path / "ours.sqlite")
    before = _files(tmp_path)
    conn = storage.open_for_reading(ours)
    assert storage.table_counts(conn)["prices"] == 1
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM prices")
    conn.close()
    assert _files(tmp_path) == before  # SQLite's -wal and -shm for the reader are gone
    # A schema older than this minerscope's (a migration missing) is brought up to date.
    newer = (*storage.MIGRATIONS, (9, "0009_test", "CREATE TABLE t9 (x INTEGER)"))
    monkeypatch.setattr(dbfile, "MIGRATIONS", newer)
    monkeypatch.setattr(storage.migrations, "MIGRATIONS", newer)
    conn = storage.open_for_reading(ours)
    assert 9 in [v for (v,) in conn.execute("SELECT version FROM _migrations")]
    conn.close()


def test_a_locked_database_is_one_line_after_the_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _ours(tmp_path / "ours.sqlite")
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(ours, isolation_level=None, timeout=0.2)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO prices VALUES ('y', 1300000001, 2.0)")
    conn = storage.open_for_writing(ours, busy_timeout_s=0.2)
    busy = pytest.raises(DatabaseBusyError, match="locked by another process")
    with busy, storage.transaction(conn):
        storage.upsert_prices(conn, [PriceRecord("z", 1_300_000_002, 3.0)])
    reader = storage.open_for_reading(ours)  # WAL: reading goes on while another writes
    assert storage.table_counts(reader)["prices"] == 1
    reader.close()
    conn.close()
    holder.execute("ROLLBACK")
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # readers are shut out too
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO prices VALUES ('y', 1300000001, 2.0)")
    with pytest.raises(DatabaseBusyError, match=r"\(waited 0.2 s\)"):
        storage.open_for_reading(ours)
    holder.close()


def test_a_full_disk_names_the_cause_not_cannot_rollback(tmp_path: Path) -> None:
    conn = storage.open_for_writing(tmp_path / "full.sqlite")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "disk is full"
    rows = [PriceRecord("x", 1_300_000_000 + i, 1.0) for i in range(20_000)]
    with pytest.raises(DatabaseError) as info, storage.transaction(conn):
        storage.upsert_prices(conn, rows)
    assert "the disk is full" in str(info.value) and "rollback" not in str(info.value)
    assert not conn.in_transaction
    assert storage.table_counts(conn)["prices"] == 0
    conn.close()


def test_transactions_nest_as_savepoints(fresh_db: sqlite3.Connection) -> None:
    with storage.transaction(fresh_db):
        storage.upsert_prices(fresh_db, [PriceRecord("a", 1_300_000_000, 1.0)])
        with pytest.raises(RuntimeError), storage.transaction(fresh_db):
            storage.upsert_prices(fresh_db, [PriceRecord("b", 1_300_000_000, 1.0)])
            raise RuntimeError("inner fails")
    assert storage.price_sources(fresh_db) == ["a"]
    with pytest.raises(RuntimeError), storage.transaction(fresh_db):
        with storage.transaction(fresh_db):
            storage.upsert_prices(fresh_db, [PriceRecord("c", 1_300_000_000, 1.0)])
        raise RuntimeError("outer fails")
    assert storage.price_sources(fresh_db) == ["a"]


def test_a_failed_first_write_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with pytest.raises(RuntimeError), storage.writing(path):
        raise RuntimeError("the import failed")
    assert list(tmp_path.iterdir()) == []
    zero = tmp_path / "zero.sqlite"
    zero.write_bytes(b"")
    with pytest.raises(RuntimeError), storage.writing(zero):
        raise RuntimeError("the import failed")
    assert [p.name for p in tmp_path.iterdir()] == ["zero.sqlite"] and zero.stat().st_size == 0
    # Every write command's "try: ... finally: conn.close()" does the same (sync included).
    synced = tmp_path / "synced.sqlite"
    conn = storage.open_for_writing(synced)
    with pytest.raises(RuntimeError):
        try:
            raise RuntimeError("the source is down")
        finally:
            conn.close()
    assert not synced.exists()
    conn = storage.open_for_writing(synced)
    conn.close()  # closed normally: an empty new database stays
    assert synced.exists()
    synced.unlink()
    # An existing database, or one another connection has open, is never removed.
    ours = _ours(tmp_path / "ours.sqlite")
    with pytest.raises(RuntimeError), storage.writing(ours):
        raise RuntimeError("the import failed")
    assert ours.exists()
    shared = tmp_path / "shared.sqlite"
    with pytest.raises(RuntimeError), storage.writing(shared):
        other = storage.open_for_writing(shared)  # another connection of this process
        raise RuntimeError("the import failed")
    assert shared.exists()
    other.close()
    elsewhere = tmp_path / "elsewhere.sqlite"
    holder: subprocess.Popen[str] | None = None
    with pytest.raises(RuntimeError), storage.writing(elsewhere):
        code = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
            " c.execute('SELECT 1 FROM sqlite_master').fetchall();"
            " print('open', flush=True); sys.stdin.read()"
        )
        holder = subprocess.Popen(
            [sys.executable, "-c", code, str(elsewhere)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        raise RuntimeError("the import failed")
    assert elsewhere.exists()  # another process has it open
    assert holder is not None
    holder.communicate("")


def _unshare_available() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /mnt 2>/dev/null"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_available(), reason="needs unshare --mount to mount a tmpfs")
def test_read_only_file_system_and_a_really_full_disk(tmp_path: Path) -> None:
    # A private mount namespace (gone when the shell exits): a 64 KiB tmpfs, read-only later.
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = f"""
set -e
mount -t tmpfs -o size=256k tmpfs {mnt}
{sys.executable} - <<'EOF'
from minerscope import storage
from minerscope.errors import DatabaseError
from minerscope.records import PriceRecord
c = storage.open_for_writing("{mnt}/a.sqlite")
with storage.transaction(c):
    storage.upsert_prices(c, [PriceRecord("x", 1300000000, 1.0)])
c.close()
before = open("{mnt}/a.sqlite", "rb").read()
c = storage.open_for_writing("{mnt}/a.sqlite")
try:
    with storage.transaction(c):
        storage.upsert_prices(c, [PriceRecord("x", 1300000001 + i, 1.0) for i in range(50000)])
except DatabaseError as e:
    print("FULL:", e)
c.close()
print("UNCHANGED:", open("{mnt}/a.sqlite", "rb").read() == before)
EOF
mount -o remount,ro {mnt}
{sys.executable} - <<'EOF'
import os
from minerscope import storage
from minerscope.errors import DatabaseError
c = storage.open_for_reading("{mnt}/a.sqlite")
print("READ:", storage.table_counts(c)["prices"])
c.close()
for path in ("{mnt}/a.sqlite", "{mnt}/new.sqlite"):
    try:
        storage.open_for_writing(path)
    except DatabaseError as e:
        print("WRITE:", e)
print("FILES:", sorted(os.listdir("{mnt}")))
EOF
"""
    out = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("FULL:") and "the disk is full" in line for line in lines), lines
    assert "UNCHANGED: True" in lines
    assert "READ: 1" in lines
    assert sum("the file system is read-only" in line for line in lines) == 2
    assert "FILES: ['a.sqlite']" in lines
