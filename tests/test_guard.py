"""The private-network guard judges an IPv6 address that carries an IPv4 address by that IPv4 address too."""

import pytest

from ingest.guard import is_public_address

# Each row: an IPv6 address and the non-public IPv4 host it would reach.
IPV6_FORMS_OF_NON_PUBLIC_IPV4 = [
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b::a00:1", "NAT64 of 10.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254"),
    ("64:ff9b::c0a8:101", "NAT64 of 192.168.1.1"),
    ("64:ff9b:1::a00:1", "local-use NAT64 of 10.0.0.1"),
    ("64:ff9b:1::808:808", "local-use NAT64, which no one outside the network can route"),
    ("2002:7f00:1::1", "6to4 through 127.0.0.1"),
    ("2002:a00:1::1", "6to4 through 10.0.0.1"),
    ("2002:a9fe:a9fe::1", "6to4 through 169.254.169.254"),
    ("::127.0.0.1", "IPv4-compatible 127.0.0.1"),
    ("::10.0.0.1", "IPv4-compatible 10.0.0.1"),
    ("::169.254.169.254", "IPv4-compatible 169.254.169.254"),
    ("::ffff:10.0.0.1", "IPv4-mapped 10.0.0.1"),
    ("::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1"),
    ("::ffff:0:7f00:1", "IPv4-translated 127.0.0.1"),
    ("::ffff:0:a00:1", "IPv4-translated 10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo with client 10.0.0.1, obfuscated"),
    ("2001:0:808:808:0:ffff:80ff:fffe", "Teredo with client 127.0.0.1, obfuscated"),
    ("2001:0:a00:1::1", "Teredo through server 10.0.0.1"),
]


@pytest.mark.parametrize(
    "address", [row[0] for row in IPV6_FORMS_OF_NON_PUBLIC_IPV4], ids=[row[1] for row in IPV6_FORMS_OF_NON_PUBLIC_IPV4]
)
def test_an_ipv6_form_of_a_non_public_ipv4_address_is_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::808:808",
        "2002:808:808::1",
        "::ffff:8.8.8.8",
        "::ffff:0:808:808",
        "2606:4700::1111",
        "2a00:1450:4001:80b::200e",
    ],
    ids=["NAT64 of 8.8.8.8", "6to4 through 8.8.8.8", "mapped 8.8.8.8", "translated 8.8.8.8", "cloudflare", "google"],
)
def test_public_ipv6_addresses_and_forms_of_public_ipv4_stay_public(address):
    assert is_public_address(address)
