"""``python -m textrnn.cli``: the ``textrnn`` command."""

from textrnn.cli import main

main()
