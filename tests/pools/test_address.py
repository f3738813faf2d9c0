"""Addresses from output scripts: base58check and bech32/bech32m on published vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minerscope.sources._address import (
    TESTNET_ADDRESSES,
    address_from_script,
    base58check_decode,
    base58check_encode,
    script_from_address,
    segwit_decode,
)
from tests.pools.conftest import TAGS_JSON

# (address, output script) from BIP 173 and BIP 350 ("Test vectors", valid segwit
# addresses; mainnet ones) and the genesis block's coinbase key's P2PKH address
# (hash160 62e907b1...8f18, as every explorer shows it).
VALID = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"),
]
# BIP 350 "invalid addresses" (and one BIP 173 case): each must be refused.
INVALID = [
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # v1 with bech32 checksum
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # v16 with bech32 checksum
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # v0 with bech32m checksum
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",  # invalid program length for v2... (bad padding)
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 program of 16 bytes
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # BIP 173: checksum off by one character
    "bc1gmk9yu",  # empty data
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",  # base58: last character changed
]


@pytest.mark.parametrize(("address", "script_hex"), VALID)
def test_published_vectors_round_trip(address: str, script_hex: str) -> None:
    script = bytes.fromhex(script_hex)
    assert script_from_address(address) == script
    # bech32 is written in lower case; the encoder is canonical.
    assert address_from_script(script) == (address if address[0] == "1" else address.lower())


@pytest.mark.parametrize("address", INVALID)
def test_published_invalid_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValueError):
        script_from_address(address)


def test_every_real_payout_address_round_trips(shared_data: Path) -> None:
    # The 200 payout addresses of the real tag file: 153 P2PKH, 38 P2SH, 9 P2WPKH/P2WSH.
    # A wrong checksum, alphabet or version byte would break real addresses here.
    addresses = json.loads((shared_data / TAGS_JSON).read_text())["payout_addresses"]
    kinds = {"p2pkh": 0, "p2sh": 0, "segwit": 0}
    for a in addresses:
        script = script_from_address(a)
        assert address_from_script(script) == a
        kinds["p2pkh" if script[0] == 0x76 else "p2sh" if script[0] == 0xA9 else "segwit"] += 1
    assert kinds == {"p2pkh": 153, "p2sh": 38, "segwit": 9}


def test_base58check_leading_zeros_and_checksum() -> None:
    payload = bytes(21)  # version 0 and a zero hash: every leading zero byte is a '1'
    text = base58check_encode(payload)
    assert text == "1111111111111111111114oLvT2"  # the well-known all-zero P2PKH address
    assert base58check_decode(text) == payload
    with pytest.raises(ValueError, match="checksum"):
        base58check_decode(text[:-1] + "3")
    with pytest.raises(ValueError, match="base58 character"):
        base58check_decode("0OIl")


def test_scripts_without_an_address() -> None:
    op_return = bytes.fromhex("6a24aa21a9ed") + bytes(32)  # witness commitment
    p2pk = bytes((33,)) + bytes(33) + bytes((0xAC,))  # bare public key: no address
    bad_v0 = bytes((0x00, 16)) + bytes(16)  # v0 program of 16 bytes
    for script in (op_return, p2pk, bad_v0, b"", bytes((0x51,))):
        assert address_from_script(script) is None


def test_testnet_prefixes() -> None:
    script = bytes.fromhex("0014751e76e8199196d454941c45d1b3a323f1433bd6")
    # BIP 173 testnet vector for the same program.
    assert address_from_script(script, TESTNET_ADDRESSES) == (
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
    )
    assert segwit_decode("tb", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx") == (
        0,
        script[2:],
    )
