"""Slack adapter: slash commands, channel watch, Block Kit replies and digests (slack-bolt)."""
