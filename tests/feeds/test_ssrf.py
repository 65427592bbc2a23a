"""SSRF through IPv6 transition forms (issue 15, defect 11).

Python's ``is_global`` is true for NAT64 ``64:ff9b::a9fe:a9fe`` (the metadata address
169.254.169.254 behind a NAT64 gateway), 6to4 ``2002:7f00:1::``, ``::127.0.0.1`` and
site-local ``fec0::1``. Each is refused when the webhook is registered or changed, and
again before every delivery (where the host's DNS answers are checked the same way: an IP
literal resolves to itself, so these URLs exercise that path).
"""

import httpx
import pytest

from app.feeds import delivery, webhook_security
from tests.feeds.conftest import Shop, add_webhook

REFUSED = [
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 well-known prefix → 169.254.169.254
    "http://[64:ff9b::7f00:1]/hook",  # NAT64 → 127.0.0.1
    "http://[64:ff9b::a00:1]/hook",  # NAT64 → 10.0.0.1
    "http://[64:ff9b:1::a9fe:a9fe]/hook",  # local-use NAT64 (RFC 8215)
    "http://[::127.0.0.1]/hook",  # IPv4-compatible (deprecated)
    "http://[::a9fe:a9fe]/hook",
    "http://[::8.8.8.8]/hook",
    "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "http://[2002:a9fe:a9fe::1]/hook",  # 6to4 of 169.254.169.254
    "http://[2002:c0a8:1::1]/hook",  # 6to4 of 192.168.0.1
    "http://[fec0::1]/hook",  # site-local (deprecated)
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
    "http://[::ffff:a9fe:a9fe]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",  # Teredo
    "http://[2001::1]/hook",
    "http://[2001:db8::1]/hook",  # documentation
    "http://[100::1]/hook",  # discard
    "http://[fc00::1]/hook",  # unique local
    "http://[fe80::1%25eth0]/hook",  # link-local with a zone
    "http://[ff0e::1]/hook",  # global-scope multicast
    "http://[::]/hook",
    "http://240.0.0.1/hook",  # reserved IPv4
    "http://224.0.0.1/hook",  # multicast IPv4
]
ACCEPTED = [
    "https://[2606:4700:4700::1111]/hook",
    "https://[64:ff9b::808:808]/hook",  # NAT64 of a public address
    "https://[2002:808:808::1]/hook",  # 6to4 of a public address
    "https://[::ffff:8.8.8.8]/hook",
    "https://8.8.8.8/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_transition_forms_are_refused(url: str) -> None:
    with pytest.raises(webhook_security.Refused):
        webhook_security.resolve(url, allow=[])


@pytest.mark.parametrize("url", ACCEPTED)
def test_public_addresses_in_transition_forms_are_accepted(url: str) -> None:
    assert webhook_security.resolve(url, allow=[]).host_header in url


def test_api_refuses_transition_forms_on_create_and_update(shop: Shop) -> None:
    path = f"/v1/enterprises/{shop.enterprise_id}/webhooks"
    for url in REFUSED:
        refused = shop.client.post(path, json={"url": url})
        assert refused.status_code == 422, (url, refused.text)
        assert refused.json()["errors"][0]["field"] == "url"
    hook = add_webhook(shop, "http://127.0.0.1:9/hook")  # the feeds tests allow loopback
    for url in REFUSED:
        changed = shop.client.patch(f"{path}/{hook['id']}", json={"url": url})
        assert changed.status_code == 422, (url, changed.text)
    assert shop.client.get(f"{path}/{hook['id']}").json()["url"] == "http://127.0.0.1:9/hook"


@pytest.mark.parametrize("url", REFUSED)
def test_delivery_refuses_transition_forms(url: str) -> None:
    # A URL stored before this check existed, or a name whose DNS answer changed.
    job = delivery.Job(1, 1, "msg_1", "{}", 0, url, webhook_security.new_secret())
    with httpx.Client(timeout=1.0) as client:
        outcome = delivery.send(client, job, allow=[])
    # Refused before connecting: a connection attempt would report a ConnectError instead.
    assert outcome.status is None and outcome.error, outcome
    assert outcome.error.startswith(("不允许访问", "无法解析主机")), outcome.error
