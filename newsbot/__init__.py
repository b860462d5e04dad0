"""newsbot: Vietnamese provincial news sites -> clean, deduplicated JSON Lines."""

__version__ = "0.1.0"
