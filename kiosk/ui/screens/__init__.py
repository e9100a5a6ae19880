"""The kiosk's screens: one decision per screen, each built from the touch widgets."""
