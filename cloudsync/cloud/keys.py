"""The cloud's Ed25519 signing key, kept in the instance folder and created on first use."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloudsync import sealing


def signing_key(path: str | Path) -> Ed25519PrivateKey:
    """Load the key at ``path``, creating it (mode 600) if it does not exist yet."""
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(sealing.private_key_pem(sealing.generate_signing_key()))
        p.chmod(0o600)
    return sealing.load_private_key(p.read_bytes())
