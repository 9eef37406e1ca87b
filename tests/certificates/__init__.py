"""Certificate tests."""
