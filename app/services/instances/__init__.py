"""Process instances: start, save and read, complete a step on someone's behalf, stop on a sandbox failure, migrate to another version."""
