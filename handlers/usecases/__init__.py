"""What people (and the clock) do, one verb per module, for every door alike.

Each use case takes the acting person, a small input and the narrow ports it needs, checks
against the state as it is now (read locked), changes it, and returns what changed and which
notices are due. It never holds a session, never writes a message and never commits.
"""
