"""``SandboxAdmin``: a small requests client for the sandbox's admin API.

What the Odoo test suite uses against a sandbox running in a subprocess.
Each method returns the decoded JSON and raises ``requests.HTTPError``
when the sandbox refuses (422) or rejects (400) the request.
"""

from __future__ import annotations

from urllib.parse import quote

import requests


class SandboxAdmin:
    def __init__(self, base_url: str, timeout: float = 30):
        self.base_url = self.url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _call(self, method: str, path: str, payload=None, check: bool = True):
        response = self.session.request(
            method, f"{self.base_url}/_sandbox/{path}", json=payload, timeout=self.timeout
        )
        if check:
            response.raise_for_status()
        return response.json()

    @staticmethod
    def _id(ident) -> str:
        return quote(str(ident), safe="")

    # state
    def reset(self, seed: str = "empty"):
        return self._call("POST", "reset", {"seed": seed})

    def config(self, **values):
        """Change the given settings (see the package docstring); no arguments: read them."""
        if not values:
            return self._call("GET", "config")
        return self._call("POST", "config", values)

    configure = config

    def advance_clock(self, seconds: float):
        return self._call("POST", "clock", {"advance": seconds})

    def state(self):
        return self._call("GET", "state")

    # catalogue and orders
    def add_location(self, name: str, active: bool = True, fulfillment_service=None):
        payload = {"name": name, "active": active, "fulfillment_service": fulfillment_service}
        return self._call("POST", "locations", payload)

    create_location = add_location

    def update_location(self, location_id, **values):
        """Rename, (de)activate or re-flag a location: name, active, fulfillment_service."""
        return self._call("POST", f"locations/{self._id(location_id)}", values)

    def locations(self):
        return self._call("GET", "locations")

    def add_product(self, title: str, sku=None, barcode=None, price="10.00", locations=None):
        payload = {"title": title, "sku": sku, "barcode": barcode, "price": price}
        if locations is not None:
            payload["locations"] = list(locations)
        return self._call("POST", "products", payload)

    def create_order(self, **spec):
        return self._call("POST", "orders", spec)

    def order(self, ident):
        return self._call("GET", f"orders/{self._id(ident)}")

    def orders(self):
        return self._call("GET", "orders")

    def cancel_order(self, ident):
        return self._call("POST", f"orders/{self._id(ident)}/cancel", {})

    def hold(self, fo_id, reason: str = "OTHER", reason_notes=None):
        payload = {"reason": reason, "reason_notes": reason_notes}
        return self._call("POST", f"fulfillment_orders/{self._id(fo_id)}/hold", payload)

    def release_hold(self, fo_id, hold_ids=None):
        """Release the holds of ``hold_ids`` (gids), or all of them."""
        payload = {"hold_ids": list(hold_ids)} if hold_ids else {}
        return self._call("POST", f"fulfillment_orders/{self._id(fo_id)}/release_hold", payload)

    def move(self, fo_id, location_id, line_items=None):
        """Move a fulfillment order as a merchant does in the admin."""
        payload = {"location_id": location_id, "line_items": line_items}
        return self._call("POST", f"fulfillment_orders/{self._id(fo_id)}/move", payload)

    def edit_order(self, ident, set_quantities=(), add=()):
        """An order edit: [{line_item_id, quantity}] and [{sku, quantity, location_id}]."""
        payload = {"set_quantities": list(set_quantities), "add": list(add)}
        return self._call("POST", f"orders/{self._id(ident)}/edit", payload)

    def refund(self, ident, line_items, restock_type="cancel"):
        payload = {"line_items": list(line_items), "restock_type": restock_type}
        return self._call("POST", f"orders/{self._id(ident)}/refund", payload)

    # fulfillment services (fulfillment_service.py)
    def add_fulfillment_service(self, name: str, callback_url: str | None = None):
        """A fulfillment service of the app, as fulfillmentServiceCreate makes it."""
        return self._call(
            "POST", "fulfillment_services", {"name": name, "callback_url": callback_url}
        )

    def fulfillment_services(self):
        return self._call("GET", "fulfillment_services")

    def fulfillment_order(self, fo_id):
        """One fulfillment order, with its merchant requests and the answers."""
        return self._call("GET", f"fulfillment_orders/{self._id(fo_id)}")

    def submit_fulfillment_request(self, fo_id, message=None, notify=True):
        """The merchant requests fulfillment; ``notify=False`` loses the notification."""
        path = f"fulfillment_orders/{self._id(fo_id)}/submit_request"
        return self._call("POST", path, {"message": message, "notify": notify})

    def request_cancellation(self, fo_id, message=None, notify=True):
        path = f"fulfillment_orders/{self._id(fo_id)}/request_cancellation"
        return self._call("POST", path, {"message": message, "notify": notify})

    def set_request_status(self, fo_id, request_status: str):
        path = f"fulfillment_orders/{self._id(fo_id)}/request_status"
        return self._call("POST", path, {"request_status": request_status})

    # fulfillments made outside the addon
    def fulfill(self, order_id, line_items=None, tracking=None, location_id=None, status=None):
        payload = {
            "order_id": order_id,
            "line_items": line_items,
            "tracking": tracking,
            "location_id": location_id,
            "status": status,
        }
        return self._call("POST", "fulfillments", payload)

    def set_fulfillment_status(self, fulfillment_id, status: str):
        path = f"fulfillments/{self._id(fulfillment_id)}/status"
        return self._call("POST", path, {"status": status})

    def update_tracking(self, fulfillment_id, **tracking):
        path = f"fulfillments/{self._id(fulfillment_id)}/tracking"
        return self._call("POST", path, {"tracking": tracking})

    def cancel_fulfillment(self, fulfillment_id):
        return self._call("POST", f"fulfillments/{self._id(fulfillment_id)}/cancel", {})

    # webhooks
    def subscribe(self, topic: str, uri: str):
        return self._call("POST", "webhooks/subscriptions", {"topic": topic, "uri": uri})

    create_subscription = subscribe

    def subscriptions(self):
        return self._call("GET", "webhooks/subscriptions")

    def delete_subscription(self, subscription_id):
        return self._call("DELETE", f"webhooks/subscriptions/{self._id(subscription_id)}")

    def drop_subscriptions(self, topic=None, uri=None):
        """Shopify deletes subscriptions (failing deliveries, uninstall)."""
        return self._call("DELETE", "webhooks/subscriptions", {"topic": topic, "uri": uri})

    def fire(self, topic: str, resource_id=None, duplicates: int = 0, uri=None, payload=None):
        body = {"topic": topic, "resource_id": resource_id, "duplicates": duplicates}
        if uri:
            body["uri"] = uri
        if payload is not None:
            body["payload"] = payload
        return self._call("POST", "webhooks/fire", body)

    def deliveries(self):
        return self._call("GET", "webhooks/deliveries")

    def wait_webhooks(self, timeout: float = 10) -> bool:
        return self._call("POST", "webhooks/wait", {"timeout": timeout}, check=False)["idle"]

    # Shopify down, the app's credentials revoked, the app removed
    def outage(self, seconds: float, mode: str = "503"):
        """Every API call answers 503 (``mode`` "503") or the port refuses
        connections ("refuse", the admin API too) for ``seconds``."""
        return self._call("POST", "outage", {"seconds": seconds, "mode": mode})

    def rotate_secret(self, client_secret=None, access_token=None):
        payload = {"client_secret": client_secret, "access_token": access_token}
        return self._call("POST", "rotate_secret", payload)

    def uninstall(self):
        return self._call("POST", "uninstall", {})

    def install(self):
        return self._call("POST", "install", {})

    # faults and the call log
    def add_fault(self, kind: str, count: int = 1, match=None, retry_after=2, seconds=10):
        payload = {
            "kind": kind,
            "count": count,
            "match": match,
            "retry_after": retry_after,
            "seconds": seconds,
        }
        return self._call("POST", "faults", payload)

    fault = add_fault

    def clear_faults(self):
        return self._call("DELETE", "faults")

    def calls(self):
        return self._call("GET", "calls")

    def clear_calls(self):
        return self._call("DELETE", "calls")

    # returns (a customer's request, the merchant's actions in Shopify)
    def create_return(self, order_id, line_items, status="REQUESTED"):
        """``line_items``: [{fulfillment_line_item_id, quantity}]."""
        payload = {"order_id": order_id, "line_items": line_items, "status": status}
        return self._call("POST", "returns", payload)

    def get_return(self, return_id):
        return self._call("GET", f"returns/{self._id(return_id)}")

    def return_action(self, return_id, action, **body):
        """approve, decline (reason), cancel, close or reopen."""
        return self._call("POST", f"returns/{self._id(return_id)}/{action}", body)

    def dispose_return(self, return_id, line_items):
        """[{reverse_line_id, quantity, type, location_id}]."""
        path = f"returns/{self._id(return_id)}/dispose"
        return self._call("POST", path, {"line_items": line_items})
