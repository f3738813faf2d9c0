"""The user configuration file: default sync sources and their settings (TOML).

Location: ``$MINERSCOPE_CONFIG`` if set, else ``config.toml`` in
``platformdirs.user_config_dir("minerscope")`` (``~/.config/minerscope/config.toml`` on
Linux, ``~/Library/Application Support/minerscope/config.toml`` on macOS,
``%LOCALAPPDATA%\\minerscope\\config.toml`` on Windows). A missing file means defaults.
Every key is optional::

    [sync]
    source = "rpc"                 # rpc | esplora | coinmetrics
    batch_blocks = 1000            # blocks per committed batch (1..50,000)
    request_deadline_s = 300       # one request with all its retries ends by then
    # deadline_s = 3600            # the whole sync ends by then (default: no limit)
    max_body_mib = 64              # longest answer accepted

    [rpc]
    url = "http://127.0.0.1:8332/"
    cookie = "~/.bitcoin/.cookie"  # or: user = "alice" and password = "..."
    timeout_s = 60                 # per socket read

    [esplora]
    url = "https://mempool.space/api"
    concurrency = 4
    timeout_s = 30

    [coinmetrics]
    url = "https://community-api.coinmetrics.io/v4"
    page_size = 1000

    [machines]                     # read by `machines` and `fleet`
    catalogs = ["~/my_rigs.csv"]   # extra machine catalogs (relative: to this file)

Credentials (``cookie``, ``user``, ``password``, ``api_key``) are only read here into
memory; the cookie file itself is read when the RPC client opens. They are never
logged or printed (``repr`` hides them). Nothing is read at import time.

Every value is checked when the file is read: a wrong type, a number out of its range
(``timeout_s = -1``, ``inf``, ``nan``, ``batch_blocks = -5``) or a malformed ``url`` is
one :class:`~minerscope.errors.InputError` naming the file and the key. The same limits
apply to the command-line options (:func:`check_number`).
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from .errors import InputError
from .sources._urls import check_url
from .sources.files import read_text_file

ENV_CONFIG = "MINERSCOPE_CONFIG"
CONFIG_FILENAME = "config.toml"
SOURCES = ("rpc", "esplora", "coinmetrics")
DEFAULT_COOKIE = "~/.bitcoin/.cookie"

# (low, high) of every number a user may set, on the command line or in the file.
LIMITS: dict[str, tuple[float, float]] = {
    "timeout_s": (0.001, 86_400.0),
    "request_deadline_s": (0.001, 7 * 86_400.0),
    "deadline_s": (0.001, 365 * 86_400.0),
    "interval_s": (0.01, 86_400.0),
    "max_body_mib": (0.001, 4_096.0),
    "batch_blocks": (1, 50_000),
    "concurrency": (1, 64),
    "page_size": (1, 10_000),
    "retries": (0, 100),
    "max_failures": (1, 1_000_000),
}


def check_number(value: float, key: str, *, where: str | None = None) -> float:
    """``value`` if it is a finite number within :data:`LIMITS` for ``key``, else one
    :class:`InputError` line (``where``: ``--timeout-s`` or the file, for the message)."""
    lo, hi = LIMITS[key]
    ok = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and lo <= value <= hi
    )
    if not ok:
        kind = "a whole number" if isinstance(lo, int) else "a number"
        raise InputError(
            f"{where or key} must be {kind} from {lo:g} to {hi:g}, got {value!r}", field=key
        )
    return value


def config_path() -> Path:
    """``$MINERSCOPE_CONFIG`` if set, else ``config.toml`` in the user config directory."""
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("minerscope", appauthor=False)) / CONFIG_FILENAME


@dataclass(frozen=True)
class RPCSettings:
    """``[rpc]``: Bitcoin Core JSON-RPC endpoint and credentials."""

    url: str = "http://127.0.0.1:8332/"
    cookie: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 60.0


@dataclass(frozen=True)
class EsploraSettings:
    """``[esplora]``: esplora / mempool REST base URL and concurrency."""

    url: str = "https://mempool.space/api"
    concurrency: int = 4
    timeout_s: float = 30.0


@dataclass(frozen=True)
class CoinMetricsSettings:
    """``[coinmetrics]``: API v4 root, page size and an optional API key."""

    url: str = "https://community-api.coinmetrics.io/v4"
    page_size: int = 1000
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 30.0


@dataclass(frozen=True)
class Config:
    """The whole user configuration."""

    source: str = "rpc"
    batch_blocks: int = 1000
    request_deadline_s: float = 300.0
    deadline_s: float | None = None
    max_body_mib: float = 64.0
    rpc: RPCSettings = field(default_factory=RPCSettings)
    esplora: EsploraSettings = field(default_factory=EsploraSettings)
    coinmetrics: CoinMetricsSettings = field(default_factory=CoinMetricsSettings)
    path: Path | None = None


def _take(
    table: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path, section: str
) -> Any:
    v = table.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, kind):
        raise InputError(f"[{section}] {key} has the wrong type", path=str(path), field=key)
    return v


def _num(
    table: dict[str, Any], key: str, path: Path, section: str, default: Any, *, whole: bool
) -> Any:
    v = _take(table, key, int if whole else (int, float), path, section)
    if v is None:
        return default
    try:
        check_number(v, key, where=f"[{section}] {key}")
    except InputError as exc:
        raise InputError(exc.reason, path=str(path), field=key) from None
    return v if whole else float(v)


def _url(table: dict[str, Any], path: Path, section: str, default: str) -> str:
    v = _take(table, "url", str, path, section)
    if v is None:
        return default
    try:
        check_url(v, what=f"[{section}] url")
    except InputError as exc:
        raise InputError(exc.reason, path=str(path), field="url") from None
    return str(v)


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    s = data.get(name, {})
    if not isinstance(s, dict):
        raise InputError(f"[{name}] must be a table", path=str(path))
    return s


def load_config(path: Path | None = None) -> Config:
    """Read the configuration file (defaults for what it does not set).

    Parameters
    ----------
    path : Path, optional
        File to read; :func:`config_path` when None. A missing file gives defaults.

    Raises
    ------
    InputError
        The file is not valid TOML, or a key has the wrong type, a number is outside its
        range (:data:`LIMITS`) or a URL is malformed: one line naming the file and key.
    """
    p = path or config_path()
    if not p.exists():
        return Config(path=None)
    try:
        data = tomllib.loads(read_text_file(p))  # a regular UTF-8 file only
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"cannot read the config file: {exc}", path=str(p)) from exc
    sync = _section(data, "sync", p)
    rpc = _section(data, "rpc", p)
    esp = _section(data, "esplora", p)
    cm = _section(data, "coinmetrics", p)
    source = _take(sync, "source", str, p, "sync") or "rpc"
    if source not in SOURCES:
        raise InputError(
            f"[sync] source must be one of {', '.join(SOURCES)}", path=str(p), field="source"
        )
    d, d_rpc, d_esp, d_cm = Config(), RPCSettings(), EsploraSettings(), CoinMetricsSettings()
    return Config(
        source=source,
        batch_blocks=_num(sync, "batch_blocks", p, "sync", d.batch_blocks, whole=True),
        request_deadline_s=_num(
            sync, "request_deadline_s", p, "sync", d.request_deadline_s, whole=False
        ),
        deadline_s=_num(sync, "deadline_s", p, "sync", None, whole=False),
        max_body_mib=_num(sync, "max_body_mib", p, "sync", d.max_body_mib, whole=False),
        rpc=RPCSettings(
            url=_url(rpc, p, "rpc", d_rpc.url),
            cookie=_take(rpc, "cookie", str, p, "rpc"),
            user=_take(rpc, "user", str, p, "rpc"),
            password=_take(rpc, "password", str, p, "rpc"),
            timeout_s=_num(rpc, "timeout_s", p, "rpc", d_rpc.timeout_s, whole=False),
        ),
        esplora=EsploraSettings(
            url=_url(esp, p, "esplora", d_esp.url),
            concurrency=_num(esp, "concurrency", p, "esplora", d_esp.concurrency, whole=True),
            timeout_s=_num(esp, "timeout_s", p, "esplora", d_esp.timeout_s, whole=False),
        ),
        coinmetrics=CoinMetricsSettings(
            url=_url(cm, p, "coinmetrics", d_cm.url),
            page_size=_num(cm, "page_size", p, "coinmetrics", d_cm.page_size, whole=True),
            api_key=_take(cm, "api_key", str, p, "coinmetrics"),
            timeout_s=_num(cm, "timeout_s", p, "coinmetrics", d_cm.timeout_s, whole=False),
        ),
        path=p,
    )


__all__ = [
    "CONFIG_FILENAME",
    "DEFAULT_COOKIE",
    "ENV_CONFIG",
    "LIMITS",
    "SOURCES",
    "CoinMetricsSettings",
    "Config",
    "EsploraSettings",
    "RPCSettings",
    "check_number",
    "config_path",
    "load_config",
]
