"""The candidate terminals' Socket.IO namespace `/candidate` (protocol: docs/protocol.md)."""
