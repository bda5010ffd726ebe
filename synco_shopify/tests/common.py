"""Shared set-up for the Odoo suite: a Shopify sandbox in its own process,
and a shop connected to it.

The sandbox is the project's own fake Shopify (``synco_shopify.sandbox``).
It runs with ``SYNCO_SANDBOX_PYTHON`` (the test script points it at the
project's virtual environment, which has graphql-core), else with Odoo's own
interpreter. One sandbox serves the whole run; each test class resets it.
"""

import atexit
import os
import select
import subprocess
import sys
from unittest.mock import patch

from cryptography.fernet import Fernet
from odoo.tests import TransactionCase
from odoo.tools import config

from ..sandbox.admin import SandboxAdmin

ADDONS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
START_TIMEOUT = 20

CLIENT_ID = "synco-test-client"
CLIENT_SECRET = "synco-test-secret-0123456789"
ACCESS_TOKEN = "shpat_synco_test_token"
SHOP_DOMAIN = "acme-test.myshopify.com"

_sandbox = {}


def sandbox_url():
    """Start the sandbox once per run and return its URL."""
    if "url" in _sandbox:
        return _sandbox["url"]
    python = os.environ.get("SYNCO_SANDBOX_PYTHON") or sys.executable
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [ADDONS_DIR, os.environ.get("PYTHONPATH")])),
    )
    proc = subprocess.Popen(
        [python, "-m", "synco_shopify.sandbox", "--port", "0", "--seed", "empty"],
        cwd=ADDONS_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
    line = proc.stdout.readline() if ready else ""
    if "listening on " not in line:
        proc.kill()
        rest = proc.stdout.read() if proc.stdout else ""
        raise RuntimeError(
            f"the Shopify sandbox did not start with {python} (set SYNCO_SANDBOX_PYTHON to an "
            f"interpreter with graphql-core): {line}{rest}"
        )
    atexit.register(proc.terminate)
    _sandbox.update(url=line.rsplit("listening on ", 1)[1].strip(), proc=proc)
    return _sandbox["url"]


class SyncoCase(TransactionCase):
    """A company, a warehouse and a shop connected to a fresh sandbox store."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A key of the test's own: never the data directory's key file.
        cls.startClassPatcher(
            patch.dict(config.options, {"synco_shopify_key": Fernet.generate_key().decode()})
        )
        cls.sandbox = SandboxAdmin(sandbox_url())
        cls.sandbox.reset(seed="empty")
        cls.sandbox.config(
            name="Acme Test",
            domain=SHOP_DOMAIN,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            access_token=ACCESS_TOKEN,
        )
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.shop = cls.env["synco.shop"].create(
            {
                "name": "Acme Test",
                "shop_domain": SHOP_DOMAIN,
                "api_base_url": cls.sandbox.url,
                "auth_method": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
        )
