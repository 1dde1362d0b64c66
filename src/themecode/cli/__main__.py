"""`python -m themecode.cli`: the same as the `themecode` command."""

import sys

from themecode.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
