"""themecode: keyboard-first qualitative thematic coding of probation inspectors' commentaries."""

__version__ = "0.1.0"
