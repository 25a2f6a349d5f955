"""``python -m index.native build``: compile the fused encoder (see index/native/__init__.py)."""

import sys

from . import build

if __name__ == "__main__":
    if sys.argv[1:] not in (["build"], []):
        sys.exit("usage: python -m index.native build")
    build()  # never fails the install: without the library the engine falls back
