from . import synco_order_import_wizard
