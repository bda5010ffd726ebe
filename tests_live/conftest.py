"""Session fixtures of the live suite: a private PostgreSQL, a fresh database
with synco_shopify, the Shopify sandbox process and a running Odoo server,
connected. The whole suite skips itself, with the reason, where Odoo or
PostgreSQL is missing."""

from __future__ import annotations

import os
import shutil
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import livekit


@pytest.fixture(scope="session")
def procs():
    processes = livekit.Processes()
    yield processes
    processes.stop_all()


@pytest.fixture(scope="session")
def workdir():
    path = livekit.tmpdir()
    yield path
    if not os.environ.get("SYNCO_LIVE_KEEP"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(workdir):
    try:
        cmd, root = livekit.find_odoo()
    except livekit.LiveUnavailable as exc:
        pytest.skip(f"live suite skipped: {exc}")
    if os.environ.get("SYNCO_LIVE_PG") == "shared":
        pg = None
    else:
        try:
            pg = livekit.PrivatePostgres(workdir).start()
        except livekit.LiveUnavailable as exc:
            print(f"no private PostgreSQL ({exc}); using the PG* server")
            pg = None
    if pg is None:
        try:
            pg = livekit.SharedPostgres()
        except livekit.LiveUnavailable as exc:
            pytest.skip(f"live suite skipped: {exc}")
    yield pg, cmd, root
    pg.stop()


@pytest.fixture(scope="session")
def odoo(postgres, procs, workdir):
    pg, cmd, root = postgres
    db = f"synco_live_{uuid.uuid4().hex[:8]}"
    instance = livekit.Odoo(procs, cmd, root, pg, workdir, db)
    try:
        instance.install()
    except livekit.LiveUnavailable as exc:
        pytest.fail(str(exc))
    yield instance
    instance.stop()
    instance.drop()


@pytest.fixture(scope="session")
def world(odoo, procs, workdir):
    python = os.environ.get("SYNCO_SANDBOX_PYTHON") or sys.executable
    proc, url = livekit.start_sandbox(procs, python, os.path.join(workdir, "sandbox.log"))
    sandbox = livekit.SandboxAdmin(url)
    the_world = livekit.World(odoo, sandbox, proc).setup()
    odoo.start(cron_threads=0)
    yield the_world
    odoo.stop()


@pytest.fixture
def live(world):
    """The world, with the sandbox's faults, call log and bucket back to normal
    and a server running without a cron thread."""
    world.sandbox.clear_faults()
    world.sandbox.clear_calls()
    world.sandbox.config(bucket={"maximum": 2000, "restore_rate": 100, "available": 2000})
    if world.odoo.server is None or world.odoo.server.poll() is not None:
        world.odoo.server = None
        world.odoo.start(cron_threads=0)
    yield world
    world.sandbox.clear_faults()
