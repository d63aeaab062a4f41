"""The bridge: reliable messages between the store and the makerspaces."""
