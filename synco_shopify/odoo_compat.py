"""Everything that Odoo 18 and Odoo 19 spell differently, in one place.

The addon runs on both from one codebase. Code elsewhere never tests the
version itself: it uses a name from here, and a difference found later is
added here (with the two spellings side by side), not at the call site.

Declaring an SQL constraint (19 ignores ``_sql_constraints``, 18 has no
``models.Constraint``): write it the Odoo 19 way with this module's
``Constraint``, a class attribute whose name starts with ``_``::

    from ..odoo_compat import Constraint

    class SyncoThing(models.Model):
        _name = "synco.thing"
        _shop_ref_uniq = Constraint("UNIQUE (shop_id, ref)", "This thing is already linked.")

Both versions then create ``synco_thing_shop_ref_uniq`` in the database.

Declaring a group: in ``security/synco_security.xml`` the record sets only
what both versions share (name, implied groups, comment); its place in the
user form (18: ``category_id``, 19: a ``res.groups.privilege``) and its
default members (18: ``users``, 19: ``user_ids``) go into the
``_synco_place_groups`` call at the end of that file, which calls
``place_groups`` below. A user's groups in code or tests: ``USER_GROUPS``.
"""

import contextlib
from urllib.parse import urlsplit

from odoo import models, release

ODOO_VERSION = release.version_info[0]

#: res.users' many2many to its groups (18: groups_id, 19: group_ids).
USER_GROUPS = "group_ids" if ODOO_VERSION >= 19 else "groups_id"
#: res.groups' many2many to its direct members (18: users, 19: user_ids).
GROUP_USERS = "user_ids" if ODOO_VERSION >= 19 else "users"
#: sale.order.line's unit of measure (18: product_uom, 19: product_uom_id).
SALE_LINE_UOM = "product_uom_id" if ODOO_VERSION >= 19 else "product_uom"
#: sale.order.line's taxes (18: tax_id, 19: tax_ids).
SALE_LINE_TAXES = "tax_ids" if ODOO_VERSION >= 19 else "tax_id"

if hasattr(models, "Constraint"):
    Constraint = models.Constraint
else:

    class Constraint:
        """Odoo 19's ``models.Constraint`` on Odoo 18: when the class body
        names it, it adds ``(name, definition, message)`` to the class's own
        ``_sql_constraints``, which 18 creates under the same database name
        (``<table>_<name without the leading _>``)."""

        def __init__(self, definition, message=""):
            self.definition = definition
            self.message = message

        def __set_name__(self, owner, name):
            assert name.startswith("_"), "a constraint's attribute name starts with '_'"
            own = list(owner.__dict__.get("_sql_constraints", []))
            own.append((name[1:], self.definition, self.message))
            owner._sql_constraints = own


def move_copy_vals(move):
    """The values that make a new stock.move stand beside ``move``: the same
    procurement (18: ``group_id``; 19: ``reference_ids``, stock.reference)
    and, on 18, its ``name`` (19 has none)."""
    if ODOO_VERSION >= 19:
        return {"reference_ids": [(6, 0, move.reference_ids.ids)]}
    return {"name": move.name, "group_id": move.group_id.id}


def picking_procurement_vals(move):
    """Same, for the picking created around such moves (19 derives the
    picking's references from its moves)."""
    if ODOO_VERSION >= 19:
        return {}
    return {"group_id": move.group_id.id}


def sale_line_route_vals(route):
    """A sale.order.line's route (18: ``route_id``; 19: ``route_ids``)."""
    if ODOO_VERSION >= 19:
        return {"route_ids": [(6, 0, route.ids)]}
    return {"route_id": route.id}


