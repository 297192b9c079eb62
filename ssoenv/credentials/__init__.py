"""The caches and the credentials of any profile."""
