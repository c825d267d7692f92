"""The ``rushes`` command: thin over the same functions the web app calls."""
