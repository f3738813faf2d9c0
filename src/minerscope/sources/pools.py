"""Who mined a block: the pool tag file, coinbase parsing and identification.

**The tag file.** ``minerscope/data/pools.json`` (provenance in ``data/pools.md``) lists
every known pool by slug: its display name, link, coinbase tags and payout addresses, plus
the pools that are one operator's own (``operators``). Users extend it with files in the
same format, or in the "old pools.json" format of ``bitcoin-data/mining-pools``
(``{"coinbase_tags": {TAG: {"name", "link"}}, "payout_addresses": {ADDRESS: {...}}}``),
named by ``--tags FILE`` or ``[pools] tags = [...]`` in the user config file. A later file's
entry for the same tag, address, pool or operator replaces the earlier one.

**Identification** (:meth:`PoolCatalog.identify`), tags first, then the payout address:

1. A tag matches when its UTF-8 bytes occur in the coinbase scriptSig (case-sensitive, as
   the tag file spells variants such as ``/BTC.COM/`` and ``/BTC.com/`` separately). When
   several match, the longest wins (``/ViaBTC/TATMAS Pool/`` over ``/ViaBTC/``, ``/EMCD/``
   over ``EMC``); equal lengths: the alphabetically first tag.
2. An address matches when an output of the coinbase pays it (outputs in order; the
   address is derived from the output script, see :mod:`minerscope.sources._address`).
3. Tag and address naming the same pool: ``tag+address``; different pools: the tag's pool,
   basis ``tag!=address``, and the address's pool is kept beside it; only one: ``tag`` or
   ``address``; neither: ``unknown`` (basis ``none``), never a guess.
4. A server's own attribution (mempool's ``extras.pool``) naming a pool is taken as it is
   (basis ``mempool``); when it says "unknown", steps 1-3 decide.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..records import BlockPool
from ._address import address_from_script, script_from_address
from .files import read_text_file

UNKNOWN = "unknown"
TAG_FILE_FORMAT = "minerscope-pools/1"
SHIPPED_ORIGIN = "shipped"
MAX_COINBASE_TEXT = 100  # a scriptSig holds at most 100 bytes (consensus)
_SLUG_RE = re.compile(r"^[^\s\x00-\x1f]{1,64}$")


# --- the catalog --------------------------------------------------------------------


@dataclass(frozen=True)
class Operator:
    """A firm whose own pool a slug is (its output through shared pools is not counted)."""

    operator: str
    public: bool = False
    note: str = ""


@dataclass(frozen=True)
class Coinbase:
    """What identification reads from a coinbase transaction.

    ``output_scripts`` holds each output's script in output order (the OP_RETURN witness
    commitment included). ``reported_pool_*`` is the server's own attribution when it
    gives one (mempool ``extras.pool``).
    """

    script_sig: bytes
    output_scripts: tuple[bytes, ...] = ()
    reported_pool_slug: str | None = None
    reported_pool_name: str | None = None


@dataclass(frozen=True)
class Identification:
    """The pool of one coinbase and the evidence (see the module docstring)."""

    pool_slug: str
    basis: str
    coinbase_text: str
    matched_tag: str | None = None
    tag_pool_slug: str | None = None
    address_pool_slug: str | None = None
    payout_address: str | None = None


def coinbase_text(script_sig: bytes) -> str:
    """The readable characters of a scriptSig (UTF-8; other bytes dropped), stripped."""
    text = script_sig.decode("utf-8", errors="replace")
    return "".join(c for c in text if c.isprintable() and c != "\ufffd").strip()


@lru_cache(maxsize=4096)
def _address_of(script: bytes) -> str | None:
    # pools pay the same few scripts block after block: each is encoded once
    return address_from_script(script)


def first_address(scripts: Iterable[bytes]) -> str | None:
    """The address of the first output that pays one (the payout address), or None."""
    for script in scripts:
        a = _address_of(bytes(script))
        if a is not None:
            return a
    return None


def _trie_pattern(words: Iterable[bytes]) -> bytes:
    """A regex matching the longest of ``words`` that starts at a position.

    The words form a trie, written as nested groups: the engine reads one byte per level
    instead of trying every word at every position (the plain alternation of a few hundred
    tags cost about 15 us per coinbase), and where a word ends inside a longer one the rest
    is optional and greedy, so the longer word wins.
    """
    trie: dict[int | None, Any] = {}
    for word in words:
        node = trie
        for byte in word:
            node = node.setdefault(byte, {})
        node[None] = {}

    def pattern(node: dict[int | None, Any]) -> bytes:
        alts = [
            re.escape(bytes((byte,))) + pattern(child)
            for byte, child in sorted((k, v) for k, v in node.items() if k is not None)
        ]
        if not alts:
            return b""
        body = alts[0] if len(alts) == 1 else b"(?:" + b"|".join(alts) + b")"
        return b"(?:" + body + b")?" if None in node else body

    return pattern(trie)


def mempool_style_slug(name: str) -> str:
    """mempool's generated slug: the name's letters and digits, lower case."""
    return re.sub(r"[^a-z0-9]", "", name.lower()) or name.lower()


@dataclass
class PoolCatalog:
    """Pools by slug (names, links), the tag and address tables, and the operator mapping.

    Build with :func:`load_catalog` (the shipped file plus user files).
    """

    names: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # tag -> slug
    addresses: dict[str, str] = field(default_factory=dict)  # address -> slug
    operators: dict[str, Operator] = field(default_factory=dict)  # slug -> operator
    origins: list[str] = field(default_factory=list)
    _tag_re: re.Pattern[bytes] | None = field(default=None, repr=False)
    _tag_of: dict[bytes, str] = field(default_factory=dict, repr=False)
    _scripts: dict[bytes, str] | None = field(default=None, repr=False)  # script -> address

    def name(self, slug: str) -> str:
        """Display name of a slug (the slug itself when unknown)."""
        return self.names.get(slug, slug)

    def slug_for_name(self, name: str) -> str | None:
        """The slug whose display name is ``name``, if any."""
        for s, n in self.names.items():
            if n == name:
                return s
        return None

    def _tag_regex(self) -> re.Pattern[bytes]:
        if self._tag_re is None:
            # Each match is the longest tag starting at its position (the trie's greedy
            # optional tails); a lookahead lets matches overlap.
            encoded = {t.encode("utf-8") for t in self.tags}
            self._tag_re = re.compile(
                b"(?=(" + _trie_pattern(encoded) + b"))" if encoded else b"(?!)"
            )
            self._tag_of = {t.encode("utf-8"): t for t in self.tags}
        return self._tag_re

    def match_tag(self, script_sig: bytes) -> tuple[str, str] | None:
        """(tag, slug) of the longest tag in the scriptSig (ties: alphabetical), or None."""
        found = {m.group(1) for m in self._tag_regex().finditer(script_sig)}
        if not found:
            return None
        tag = self._tag_of[min(found, key=lambda b: (-len(b), self._tag_of[b]))]
        return tag, self.tags[tag]

    def match_address(self, scripts: Iterable[bytes]) -> tuple[str, str] | None:
        """(address, slug) of the first output paying an address of the table, or None.

        Output scripts are compared with the scripts of the table's addresses (decoded
        once), so no address is encoded per block.
        """
        if self._scripts is None:
            self._scripts = {script_from_address(a): a for a in self.addresses}
        for script in scripts:
            a = self._scripts.get(script)
            if a is not None:
                return a, self.addresses[a]
        return None

    def identify(self, cb: Coinbase) -> Identification:
        """The pool of a coinbase: server attribution, then tag, then payout address."""
        tag = self.match_tag(cb.script_sig)
        addr = self.match_address(cb.output_scripts)
        payout = addr[0] if addr else first_address(cb.output_scripts)

        def result(slug: str, basis: str) -> Identification:
            return Identification(
                pool_slug=slug,
                basis=basis,
                coinbase_text=coinbase_text(cb.script_sig)[:MAX_COINBASE_TEXT],
                matched_tag=tag[0] if tag else None,
                tag_pool_slug=tag[1] if tag else None,
                address_pool_slug=addr[1] if addr else None,
                payout_address=payout,
            )

        reported = self._reported_slug(cb)
        if reported is not None:
            return result(reported, "mempool")
        if tag and addr:
            return result(tag[1], "tag+address" if tag[1] == addr[1] else "tag!=address")
        if tag:
            return result(tag[1], "tag")
        if addr:
            return result(addr[1], "address")
        return result(UNKNOWN, "none")

    def _reported_slug(self, cb: Coinbase) -> str | None:
        slug, name = cb.reported_pool_slug, cb.reported_pool_name
        if slug is None and name is None:
            return None
        if slug == UNKNOWN or (slug is None and name is not None and name.lower() == UNKNOWN):
            return None
        if slug is not None and slug in self.names:
            return slug
        by_name = self.slug_for_name(name) if name else None
        return by_name or slug or (mempool_style_slug(name) if name else None)

    def block_pool(
        self, height: int, cb: Coinbase, *, source: str, block_hash: str | None
    ) -> BlockPool:
        """The :class:`~minerscope.records.BlockPool` row of one block's coinbase."""
        ident = self.identify(cb)
        return BlockPool(
            height=height,
            pool_slug=ident.pool_slug,
            basis=ident.basis,
            source=source,
            coinbase_text=ident.coinbase_text,
            matched_tag=ident.matched_tag,
            payout_address=ident.payout_address,
            address_pool_slug=ident.address_pool_slug,
            block_hash=block_hash,
        )


