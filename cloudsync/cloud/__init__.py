"""cloudsync/cloud."""
