from . import synco_launch_check_wizard, synco_order_import_wizard

# isort: split
from . import synco_launch_check_golive
