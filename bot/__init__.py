"""claimbot core: extraction, speaker resolution, matching, summaries and digests.

Nothing in this package imports a chat library or a database driver; adapters and
storage depend on it, never the reverse.
"""
