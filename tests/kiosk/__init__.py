"""Browser tests of the candidate page (client_kiosk)."""
