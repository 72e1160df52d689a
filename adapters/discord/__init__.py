"""Discord adapter (discord.py 2.x): ``/claims`` app commands, "Check claims" menu, channel watch.

Modules: ``translate`` (pure: Discord objects → core calls, results → embeds within limits),
``client`` (the bot: intents, sync), ``_cog`` (handlers), ``digest`` (``DiscordDigestPoster``),
``runner`` (``claimbot run discord`` / ``claimbot discord sync``).
"""
