"""``python -m texgrad`` runs the command line."""

from texgrad.cli import main

if __name__ == "__main__":  # not when a worker process started by spawning imports it
    raise SystemExit(main())
