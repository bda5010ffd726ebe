# Odoo loads this package as ``odoo.addons.synco_shopify`` and then gets the
# models, the job queue, the wizard and the controller. Imported under any
# other name (the Odoo-free pytest suite, ``python -m synco_shopify.sandbox``)
# only the Odoo-free packages ``shopify``, ``planning`` and ``sandbox`` (and
# ``queue.registry``) are meant to be used, so nothing here may import odoo.
if __name__.startswith("odoo.addons."):
    from . import models  # isort: skip
    from . import controllers, queue, wizard
