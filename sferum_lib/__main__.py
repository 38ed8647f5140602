"""``python -m sferum_lib`` is the ``sferum`` command."""

import sys

from sferum_lib.cli import main

sys.exit(main())
