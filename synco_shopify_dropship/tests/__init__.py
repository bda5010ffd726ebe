from . import test_dropship
