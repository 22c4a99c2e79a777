"""Rooms: complete pages of the app (controls, canvases, timeline, narration) for the basics
labs, each driven by its own lab session (a ``core.navigator.Navigator``)."""
