"""Tests of the site↔cloud sync."""
