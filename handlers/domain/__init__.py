"""The rules, in plain Python: no SQL, no texts, no I/O, so any door (chat, web, API) shares
them and they are tested without a database."""
