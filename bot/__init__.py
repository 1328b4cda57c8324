"""The runtime: settings, assembly, Telegram drivers, the outbox sender, the CLI."""
