"""Ordered, never-edited schema steps for the site SQLite (`site/`) and the cloud database (`cloud/`)."""
