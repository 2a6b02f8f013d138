"""textrnn: recurrent neural networks for text, Russian first."""

__version__ = "0.1.0"

from textrnn.errors import TextrnnError
from textrnn.preprocessing import Preprocessor

__all__ = ["Preprocessor", "TextrnnError", "__version__"]
