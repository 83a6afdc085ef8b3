"""Human tasks: read, claim, complete, actions on them, the inbox, the workspace."""
