r"""A third problem table: the equations authors write (issue 14, round 14) — losses over
samples and functions of their sums, index notation, the document's own functions,
intermediates kept as names, the Gaussian likelihood by Σ, attention's row-wise softmax,
matrix square roots, ``\operatorname{vec}`` expressions, Hessians of products and
quotients, the Cayley transform, relu written ``\max(0, ·)``.  Judged as the other tables
(``test_clean_problems.py``; figures: ``benchmarks/clean_problems.py --table authors``).
"""

from __future__ import annotations

from tests.calculus.problems import Problem

P = Problem

WX = r"\mathbf w \in \mathbb{R}^d; \mathbf x_i \in \mathbb{R}^d; \mathbf y \in \mathbb{R}^N"
AX = r"\mathbf a, \mathbf x \in \mathbb{R}^n"
SIG = r"\sigma(\mathbf a^\top\mathbf x)"
XM = r"\mathbf x_i \in \mathbb{R}^d; \boldsymbol\mu \in \mathbb{R}^d"
KX = r"\mathbf x, \mathbf x_i \in \mathbb{R}^d; \boldsymbol\alpha \in \mathbb{R}^N; \gamma \in \mathbb{R}"

AUTHOR_PROBLEMS: tuple[Problem, ...] = (
    # -- functions of a sum over samples ---------------------------------------------------------
    P("a-sum-sqrt", r"\sqrt{\sum_{i=1}^N (\mathbf w^\top\mathbf x_i - y_i)^2}", r"\mathbf w", WX,
      "gradient",
      r"\frac{\sum_{i=1}^N (\mathbf w^\top\mathbf x_i - y_i)\mathbf x_i}"
      r"{\sqrt{\sum_{i=1}^N (\mathbf w^\top\mathbf x_i - y_i)^2}}",
      "root of a sum of squares", families=(("x", "N"),)),
    P("a-sum-exp", r"\exp\left(\sum_{i=1}^N \mathbf w^\top\mathbf x_i\right)", r"\mathbf w", WX,
      "gradient", r"\exp\left(\sum_{i=1}^N \mathbf w^\top\mathbf x_i\right)\sum_{i=1}^N \mathbf x_i",
      "exponential of a sum", families=(("x", "N"),)),
    P("a-sum-square", r"\left(\sum_{i=1}^N (\mathbf w^\top\mathbf x_i - y_i)\right)^2", r"\mathbf w",
      WX, "gradient",
      r"2\left(\sum_{i=1}^N (\mathbf w^\top\mathbf x_i - y_i)\right)\sum_{i=1}^N \mathbf x_i",
      "square of a sum", families=(("x", "N"),)),
    P("a-sum-reciprocal", r"\frac{1}{\sum_{i=1}^N \exp(\mathbf w^\top\mathbf x_i)}", r"\mathbf w",
      WX, "gradient",
      r"-\frac{\sum_{i=1}^N \exp(\mathbf w^\top\mathbf x_i)\mathbf x_i}"
      r"{\left(\sum_{i=1}^N \exp(\mathbf w^\top\mathbf x_i)\right)^2}",
      "reciprocal of a partition function", families=(("x", "N"),)),
    # -- losses over samples -------------------------------------------------------------------
    P("a-sum-mse-matrix", r"\frac{1}{2N}\sum_{n=1}^N \|W\mathbf x_n - \mathbf y_n\|^2", "W",
      r"W \in \mathbb{R}^{m \times d}; \mathbf x_n \in \mathbb{R}^d; \mathbf y_n \in \mathbb{R}^m",
      "gradient", r"\frac{1}{N}\sum_{n=1}^N (W\mathbf x_n - \mathbf y_n)\mathbf x_n^\top",
      "multi-output least squares", families=(("x", "N"), ("y", "N"))),
    P("a-sum-squared-hinge", r"\sum_{i=1}^N \max(0, 1 - y_i\mathbf w^\top\mathbf x_i)^2", r"\mathbf w",
      WX, "gradient",
      r"-2\sum_{i=1}^N \max(0, 1 - y_i\mathbf w^\top\mathbf x_i)\, y_i\mathbf x_i",
      "squared hinge loss", families=(("x", "N"),)),
    P("a-sum-poisson", r"\sum_{i=1}^N \left(\exp(\mathbf w^\top\mathbf x_i) - y_i\mathbf w^\top\mathbf x_i\right)",
      r"\mathbf w", WX, "gradient",
      r"\sum_{i=1}^N (\exp(\mathbf w^\top\mathbf x_i) - y_i)\mathbf x_i", "Poisson regression",
      families=(("x", "N"),)),
    P("a-sum-gauss-mean",
      r"\frac12\sum_{i=1}^N (\mathbf x_i - \boldsymbol\mu)^\top\Sigma^{-1}(\mathbf x_i - \boldsymbol\mu)",
      r"\boldsymbol\mu", r"\boldsymbol\mu \in \mathbb{R}^d; \mathbf x_i \in \mathbb{R}^d; \Sigma \in \mathbb{S}^d_{++}",
      "gradient", r"\sum_{i=1}^N \Sigma^{-1}(\boldsymbol\mu - \mathbf x_i)", "Gaussian mean, samples",
      families=(("x", "N"),)),
    P("a-sum-rnn-mean", r"\frac{1}{T}\sum_{t=2}^T \|\mathbf h_t - W\mathbf h_{t-1}\|^2", "W",
      r"W \in \mathbb{R}^{n \times n}; \mathbf h_t \in \mathbb{R}^n", "gradient",
      r"\frac{2}{T}\sum_{t=2}^T (W\mathbf h_{t-1} - \mathbf h_t)\mathbf h_{t-1}^\top",
      "linear recurrence, mean", families=(("h", "T"),)),
    P("a-sum-quadratic-by-matrix", r"\sum_{i=1}^N \log(1 + \mathbf x_i^\top \Sigma\mathbf x_i)", r"\Sigma",
      r"\Sigma \in \mathbb{S}^d_{++}; \mathbf x_i \in \mathbb{R}^d", "gradient",
      r"\sum_{i=1}^N \frac{\mathbf x_i\mathbf x_i^\top}{1 + \mathbf x_i^\top\Sigma\mathbf x_i}",
      "log of quadratic forms, by the matrix", families=(("x", "N"),)),
    # -- Gaussian likelihoods --------------------------------------------------------------------
    P("a-gauss-nll-sigma",
      r"\frac12\log\det\Sigma + \frac12(\mathbf x - \boldsymbol\mu)^\top\Sigma^{-1}(\mathbf x - \boldsymbol\mu)",
      r"\Sigma", r"\Sigma \in \mathbb{S}^d_{++}; \mathbf x, \boldsymbol\mu \in \mathbb{R}^d", "gradient",
      r"\frac12\Sigma^{-1} - \frac12\Sigma^{-1}(\mathbf x - \boldsymbol\mu)(\mathbf x - \boldsymbol\mu)^\top\Sigma^{-1}",
      "Gaussian NLL by the covariance"),
    P("a-gauss-precision", r"-\frac12\log\det\Lambda + \frac12\operatorname{tr}(\Lambda S)", r"\Lambda",
      r"\Lambda \in \mathbb{S}^d_{++}; S \in \mathbb{S}^d", "gradient",
      r"-\frac12\Lambda^{-1} + \frac12 S", "Gaussian NLL by the precision"),
    # -- index notation ----------------------------------------------------------------------------
    P("a-index-trace", r"\sum_{i,k} a_{ik} b_{ki}", "A",
      r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}", "gradient", r"B^\top",
      "trace in index notation"),
    P("a-index-quadratic", r"\sum_{i,j} x_i a_{ij} x_j", "x",
      r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n \times n}", "gradient", r"(A + A^\top)x",
      "quadratic form in index notation"),
    P("a-index-frobenius", r"\sum_{i,j} (X_{ij} - Y_{ij})^2", "X", r"X, Y \in \mathbb{R}^{m \times n}",
      "gradient", r"2(X - Y)", "squared distance of entries"),
    # -- intermediates kept as names ---------------------------------------------------------------
    P("a-names-residual", r"\|\mathbf r\|^2", r"\mathbf x",
      r"A \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n; \mathbf b \in \mathbb{R}^m; "
      r"\mathbf r = A\mathbf x - \mathbf b",
      "gradient", r"2A^\top\mathbf r", "a residual named", defs=(("r", r"A\mathbf x - \mathbf b"),),
      check_expr=r"\|A\mathbf x - \mathbf b\|^2"),
    P("a-names-layer", r"\frac12\|\mathbf a - \mathbf y\|^2", "W",
      r"W \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n; \mathbf y \in \mathbb{R}^m; "
      r"\mathbf a = \tanh(W\mathbf x)",
      "gradient", r"((\mathbf a - \mathbf y) \odot (\mathbf 1 - \mathbf a \odot \mathbf a))\mathbf x^\top",
      "a tanh layer through its activation", defs=(("a", r"\tanh(W\mathbf x)"),),
      constants={"1": "m"}, check_expr=r"\frac12\|\tanh(W\mathbf x) - \mathbf y\|^2"),
    # -- attention, square roots, vec ------------------------------------------------------------
    P("a-attention-trace", r"\operatorname{tr}(C^\top\operatorname{softmax}(QK^\top)V)", "V",
      r"Q \in \mathbb{R}^{n \times d}; K \in \mathbb{R}^{m \times d}; V \in \mathbb{R}^{m \times p}; "
      r"C \in \mathbb{R}^{n \times p}",
      "gradient", r"S^\top C", "attention against a matrix, by V",
      defs=(("S", r"\operatorname{softmax}(QK^\top)"),)),
    P("a-trace-sqrt", r"\operatorname{tr}(S^{1/2})", "S", r"S \in \mathbb{S}^n_{++}", "gradient",
      r"\frac12 S^{-1/2}", "trace of the square root"),
    P("a-vec-AXBt", r"\operatorname{vec}(A X B^\top)", "X",
      r"A \in \mathbb{R}^{p \times m}; X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{q \times n}",
      "jacobian", r"B \otimes A", "vec of a two-sided product"),
    P("a-vec-square", r"\operatorname{vec}(X^2)", "X", r"X \in \mathbb{R}^{n \times n}", "jacobian",
      r"I \otimes X + X^\top \otimes I", "vec of a matrix square", constants={"I": "n"}),
    # -- Hessians of products and quotients, sigmoids ----------------------------------------------
    P("a-hess-product", r"(\mathbf a^\top\mathbf x)(\mathbf x^\top A\mathbf x)", r"\mathbf x",
      r"\mathbf a, \mathbf x \in \mathbb{R}^n; A \in \mathbb{R}^{n \times n}", "hessian",
      r"\mathbf a\mathbf x^\top(A + A^\top) + (A + A^\top)\mathbf x\mathbf a^\top"
      r" + (\mathbf a^\top\mathbf x)(A + A^\top)", "Hessian of a product"),
    P("a-hess-quotient", r"\frac{\mathbf x^\top\mathbf x}{\mathbf a^\top\mathbf x}", r"\mathbf x", AX,
      "hessian",
      r"\frac{2I}{\mathbf a^\top\mathbf x} - \frac{2(\mathbf x\mathbf a^\top + \mathbf a\mathbf x^\top)}"
      r"{(\mathbf a^\top\mathbf x)^2} + \frac{2\mathbf x^\top\mathbf x}{(\mathbf a^\top\mathbf x)^3}\mathbf a\mathbf a^\top",
      "Hessian of a quotient", constants={"I": "n"}),
    P("a-hess-rayleigh", r"\frac{\mathbf x^\top A\mathbf x}{\mathbf x^\top\mathbf x}", r"\mathbf x",
      r"\mathbf x \in \mathbb{R}^n; A \in \mathbb{S}^n", "hessian",
      r"\frac{2(A - rI)}{\mathbf x^\top\mathbf x} - \frac{4(\mathbf x\mathbf g^\top + \mathbf g\mathbf x^\top)}"
      r"{(\mathbf x^\top\mathbf x)^2}",
      "Hessian of the Rayleigh quotient",
      defs=(("r", r"\frac{\mathbf x^\top A\mathbf x}{\mathbf x^\top\mathbf x}"),
            ("g", r"A\mathbf x - \frac{\mathbf x^\top A\mathbf x}{\mathbf x^\top\mathbf x}\mathbf x")),
      constants={"I": "n"}),
    P("a-hess-sigmoid", SIG, r"\mathbf x", AX, "hessian",
      rf"{SIG}(1 - {SIG})(1 - 2{SIG})\mathbf a\mathbf a^\top", "Hessian of a sigmoid"),
    P("a-hess-log-sigmoid", rf"\log{SIG}", r"\mathbf x", AX, "hessian",
      rf"-{SIG}(1 - {SIG})\mathbf a\mathbf a^\top", "Hessian of a log-sigmoid"),
    # -- matrix maps, relu, softmax --------------------------------------------------------------
    P("a-cayley", r"(I - A)(I + A)^{-1}", "A", r"A \in \mathbb{R}^{n \times n}", "matrix",
      r"-2(I + A)^{-1}\,\mathrm{d}A\,(I + A)^{-1}", "the Cayley transform", constants={"I": "n"}),
    P("a-relu-max", r"\|\max(0, W\mathbf x)\|^2", "W",
      r"W \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n", "gradient",
      r"2\max(0, W\mathbf x)\mathbf x^\top", "relu written as a maximum"),
    P("a-softmax-ce", r"-\mathbf y^\top\log\operatorname{softmax}(W\mathbf x)", "W",
      r"W \in \mathbb{R}^{k \times d}; \mathbf x \in \mathbb{R}^d; \mathbf y \in \mathbb{R}^k_{+}", "gradient",
      r"(\operatorname{softmax}(W\mathbf x) - \mathbf y)\mathbf x^\top", "softmax cross-entropy",
      simplex=("y",)),
    # -- held-out style (round i14): sums over samples and functions of them, kernels,
    # softplus and relu, attention by the queries, layer norm's gain, vec with a transpose
    P("h-sum-logistic", r"\sum_{i=1}^N \log\left(1 + \exp(-y_i\mathbf w^\top\mathbf x_i)\right)", r"\mathbf w",
      r"\mathbf w \in \mathbb{R}^d; \mathbf x_i \in \mathbb{R}^d; \mathbf y \in \mathbb{R}^N", "gradient",
      r"-\sum_{i=1}^N \frac{y_i\mathbf x_i}{1 + \exp(y_i\mathbf w^\top\mathbf x_i)}",
      "logistic loss over samples", families=(("x", "N"),)),
    P("h-sum-sqrt-spread", r"\sqrt{\sum_{i=1}^N \|\mathbf x_i - \boldsymbol\mu\|^2}", r"\boldsymbol\mu", XM,
      "gradient",
      r"\frac{\sum_{i=1}^N (\boldsymbol\mu - \mathbf x_i)}{\sqrt{\sum_{i=1}^N \|\mathbf x_i - \boldsymbol\mu\|^2}}",
      "root of the spread about a centre", families=(("x", "N"),)),
    P("h-sum-exp-gauss", r"\exp\left(-\frac{1}{2}\sum_{i=1}^N \|\mathbf x_i - \boldsymbol\mu\|^2\right)",
      r"\boldsymbol\mu", XM, "gradient",
      r"\exp\left(-\frac{1}{2}\sum_{i=1}^N \|\mathbf x_i - \boldsymbol\mu\|^2\right)\sum_{i=1}^N (\mathbf x_i - \boldsymbol\mu)",
      "unnormalised likelihood of a mean", families=(("x", "N"),)),
    P("h-sum-square-mean", r"\left(\frac{1}{N}\sum_{i=1}^N \mathbf a^\top\mathbf x_i - b\right)^2", r"\mathbf a",
      r"\mathbf a, \mathbf x_i \in \mathbb{R}^d; b \in \mathbb{R}", "gradient",
      r"\frac{2}{N}\left(\frac{1}{N}\sum_{i=1}^N \mathbf a^\top\mathbf x_i - b\right)\sum_{i=1}^N \mathbf x_i",
      "square of a mean minus a target", families=(("x", "N"),)),
    P("h-rbf-expansion", r"\sum_{i=1}^N \alpha_i\exp(-\gamma\|\mathbf x - \mathbf x_i\|^2)", r"\mathbf x", KX,
      "gradient", r"-2\gamma\sum_{i=1}^N \alpha_i\exp(-\gamma\|\mathbf x - \mathbf x_i\|^2)(\mathbf x - \mathbf x_i)",
      "RBF kernel expansion", families=(("x", "N"),)),
    P("h-kde-log", r"\log\sum_{i=1}^N \exp(-\|\mathbf x - \mathbf x_i\|^2)", r"\mathbf x",
      r"\mathbf x, \mathbf x_i \in \mathbb{R}^d", "gradient",
      r"-\frac{2\sum_{i=1}^N \exp(-\|\mathbf x - \mathbf x_i\|^2)(\mathbf x - \mathbf x_i)}{\sum_{i=1}^N \exp(-\|\mathbf x - \mathbf x_i\|^2)}",
      "log kernel density", families=(("x", "N"),)),
    P("h-vec-AXtB", r"\operatorname{vec}(AX^\top B)", "X",
      r"A \in \mathbb{R}^{p \times n}; X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{m \times q}", "jacobian",
      r"(B^\top \otimes A)K_{mn}", "vec with a transpose: the commutation matrix"),
    P("h-softplus-sum", r"\mathbf 1^\top\log(\mathbf 1 + \exp(X\mathbf w))", r"\mathbf w",
      r"X \in \mathbb{R}^{N \times d}; \mathbf w \in \mathbb{R}^d", "gradient",
      r"X^\top\sigma(X\mathbf w)", "summed softplus", constants={"1": "N"}),
    P("h-relu-hinge", r"\mathbf 1^\top\max(0, \mathbf 1 - \mathbf y \odot X\mathbf w)", r"\mathbf w",
      r"X \in \mathbb{R}^{N \times d}; \mathbf w \in \mathbb{R}^d; \mathbf y \in \mathbb{R}^N", "gradient",
      r"-X^\top(\mathbf y \odot \mathbb{1}[\mathbf 1 - \mathbf y \odot X\mathbf w > 0])", "hinge loss as a relu", constants={"1": "N"}),
    P("h-attention-Q", r"\operatorname{tr}\left(C^\top\operatorname{softmax}(QK^\top/\sqrt{d})V\right)", "Q",
      r"Q \in \mathbb{R}^{n \times d}; K \in \mathbb{R}^{m \times d}; V \in \mathbb{R}^{m \times p}; C \in \mathbb{R}^{n \times p}",
      "gradient", r"\frac{1}{\sqrt{d}}\left(S \odot (CV^\top - ((S \odot CV^\top)\mathbf 1)\mathbf 1^\top)\right)K",
      "attention, by the queries", defs=(("S", r"\operatorname{softmax}(QK^\top/\sqrt{d})"),), constants={"1": "m"}),
    P("h-layernorm-gamma", r"\mathbf c^\top\left(\gamma\frac{\mathbf x - \frac{1}{n}\mathbf 1\mathbf 1^\top\mathbf x}{\sqrt{\frac{1}{n}\|\mathbf x - \frac{1}{n}\mathbf 1\mathbf 1^\top\mathbf x\|^2 + \epsilon}} + \beta\mathbf 1\right)",
      r"\gamma", r"\mathbf c, \mathbf x \in \mathbb{R}^n; \gamma, \beta \in \mathbb{R}; \epsilon \in \mathbb{R}_{+}", "derivative",
      r"\frac{\mathbf c^\top(\mathbf x - \frac{1}{n}\mathbf 1\mathbf 1^\top\mathbf x)}{\sqrt{\frac{1}{n}\|\mathbf x - \frac{1}{n}\mathbf 1\mathbf 1^\top\mathbf x\|^2 + \epsilon}}",
      "layer norm, by the gain", constants={"1": "n"}),
    P("h-sigmoid-bce-b", r"-y\log\sigma(\mathbf w^\top\mathbf x + b) - (1 - y)\log(1 - \sigma(\mathbf w^\top\mathbf x + b))", "b",
      r"\mathbf w, \mathbf x \in \mathbb{R}^d; y, b \in \mathbb{R}", "derivative",
      r"\sigma(\mathbf w^\top\mathbf x + b) - y", "binary cross-entropy, by the bias"),
    P("h-scatter-trace", r"\frac{N}{2}\log\det\Sigma + \frac{1}{2}\sum_{n=1}^N \operatorname{tr}\left(\Sigma^{-1}(\mathbf x_n - \boldsymbol\mu)(\mathbf x_n - \boldsymbol\mu)^\top\right)", r"\Sigma",
      r"\Sigma \in \mathbb{S}^D_{++}; \mathbf x_n, \boldsymbol\mu \in \mathbb{R}^D", "gradient",
      r"\frac{N}{2}\Sigma^{-1} - \frac{1}{2}\sum_{n=1}^N \Sigma^{-1}(\mathbf x_n - \boldsymbol\mu)(\mathbf x_n - \boldsymbol\mu)^\top\Sigma^{-1}",
      "Gaussian likelihood with the scatter as a sum of traces", families=(("x", "N"),)),
)  # fmt: skip

BY_ID = {p.id: p for p in AUTHOR_PROBLEMS}
