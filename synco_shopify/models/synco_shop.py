import logging
import os
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import config

from ..planning import connection, notes
from ..planning.launch import failures_table
from ..planning.webhooks import plan_webhook_subscriptions
from ..shopify import clients, const, queries, vault
from ..shopify.errors import ShopifyError
from ..shopify.webhooks import normalize_shop_domain
from .odoo_compat import Constraint

_logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PREVIOUS_SECRET_WINDOW = timedelta(hours=2)


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
    client_secret = fields.Char(
        compute="_compute_secret_inputs",
        inverse="_inverse_client_secret",
        groups="synco_shopify.group_synco_manager",
        help="The app's client secret (API secret key). It also signs Shopify's webhooks. "
        "Write-only: it is stored encrypted and never shown again.",
    )
    access_token = fields.Char(
        compute="_compute_secret_inputs",
        inverse="_inverse_access_token",
        groups="synco_shopify.group_synco_manager",
        help="Admin API access token of a legacy custom app. Write-only, stored encrypted.",
    )
    # Ciphertexts (Fernet); the key is never in the database. Only system
    # administrators may read even these.
    client_secret_encrypted = fields.Char(groups="base.group_system", copy=False)
    client_secret_previous_encrypted = fields.Char(groups="base.group_system", copy=False)
    client_secret_previous_until = fields.Datetime(groups="base.group_system", copy=False)
    access_token_encrypted = fields.Char(groups="base.group_system", copy=False)
    client_secret_set = fields.Boolean(compute="_compute_secret_set", string="Client secret set")
    access_token_set = fields.Boolean(compute="_compute_secret_set", string="Access token set")
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
            ("odoo_to_shopify", "Odoo-led: deliveries validated in Odoo fulfill Shopify"),
            ("shopify_to_odoo", "Shopify-led: Shopify fulfillments validate Odoo deliveries"),
            ("per_location", "Per location (hybrid)"),
        ],
        required=True,
        default="odoo_to_shopify",
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
    job_pending_count = fields.Integer(compute="_compute_monitoring")
    job_failed_count = fields.Integer(compute="_compute_monitoring")
    webhook_event_count = fields.Integer(compute="_compute_monitoring")
    last_webhook_at = fields.Datetime(compute="_compute_monitoring", string="Last Webhook")
    last_push_at = fields.Datetime(
        compute="_compute_dashboard",
        string="Last Sent to Shopify",
        help="When a delivery validated in Odoo last became a Shopify fulfillment.",
    )
    last_apply_at = fields.Datetime(
        compute="_compute_dashboard",
        string="Last Received from Shopify",
        help="When a Shopify fulfillment last validated an Odoo delivery.",
    )
    last_import_at = fields.Datetime(compute="_compute_dashboard", string="Last Order Import")
    failures_html = fields.Html(compute="_compute_dashboard", string="Failures by Reason")
    shopify_shop_name = fields.Char(string="Store Name", readonly=True, copy=False)
    granted_scopes = fields.Char(readonly=True, copy=False)
    connection_message = fields.Text(readonly=True, copy=False)
    last_connection_at = fields.Datetime(readonly=True, copy=False)
    webhook_message = fields.Text(readonly=True, copy=False)
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

    # -- fields ---------------------------------------------------------------

    @api.depends("shop_domain")
    def _compute_api_base_url(self):
        for shop in self:
            if not shop.api_base_url and shop.shop_domain:
                shop.api_base_url = f"https://{shop.shop_domain}"

    @api.depends("location_map_ids")
    def _compute_location_count(self):
        for shop in self:
            shop.location_count = len(shop.location_map_ids)

    def _compute_monitoring(self):
        jobs = {
            (shop.id, state): count
            for shop, state, count in self.env["synco.job"]._read_group(
                [("shop_id", "in", self.ids), ("state", "in", ("pending", "running", "failed"))],
                ["shop_id", "state"],
                ["__count"],
            )
        }
        events = {
            shop.id: (count, last)
            for shop, count, last in self.env["synco.webhook.event"]._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["__count", "create_date:max"]
            )
        }
        for shop in self:
            shop.job_pending_count = jobs.get((shop.id, "pending"), 0) + jobs.get(
                (shop.id, "running"), 0
            )
            shop.job_failed_count = jobs.get((shop.id, "failed"), 0)
            shop.webhook_event_count, shop.last_webhook_at = events.get(shop.id, (0, False))

    def _compute_dashboard(self):
        Job = self.env["synco.job"]
        last = {
            (shop.id, job_type): at
            for shop, job_type, at in Job._read_group(
                [
                    ("shop_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("job_type", "in", ("push_fulfillment", "apply_fulfillment", "import_order")),
                ],
                ["shop_id", "job_type"],
                ["finished_at:max"],
            )
        }
        failures = {}
        for shop, reason, count in Job._read_group(
            [("shop_id", "in", self.ids), ("state", "=", "failed")],
            ["shop_id", "last_error"],
            ["__count"],
        ):
            failures.setdefault(shop.id, []).append((reason, count))
        for shop in self:
            shop.last_push_at = last.get((shop.id, "push_fulfillment"), False)
            shop.last_apply_at = last.get((shop.id, "apply_fulfillment"), False)
            shop.last_import_at = last.get((shop.id, "import_order"), False)
            shop.failures_html = (
                failures_table(failures[shop.id], self.env._) if shop.id in failures else False
            )

    def _admin_url(self, path):
        """A page of the store's Shopify admin, e.g. ``orders/1001``."""
        self.ensure_one()
        handle = (self.shop_domain or "").removesuffix(".myshopify.com")
        return f"https://admin.shopify.com/store/{handle}/{path}"

    def action_launch_checks(self):
        self.ensure_one()
        return self.env["synco.launch.check.wizard"]._open_for(self)

    def _action_open(self, xmlid, domain, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(domain=domain, context=context or {})
        return action

    def action_open_jobs(self):
        self.ensure_one()
        state = self.env.context.get("synco_job_state")
        domain = [("shop_id", "=", self.id)]
        if state == "failed":
            domain.append(("state", "=", "failed"))
        elif state == "pending":
            domain.append(("state", "in", ("pending", "running")))
        return self._action_open("synco_shopify.action_synco_job", domain)

    def action_open_webhook_events(self):
        self.ensure_one()
        return self._action_open(
            "synco_shopify.action_synco_webhook_event", [("shop_id", "=", self.id)]
        )

    def _compute_secret_inputs(self):
        # Write-only: the inputs never echo what is stored.
        for shop in self:
            shop.client_secret = False
            shop.access_token = False

    def _compute_secret_set(self):
        stored = {shop.id: shop for shop in self.sudo().with_context(active_test=False) if shop.id}
        for shop in self:
            record = stored.get(shop.id)
            shop.client_secret_set = bool(record and record.client_secret_encrypted)
            shop.access_token_set = bool(record and record.access_token_encrypted)

    def _inverse_client_secret(self):
        for shop in self:
            if shop.client_secret:
                shop._rotate_client_secret(shop.client_secret)

    def _inverse_access_token(self):
        for shop in self:
            if shop.access_token:
                shop._store_secret("access_token", shop.access_token)

    def _rotate_client_secret(self, new_secret):
        """Store a new client secret and keep the old one valid for webhook
        verification for two hours: Shopify may go on signing with it."""
        self.ensure_one()
        sudo = self.sudo()
        if sudo.client_secret_encrypted:
            if self._read_secret("client_secret") == new_secret:
                return
            sudo.write(
                {
                    "client_secret_previous_encrypted": sudo.client_secret_encrypted,
                    "client_secret_previous_until": fields.Datetime.now() + PREVIOUS_SECRET_WINDOW,
                }
            )
        self._store_secret("client_secret", new_secret)
        clients.forget(self._client_store())

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

    # -- secrets --------------------------------------------------------------

    def _vault_key(self):
        """The Fernet key, or a UserError saying what to configure."""
        try:
            fernet, _source = vault.load_key(
                config.get(vault.CONFIG_OPTION), os.environ, config.get("data_dir")
            )
        except vault.VaultError as exc:
            raise UserError(str(exc)) from None
        return fernet

    def _store_secret(self, name, value):
        self.ensure_one()
        encrypted = vault.encrypt(self._vault_key(), value) if value else False
        self.sudo().write({f"{name}_encrypted": encrypted})

    def _read_secret(self, name):
        """The clear value of a stored secret, for the addon's own use only."""
        self.ensure_one()
        encrypted = self.sudo()[f"{name}_encrypted"]
        if not encrypted:
            return False
        try:
            return vault.decrypt(self._vault_key(), encrypted)
        except vault.VaultError as exc:
            raise UserError(str(exc)) from None

    # -- what the rest of the addon asks --------------------------------------

    def _is_sandbox(self):
        self.ensure_one()
        return urlsplit(self.api_base_url or "").hostname in LOOPBACK_HOSTS

    def _direction_for(self, warehouse=None, shopify_location_id=None):
        """The fulfillment direction that applies to a warehouse or a Shopify
        location of this shop: the shop's own, or with ``per_location`` the
        mapped location's. False when a hybrid shop has no warehouse mapped
        for it: the addon then leaves it alone."""
        self.ensure_one()
        if self.fulfillment_direction != "per_location":
            return self.fulfillment_direction
        mapping = self.location_map_ids._find(warehouse=warehouse, location_id=shopify_location_id)
        return mapping.direction if mapping.warehouse_id else False

    def _webhook_secrets(self):
        """The secrets a webhook signature may be made with: the current client
        secret, and the previous one during its grace window."""
        self.ensure_one()
        secrets = [self._read_secret("client_secret")]
        sudo = self.sudo()
        if sudo.client_secret_previous_until and (
            sudo.client_secret_previous_until > fields.Datetime.now()
        ):
            secrets.append(self._read_secret("client_secret_previous"))
        return [s for s in secrets if s]

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

    # -- buttons ----------------------------------------------------------------

    def action_test_connection(self):
        """Ask Shopify for the store and the granted scopes, and record the
        verdict on the shop; every failure says what to fix."""
        self.ensure_one()
        _client, verdict, data = self._check_connection()
        problems = [notes.render(problem, self.env._) for problem in verdict.problems]
        shop_data = data.get("shop") or {}
        vals = {
            "last_connection_at": fields.Datetime.now(),
            "state": "error" if problems else "connected",
            "connection_message": "\n".join(problems)
            or self.env._(
                "Connected to %(name)s (%(domain)s), API %(version)s.",
                name=shop_data.get("name"),
                domain=shop_data.get("myshopifyDomain"),
                version=self.api_version,
            ),
        }
        if shop_data:
            vals["shopify_shop_name"] = shop_data.get("name")
        if verdict.granted is not None:
            vals["granted_scopes"] = ",".join(sorted(verdict.granted))
        self.write(vals)
        _logger.info("shop %s: connection test %s", self.id, vals["state"])
        return self._notify(vals["connection_message"], "danger" if problems else "success")

    def _check_connection(self):
        """``(client, verdict, data)``: Shopify's answer to the SHOP query
        and the verdict on it (``planning.connection``), the one check of
        the credentials that the button and the launch checks share; the
        client is None when Shopify could not be asked."""
        self.ensure_one()
        try:
            client = self._shopify_client()
            data = client.execute(queries.SHOP)
        except (ShopifyError, UserError) as exc:
            return None, self._connection_failed(exc), {}
        verdict = connection.verify(
            data,
            self.shop_domain,
            self.api_version,
            self._required_scopes(),
            getattr(client, "served_api_version", None),
        )
        return client, verdict, data

    def _connection_failed(self, exc):
        """The verdict when a read of Shopify raised ``exc``."""
        unreachable = isinstance(exc, ShopifyError) and exc.code in ("connection", "timeout")
        return connection.failed(str(exc), self.api_base_url if unreachable else None)

    def _required_scopes(self):
        return list(const.REQUIRED_SCOPES["fulfillment"])

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

    def _webhook_address(self):
        """Where Shopify must send webhooks, or a UserError when Shopify could
        not reach it (a sandbox on this machine can)."""
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        parts = urlsplit(base)
        if not self._is_sandbox() and (
            parts.scheme != "https" or (parts.hostname or "") in LOOPBACK_HOSTS
        ):
            raise UserError(
                self.env._(
                    "Shopify cannot reach %s: webhooks need a public HTTPS address. Set the "
                    "system parameter web.base.url to this Odoo's public https URL.",
                    base or "an empty web.base.url",
                )
            )
        return f"{base.rstrip('/')}{const.WEBHOOK_ROUTE}"

    def action_register_webhooks(self):
        """Subscribe each wanted topic once to this Odoo, fixing subscriptions
        that point elsewhere; running it twice changes nothing."""
        self.ensure_one()
        uri = self._webhook_address()
        wanted = [const.WEBHOOK_TOPICS[topic] for topic in self._webhook_topics()]
        try:
            client = self._shopify_client()
            existing = list(
                client.paginate(
                    queries.WEBHOOK_SUBSCRIPTIONS, {"first": 100}, ("webhookSubscriptions",)
                )
            )
            plan = plan_webhook_subscriptions(wanted, uri, existing)
            for topic in plan.create:
                client.mutate(
                    queries.WEBHOOK_SUBSCRIPTION_CREATE,
                    {"topic": topic, "webhookSubscription": {"uri": uri, "format": "JSON"}},
                    "webhookSubscriptionCreate",
                )
            for sub_id, _topic in plan.update:
                client.mutate(
                    queries.WEBHOOK_SUBSCRIPTION_UPDATE,
                    {"id": sub_id, "webhookSubscription": {"uri": uri, "format": "JSON"}},
                    "webhookSubscriptionUpdate",
                )
            for sub_id in plan.delete:
                client.mutate(
                    queries.WEBHOOK_SUBSCRIPTION_DELETE, {"id": sub_id}, "webhookSubscriptionDelete"
                )
        except ShopifyError as exc:
            raise UserError(str(exc)) from None
        message = self.env._(
            "Webhooks at %(uri)s: %(created)s created, %(updated)s repointed, %(deleted)s "
            "duplicates removed, %(kept)s already in place.",
            uri=uri,
            created=len(plan.create),
            updated=len(plan.update),
            deleted=len(plan.delete),
            kept=len(plan.keep),
        )
        self.webhook_message = message
        return self._notify(message, "success")

    def _webhook_topics(self):
        return list(const.WEBHOOK_TOPICS)
