"""Pure planners: plain data in, decisions out. No I/O, no Odoo."""
