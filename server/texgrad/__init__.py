"""texgrad: shapes and derivatives for matrix calculus written in LaTeX and Markdown."""

from texgrad import dataclass_code, regex_code

__version__ = "0.1.0"

dataclass_code.install()  # (before any of texgrad's dataclasses is made)
regex_code.install()  # (before any of texgrad's patterns is compiled)
