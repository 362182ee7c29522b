"""Account memory: each need's life from hypothesis to delivery (lifecycle), an account's
history across conversations (memory), and the pre-meeting brief built from it (brief)."""
