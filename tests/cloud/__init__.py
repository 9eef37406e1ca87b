"""Tests of the provincial cloud."""
