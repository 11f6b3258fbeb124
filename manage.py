#!/usr/bin/env python
import os
import sys

# Commands that serve requests or run jobs keep the database's statement timeout
# (tracker/settings.py); the others (migrate, load_seeds, generate_demo,
# rebuild_search_index...) may run long statements on purpose.
BOUNDED = {"runserver", "run_worker"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    if len(sys.argv) > 1 and sys.argv[1] not in BOUNDED:
        os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
