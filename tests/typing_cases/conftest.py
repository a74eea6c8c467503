"""Files here are read by type checkers (tests/test_typing.py), never imported or run."""

collect_ignore_glob = ["*.py"]
