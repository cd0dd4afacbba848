"""``python -m texgrad`` runs the command line."""

from texgrad.cli import main

raise SystemExit(main())
