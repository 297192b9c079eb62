"""Logging in to IAM Identity Center: OIDC flows, the browser, the SSO session's clock, logout."""
