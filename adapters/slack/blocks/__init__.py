"""Core results → Slack Block Kit messages: ``base`` holds the pieces every message is made of;
``check``, ``lookups``, ``follows`` and ``digest`` one kind of answer each. Pure functions: no
network, no Bolt objects.
"""
