"""Makerspace reads, one module per domain (spaces, members, plans, skills, equipment, reservations, ...)."""
