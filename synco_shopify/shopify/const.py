"""Constants shared by the Shopify client, the webhook code and the addon.

This is the one list of API versions, scopes, webhook topics and tracking
companies; the Odoo models build their selections from it.
"""

# The version a new shop is created with; bump it with the quarterly release
# once the sandbox and the tests pass against it.
DEFAULT_API_VERSION = "2026-10"

# Stable versions Shopify still serves, oldest first. Shopify keeps each one
# for at least twelve months; a retired version is silently served as the
# oldest supported one (see ``ShopifyClient.served_api_version``).
SUPPORTED_API_VERSIONS = ("2026-01", "2026-04", "2026-07", "2026-10")

# Access scopes the app needs, per feature the merchant turns on.
REQUIRED_SCOPES = {
    "fulfillment": (
        "read_orders",
        "read_locations",
        "read_fulfillments",
        "read_merchant_managed_fulfillment_orders",
        "write_merchant_managed_fulfillment_orders",
    ),
    "third_party": (
        "read_third_party_fulfillment_orders",
        "write_third_party_fulfillment_orders",
    ),
    # Odoo as a fulfillment service (registering it, answering its requests).
    "fulfillment_service": (
        "write_fulfillments",
        "read_assigned_fulfillment_orders",
        "write_assigned_fulfillment_orders",
    ),
    # Returns both ways; without them the rest works and returns wait.
    "returns": ("read_returns", "write_returns"),
}

# The path of the addon's webhook endpoint, under the Odoo's public address.
WEBHOOK_ROUTE = "/synco_shopify/webhook"

# The callback URL registered for Odoo as a fulfillment service, and the
# endpoint under it where Shopify posts its fulfillment order notifications.
FULFILLMENT_SERVICE_ROUTE = "/synco_shopify/fulfillment_service"
FULFILLMENT_NOTIFICATION_ROUTE = FULFILLMENT_SERVICE_ROUTE + "/fulfillment_order_notification"
# The topic a stored notification carries (Shopify's notification has none).
FULFILLMENT_NOTIFICATION_TOPIC = "fulfillment_service/fulfillment_order_notification"

# Webhook topics the addon subscribes to: REST-style topic (as sent in the
# X-Shopify-Topic header) -> WebhookSubscriptionTopic enum value (GraphQL).
WEBHOOK_TOPICS = {
    "orders/create": "ORDERS_CREATE",
    "orders/updated": "ORDERS_UPDATED",
    "orders/cancelled": "ORDERS_CANCELLED",
    "orders/edited": "ORDERS_EDITED",
    "refunds/create": "REFUNDS_CREATE",
    "fulfillments/create": "FULFILLMENTS_CREATE",
    "fulfillments/update": "FULFILLMENTS_UPDATE",
    "fulfillment_orders/moved": "FULFILLMENT_ORDERS_MOVED",
    "fulfillment_orders/placed_on_hold": "FULFILLMENT_ORDERS_PLACED_ON_HOLD",
    "fulfillment_orders/hold_released": "FULFILLMENT_ORDERS_HOLD_RELEASED",
    "app/uninstalled": "APP_UNINSTALLED",
    "returns/approve": "RETURNS_APPROVE",
    "returns/decline": "RETURNS_DECLINE",
    "returns/cancel": "RETURNS_CANCEL",
    "returns/reopen": "RETURNS_REOPEN",
    "returns/process": "RETURNS_PROCESS",
    "reverse_fulfillment_orders/dispose": "REVERSE_FULFILLMENT_ORDERS_DISPOSE",
}

# Carrier names exactly as Shopify spells them (case matters): with a known
# name Shopify builds the tracking URL itself; with any other name the
# fulfillment must carry a tracking URL.
TRACKING_COMPANIES = (
    "4PX",
    "Amazon",
    "Amazon Logistics UK",
    "Amazon Logistics US",
    "An Post",
    "Aramex",
    "Asendia USA",
    "Australia Post",
    "BPost",
    "Canada Post",
    "Canpar",
    "China Post",
    "Chronopost",
    "Colissimo",
    "Correios",
    "Correos",
    "Delhivery",
    "Deutsche Post",
    "DHL eCommerce",
    "DHL eCommerce Asia",
    "DHL Express",
    "DPD",
    "DPD Local",
    "DPD UK",
    "Evri",
    "FedEx",
    "GLS",
    "Landmark Global",
    "Mondial Relay",
    "New Zealand Post",
    "OnTrac",
    "Poste Italiane",
    "PostNL",
    "Purolator",
    "Royal Mail",
    "Sendle",
    "SF Express",
    "Singapore Post",
    "StarTrack",
    "TNT",
    "UPS",
    "USPS",
    "YunExpress",
)

# (connect, read) seconds for every request to Shopify. The connect timeout is
# slightly above a multiple of 3 s, the TCP retransmission window.
DEFAULT_TIMEOUT = (3.05, 20)

# Webhook bodies above this size are refused (HTTP 413) before being parsed.
MAX_WEBHOOK_BODY = 2 * 1024 * 1024

# Who leads fulfillment: the values of synco.shop's fulfillment_direction and
# of synco.location.map's direction. Odoo-led, a delivery validated in Odoo
# becomes a Shopify fulfillment (the push); Shopify-led, a Shopify
# fulfillment validates the Odoo delivery (the apply). A shop can also lead
# per location (hybrid): each mapped location then says which.
ODOO_TO_SHOPIFY = "odoo_to_shopify"
SHOPIFY_TO_ODOO = "shopify_to_odoo"
PER_LOCATION = "per_location"
