"""cloudsync."""
