"""``python -m harmony_typed``: the ``harmony-typed`` command line (see :mod:`harmony_typed.cli`).

Never compiled: a module run as ``__main__`` cannot be a mypyc extension.
"""

from __future__ import annotations

import sys

from harmony_typed.cli import main

if __name__ == "__main__":
    sys.exit(main())
