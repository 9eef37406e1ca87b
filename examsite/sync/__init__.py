"""Cloud sync on the site: pre-staging plans, the release code, the outbox push job, status.

Wiring (done by the composition root and the app factory):

- ``examsite.serve.JOB_REGISTRARS.append(examsite.sync.push.register_jobs)``
- the console shows ``examsite.sync.status.status()`` at ``/console/sync`` (JSON: ``/console/api/sync``)
- ``"examsite.sync.cli"`` in ``examsite.cli.COMMAND_MODULES``
"""
