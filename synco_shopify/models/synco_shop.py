from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..odoo_compat import Constraint
from ..shopify import clients, const
from ..shopify.const import ODOO_TO_SHOPIFY, PER_LOCATION, SHOPIFY_TO_ODOO
from ..shopify.errors import ShopifyError
from ..shopify.webhooks import normalize_shop_domain

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class SyncoShop(models.Model):
    _name = "synco.shop"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Shopify Shop"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, ondelete="restrict"
    )
    shop_domain = fields.Char(
        required=True, help="The store's myshopify.com domain, e.g. acme.myshopify.com."
    )
    api_version = fields.Selection(
        [(v, v) for v in reversed(const.SUPPORTED_API_VERSIONS)],
        required=True,
        default=const.DEFAULT_API_VERSION,
        string="API Version",
    )
    auth_method = fields.Selection(
        [
            ("client_credentials", "Client credentials (Dev Dashboard app)"),
            ("access_token", "Admin API access token (legacy custom app)"),
        ],
        required=True,
        default="client_credentials",
    )
    client_id = fields.Char(string="Client ID")
    api_base_url = fields.Char(
        string="API Base URL",
        compute="_compute_api_base_url",
        store=True,
        readonly=False,
        help="Technical: every Admin API and OAuth URL is built from it. Defaults to "
        "https://<shop domain>; point it at a sandbox to try the addon without a store.",
    )
    fulfillment_direction = fields.Selection(
        [
            (ODOO_TO_SHOPIFY, "Odoo-led: deliveries validated in Odoo fulfill Shopify"),
            (SHOPIFY_TO_ODOO, "Shopify-led: Shopify fulfillments validate Odoo deliveries"),
            (PER_LOCATION, "Per location (hybrid)"),
        ],
        required=True,
        default=ODOO_TO_SHOPIFY,
    )
    notify_customer = fields.Boolean(
        default=True, help="Let Shopify send its shipping email when Odoo creates a fulfillment."
    )
    state = fields.Selection(
        [("draft", "Not connected"), ("connected", "Connected"), ("error", "Error")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    location_map_ids = fields.One2many("synco.location.map", "shop_id", string="Locations")
    location_count = fields.Integer(compute="_compute_location_count")
    orders_synced_at = fields.Datetime(
        string="Orders Caught Up To",
        readonly=True,
        copy=False,
        help="Orders updated in Shopify before this moment have been read; the catch-up "
        "asks for what changed since, with an overlap.",
    )

    _shop_domain_uniq = Constraint(
        "UNIQUE (shop_domain)", "This Shopify store is already configured."
    )

    @api.depends("shop_domain")
    def _compute_api_base_url(self):
        for shop in self:
            if not shop.api_base_url and shop.shop_domain:
                shop.api_base_url = f"https://{shop.shop_domain}"

    @api.depends("location_map_ids")
    def _compute_location_count(self):
        for shop in self:
            shop.location_count = len(shop.location_map_ids)

    def _admin_url(self, path):
        """A page of the store's Shopify admin, e.g. ``orders/1001``."""
        self.ensure_one()
        handle = (self.shop_domain or "").removesuffix(".myshopify.com")
        return f"https://admin.shopify.com/store/{handle}/{path}"

    @api.constrains("shop_domain", "api_base_url")
    def _check_urls(self):
        for shop in self:
            try:
                normalize_shop_domain(shop.shop_domain)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
            parts = urlsplit(shop.api_base_url or "")
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValidationError(
                    self.env._(
                        "The API base URL must be an http(s) URL, got %s.", shop.api_base_url
                    )
                )
            if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
                raise ValidationError(
                    self.env._("Only a sandbox on this machine may be reached over plain http.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._normalize_vals(vals)
        if {"company_id"} & vals.keys():
            self.location_map_ids._check_warehouse_company()
        return super().write(vals)

    def _normalize_vals(self, vals):
        if vals.get("shop_domain"):
            try:
                vals["shop_domain"] = normalize_shop_domain(vals["shop_domain"])
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
        if vals.get("api_base_url"):
            vals["api_base_url"] = vals["api_base_url"].strip().rstrip("/")

    def _is_sandbox(self):
        self.ensure_one()
        return urlsplit(self.api_base_url or "").hostname in LOOPBACK_HOSTS

    def _direction_for(self, warehouse=None, shopify_location_id=None):
        """The fulfillment direction that applies to a warehouse or a Shopify
        location of this shop: the shop's own, or with ``per_location`` the
        mapped location's. False when a hybrid shop has no warehouse mapped
        for it: the addon then leaves it alone."""
        self.ensure_one()
        if self.fulfillment_direction != PER_LOCATION:
            return self.fulfillment_direction
        mapping = self.location_map_ids._find(warehouse=warehouse, location_id=shopify_location_id)
        return mapping.direction if mapping.warehouse_id else False

    def _client_store(self):
        """Names this shop's store among the clients of this process."""
        return (self.env.cr.dbname, self.id)

    def _shopify_client(self, on_call=None):
        """A client for this shop: the only way the addon talks to Shopify.
        ``on_call`` receives a record of every HTTP call, for the logs."""
        self.ensure_one()
        if self.auth_method == "access_token":
            token = self._read_secret("access_token")
            if not token:
                raise UserError(self.env._("Enter the Admin API access token of the shop first."))
            auth = {"access_token": token}
        else:
            secret = self._read_secret("client_secret")
            if not (self.client_id and secret):
                raise UserError(self.env._("Enter the client ID and client secret first."))
            auth = {"client_id": self.client_id, "client_secret": secret}
        return clients.client_for(
            self._client_store(), self.api_base_url, self.api_version, on_call=on_call, **auth
        )

    def _notify(self, message, kind):
        """A notification, then the page reloaded: the form shows what the
        button changed (its state, the locations) without a manual refresh,
        and a wizard's dialog closes."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_sync_locations(self):
        self.ensure_one()
        try:
            created, updated, archived = self.env["synco.location.map"]._sync_from_shopify(self)
        except ShopifyError as exc:
            raise UserError(str(exc)) from None
        message = self.env._(
            "Locations synced: %(created)s new, %(updated)s updated, %(archived)s archived.",
            created=created,
            updated=updated,
            archived=archived,
        )
        return self._notify(message, "success")
