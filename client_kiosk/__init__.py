"""client_kiosk."""
