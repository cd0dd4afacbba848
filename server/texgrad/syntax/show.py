"""A compact, readable rendering of a syntax tree (for ``texgrad inspect`` and tests).

``x^\\top A x`` shows as ``(Product (Transpose:\\top x) A x)``: a node kind,
its distinguishing attributes after ``:``, then its children; a symbol shows
as its name with font and accents (``\\mathbf{x}`` → ``x[mathbf]``).
"""

from __future__ import annotations

from texgrad.syntax import tree as t


def show(node: t.Node | None) -> str:
    if node is None:
        return "_"
    if isinstance(node, t.Symbol):
        deco = [d for d in (node.font, *node.accents) if d]
        return node.name + (f"[{','.join(deco)}]" if deco else "")
    if isinstance(node, t.Number):
        return node.text
    if isinstance(node, (t.Dots, t.Opaque)):
        return f"({node.kind} {node.text!r})"
    if isinstance(node, t.Text):
        inner = "".join(" " + show(m) for m in node.math)
        return f"(Text {node.text!r}{inner})"
    label = node.kind
    attr = _attribute(node)
    if attr:
        label += ":" + attr
    parts = [label]
    if isinstance(node, (t.Matrix, t.Cases, t.Aligned)):
        parts.extend("[" + " & ".join(show(c) for c in row) + "]" for row in node.rows)
    elif isinstance(node, t.Chain):
        for i, item in enumerate(node.items):
            parts.append(show(item))
            if i < len(node.relations):
                parts.append(node.relations[i])
    elif isinstance(node, t.Add):
        for sign, term in zip(node.signs, node.terms, strict=True):
            parts.append((sign + " " if sign else "") + show(term))
        if node.trailing:
            parts.append(node.trailing)
    else:
        parts.extend(show(c) for c in _children_with_none(node))
    return "(" + " ".join(parts) + ")"


def _attribute(node: t.Node) -> str:
    for name in ("op", "name", "mark", "field", "env", "font", "accent", "command", "sign"):
        v = getattr(node, name, None)
        if (
            isinstance(v, str)
            and v
            and not (name == "command" and v == "frac")
            and not (name == "sign" and v == "-")
        ):
            return v
    if isinstance(node, (t.Paren, t.Delimited)):
        return node.open + node.close
    if isinstance(node, t.Prime) and node.count > 1:
        return str(node.count)
    return ""


def _children_with_none(node: t.Node) -> list[t.Node | None]:
    """Children in field order, keeping empty optional slots visible as ``_`` where they matter."""
    if isinstance(node, t.BigOp):
        return [node.lower, node.upper, node.body]
    if isinstance(node, t.Norm):
        return [node.body] + ([node.p] if node.p is not None else [])
    if isinstance(node, (t.Nabla, t.Partial)):
        return (
            [node.wrt, node.order, node.body] if node.order is not None else [node.wrt, node.body]
        )
    if isinstance(node, t.Derivative):
        return [node.body, *node.wrt]
    if isinstance(node, t.Func):
        return [x for x in (node.sub, node.sup) if x is not None]
    return list(node.children())
