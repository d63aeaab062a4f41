"""Bridge services: the outbox, its transports, the inbound receivers and the event handlers that feed the outbox."""
