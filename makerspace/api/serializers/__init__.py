"""Request and response shapes of the makerspace API, by domain."""
