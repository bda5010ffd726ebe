"""first_tracking, tracking_reference and tracking_input: tracking as Shopify shows and takes it."""

from synco_shopify.shopify.tracking import first_tracking, tracking_input, tracking_reference


def test_the_first_tracking_item_or_nothing():
    two = {"trackingInfo": [{"number": "1Z1", "company": "UPS"}, {"number": "1Z2"}]}
    assert first_tracking(two) == {"number": "1Z1", "company": "UPS"}
    assert first_tracking({"trackingInfo": []}) == {}
    assert first_tracking({"trackingInfo": None}) == {}
    assert first_tracking({"trackingInfo": [None]}) == {}
    assert first_tracking(None) == {}


def test_tracking_single():
    assert tracking_input(" 1Z999AA10123456784 ", "UPS", True) == {
        "company": "UPS",
        "number": "1Z999AA10123456784",
    }


def test_tracking_several_mixed_separators_and_duplicates():
    reference = "JJD001, JJD002;JJD001 ,\nJJD003;;"
    assert tracking_input(reference, "DHL Express", True, url="https://x.example/t") == {
        "company": "DHL Express",
        "numbers": ["JJD001", "JJD002", "JJD003"],
    }


def test_tracking_unknown_company_sends_url():
    url = "https://track.example.com/?n=AB123"
    assert tracking_input("AB123", "Kurier Nord", False, url=url) == {
        "company": "Kurier Nord",
        "number": "AB123",
        "url": url,
    }


def test_tracking_empty():
    assert tracking_input("", "", False) is None
    assert tracking_input(None, None, True) is None
    assert tracking_input(" , ", "GLS", True) == {"company": "GLS"}


def test_tracking_reference_joins_every_number_as_odoo_keeps_them():
    fulfillment = {"trackingInfo": [{"number": "1Z1"}, {"number": None}, {"number": "1Z2"}]}
    assert tracking_reference(fulfillment) == "1Z1,1Z2"
    assert tracking_reference({"trackingInfo": []}) is False
    assert tracking_reference(None) is False
