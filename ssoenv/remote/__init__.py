"""Calls to AWS: the botocore client, the one retry policy, the portal, STS."""
