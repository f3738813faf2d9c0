"""The user config file (TOML): defaults, values, type errors, hidden secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from minerscope.config import config_path, load_config
from minerscope.errors import InputError


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "none.toml")
    assert cfg.source == "rpc"
    assert cfg.rpc.url == "http://127.0.0.1:8332/"
    assert cfg.esplora.url == "https://mempool.space/api"
    assert cfg.coinmetrics.url == "https://community-api.coinmetrics.io/v4"


def test_values_are_read(tmp_path: Path) -> None:
    p = tmp_path / "config.toml"
    p.write_text(
        '[sync]\nsource = "esplora"\nbatch_blocks = 250\n'
        '[rpc]\nuser = "alice"\npassword = "hunter2"\n'
        '[esplora]\nurl = "http://10.0.0.2:3002/api"\nconcurrency = 2\n'
    )
    cfg = load_config(p)
    assert (cfg.source, cfg.batch_blocks) == ("esplora", 250)
    assert cfg.esplora.url == "http://10.0.0.2:3002/api" and cfg.esplora.concurrency == 2
    assert cfg.rpc.password == "hunter2"
    assert "hunter2" not in repr(cfg)


@pytest.mark.parametrize(
    "text", ['[sync]\nsource = "ftp"\n', "[rpc]\ntimeout_s = 'x'\n", "[rpc\n", "rpc = 1\n"]
)
def test_bad_files_name_the_path(tmp_path: Path, text: str) -> None:
    p = tmp_path / "config.toml"
    p.write_text(text)
    with pytest.raises(InputError, match="config.toml"):
        load_config(p)


def test_env_overrides_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINERSCOPE_CONFIG", str(tmp_path / "c.toml"))
    assert config_path() == tmp_path / "c.toml"


@pytest.mark.parametrize(
    ("text", "key"),
    [("[rpc]\ntimeout_s = -1\n", "timeout_s"), ("[rpc]\ntimeout_s = inf\n", "timeout_s"),
     ("[esplora]\ntimeout_s = nan\n", "timeout_s"), ("[sync]\nbatch_blocks = -5\n", "batch_blocks"),
     ("[sync]\nbatch_blocks = 0\n", "batch_blocks"), ("[sync]\ndeadline_s = 0\n", "deadline_s"),
     ("[sync]\nmax_body_mib = 1e9\n", "max_body_mib"),
     ("[esplora]\nconcurrency = 0\n", "concurrency"),
     ("[coinmetrics]\npage_size = 2.5\n", "page_size"),
     ('[rpc]\nurl = "http://alice:hunter2@node:99999/"\n', "url"),
     ('[esplora]\nurl = "mempool.space/api"\n', "url")],
)  # fmt: skip
def test_bad_values_are_one_line_naming_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    p = tmp_path / "config.toml"
    p.write_text(text)
    with pytest.raises(InputError) as info:
        load_config(p)
    msg = str(info.value)
    assert msg.startswith(f"{p}, field {key!r}: ") and "\n" not in msg
    assert "hunter2" not in msg


def test_zero_is_not_silently_the_default(tmp_path: Path) -> None:
    # `batch_blocks = 0` used to fall back to 1000 without a word (0 is falsy)
    p = tmp_path / "config.toml"
    p.write_text("[sync]\nbatch_blocks = 1\nrequest_deadline_s = 2.5\n")
    cfg = load_config(p)
    assert (cfg.batch_blocks, cfg.request_deadline_s, cfg.deadline_s) == (1, 2.5, None)
