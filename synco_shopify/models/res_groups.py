from odoo import api, models

from .. import odoo_compat


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model
    def _synco_place_groups(self, category_xmlid, members):
        """Called by security/synco_security.xml: the part of the groups'
        declaration that Odoo 18 and 19 spell differently (see
        ``odoo_compat.place_groups``)."""
        odoo_compat.place_groups(self.env, category_xmlid, members)
