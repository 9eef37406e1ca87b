"""Ordered schema steps of the provincial cloud's database (SQLite or MySQL/MariaDB).

Each module ``mNNNN_name.py`` defines ``migrate(db)`` taking a :class:`cloudsync.cloud.db.Database`;
the runner (``cloudsync.cloud.migrate``) applies them in file-name order and records each by name.
Never edit a committed step: add a new one. Ranges: sync/cloud 0001–0019, certificates 0020–0029.
"""
