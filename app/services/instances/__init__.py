"""Process instances: start, save and read, stop on a sandbox failure, migrate to another version."""
