"""All of the cloud's SQL, in small modules named after what they hold.

Every function takes a :class:`cloudsync.cloud.db.Database` first; views, the API and the CLI
call these and never build SQL themselves.
"""
