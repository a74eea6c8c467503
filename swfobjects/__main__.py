"""``python -m swfobjects``: the same command line as the ``swfobjects`` script."""

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
