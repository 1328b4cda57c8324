"""One verb per module: the acting person, a small input and the ports it needs in; what
happened out. Never a session, never a message, never a text."""
