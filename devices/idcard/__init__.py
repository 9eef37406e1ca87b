"""Second-generation ID card reader (SAM protocol): codec, ID numbers, transports, service, simulator."""
