"""``python -m textrnn``: the ``textrnn`` command (also what ``torchrun -m textrnn`` starts)."""

from textrnn.cli import main

main()
