"""ssoenv: AWS IAM Identity Center credentials in your current shell."""

__version__ = "0.1.0"