def place_groups(env, category_xmlid, members):
    """Hang the addon's groups in the user form under one heading and give
    them their default members. ``members`` maps a group's xmlid to the
    xmlids of users put in it. 18: the groups' ``category_id`` is the
    module category. 19: they share a ``res.groups.privilege`` (xmlid
    ``<category_xmlid>_privilege``, owned by the addon so that uninstalling
    removes it) under that category."""
    category = env.ref(category_xmlid)
    groups = env["res.groups"].browse([env.ref(xmlid).id for xmlid in members])
    if ODOO_VERSION >= 19:
        privilege = env["res.groups.privilege"]._load_records(
            [
                {
                    "xml_id": f"{category_xmlid}_privilege",
                    "values": {
                        "name": category.name,
                        "sequence": category.sequence,
                        "category_id": category.id,
                    },
                    "noupdate": False,
                }
            ]
        )
        groups.write({"privilege_id": privilege.id})
    else:
        groups.write({"category_id": category.id})
    for xmlid, user_xmlids in members.items():
        users = [env.ref(user).id for user in user_xmlids]
        if users:
            env.ref(xmlid).write({GROUP_USERS: [(4, uid) for uid in users]})


# -- the test suite ------------------------------------------------------------
# Odoo 18's tests share the test cursor with HTTP requests through
# ``registry.test_lock``, which the test thread takes only when it wants;
# Odoo 19's test thread always holds a module-wide lock, and a request gets
# the test cursor only while the test releases it and lets it in (a cookie,
# or every request). odoo.tests is imported inside, so production code that
# imports this module never loads it.


def notify_cron_progress(env, done, remaining=0):
    """Tell the running cron how far it is. 19 deprecates 18's
    ``_notify_progress`` for ``_commit_progress``, which also commits; the
    job runner commits in one place of its own, so on 19 the progress is
    written as 18's method writes it."""
    if ODOO_VERSION < 19:
        env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return
    progress_id = env.context.get("ir_cron_progress_id")
    if progress_id:
        progress = env["ir.cron.progress"].sudo().browse(progress_id)
        progress.write({"done": done, "remaining": remaining})


def in_test_mode(env):
    """Whether ``env``'s cursor is a test's (it must not commit): 18 says so
    on the registry; 19's registry has no such flag while its tests run."""
    if ODOO_VERSION >= 19:
        from odoo.modules import module

        return bool(module.current_test)
    return env.registry.in_test_mode()


def enter_registry_test_mode(case_cls):
    """Registry cursors become savepoints of the test's transaction, for a
    TransactionCase class (an HttpCase is in that mode already)."""
    if ODOO_VERSION >= 19:
        if not case_cls._registry_patched:
            case_cls.registry_enter_test_mode_cls()
    elif not case_cls.registry.in_test_mode():
        case_cls.registry.enter_test_mode(case_cls.cr)
        case_cls.addClassCleanup(case_cls.registry.leave_test_mode)


def holding_test_cursor(case):
    """Context in which the test thread works on the database while no HTTP
    request may (18: it takes the test lock; 19: it holds it already)."""
    if ODOO_VERSION >= 19:
        return contextlib.nullcontext()
    return case.registry.test_lock


def serving_requests(case):
    """Context in which Odoo's HTTP server answers any client (the sandbox's
    webhooks, a test's own threads) on the test cursor; the test thread stays
    off the database meanwhile. 18 serves them whenever the test lock is
    free; 19 only here."""
    if ODOO_VERSION >= 19:
        return case.allow_requests(all_requests=True)
    return contextlib.nullcontext()


class LoopbackTimeouts:
    """Mixin for the test classes whose code calls the Shopify client. Odoo
    19's test harness compares every request's timeout with a number (to
    raise it to 10 s), which breaks on the client's (connect, read) pair:
    such a request to this machine is sent as it is, with its own timeouts."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        timeout = kw.get("timeout")
        if isinstance(timeout, tuple):
            if urlsplit(r.url).hostname in ("127.0.0.1", "localhost"):
                from odoo.tests.common import _super_send

                return _super_send(s, r, **kw)
            kw["timeout"] = max(timeout)
        return super()._request_handler(s, r, **kw)
