"""Accounts: users, groups, passwords, API tokens, sign-in limits, people and who may see which instance."""
