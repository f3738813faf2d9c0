"""The user configuration file: default sync sources and their settings (TOML).

Location: ``$MINERSCOPE_CONFIG`` if set, else ``config.toml`` in
``platformdirs.user_config_dir("minerscope")`` (``~/.config/minerscope/config.toml`` on
Linux, ``~/Library/Application Support/minerscope/config.toml`` on macOS,
``%LOCALAPPDATA%\\minerscope\\config.toml`` on Windows). A missing file means defaults.
Every key is optional::

    [sync]
    source = "rpc"                 # rpc | esplora | coinmetrics
    batch_blocks = 1000            # blocks per committed batch

    [rpc]
    url = "http://127.0.0.1:8332/"
    cookie = "~/.bitcoin/.cookie"  # or: user = "alice" and password = "..."
    timeout_s = 60

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
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from .errors import InputError

ENV_CONFIG = "MINERSCOPE_CONFIG"
CONFIG_FILENAME = "config.toml"
SOURCES = ("rpc", "esplora", "coinmetrics")
DEFAULT_COOKIE = "~/.bitcoin/.cookie"


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
        The file is not valid TOML or a key has the wrong type.
    """
    p = path or config_path()
    if not p.exists():
        return Config(path=None)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the config file: {exc}", path=str(p)) from exc
    sync = _section(data, "sync", p)
    rpc = _section(data, "rpc", p)
    esp = _section(data, "esplora", p)
    cm = _section(data, "coinmetrics", p)
    source = _take(sync, "source", str, p, "sync") or "rpc"
    if source not in SOURCES:
        raise InputError(f"[sync] source must be one of {', '.join(SOURCES)}", path=str(p))
    num = (int, float)
    d_rpc, d_esp, d_cm = RPCSettings(), EsploraSettings(), CoinMetricsSettings()
    return Config(
        source=source,
        batch_blocks=_take(sync, "batch_blocks", int, p, "sync") or 1000,
        rpc=RPCSettings(
            url=_take(rpc, "url", str, p, "rpc") or d_rpc.url,
            cookie=_take(rpc, "cookie", str, p, "rpc"),
            user=_take(rpc, "user", str, p, "rpc"),
            password=_take(rpc, "password", str, p, "rpc"),
            timeout_s=float(_take(rpc, "timeout_s", num, p, "rpc") or d_rpc.timeout_s),
        ),
        esplora=EsploraSettings(
            url=_take(esp, "url", str, p, "esplora") or d_esp.url,
            concurrency=_take(esp, "concurrency", int, p, "esplora") or d_esp.concurrency,
            timeout_s=float(_take(esp, "timeout_s", num, p, "esplora") or d_esp.timeout_s),
        ),
        coinmetrics=CoinMetricsSettings(
            url=_take(cm, "url", str, p, "coinmetrics") or d_cm.url,
            page_size=_take(cm, "page_size", int, p, "coinmetrics") or d_cm.page_size,
            api_key=_take(cm, "api_key", str, p, "coinmetrics"),
            timeout_s=float(_take(cm, "timeout_s", num, p, "coinmetrics") or d_cm.timeout_s),
        ),
        path=p,
    )


__all__ = [
    "CONFIG_FILENAME",
    "DEFAULT_COOKIE",
    "ENV_CONFIG",
    "SOURCES",
    "CoinMetricsSettings",
    "Config",
    "EsploraSettings",
    "RPCSettings",
    "config_path",
    "load_config",
]
