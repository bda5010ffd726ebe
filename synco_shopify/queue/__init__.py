"""The job queue: every piece of remote work is a ``synco.job``, run by one
cron; a failure the policy knows to be transient is retried.

- registry: which method handles each job type, and which job each webhook
  topic queues (plain data, importable without Odoo);
- policy: what follows a failed attempt, the runner's lock, the shop's probe
  schedule (plain decisions, importable without Odoo);
- job: the record, its enqueue and its buttons;
- runner: the cron's claim/run loop;
- outcome: running one job and writing down its outcome;
- recovery: the runner's lock on a job, and taking over a dead worker's jobs;
- wake: waking the cron workers;
- attention: the managers' to-dos for jobs that need a person;
- status: the merchant's status of an order or a delivery, from its jobs.

The queue knows jobs, not what they are about: a job's order is an opaque
``order_ref`` (an order's jobs run in turn), and the code that queues a job
about an order does what that order needs first (its import). A package of
its own, next to ``models``, so that its registry and policy can be read by
the Odoo-free tests: like the addon's ``__init__``, this one loads the Odoo
models only when Odoo imports the addon, after ``models`` has defined
``synco.shop.owned`` (which the job inherits), the job before its extensions.
"""

if __name__.startswith("odoo.addons."):
    from . import job  # isort: skip
    from . import attention, outcome, recovery, runner, status, wake
