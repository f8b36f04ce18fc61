"""SCIM 2.0 provisioning per workspace: an identity provider creates, switches off and removes
members and keeps teams in step, with the workspace's bearer token."""
