from odoo import api, models
from odoo.tools import email_normalize

# Shopify's MailingAddress fields -> res.partner fields.
ADDRESS_FIELDS = {
    "address1": "street",
    "address2": "street2",
    "city": "city",
    "zip": "zip",
    "phone": "phone",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _synco_customer(self, company, email, customer, address):
        """The contact for a Shopify order in ``company``: matched by email
        among the company's contacts (and shared ones), else created. Returns
        (customer, delivery contact for ``address``)."""
        normalized = email_normalize(email or "")
        partner = self.browse()
        if normalized:
            partner = self.search(
                [
                    ("email_normalized", "=", normalized),
                    ("company_id", "in", [company.id, False]),
                    ("type", "=", "contact"),
                ],
                order="parent_id desc, company_id, id",
                limit=1,
            )
        if not partner:
            vals = self._synco_prepare_address_vals(address)
            vals.update(
                name=_person(customer) or (address or {}).get("name") or email or "Shopify",
                email=email or False,
                company_id=company.id,
            )
            partner = self.create(vals)
        return partner, partner._synco_delivery_contact(address)

    def _synco_delivery_contact(self, address):
        """This contact's delivery address for a Shopify shipping address:
        the contact itself when it is that address, an existing delivery
        child with it, else a new one."""
        self.ensure_one()
        if not address:
            return self
        vals = self._synco_prepare_address_vals(address)
        name = (address.get("name") or _person(address) or self.name).strip()
        wanted = tuple(vals.get(f) or False for f in ("street", "street2", "city", "zip"))
        wanted += (vals.get("country_id") or False,)

        def same(partner):
            found = (partner.street, partner.street2, partner.city, partner.zip)
            return (*found, partner.country_id.id) == wanted

        if same(self):
            return self
        child = self.child_ids.filtered(
            lambda p: p.type == "delivery" and p.name == name and same(p)
        )
        if child:
            return child[:1]
        return self.create(
            dict(vals, name=name, type="delivery", parent_id=self.id, company_id=self.company_id.id)
        )

    @api.model
    def _synco_prepare_address_vals(self, address):
        address = address or {}
        vals = {field: address[key] for key, field in ADDRESS_FIELDS.items() if address.get(key)}
        country = self.env["res.country"]
        if address.get("countryCodeV2"):
            country = country.search([("code", "=", address["countryCodeV2"].upper())], limit=1)
        if country:
            vals["country_id"] = country.id
            if address.get("provinceCode"):
                state = self.env["res.country.state"].search(
                    [("country_id", "=", country.id), ("code", "=", address["provinceCode"])],
                    limit=1,
                )
                if state:
                    vals["state_id"] = state.id
        return vals


def _person(data):
    data = data or {}
    return " ".join(p for p in (data.get("firstName"), data.get("lastName")) if p)
