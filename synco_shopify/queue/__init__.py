"""The job queue: every piece of remote work is a ``synco.job``, run by one
cron and retried until done.

- registry: which method handles each job type and each webhook topic (plain
  data, importable without Odoo);
- job: the record, its enqueue and its buttons;
- runner: the cron's claim/run loop;
- outcome: running one job and the failure policy;
- recovery: the runner's lock on a job, and taking over a dead worker's jobs;
- wake: waking the cron workers;
- attention: the managers' to-dos for jobs that need a person;
- status: the merchant's status of an order or a delivery, from its jobs.

A package of its own, next to ``models``, so that its registry can be read by
the Odoo-free tests: like the addon's ``__init__``, this one loads the Odoo
models only when Odoo imports the addon, after ``models`` has defined
``synco.shop.owned`` (which the job inherits), the job before its extensions.
"""

if __name__.startswith("odoo.addons."):
    from . import job  # isort: skip
    from . import attention, outcome, recovery, runner, status, wake
