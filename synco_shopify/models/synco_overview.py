from datetime import datetime, time

import pytz
from odoo import api, fields, models
from odoo.tools import SQL

# Jobs a person must look at: failed, or waiting for someone.
ATTENTION = ["|", ("state", "=", "failed"), ("needs_attention", "=", True)]
OPEN_ATTENTION = [("state", "in", ("pending", "running", "failed")), *ATTENTION]


class SyncoFulfillmentFigures(models.Model):
    """What the graphs and the overview count fulfillments by: the
    warehouse of the delivery, and how long a delivery validated in Odoo
    took to become a Shopify fulfillment (the link is made when Shopify
    answered the push)."""

    _inherit = "synco.fulfillment"

    warehouse_id = fields.Many2one(
        "stock.warehouse", related="picking_id.picking_type_id.warehouse_id", store=True
    )
    delay_seconds = fields.Float(
        string="Seconds to Shopify",
        compute="_compute_delay_seconds",
        store=True,
        aggregator="avg",
        help="From the delivery's validation in Odoo to its fulfillment in Shopify.",
    )

    @api.depends("picking_id.date_done", "origin")
    def _compute_delay_seconds(self):
        for link in self:
            done = link.picking_id.date_done
            if link.origin == "odoo" and done and link.create_date:
                link.delay_seconds = max((link.create_date - done).total_seconds(), 0.0)
            else:
                link.delay_seconds = 0.0


class SyncoShopOverview(models.Model):
    """A shop's card in the overview: its connection, the jobs waiting and
    those needing a person, today's fulfillments each way and how long a
    validated delivery took to reach Shopify today (the median)."""

    _inherit = "synco.shop"

    attention_count = fields.Integer(string="Needing Attention", compute="_compute_overview")
    pushed_today = fields.Integer(string="Sent to Shopify Today", compute="_compute_overview")
    applied_today = fields.Integer(
        string="Received from Shopify Today", compute="_compute_overview"
    )
    median_delay_today = fields.Float(
        string="Median Seconds to Shopify Today", compute="_compute_overview"
    )

    def _today_start(self):
        """Midnight of the user's today, in UTC as Odoo stores datetimes."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local = tz.localize(datetime.combine(fields.Date.context_today(self), time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def _compute_overview(self):
        start = self._today_start()
        attention = dict(
            self.env["synco.job"]._read_group(
                [("shop_id", "in", self.ids), *OPEN_ATTENTION], ["shop_id"], ["__count"]
            )
        )
        today = {
            (shop.id, origin): count
            for shop, origin, count in self.env["synco.fulfillment"]._read_group(
                # A link without a delivery (shipped before the import) moved nothing.
                [
                    ("shop_id", "in", self.ids),
                    ("create_date", ">=", start),
                    ("picking_id", "!=", False),
                ],
                ["shop_id", "origin"],
                ["__count"],
            )
        }
        medians = self._median_delays(start)
        for shop in self:
            shop.attention_count = attention.get(shop, 0)
            shop.pushed_today = today.get((shop.id, "odoo"), 0)
            shop.applied_today = today.get((shop.id, "shopify"), 0)
            shop.median_delay_today = medians.get(shop.id, 0.0)

    def _median_delays(self, start):
        """{shop id: median delay_seconds of today's pushes}."""
        if not self.ids:
            return {}
        self.env["synco.fulfillment"].flush_model(["delay_seconds", "origin", "shop_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT shop_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY delay_seconds)
                  FROM synco_fulfillment
                 WHERE shop_id = ANY(%s) AND origin = 'odoo' AND picking_id IS NOT NULL
                   AND create_date >= %s
                 GROUP BY shop_id
                """,
                self.ids,
                start,
            )
        )
        return dict(self.env.cr.fetchall())

    def action_open_attention(self):
        self.ensure_one()
        return self._action_open(
            "synco_shopify.action_synco_job", [("shop_id", "=", self.id), *OPEN_ATTENTION]
        )

    def action_open_fulfillments_today(self):
        self.ensure_one()
        domain = [("shop_id", "=", self.id), ("create_date", ">=", self._today_start())]
        origin = self.env.context.get("synco_origin")
        if origin:
            domain.append(("origin", "=", origin))
        return self._action_open("synco_shopify.action_synco_fulfillment", domain)
