"""Benchmarks: scripts that print figures (``python -m bench.<name>``); tests never time things."""
