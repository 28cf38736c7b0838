"""Running an installation: the CLI, the demo ward, backups and restores, readiness for /healthz."""
