import os
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..shopify import clients, vault

PREVIOUS_SECRET_WINDOW = timedelta(hours=2)


class SyncoShopSecrets(models.Model):
    """The shop's secrets: write-only inputs, stored encrypted with the
    vault's key (never in the database), and the webhook secrets during a
    client secret's rotation."""

    _inherit = "synco.shop"

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

    @api.model
    def _vault_load(self):
        """``(fernet, source)`` of this server's key, or a VaultError."""
        return vault.load_key(config.get(vault.CONFIG_OPTION), os.environ, config.get("data_dir"))

    def _vault_key(self):
        """The Fernet key, or a UserError saying what to configure."""
        try:
            fernet, _source = self._vault_load()
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
