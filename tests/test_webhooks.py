"""Webhook signature verification, headers, payload parsing and shop domains."""

import json

import pytest

from synco_shopify.shopify.webhooks import (
    MissingWebhookHeader,
    WebhookHeaders,
    normalize_shop_domain,
    parse_payload,
    sign,
    verify,
)

SECRET = "current-client-secret"
PREVIOUS = "previous-client-secret"
BODY = b'{"id": 820982911946154508, "order_id": 450789469}'


@pytest.mark.parametrize(
    "body, secret, expected",
    [
        (b'{"foo": "bar"}', "test_secret_key", "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="),
        (b"foo=anything", "secret", "yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI="),
    ],
)
def test_sign_and_verify_match_shopifys_test_vectors(body, secret, expected):
    assert sign(body, secret) == expected
    assert verify(body, expected, [secret]) is True


def test_verify_accepts_the_previous_secret_after_a_rotation():
    signature = sign(BODY, PREVIOUS)

    assert verify(BODY, signature, [SECRET, PREVIOUS]) is True
    assert verify(BODY, signature, [SECRET]) is False


def test_verify_rejects_a_tampered_body():
    signature = sign(BODY, SECRET)

    assert verify(BODY.replace(b"450789469", b"450789470"), signature, [SECRET]) is False


def test_verify_rejects_a_signature_made_with_another_secret():
    assert verify(BODY, sign(BODY, "attacker"), [SECRET, PREVIOUS]) is False


@pytest.mark.parametrize("header", [None, "", "   ", "not-base64", "ünïcode"])
def test_verify_fails_closed_on_a_missing_or_garbage_header(header):
    assert verify(BODY, header, [SECRET]) is False


@pytest.mark.parametrize("secrets", [[], [None], [""], [None, ""]])
def test_verify_fails_closed_without_a_usable_secret(secrets):
    # Even the signature of the body with an empty key must not pass.
    assert verify(BODY, sign(BODY, ""), secrets) is False


def test_verify_tolerates_surrounding_whitespace_in_the_header():
    assert verify(BODY, f" {sign(BODY, SECRET)}\n", [SECRET]) is True


def _headers(**overrides):
    headers = {
        "X-Shopify-Topic": "fulfillments/create",
        "X-Shopify-Hmac-Sha256": sign(BODY, SECRET),
        "X-Shopify-Shop-Domain": "Acme.myshopify.com",
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        "X-Shopify-Triggered-At": "2026-11-27T10:00:00.000000Z",
    }
    headers.update(overrides)
    return {name: value for name, value in headers.items() if value is not None}


def test_headers_are_read_case_insensitively():
    headers = {name.lower(): value for name, value in _headers().items()}
    headers["X-SHOPIFY-TOPIC"] = headers.pop("x-shopify-topic")

    parsed = WebhookHeaders.from_headers(headers)

    assert parsed.topic == "fulfillments/create"
    assert parsed.hmac == sign(BODY, SECRET)
    assert parsed.shop_domain == "acme.myshopify.com"
    assert parsed.api_version == "2026-10"
    assert parsed.webhook_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert parsed.event_id == "98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert parsed.triggered_at == "2026-11-27T10:00:00.000000Z"


def test_optional_headers_may_be_missing():
    parsed = WebhookHeaders.from_headers(
        _headers(**{"X-Shopify-Event-Id": None, "X-Shopify-Triggered-At": None})
    )

    assert parsed.event_id is None and parsed.triggered_at is None


def test_missing_required_headers_are_all_named():
    headers = _headers(**{"X-Shopify-Hmac-Sha256": None, "X-Shopify-Webhook-Id": "  "})

    with pytest.raises(MissingWebhookHeader) as info:
        WebhookHeaders.from_headers(headers)

    assert isinstance(info.value, ValueError)
    assert info.value.missing == ("X-Shopify-Hmac-Sha256", "X-Shopify-Webhook-Id")
    assert "X-Shopify-Hmac-Sha256" in str(info.value)


def test_parse_payload_keeps_ids_above_2_53_exact():
    big = 2**53 + 1
    payload = parse_payload(json.dumps({"id": big, "line_items": [{"id": big + 2}]}).encode())

    assert payload["id"] == big
    assert isinstance(payload["id"], int)
    assert payload["line_items"][0]["id"] == big + 2


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{}", b"not json", b"[1, 2]", b'"text"', b"", b'{"a": NaN}'],
)
def test_parse_payload_rejects_what_is_not_a_json_object(body):
    with pytest.raises(ValueError):
        parse_payload(body)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("acme.myshopify.com", "acme.myshopify.com"),
        ("  https://Acme-Store.MyShopify.com/admin/orders?x=1 ", "acme-store.myshopify.com"),
        ("acme.myshopify.com.", "acme.myshopify.com"),
        ("http://127.0.0.1:8765", "127.0.0.1:8765"),
        ("localhost:8069", "localhost:8069"),
        ("sandbox.internal:9000/", "sandbox.internal:9000"),
    ],
)
def test_normalize_shop_domain(value, expected):
    assert normalize_shop_domain(value) == expected


@pytest.mark.parametrize(
    "value", ["", None, "shop.acme.com", "acme", "ac me.myshopify.com", "-x.myshopify.com"]
)
def test_normalize_shop_domain_rejects_non_store_domains(value):
    with pytest.raises(ValueError):
        normalize_shop_domain(value)
