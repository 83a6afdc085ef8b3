"""Accounts: users, groups, passwords, API tokens, sign-in limits, browser sessions, people and who may see which instance."""
