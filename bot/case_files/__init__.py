"""The case file store: every evidence file a worker sent, kept by the bot itself."""
