"""The shipped tag file (rebuilt from the reference files), user files and [pools] config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minerscope.errors import InputError
from minerscope.sources.pools import (
    PoolCatalog,
    build_tag_document,
    load_catalog,
    parse_tag_document,
    read_pools_config,
)
from tests.pools.conftest import NAMES_JSON, NEUTRAL_TEXT, TAGS_JSON

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "minerscope" / "data" / "pools.json"


def test_shipped_file_is_the_rebuild_of_the_reference_files(shared_data: Path) -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    upstream = json.loads((shared_data / TAGS_JSON).read_text(encoding="utf-8"))
    names = json.loads((shared_data / NAMES_JSON).read_text(encoding="utf-8"))
    rebuilt = build_tag_document(upstream, names, shipped["operators"])
    assert shipped == rebuilt
    # Nothing lost: 159 pools, 172 tags, 200 addresses, each under the slug of its name.
    assert len(shipped["pools"]) == 159
    assert sum(len(p.get("tags", [])) for p in shipped["pools"].values()) == 172
    assert sum(len(p.get("addresses", [])) for p in shipped["pools"].values()) == 200
    assert shipped["pools"]["foundryusa"]["tags"] == ["/2cDw/", "Foundry USA Pool"]
    assert shipped["operators"] == {
        "marapool": {
            "operator": "MARA Holdings",
            "public": True,
            "note": shipped["operators"]["marapool"]["note"],
        }
    }


def test_catalog_tables(catalog: PoolCatalog) -> None:
    assert len(catalog.names) == 159 and catalog.names["unknown"] == "Unknown"
    assert (len(catalog.tags), len(catalog.addresses)) == (172, 200)
    assert catalog.tags["七彩神仙鱼"] == "f2pool" and catalog.tags["🐟"] == "f2pool"
    assert catalog.addresses["12KKDt4Mj7N5UAkQMN7LtPZMayenXHa8KL"] == "foundryusa"
    assert catalog.name("marapool") == "MARA Pool" and catalog.name("nosuch") == "nosuch"
    assert catalog.match_tag(NEUTRAL_TEXT) is None  # the tests' neutral coinbase text


def test_user_file_in_our_format_extends_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "mine.json"
    user.write_text(
        json.dumps(
            {
                "pools": {
                    "mypool": {"name": "My Pool", "tags": ["/mine/"],
                               "addresses": ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]},
                    "antpool": {"tags": ["/2cDw/"]},  # takes Foundry's tag over
                },
                "operators": {"mypool": {"operator": "Me Inc.", "public": False}},
            }
        )
    )  # fmt: skip
    cat = load_catalog([user])
    assert cat.tags["/mine/"] == "mypool" and cat.name("mypool") == "My Pool"
    assert cat.tags["/2cDw/"] == "antpool"  # the later file wins
    assert cat.name("antpool") == "AntPool"  # a pool without "name" keeps its name
    assert cat.addresses["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"] == "mypool"
    assert cat.operators["mypool"].operator == "Me Inc."
    assert cat.operators["marapool"].operator == "MARA Holdings"
    assert cat.origins == ["shipped", str(user)]


def test_user_file_in_the_upstream_format(tmp_path: Path) -> None:
    user = tmp_path / "pools.json"
    user.write_text(json.dumps({
        "coinbase_tags": {"/NewPool/": {"name": "New Pool", "link": "https://new.example"},
                          "/foundry-new/": {"name": "Foundry USA", "link": ""}},
        "payout_addresses": {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4": {"name": "New Pool"}},
    }))  # fmt: skip
    cat = load_catalog([user])
    assert cat.tags["/NewPool/"] == "newpool"  # a new name: mempool-style slug
    assert cat.tags["/foundry-new/"] == "foundryusa"  # a known name: its slug
    assert cat.addresses["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"] == "newpool"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('{"pools": {"a": {"tags": ["/x/"]}, "a": {}}}', "appears twice"),
        ('{"pools": {"a": {"addresses": ["1BadAddress"]}}}', "not a valid mainnet address"),
        ('{"pools": {"a": {"tags": ["/x/"]}, "b": {"tags": ["/x/"]}}}', "also a's"),
        ('{"pools": {"a": {"tag": ["/x/"]}}}', "unknown key 'tag'"),
        ('{"pools": {"unknown": {"tags": ["/x/"]}}}', "cannot have tags"),
        ('{"pools": {"a b": {}}}', "not a pool slug"),
        ('{"operators": {"a": {"public": true}}}', '"operator" name'),
        ('{"something": 1}', "not a tag file"),
        ("[1, 2]", "JSON object"),
        ('{"pools": {', "malformed JSON"),
    ],
)
def test_bad_tag_files_name_the_file_and_entry(tmp_path: Path, doc: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(doc)
    with pytest.raises(InputError, match=message) as err:
        load_catalog([bad])
    assert str(bad) in str(err.value) and "\n" not in str(err.value)


def test_parse_rejects_duplicate_keys_anywhere() -> None:
    with pytest.raises(InputError, match="'x' appears twice"):
        parse_tag_document('{"pools": {"p": {"name": "P", "x": 1, "x": 2}}}', origin="t")


def test_pools_config_section(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    assert read_pools_config(cfg) == read_pools_config(None)  # missing file: defaults
    cfg.write_text('[pools]\ntags = ["mine.json", "/abs/other.json"]\nidentify = false\n')
    settings = read_pools_config(cfg)
    assert settings.tags == (tmp_path / "mine.json", Path("/abs/other.json"))
    assert settings.identify is False
    cfg.write_text('[pools]\ntag = ["x"]\n')
    with pytest.raises(InputError, match="unknown key 'tag' in \\[pools\\]"):
        read_pools_config(cfg)
    cfg.write_text("[pools]\nidentify = 1\n")
    with pytest.raises(InputError, match="true or false"):
        read_pools_config(cfg)
