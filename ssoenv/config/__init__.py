"""The config files: the one reader (ini), profiles and sso-sessions, the lossless writer."""