# --- tag files ----------------------------------------------------------------------


def _fail(origin: str, where: str, why: str) -> InputError:
    return InputError(f"{where}: {why}", path=origin)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"key {k!r} appears twice")
        out[k] = v
    return out


def parse_tag_document(text: str, *, origin: str) -> dict[str, Any]:
    """Parse a tag file's JSON (duplicate keys are an error, not silently the last)."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", path=origin, line=exc.lineno) from exc
    except ValueError as exc:
        raise InputError(f"malformed tag file: {exc}", path=origin) from exc
    if not isinstance(data, dict):
        raise InputError("a tag file is a JSON object", path=origin)
    return data


def _check_address(origin: str, where: str, address: Any) -> str:
    if not isinstance(address, str):
        raise _fail(origin, where, "an address must be a string")
    try:
        script_from_address(address)
    except ValueError as exc:
        raise _fail(origin, where, f"{address!r} is not a valid mainnet address ({exc})") from None
    return address


def _check_slug(origin: str, where: str, slug: Any) -> str:
    if not isinstance(slug, str) or not _SLUG_RE.match(slug):
        raise _fail(origin, where, f"{slug!r} is not a pool slug (1-64 visible characters)")
    return slug


def _merge_ours(cat: PoolCatalog, data: dict[str, Any], origin: str) -> None:
    pools = data.get("pools", {})
    if not isinstance(pools, dict):
        raise _fail(origin, "pools", "must be an object of slug -> pool")
    seen_tag: dict[str, str] = {}
    seen_addr: dict[str, str] = {}
    for slug, entry in pools.items():
        where = f"pools.{slug}"
        _check_slug(origin, where, slug)
        if not isinstance(entry, dict):
            raise _fail(origin, where, "must be an object")
        unknown = set(entry) - {"name", "link", "tags", "addresses"}
        if unknown:
            raise _fail(origin, where, f"unknown key {sorted(unknown)[0]!r}")
        name = entry.get("name", cat.names.get(slug, slug))
        if not isinstance(name, str) or not name.strip():
            raise _fail(origin, f"{where}.name", "must be a non-empty string")
        cat.names[slug] = name
        if isinstance(entry.get("link"), str):
            cat.links[slug] = entry["link"]
        tags = entry.get("tags", [])
        addrs = entry.get("addresses", [])
        if not isinstance(tags, list) or not isinstance(addrs, list):
            raise _fail(origin, where, "tags and addresses must be lists")
        if slug == UNKNOWN and (tags or addrs):
            raise _fail(origin, where, "'unknown' cannot have tags or addresses")
        for tag in tags:
            if not isinstance(tag, str) or not tag:
                raise _fail(origin, f"{where}.tags", "a tag must be a non-empty string")
            if tag in seen_tag and seen_tag[tag] != slug:
                raise _fail(origin, f"{where}.tags", f"tag {tag!r} is also {seen_tag[tag]}'s")
            seen_tag[tag] = slug
            cat.tags[tag] = slug
        for a in addrs:
            _check_address(origin, f"{where}.addresses", a)
            if a in seen_addr and seen_addr[a] != slug:
                raise _fail(origin, f"{where}.addresses", f"{a} is also {seen_addr[a]}'s")
            seen_addr[a] = slug
            cat.addresses[a] = slug
    operators = data.get("operators", {})
    if not isinstance(operators, dict):
        raise _fail(origin, "operators", "must be an object of slug -> operator")
    for slug, entry in operators.items():
        where = f"operators.{slug}"
        _check_slug(origin, where, slug)
        if not isinstance(entry, dict) or not isinstance(entry.get("operator"), str):
            raise _fail(origin, where, 'must be an object with an "operator" name')
        public = entry.get("public", False)
        note = entry.get("note", "")
        if not isinstance(public, bool) or not isinstance(note, str):
            raise _fail(origin, where, '"public" must be true/false and "note" a string')
        cat.operators[slug] = Operator(entry["operator"], public, note)


def _merge_upstream(cat: PoolCatalog, data: dict[str, Any], origin: str) -> None:
    """The "old pools.json" format: entries name pools by display name."""
    for section, is_tag in (("coinbase_tags", True), ("payout_addresses", False)):
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise _fail(origin, section, "must be an object")
        for key, entry in entries.items():
            where = f"{section}[{key!r}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise _fail(origin, where, 'must be an object with a "name"')
            name = entry["name"]
            slug = cat.slug_for_name(name) or mempool_style_slug(name)
            cat.names.setdefault(slug, name)
            if isinstance(entry.get("link"), str):
                cat.links.setdefault(slug, entry["link"])
            if is_tag:
                if not key:
                    raise _fail(origin, where, "a tag must be a non-empty string")
                cat.tags[key] = slug
            else:
                cat.addresses[_check_address(origin, where, key)] = slug


def merge_tag_document(cat: PoolCatalog, data: dict[str, Any], *, origin: str) -> None:
    """Add one parsed tag document to a catalog (its entries replace earlier ones)."""
    if "coinbase_tags" in data or "payout_addresses" in data:
        _merge_upstream(cat, data, origin)
    elif "pools" in data or "operators" in data:
        _merge_ours(cat, data, origin)
    else:
        raise InputError(
            "not a tag file: expected 'pools'/'operators' (minerscope) or"
            " 'coinbase_tags'/'payout_addresses' (bitcoin-data/mining-pools)",
            path=origin,
        )
    cat.names.setdefault(UNKNOWN, "Unknown")
    cat.origins.append(origin)
    cat._tag_re = None
    cat._scripts = None


@lru_cache(maxsize=1)
def _shipped_text() -> str:
    return resources.files("minerscope").joinpath("data", "pools.json").read_text(encoding="utf-8")


def load_catalog(extra_paths: Iterable[str | Path] = ()) -> PoolCatalog:
    """The shipped tag file, then each user file in order."""
    cat = PoolCatalog()
    merge_tag_document(cat, parse_tag_document(_shipped_text(), origin=SHIPPED_ORIGIN),
                       origin=SHIPPED_ORIGIN)  # fmt: skip
    for p in extra_paths:
        path = Path(p).expanduser()
        text = read_text_file(path)  # a regular UTF-8 file only: a FIFO or device is refused
        merge_tag_document(cat, parse_tag_document(text, origin=str(path)), origin=str(path))
    return cat


@dataclass(frozen=True)
class PoolsConfig:
    """``[pools]`` of the user config file."""

    tags: tuple[Path, ...] = ()
    identify: bool = True


def read_pools_config(config_path: str | Path | None) -> PoolsConfig:
    """``[pools]`` of a user config file: ``tags = [FILE, ...]`` (relative to the config
    file) and ``identify = true|false`` (identify pools while syncing). Missing: defaults."""
    if config_path is None:
        return PoolsConfig()
    p = Path(config_path).expanduser()
    if not p.exists():  # absent: no config; anything else must be a readable file
        return PoolsConfig()
    try:
        data = tomllib.loads(read_text_file(p))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"cannot read config file: {exc}", path=str(p)) from exc
    section = data.get("pools", {})
    if not isinstance(section, dict):
        raise InputError("[pools] must be a table", path=str(p), field="pools")
    unknown = [k for k in section if k not in ("tags", "identify")]
    if unknown:
        raise InputError(
            f"unknown key {unknown[0]!r} in [pools] (allowed: tags, identify)",
            path=str(p),
            field=f"pools.{unknown[0]}",
        )
    files = section.get("tags", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise InputError("must be a list of file paths", path=str(p), field="pools.tags")
    identify = section.get("identify", True)
    if not isinstance(identify, bool):
        raise InputError("must be true or false", path=str(p), field="pools.identify")
    return PoolsConfig(tuple(p.parent / Path(f).expanduser() for f in files), identify)


def build_tag_document(
    upstream: Mapping[str, Any], slug_to_name: Mapping[str, str], operators: Mapping[str, Any]
) -> dict[str, Any]:
    """The shipped file's content from the reference files (see ``data/pools.md``).

    Every slug of the names file becomes a pool; each upstream tag and address goes to the
    slug whose display name it names (every name must be in the names file).
    """
    by_name = {n: s for s, n in slug_to_name.items()}
    if len(by_name) != len(slug_to_name):
        raise ValueError("two slugs share a display name")
    pools: dict[str, dict[str, Any]] = {s: {"name": n} for s, n in sorted(slug_to_name.items())}
    for section, key in (("coinbase_tags", "tags"), ("payout_addresses", "addresses")):
        for item, entry in sorted(upstream[section].items()):
            slug = by_name.get(entry["name"])
            if slug is None:
                raise ValueError(f"{section} {item!r}: name {entry['name']!r} has no slug")
            pool = pools[slug]
            if entry.get("link") and "link" not in pool:
                pool["link"] = entry["link"]
            pool.setdefault(key, []).append(item)
    return {"format": TAG_FILE_FORMAT, "pools": pools, "operators": dict(operators)}


__all__ = [
    "MAX_COINBASE_TEXT",
    "SHIPPED_ORIGIN",
    "TAG_FILE_FORMAT",
    "UNKNOWN",
    "Coinbase",
    "Identification",
    "Operator",
    "PoolCatalog",
    "PoolsConfig",
    "build_tag_document",
    "coinbase_text",
    "first_address",
    "load_catalog",
    "merge_tag_document",
    "mempool_style_slug",
    "parse_tag_document",
    "read_pools_config",
]
