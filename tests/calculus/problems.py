r"""The problem set that judges the differentiation engine: LaTeX as people write it,
the shapes as a document declares them, and the textbook answer.

Each :class:`Problem` is one call of ``diff_latex(expr, wrt, where)`` and what it
should give.  ``kind`` is what the engine should call the result:

- ``gradient``: a scalar function of a vector or matrix; the answer has the
  variable's shape (Matrix Cookbook convention, the same in either layout);
- ``jacobian``: a vector function of a vector; the answer is m×n, numerator layout;
- ``derivative``: any function of a scalar; the answer has the function's shape;
- ``matrix``: a matrix-valued function of a vector or matrix; the answer is the
  differential ``dF`` written with ``\mathrm{d}X`` (``A \,\mathrm{d}X\, B``).

Sampling domains come from ``where``: ``\mathbb{S}^n_{++}`` is symmetric positive
definite, ``\mathbb{S}^n`` symmetric, ``\mathbb{R}^n_{+}`` / ``\mathbb{R}_{++}``
positive entries.  ``simplex`` names vectors that must also sum to one (a
probability vector: the textbook softmax cross-entropy gradient assumes it).
``constants`` gives the size of the identity ``I`` and of the ones vector
``\mathbf{1}`` in this problem, by dimension name (the engine infers them).

``defs`` are the abbreviations a textbook answer uses ("where y = Px"), each
``(name, LaTeX)``, evaluated in order.  ``check_expr`` / ``check_answer`` are
equivalent forms that ``texgrad.calculus.evaluate_tree`` can evaluate today, used
for the numeric check when the written form has a construct it does not read
(``x'``, an indicator ``\mathbb{1}[x > 0]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    id: str
    expr: str
    wrt: str
    where: str
    kind: str  # "gradient" | "jacobian" | "derivative" | "matrix"
    answer: str
    source: str = ""
    defs: tuple[tuple[str, str], ...] = ()
    constants: dict[str, str] = field(default_factory=dict)  # "I" / "1" -> dimension name
    simplex: tuple[str, ...] = ()
    check_expr: str | None = None
    check_answer: str | None = None


KINDS = ("gradient", "jacobian", "derivative", "matrix")

P = Problem

PROBLEMS: tuple[Problem, ...] = (
    # -- the Matrix Cookbook identities of prior-art.md §2 -------------------------------------
    P("cb49-det", r"\det(X)", "X", r"X \in \mathbb{R}^{n \times n}", "gradient",
      r"\det(X) X^{-T}", "Cookbook (49)"),
    P("cb57-ln-abs-det", r"\ln|\det X|", "X", r"X \in \mathbb{R}^{n \times n}", "gradient",
      r"X^{-T}", "Cookbook (57)"),
    P("cb61-bilinear-inverse", r"a^T X^{-1} b", "X",
      r"a, b \in \mathbb{R}^n; X \in \mathbb{R}^{n \times n}", "gradient",
      r"-X^{-T} a b^T X^{-T}", "Cookbook (61)"),
    P("cb63-trace-inverse", r"\operatorname{tr}(A X^{-1} B)", "X",
      r"A \in \mathbb{R}^{m \times n}; X \in \mathbb{R}^{n \times n}; B \in \mathbb{R}^{n \times m}",
      "gradient", r"-(X^{-1} B A X^{-1})^T", "Cookbook (63)"),
    P("cb69-inner", r"\mathbf{x}^\top \mathbf{a}", r"\mathbf{x}",
      r"\mathbf{x}, \mathbf{a} \in \mathbb{R}^n", "gradient", r"\mathbf{a}", "Cookbook (69)"),
    P("cb70-bilinear", r"a^T X b", "X",
      r"a \in \mathbb{R}^m; X \in \mathbb{R}^{m \times n}; b \in \mathbb{R}^n", "gradient",
      r"a b^T", "Cookbook (70)"),
    P("cb71-bilinear-transposed", r"a^T X^T b", "X",
      r"a \in \mathbb{R}^n; X \in \mathbb{R}^{m \times n}; b \in \mathbb{R}^m", "gradient",
      r"b a^T", "Cookbook (71)"),
    P("cb77-gram-bilinear", r"b^T X^T X c", "X",
      r"X \in \mathbb{R}^{m \times n}; b, c \in \mathbb{R}^n", "gradient",
      r"X(b c^T + c b^T)", "Cookbook (77)"),
    P("cb81-quadratic", r"x^T B x", "x", r"B \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n",
      "gradient", r"(B + B^T) x", "Cookbook (81)"),
    P("cb83-affine-quadratic", r"(Xb + c)^T D (Xb + c)", "X",
      r"X \in \mathbb{R}^{m \times n}; b \in \mathbb{R}^n; c \in \mathbb{R}^m; "
      r"D \in \mathbb{R}^{m \times m}",
      "gradient", r"(D + D^T)(Xb + c) b^T", "Cookbook (83)"),
    P("cb100-trace-XA", r"\operatorname{tr}(XA)", "X",
      r"X \in \mathbb{R}^{m \times n}; A \in \mathbb{R}^{n \times m}", "gradient", r"A^T",
      "Cookbook (100)"),
    P("cb101-trace-AXB", r"\operatorname{Tr}(AXB)", "X",
      r"A \in \mathbb{R}^{p \times m}; X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times p}",
      "gradient", r"A^T B^T", "Cookbook (101)"),
    P("cb106-trace-square", r"\operatorname{tr}(X^2)", "X", r"X \in \mathbb{R}^{n \times n}",
      "gradient", r"2X^T", "Cookbook (106)"),
    P("cb108-trace-XtBX", r"\operatorname{tr}(X^T B X)", "X",
      r"X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{m \times m}", "gradient",
      r"BX + B^T X", "Cookbook (108)"),
    P("cb115-trace-XtX", r"\operatorname{tr}(X^\top X)", "X", r"X \in \mathbb{R}^{m \times n}",
      "gradient", r"2X", "Cookbook (115)"),
    P("cb121-trace-power", r"\operatorname{tr}(X^3)", "X", r"X \in \mathbb{R}^{n \times n}",
      "gradient", r"3(X^2)^T", "Cookbook (121), k = 3"),
    P("cb128-trace-sin", r"\operatorname{tr}(\sin X)", "X", r"X \in \mathbb{R}^{n \times n}",
      "gradient", r"\cos(X)^T", "Cookbook (128)"),
    P("cb129-distance", r"\|\mathbf{x} - \mathbf{a}\|_2", r"\mathbf{x}",
      r"\mathbf{x}, \mathbf{a} \in \mathbb{R}^n", "gradient",
      r"\frac{\mathbf{x} - \mathbf{a}}{\|\mathbf{x} - \mathbf{a}\|_2}", "Cookbook (129)"),
    P("cb132-frobenius", r"\|X\|_F^2", "X", r"X \in \mathbb{R}^{m \times n}", "gradient", r"2X",
      "Cookbook (132)"),
    P("least-squares", r"\|Ax - b\|_2^2", "x",
      r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; b \in \mathbb{R}^m", "gradient",
      r"2A^T(Ax - b)", "prior-art §2"),
    P("sum-relu", r"\mathbf{1}^\top \operatorname{relu}(A\mathbf{x})", r"\mathbf{x}",
      r"A \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n", "gradient",
      r"A^\top \mathbb{1}[A\mathbf{x} > 0]", "prior-art §2", constants={"1": "m"},
      check_answer=r"A^\top (\operatorname{relu}(A\mathbf{x}) \oslash (A\mathbf{x}))"),
    P("log-sum-exp", r"\log(\mathbf{1}^\top \exp(\mathbf{x}))", r"\mathbf{x}",
      r"\mathbf{x} \in \mathbb{R}^n", "gradient", r"\operatorname{softmax}(\mathbf{x})",
      "prior-art §2", constants={"1": "n"}),
    P("log-sum-exp-named", r"\operatorname{logsumexp}(z)", "z", r"z \in \mathbb{R}^k",
      "gradient", r"\frac{\exp(z)}{\mathbf{1}^T \exp(z)}", "prior-art §2",
      constants={"1": "k"}),
    # -- the users' questions (user-questions.txt) -------------------------------------------
    P("user-ln-norm", r"\ln(\|Ax\|_2^2)", "x",
      r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n", "gradient",
      r"\frac{2A^T A x}{\|Ax\|_2^2}", "user question: gradient of ln‖Ax‖²"),
    P("user-affine", r"a_0 + \mathbf{a}^T \mathbf{B}", r"\mathbf{B}",
      r"a_0 \in \mathbb{R}; \mathbf{a}, \mathbf{B} \in \mathbb{R}^k", "gradient", r"\mathbf{a}",
      "user question: a₀ + aᵀB w.r.t. B"),
    P("user-relu-jacobian", r"\max(0, \mathbf{x})", r"\mathbf{x}", r"\mathbf{x} \in \mathbb{R}^n",
      "jacobian", r"\operatorname{diag}(\mathbb{1}[\mathbf{x} > 0])",
      "user question: is the derivative of max(0, x) a diagonal matrix?",
      check_answer=r"\operatorname{diag}(\max(0, \mathbf{x}) \oslash \mathbf{x})"),
    P("user-trace-AB", r"\operatorname{tr}(AB)", "A",
      r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}", "gradient", r"B^T",
      "user question: ∇_A tr(AB) = Bᵀ"),
    P("user-prime-quadratic", r"x'Ax", "x", r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n \times n}",
      "gradient", r"(A + A^T)x", "user question: ∂(x'Ax)/∂x, x' the transpose",
      check_expr=r"x^T A x"),
    P("user-matrix-product", r"XW", "W",
      r"X \in \mathbb{R}^{N \times d}; W \in \mathbb{R}^{d \times k}", "matrix",
      r"X \,\mathrm{d}W", "user question: derivative of a matrix product w.r.t. a matrix"),
    P("user-batchnorm-x",
      r"\gamma (x - \alpha \mathbf{1}\mathbf{1}^T x)"
      r"(\alpha \|x - \alpha \mathbf{1}\mathbf{1}^T x\|^2 + \epsilon)^{-1/2} + \beta \mathbf{1}",
      "x", r"x \in \mathbb{R}^m; \gamma, \beta \in \mathbb{R}; \alpha, \epsilon \in \mathbb{R}_{++}",
      "jacobian", r"\frac{\gamma}{\sqrt{s}}\left(I - \frac{\alpha}{s} y y^T\right) P",
      "user question: batch-norm-like f, μ = α1ᵀx, σ = αΣ(x_k − μ)²",
      defs=(("P", r"I - \alpha \mathbf{1}\mathbf{1}^T"), ("y", r"P x"),
            ("s", r"\alpha y^T y + \epsilon")),
      constants={"I": "m", "1": "m"}),
    P("user-batchnorm-gamma",
      r"\gamma (x - \alpha \mathbf{1}\mathbf{1}^T x)"
      r"(\alpha \|x - \alpha \mathbf{1}\mathbf{1}^T x\|^2 + \epsilon)^{-1/2} + \beta \mathbf{1}",
      r"\gamma", r"x \in \mathbb{R}^m; \gamma, \beta \in \mathbb{R}; "
      r"\alpha, \epsilon \in \mathbb{R}_{++}",
      "derivative", r"\frac{y}{\sqrt{\alpha y^T y + \epsilon}}", "user question: batch-norm-like f",
      defs=(("y", r"x - \alpha \mathbf{1}\mathbf{1}^T x"),), constants={"1": "m"}),
    P("user-batchnorm-beta",
      r"\gamma (x - \alpha \mathbf{1}\mathbf{1}^T x)"
      r"(\alpha \|x - \alpha \mathbf{1}\mathbf{1}^T x\|^2 + \epsilon)^{-1/2} + \beta \mathbf{1}",
      r"\beta", r"x \in \mathbb{R}^m; \gamma, \beta \in \mathbb{R}; "
      r"\alpha, \epsilon \in \mathbb{R}_{++}",
      "derivative", r"\mathbf{1}", "user question: batch-norm-like f", constants={"1": "m"}),
    # -- machine-learning losses ----------------------------------------------------------------
    P("ml-least-squares-half", r"\frac{1}{2}\|X\mathbf{w} - \mathbf{y}\|_2^2", r"\mathbf{w}",
      r"X \in \mathbb{R}^{N \times d}; \mathbf{w} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^N",
      "gradient", r"X^\top(X\mathbf{w} - \mathbf{y})", "least squares"),
    P("ml-ridge", r"\|\mathbf{y} - X\mathbf{w}\|^2 + \lambda \|\mathbf{w}\|^2", r"\mathbf{w}",
      r"X \in \mathbb{R}^{N \times d}; \mathbf{w} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^N; "
      r"\lambda \in \mathbb{R}",
      "gradient", r"2X^\top(X\mathbf{w} - \mathbf{y}) + 2\lambda \mathbf{w}", "ridge regression"),
    P("ml-logistic",
      r"-y \log \sigma(\mathbf{w}^\top \mathbf{x}) - (1 - y) \log(1 - \sigma(\mathbf{w}^\top \mathbf{x}))",
      r"\mathbf{w}", r"\mathbf{w}, \mathbf{x} \in \mathbb{R}^d; y \in \mathbb{R}", "gradient",
      r"(\sigma(\mathbf{w}^\top \mathbf{x}) - y)\mathbf{x}", "logistic regression, y ∈ {0, 1}"),
    P("ml-logistic-pm", r"\log(1 + \exp(-y\, \mathbf{w}^\top \mathbf{x}))", r"\mathbf{w}",
      r"\mathbf{w}, \mathbf{x} \in \mathbb{R}^d; y \in \mathbb{R}", "gradient",
      r"-y\, \sigma(-y\, \mathbf{w}^\top \mathbf{x})\, \mathbf{x}",
      "logistic regression, y ∈ {−1, 1}"),
    P("ml-logistic-batch",
      r"\mathbf{1}^\top \log(1 + \exp(X\mathbf{w})) - \mathbf{y}^\top X \mathbf{w}", r"\mathbf{w}",
      r"X \in \mathbb{R}^{N \times d}; \mathbf{w} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^N",
      "gradient", r"X^\top(\sigma(X\mathbf{w}) - \mathbf{y})", "logistic regression, a batch",
      constants={"1": "N"}),
    P("ml-poisson", r"\mathbf{1}^T \exp(Xw) - y^T X w", "w",
      r"X \in \mathbb{R}^{N \times d}; w \in \mathbb{R}^d; y \in \mathbb{R}^N", "gradient",
      r"X^T(\exp(Xw) - y)", "Poisson regression", constants={"1": "N"}),
    P("ml-softmax-ce", r"-\mathbf{y}^\top \log(\operatorname{softmax}(W\mathbf{x}))", "W",
      r"W \in \mathbb{R}^{c \times d}; \mathbf{x} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^c_{+}",
      "gradient", r"(\operatorname{softmax}(W\mathbf{x}) - \mathbf{y})\mathbf{x}^\top",
      "softmax cross-entropy (y a probability vector)", simplex=("y",)),
    P("ml-softmax-ce-logits", r"-\mathbf{y}^\top \log \operatorname{softmax}(\mathbf{z})",
      r"\mathbf{z}", r"\mathbf{z} \in \mathbb{R}^c; \mathbf{y} \in \mathbb{R}^c_{+}", "gradient",
      r"\operatorname{softmax}(\mathbf{z}) - \mathbf{y}",
      "softmax cross-entropy w.r.t. the logits (y a probability vector)", simplex=("y",)),
    P("ml-softmax-ce-lse", r"\log(\mathbf{1}^\top \exp(W\mathbf{x})) - \mathbf{y}^\top W \mathbf{x}",
      "W", r"W \in \mathbb{R}^{c \times d}; \mathbf{x} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^c",
      "gradient", r"(\operatorname{softmax}(W\mathbf{x}) - \mathbf{y})\mathbf{x}^\top",
      "softmax cross-entropy, log-sum-exp form", constants={"1": "c"}),
    P("ml-gaussian-nll-mean",
      r"\frac{1}{2}\log\det\Sigma + \frac{1}{2}(\mathbf{x} - \boldsymbol{\mu})^\top \Sigma^{-1}"
      r"(\mathbf{x} - \boldsymbol{\mu})",
      r"\boldsymbol{\mu}",
      r"\mathbf{x}, \boldsymbol{\mu} \in \mathbb{R}^n; \Sigma \in \mathbb{S}^n_{++}", "gradient",
      r"-\Sigma^{-1}(\mathbf{x} - \boldsymbol{\mu})", "Gaussian negative log-likelihood"),
    P("ml-gaussian-nll-covariance",
      r"\frac{1}{2}\log\det\Sigma + \frac{1}{2}(\mathbf{x} - \boldsymbol{\mu})^\top \Sigma^{-1}"
      r"(\mathbf{x} - \boldsymbol{\mu})",
      r"\Sigma",
      r"\mathbf{x}, \boldsymbol{\mu} \in \mathbb{R}^n; \Sigma \in \mathbb{S}^n_{++}", "gradient",
      r"\frac{1}{2}\left(\Sigma^{-1} - \Sigma^{-1}(\mathbf{x} - \boldsymbol{\mu})"
      r"(\mathbf{x} - \boldsymbol{\mu})^\top \Sigma^{-1}\right)",
      "Gaussian negative log-likelihood (unconstrained gradient at a symmetric Σ)"),
    P("ml-frobenius-regression", r"\|XW - Y\|_F^2", "W",
      r"X \in \mathbb{R}^{N \times d}; W \in \mathbb{R}^{d \times k}; Y \in \mathbb{R}^{N \times k}",
      "gradient", r"2X^T(XW - Y)", "multi-output least squares"),
    P("ml-factorization-U", r"\|Y - UV^\top\|_F^2", "U",
      r"Y \in \mathbb{R}^{m \times n}; U \in \mathbb{R}^{m \times r}; V \in \mathbb{R}^{n \times r}",
      "gradient", r"2(UV^\top - Y)V", "matrix factorisation"),
    P("ml-factorization-V", r"\|Y - UV^\top\|_F^2", "V",
      r"Y \in \mathbb{R}^{m \times n}; U \in \mathbb{R}^{m \times r}; V \in \mathbb{R}^{n \times r}",
      "gradient", r"2(UV^\top - Y)^\top U", "matrix factorisation"),
    P("ml-weight-decay", r"\frac{\lambda}{2}\|W\|_F^2", "W",
      r"W \in \mathbb{R}^{m \times n}; \lambda \in \mathbb{R}", "gradient", r"\lambda W",
      "weight decay"),
    P("ml-mlp-output-layer", r"\frac{1}{2}\|W_2 \sigma(W_1 \mathbf{x}) - \mathbf{y}\|^2", "W_2",
      r"W_1 \in \mathbb{R}^{h \times d}; W_2 \in \mathbb{R}^{c \times h}; "
      r"\mathbf{x} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^c",
      "gradient", r"(W_2 \sigma(W_1 \mathbf{x}) - \mathbf{y})\sigma(W_1 \mathbf{x})^\top",
      "two-layer network, squared error"),
    P("ml-mlp-hidden-layer", r"\frac{1}{2}\|W_2 \sigma(W_1 \mathbf{x}) - \mathbf{y}\|^2", "W_1",
      r"W_1 \in \mathbb{R}^{h \times d}; W_2 \in \mathbb{R}^{c \times h}; "
      r"\mathbf{x} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^c",
      "gradient",
      r"\left((W_2^\top (W_2 \mathbf{h} - \mathbf{y})) \odot \mathbf{h} \odot (1 - \mathbf{h})\right)"
      r"\mathbf{x}^\top",
      "two-layer network, squared error (backpropagation)",
      defs=(("h", r"\sigma(W_1 \mathbf{x})"),)),
    P("ml-tanh-readout", r"\mathbf{a}^\top \tanh(W\mathbf{x})", "W",
      r"\mathbf{a} \in \mathbb{R}^m; W \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n",
      "gradient",
      r"(\mathbf{a} \odot (1 - \tanh(W\mathbf{x}) \odot \tanh(W\mathbf{x})))\mathbf{x}^\top",
      "a tanh layer"),
    P("ml-sigmoid-score", r"\sigma(\mathbf{w}^\top \mathbf{x})", r"\mathbf{w}",
      r"\mathbf{w}, \mathbf{x} \in \mathbb{R}^d", "gradient",
      r"\sigma(\mathbf{w}^\top \mathbf{x})(1 - \sigma(\mathbf{w}^\top \mathbf{x}))\mathbf{x}",
      "logistic unit"),
    P("ml-quadratic-objective", r"\frac{1}{2}\mathbf{x}^\top A \mathbf{x} - \mathbf{b}^\top \mathbf{x}",
      r"\mathbf{x}", r"A \in \mathbb{S}^n; \mathbf{x}, \mathbf{b} \in \mathbb{R}^n", "gradient",
      r"A\mathbf{x} - \mathbf{b}", "quadratic objective, A symmetric"),
    P("ml-gaussian-kernel", r"e^{-\|\mathbf{x} - \mathbf{y}\|^2}", r"\mathbf{x}",
      r"\mathbf{x}, \mathbf{y} \in \mathbb{R}^n", "gradient",
      r"-2e^{-\|\mathbf{x} - \mathbf{y}\|^2}(\mathbf{x} - \mathbf{y})", "Gaussian kernel"),
    P("ml-mahalanobis", r"\sqrt{\mathbf{x}^\top A \mathbf{x}}", r"\mathbf{x}",
      r"A \in \mathbb{S}^n_{++}; \mathbf{x} \in \mathbb{R}^n", "gradient",
      r"\frac{A\mathbf{x}}{\sqrt{\mathbf{x}^\top A \mathbf{x}}}", "Mahalanobis norm"),
    P("ml-rayleigh", r"\frac{\mathbf{x}^\top A \mathbf{x}}{\mathbf{x}^\top \mathbf{x}}",
      r"\mathbf{x}", r"A \in \mathbb{S}^n; \mathbf{x} \in \mathbb{R}^n", "gradient",
      r"\frac{2}{\mathbf{x}^\top \mathbf{x}}\left(A\mathbf{x} - "
      r"\frac{\mathbf{x}^\top A \mathbf{x}}{\mathbf{x}^\top \mathbf{x}}\mathbf{x}\right)",
      "Rayleigh quotient"),
    # -- more matrix gradients ------------------------------------------------------------------
    P("log-det-spd", r"\log\det X", "X", r"X \in \mathbb{S}^n_{++}", "gradient", r"X^{-1}",
      "log det of a positive definite matrix"),
    P("log-det-regularised-gram", r"\log\det(A + X^\top X)", "X",
      r"A \in \mathbb{S}^n_{++}; X \in \mathbb{R}^{m \times n}", "gradient",
      r"2X(A + X^\top X)^{-1}", "log det of a regularised Gram matrix"),
    P("trace-inverse", r"\operatorname{tr}(X^{-1})", "X", r"X \in \mathbb{R}^{n \times n}",
      "gradient", r"-X^{-T} X^{-T}", "Cookbook (124)"),
    P("trace-AXBXt", r"\operatorname{tr}(A X B X^\top)", "X",
      r"A \in \mathbb{R}^{m \times m}; X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times n}",
      "gradient", r"A^\top X B^\top + A X B", "Cookbook (117)"),
    P("trace-AXBX", r"\operatorname{tr}(AXBX)", "X",
      r"A, B, X \in \mathbb{R}^{n \times n}", "gradient",
      r"A^\top X^\top B^\top + B^\top X^\top A^\top", "Cookbook (116)"),
    P("inner-product", r"\langle A, X \rangle", "X", r"A, X \in \mathbb{R}^{m \times n}",
      "gradient", r"A", "Frobenius inner product"),
    P("trace-exp", r"\mathrm{Tr}(\exp(X))", "X", r"X \in \mathbb{R}^{n \times n}", "gradient",
      r"\exp(X)^\top", "trace of the matrix exponential"),
    P("trace-sqrt-gram", r"\operatorname{tr}\left((X^\top X)^{1/2}\right)", "X",
      r"X \in \mathbb{R}^{n \times n}", "gradient", r"X (X^\top X)^{-1/2}",
      "nuclear norm of an invertible X (SymPy: elementwise power)"),
    P("trace-quotient", r"\frac{\operatorname{tr}(AX)}{\operatorname{tr}(BX)}", "X",
      r"A, B \in \mathbb{R}^{n \times m}; X \in \mathbb{R}^{m \times n}", "gradient",
      r"\frac{A^\top}{\operatorname{tr}(BX)} - \frac{\operatorname{tr}(AX)}{\operatorname{tr}(BX)^2}B^\top",
      "quotient of traces (SymPy drops the quotient rule)"),
    P("hadamard-frobenius", r"\|A \odot X\|_F^2", "X", r"A, X \in \mathbb{R}^{m \times n}",
      "gradient", r"2A \odot A \odot X", "masked Frobenius norm"),
    P("quadratic-inverse", r"\mathbf{x}^\top A^{-1} \mathbf{x}", "A",
      r"A \in \mathbb{S}^n_{++}; \mathbf{x} \in \mathbb{R}^n", "gradient",
      r"-A^{-1}\mathbf{x}\mathbf{x}^\top A^{-1}", "Cookbook (61) with a = b, A symmetric"),
    # -- derivatives w.r.t. a scalar -------------------------------------------------------------
    P("scalar-det-pencil", r"\det(A + tB)", "t",
      r"A, B \in \mathbb{R}^{n \times n}; t \in \mathbb{R}", "derivative",
      r"\det(A + tB)\operatorname{tr}((A + tB)^{-1} B)", "Jacobi's formula"),
    P("scalar-trace-inverse-pencil", r"\operatorname{tr}((A + tB)^{-1})", "t",
      r"A, B \in \mathbb{R}^{n \times n}; t \in \mathbb{R}", "derivative",
      r"-\operatorname{tr}((A + tB)^{-1} B (A + tB)^{-1})", "trace of an inverse"),
    P("scalar-log-det-pencil", r"\log\det(A + tB)", "t",
      r"A, B \in \mathbb{S}^n_{++}; t \in \mathbb{R}_{++}", "derivative",
      r"\operatorname{tr}((A + tB)^{-1} B)", "log det along a line"),
    P("scalar-inverse-pencil", r"(A + tB)^{-1}", "t",
      r"A \in \mathbb{S}^n_{++}; B \in \mathbb{R}^{n \times n}; t \in \mathbb{R}", "derivative",
      r"-(A + tB)^{-1} B (A + tB)^{-1}", "matrix-valued function of a scalar"),
    P("scalar-trace-exp", r"\operatorname{tr}(\exp(tA))", "t",
      r"A \in \mathbb{R}^{n \times n}; t \in \mathbb{R}", "derivative",
      r"\operatorname{tr}(A \exp(tA))", "trace of a matrix exponential"),
    P("scalar-line-quadratic", r"(\mathbf{x} + t\mathbf{v})^\top A (\mathbf{x} + t\mathbf{v})", "t",
      r"A \in \mathbb{R}^{n \times n}; \mathbf{x}, \mathbf{v} \in \mathbb{R}^n; t \in \mathbb{R}",
      "derivative", r"\mathbf{v}^\top (A + A^\top)(\mathbf{x} + t\mathbf{v})",
      "directional derivative of a quadratic form"),
    P("scalar-softplus", r"\ln(1 + e^{t})", "t", r"t \in \mathbb{R}", "derivative", r"\sigma(t)",
      "softplus"),
    # -- Jacobians -------------------------------------------------------------------------------
    P("jac-linear", r"A\mathbf{x}", r"\mathbf{x}",
      r"A \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n", "jacobian", r"A",
      "linear map"),
    P("jac-sigmoid-layer", r"\sigma(W\mathbf{x})", r"\mathbf{x}",
      r"W \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n", "jacobian",
      r"\operatorname{diag}(\sigma(W\mathbf{x}) \odot (1 - \sigma(W\mathbf{x}))) W",
      "logistic layer"),
    P("jac-hadamard", r"\mathbf{x} \odot \mathbf{y}", r"\mathbf{x}",
      r"\mathbf{x}, \mathbf{y} \in \mathbb{R}^n", "jacobian", r"\operatorname{diag}(\mathbf{y})",
      "Hadamard product"),
    P("jac-softmax", r"\operatorname{softmax}(\mathbf{x})", r"\mathbf{x}",
      r"\mathbf{x} \in \mathbb{R}^n", "jacobian",
      r"\operatorname{diag}(\operatorname{softmax}(\mathbf{x})) - "
      r"\operatorname{softmax}(\mathbf{x})\operatorname{softmax}(\mathbf{x})^\top",
      "softmax"),
    P("jac-tanh-affine", r"\tanh(A\mathbf{x} + \mathbf{b})", r"\mathbf{x}",
      r"A \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n; \mathbf{b} \in \mathbb{R}^m",
      "jacobian",
      r"\operatorname{diag}(1 - \tanh(A\mathbf{x} + \mathbf{b}) \odot \tanh(A\mathbf{x} + \mathbf{b}))A",
      "tanh layer"),
    P("jac-normalize", r"\frac{\mathbf{x}}{\|\mathbf{x}\|_2}", r"\mathbf{x}",
      r"\mathbf{x} \in \mathbb{R}^n", "jacobian",
      r"\frac{1}{\|\mathbf{x}\|_2}\left(I - \frac{\mathbf{x}\mathbf{x}^\top}{\mathbf{x}^\top \mathbf{x}}\right)",
      "normalisation", constants={"I": "n"}),
    P("jac-scaled-by-norm", r"(\mathbf{x}^\top \mathbf{x})\mathbf{x}", r"\mathbf{x}",
      r"\mathbf{x} \in \mathbb{R}^n", "jacobian",
      r"(\mathbf{x}^\top \mathbf{x}) I + 2\mathbf{x}\mathbf{x}^\top", "cubic map",
      constants={"I": "n"}),
    P("jac-log", r"\log(\mathbf{x})", r"\mathbf{x}", r"\mathbf{x} \in \mathbb{R}^n_{+}",
      "jacobian", r"\operatorname{diag}(\mathbf{x})^{-1}", "elementwise logarithm"),
    P("jac-two-layer", r"W \tanh(V\mathbf{x})", r"\mathbf{x}",
      r"W \in \mathbb{R}^{k \times m}; V \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n",
      "jacobian", r"W \operatorname{diag}(1 - \tanh(V\mathbf{x}) \odot \tanh(V\mathbf{x})) V",
      "two-layer network"),
    P("jac-residual", r"\mathbf{x} + \tanh(A\mathbf{x})", r"\mathbf{x}",
      r"A \in \mathbb{R}^{n \times n}; \mathbf{x} \in \mathbb{R}^n", "jacobian",
      r"I + \operatorname{diag}(1 - \tanh(A\mathbf{x}) \odot \tanh(A\mathbf{x})) A",
      "residual block", constants={"I": "n"}),
    # -- matrix-valued functions: the differential -----------------------------------------------
    P("mat-AXB", r"AXB", "X",
      r"A \in \mathbb{R}^{p \times m}; X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times q}",
      "matrix", r"A \,\mathrm{d}X\, B", "linear in X"),
    P("mat-inverse", r"X^{-1}", "X", r"X \in \mathbb{R}^{n \times n}", "matrix",
      r"-X^{-1} \,\mathrm{d}X\, X^{-1}", "inverse"),
    P("mat-gram", r"X^\top X", "X", r"X \in \mathbb{R}^{m \times n}", "matrix",
      r"\mathrm{d}X^\top X + X^\top \mathrm{d}X", "Gram matrix"),
    P("mat-square", r"X^2", "X", r"X \in \mathbb{R}^{n \times n}", "matrix",
      r"\mathrm{d}X\, X + X \,\mathrm{d}X", "square"),
    P("mat-XAXt", r"X A X^\top", "X",
      r"X \in \mathbb{R}^{m \times n}; A \in \mathbb{R}^{n \times n}", "matrix",
      r"\mathrm{d}X\, A X^\top + X A \,\mathrm{d}X^\top", "congruence"),
    P("mat-regularised-inverse", r"(A + X^\top X)^{-1}", "X",
      r"A \in \mathbb{S}^n_{++}; X \in \mathbb{R}^{m \times n}", "matrix",
      r"-(A + X^\top X)^{-1}(\mathrm{d}X^\top X + X^\top \mathrm{d}X)(A + X^\top X)^{-1}",
      "ridge-type inverse"),
    P("mat-adjugate", r"\det(X) X^{-1}", "X", r"X \in \mathbb{R}^{n \times n}", "matrix",
      r"\det(X)\operatorname{tr}(X^{-1}\mathrm{d}X) X^{-1} - \det(X) X^{-1} \,\mathrm{d}X\, X^{-1}",
      "adjugate"),
    P("mat-outer", r"\mathbf{x}\mathbf{x}^\top", r"\mathbf{x}", r"\mathbf{x} \in \mathbb{R}^n",
      "matrix", r"\mathrm{d}\mathbf{x}\, \mathbf{x}^\top + \mathbf{x} \,\mathrm{d}\mathbf{x}^\top",
      "outer product"),
    P("mat-diag-scaling", r"\operatorname{diag}(\mathbf{x}) A", r"\mathbf{x}",
      r"\mathbf{x} \in \mathbb{R}^m; A \in \mathbb{R}^{m \times n}", "matrix",
      r"\operatorname{diag}(\mathrm{d}\mathbf{x}) A", "row scaling"),
    P("mat-hadamard", r"W \odot M", "W", r"W, M \in \mathbb{R}^{m \times n}", "matrix",
      r"\mathrm{d}W \odot M", "masking"),
    P("mat-sigmoid-layer", r"\sigma(XW)", "W",
      r"X \in \mathbb{R}^{N \times d}; W \in \mathbb{R}^{d \times k}", "matrix",
      r"\sigma(XW) \odot (1 - \sigma(XW)) \odot (X \,\mathrm{d}W)", "logistic layer on a batch"),
    # -- names the document defines, kept in the answer (issue 14, "names") -------------------
    # r = Ax - b, z = Wx + c, μ, σ², x̂ defined in `where`: the answer is written with them;
    # ``defs`` repeat them for the textbook answer, ``check_expr`` has them expanded.
    P("names-residual-x", r"\|\mathbf{r}\|^2", r"\mathbf{x}",
      r"A \in \mathbb{R}^{m \times n}; \mathbf{b} \in \mathbb{R}^m; \mathbf{x} \in \mathbb{R}^n; "
      r"\mathbf{r} = A\mathbf{x} - \mathbf{b}",
      "gradient", r"2A^\top \mathbf{r}", "least squares through a named residual",
      defs=(("r", r"A\mathbf{x} - \mathbf{b}"),),
      check_expr=r"\|A\mathbf{x} - \mathbf{b}\|^2"),
    P("names-residual-A", r"\|\mathbf{r}\|^2", "A",
      r"A \in \mathbb{R}^{m \times n}; \mathbf{b} \in \mathbb{R}^m; \mathbf{x} \in \mathbb{R}^n; "
      r"\mathbf{r} = A\mathbf{x} - \mathbf{b}",
      "gradient", r"2\mathbf{r}\mathbf{x}^\top", "a named residual, by the matrix",
      defs=(("r", r"A\mathbf{x} - \mathbf{b}"),),
      check_expr=r"\|A\mathbf{x} - \mathbf{b}\|^2"),
    P("names-layer-W", r"\mathbf{1}^\top \exp(\mathbf{z}) + \|\mathbf{z}\|^2", "W",
      r"W \in \mathbb{R}^{k \times n}; \mathbf{x} \in \mathbb{R}^n; \mathbf{c} \in \mathbb{R}^k; "
      r"\mathbf{z} = W\mathbf{x} + \mathbf{c}",
      "gradient", r"(\exp(\mathbf{z}) + 2\mathbf{z})\mathbf{x}^\top", "a named pre-activation",
      defs=(("z", r"W\mathbf{x} + \mathbf{c}"),), constants={"1": "k"},
      check_expr=r"\mathbf{1}^\top \exp(W\mathbf{x} + \mathbf{c}) + \|W\mathbf{x} + \mathbf{c}\|^2"),
    P("names-layer-x", r"\mathbf{1}^\top \exp(\mathbf{z}) + \|\mathbf{z}\|^2", r"\mathbf{x}",
      r"W \in \mathbb{R}^{k \times n}; \mathbf{x} \in \mathbb{R}^n; \mathbf{c} \in \mathbb{R}^k; "
      r"\mathbf{z} = W\mathbf{x} + \mathbf{c}",
      "gradient", r"W^\top(\exp(\mathbf{z}) + 2\mathbf{z})", "a named pre-activation, by x",
      defs=(("z", r"W\mathbf{x} + \mathbf{c}"),), constants={"1": "k"},
      check_expr=r"\mathbf{1}^\top \exp(W\mathbf{x} + \mathbf{c}) + \|W\mathbf{x} + \mathbf{c}\|^2"),
    P("names-logistic-w",
      r"-\mathbf{y}^\top \log \mathbf{p} - (\mathbf{1} - \mathbf{y})^\top \log(\mathbf{1} - \mathbf{p})",
      r"\mathbf{w}",
      r"X \in \mathbb{R}^{N \times d}; \mathbf{w} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^N; "
      r"\mathbf{p} = \sigma(X\mathbf{w})",
      "gradient", r"X^\top(\mathbf{p} - \mathbf{y})", "logistic regression through p = σ(Xw)",
      defs=(("p", r"\sigma(X\mathbf{w})"),), constants={"1": "N"},
      check_expr=r"-\mathbf{y}^\top \log \sigma(X\mathbf{w}) - (\mathbf{1} - \mathbf{y})^\top "
      r"\log(\mathbf{1} - \sigma(X\mathbf{w}))"),
    P("names-mean-scale-alpha", r"\|\mathbf{x} - \mu\mathbf{1}\|^2", r"\alpha",
      r"\mathbf{x} \in \mathbb{R}^n; \alpha \in \mathbb{R}; \mu = \alpha\mathbf{1}^\top\mathbf{x}",
      "derivative", r"-2\mathbf{1}^\top\mathbf{x}\,\mathbf{1}^\top(\mathbf{x} - \mu\mathbf{1})",
      "by a scale inside a definition (μ = α1ᵀx)",
      defs=(("\\mu", r"\alpha\mathbf{1}^\top\mathbf{x}"),), constants={"1": "n"},
      check_expr=r"\|\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}\|^2"),
    P("names-variance-x", r"\sigma^2", r"\mathbf{x}",
      r"\mathbf{x} \in \mathbb{R}^m; \alpha \in \mathbb{R}; \mu = \alpha\mathbf{1}^\top\mathbf{x}; "
      r"\sigma^2 = \alpha\|\mathbf{x} - \mu\mathbf{1}\|^2",
      "gradient", r"2\alpha(I - \alpha\mathbf{1}\mathbf{1}^\top)(\mathbf{x} - \mu\mathbf{1})",
      "a batch's variance, named σ² (α = 1/m)",
      defs=(("\\mu", r"\alpha\mathbf{1}^\top\mathbf{x}"),), constants={"1": "m", "I": "m"},
      check_expr=r"\alpha\|\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}\|^2"),
    P("names-batchnorm-gamma", r"\gamma\hat{\mathbf{x}} + \beta\mathbf{1}", r"\gamma",
      r"\mathbf{x} \in \mathbb{R}^m; \gamma, \beta \in \mathbb{R}; \alpha, \epsilon \in \mathbb{R}_{++}; "
      r"\mu = \alpha\mathbf{1}^\top\mathbf{x}; \sigma^2 = \alpha\|\mathbf{x} - \mu\mathbf{1}\|^2; "
      r"\hat{\mathbf{x}} = \frac{\mathbf{x} - \mu\mathbf{1}}{\sqrt{\sigma^2 + \epsilon}}",
      "derivative", r"\hat{\mathbf{x}}", "batch norm by γ, which no definition mentions",
      defs=(("\\hat{x}", r"\frac{\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}}"
             r"{\sqrt{\alpha\|\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}\|^2 + \epsilon}}"),),
      constants={"1": "m"},
      check_expr=r"\gamma\frac{\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}}"
      r"{\sqrt{\alpha\|\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}\|^2 + \epsilon}}"
      r" + \beta\mathbf{1}"),
    P("names-batchnorm-loss-beta", r"\frac{1}{2}\|\mathbf{y} - \mathbf{t}\|^2", r"\beta",
      r"\mathbf{x}, \mathbf{t} \in \mathbb{R}^m; \gamma, \beta \in \mathbb{R}; "
      r"\alpha, \epsilon \in \mathbb{R}_{++}; \mu = \alpha\mathbf{1}^\top\mathbf{x}; "
      r"\sigma^2 = \alpha\|\mathbf{x} - \mu\mathbf{1}\|^2; "
      r"\hat{\mathbf{x}} = \frac{\mathbf{x} - \mu\mathbf{1}}{\sqrt{\sigma^2 + \epsilon}}; "
      r"\mathbf{y} = \gamma\hat{\mathbf{x}} + \beta\mathbf{1}",
      "derivative", r"\mathbf{1}^\top(\mathbf{y} - \mathbf{t})", "batch norm's loss by β",
      defs=(("y", r"\gamma\frac{\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}}"
             r"{\sqrt{\alpha\|\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}\|^2 + \epsilon}}"
             r" + \beta\mathbf{1}"),), constants={"1": "m"},
      check_expr=r"\frac{1}{2}\|\gamma\frac{\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}}"
      r"{\sqrt{\alpha\|\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}\|^2 + \epsilon}}"
      r" + \beta\mathbf{1} - \mathbf{t}\|^2"),
    P("names-batchnorm-x", r"\gamma\hat{\mathbf{x}} + \beta\mathbf{1}", r"\mathbf{x}",
      r"\mathbf{x} \in \mathbb{R}^m; \gamma, \beta \in \mathbb{R}; \alpha, \epsilon \in \mathbb{R}_{++}; "
      r"\mu = \alpha\mathbf{1}^\top\mathbf{x}; \sigma^2 = \alpha\|\mathbf{x} - \mu\mathbf{1}\|^2; "
      r"\hat{\mathbf{x}} = \frac{\mathbf{x} - \mu\mathbf{1}}{\sqrt{\sigma^2 + \epsilon}}",
      "jacobian",
      r"\frac{\gamma}{\sqrt{\sigma^2 + \epsilon}}(I - \alpha\hat{\mathbf{x}}\hat{\mathbf{x}}^\top)"
      r"(I - \alpha\mathbf{1}\mathbf{1}^\top)",
      "batch norm's Jacobian, in its own names (α = 1/m)",
      defs=(("\\sigma", r"\sqrt{\alpha\|\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}\|^2}"),
            ("\\hat{x}", r"\frac{\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}}"
             r"{\sqrt{\sigma^2 + \epsilon}}")),
      constants={"I": "m", "1": "m"},
      check_expr=r"\gamma\frac{\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}}"
      r"{\sqrt{\alpha\|\mathbf{x} - \alpha\mathbf{1}\mathbf{1}^\top\mathbf{x}\|^2 + \epsilon}}"
      r" + \beta\mathbf{1}"),
    P("names-two-layer-W1", r"\frac{1}{2}\|\hat{\mathbf{y}} - \mathbf{y}\|^2", "W_1",
      r"W_1 \in \mathbb{R}^{h \times d}; W_2 \in \mathbb{R}^{k \times h}; "
      r"\mathbf{x} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^k; "
      r"\mathbf{a} = \sigma(W_1\mathbf{x}); \hat{\mathbf{y}} = W_2\mathbf{a}",
      "gradient",
      r"((W_2^\top(\hat{\mathbf{y}} - \mathbf{y})) \odot \mathbf{a} \odot (\mathbf{1} - \mathbf{a}))"
      r"\mathbf{x}^\top", "backpropagation through a network's own names",
      defs=(("a", r"\sigma(W_1\mathbf{x})"), ("\\hat{y}", r"W_2\sigma(W_1\mathbf{x})")),
      constants={"1": "h"},
      check_expr=r"\frac{1}{2}\|W_2\sigma(W_1\mathbf{x}) - \mathbf{y}\|^2"),
)  # fmt: skip


BY_ID: dict[str, Problem] = {p.id: p for p in PROBLEMS}
assert len(BY_ID) == len(PROBLEMS), "problem ids must be unique"
assert all(p.kind in KINDS for p in PROBLEMS)
