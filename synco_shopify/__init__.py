# Odoo loads this package as ``odoo.addons.synco_shopify`` and then gets the
# models, the job queue, the wizard and the controller. Imported under any
# other name (the Odoo-free pytest suite, the benchmarks) only the Odoo-free
# packages ``shopify``, ``planning``, ``queue.registry`` and ``queue.policy``
# are meant to be used, so nothing here may import odoo. The Shopify sandbox and the launch
# suite's store driver are not part of the addon: they live in the
# repository's ``shopify_sandbox``.
if __name__.startswith("odoo.addons."):
    from . import models  # isort: skip
    from . import controllers, queue, wizard
