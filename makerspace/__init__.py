"""The makerspace app ("Cave"): spaces, members, equipment, reservations and the rest."""
