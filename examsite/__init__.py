"""examsite."""
