r"""Reading forms met writing the i13new set-30 documents: the indented body of a MkDocs
Material container — a content tab ``=== "Tab"``, an admonition ``!!! note`` — after a blank
line is Markdown (its math read), not an indented code block."""

from __future__ import annotations

from tests.reading.test_markdown import spans

TABS = """\
## Two classes

=== "Criterion"

    We look for \\(\\mathbf{w} \\in \\mathbb{R}^d\\) maximising
    \\[
    J(\\mathbf{w}) = \\frac{a}{b}
    \\]

!!! warning "Careful"

    Not \\(S_W^{-1}\\mu^\\top\\).

        four more spaces: $x$ is code in the body

    ```python
    y = "$z$"
    ```
"""


def test_the_bodies_of_tabs_and_admonitions_are_read():
    found = [body.strip() for _, body in spans(TABS)]
    assert found == [
        r"\mathbf{w} \in \mathbb{R}^d",
        r"J(\mathbf{w}) = \frac{a}{b}",
        r"S_W^{-1}\mu^\top",
    ]
    # an indented block after a paragraph is code still
    assert spans("Some text.\n\n    $x$ is code here\n") == []
