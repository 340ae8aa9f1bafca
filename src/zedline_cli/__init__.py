"""The `zedline` command line: provisioning and maintenance for the platform admin."""
