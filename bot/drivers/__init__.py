"""Telegram drivers: framework glue that turns updates into events and makes API calls."""
