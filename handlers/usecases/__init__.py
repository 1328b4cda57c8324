"""What staff (and the clock) decide about a case, one verb per module, for every door alike.

Each use case takes the acting person, a small input and the ports it needs, checks on the
case as it is now (read locked), changes it, records it on the trail, and returns what
changed and which notices are due. It never writes a message and never commits.
"""
