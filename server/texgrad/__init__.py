"""texgrad: shapes and derivatives for matrix calculus written in LaTeX and Markdown."""

__version__ = "0.1.0"
