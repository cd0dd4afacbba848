"""The issue-14 derivation set (``tests/derivations/``): every equation differentiated, right.

Each document marks the rows to differentiate (see ``tests/derivations/harness.py``): a
``diff`` marker must give a verified result equal to its textbook answer at random points;
a ``diff-refused`` marker is a strict xfail — the test fails, naming the marker to flip, the
day texgrad differentiates it — and its refusal must be in the document's words. The
documents are correct: ``texgrad check`` reports nothing on them.
"""

from __future__ import annotations

import pytest

from tests.derivations.harness import (
    DERIVATIONS,
    TREE_DUMP,
    Marker,
    agrees_with_answer,
    answer_form,
    differentiate,
    names,
    read_markers,
)
from tests.documents.harness import run_check

DOCS = names()


def _cases(kind: str, xfail: bool = True) -> list[object]:
    cases: list[object] = []
    for name in DOCS:
        for m in read_markers(DERIVATIONS / name):
            if m.kind != kind:
                continue
            marks = []
            if kind == "diff-refused" and xfail:
                reason = f"known refusal, needs {m.needs} (right now? flip it to `diff`)"
                marks = [pytest.mark.xfail(strict=True, reason=reason)]
            cases.append(pytest.param(name, m, id=f"{name}/{m.id}", marks=marks))
    return cases


def test_the_set_holds_its_documents() -> None:
    assert DOCS == [
        "acmart-gaussian-splatting-32",
        "amsart-mixture-lemma",
        "amsart-nmf-divergences",
        "arxiv-attention-appendix",
        "arxiv-attention-wq-appendix-24",
        "arxiv-contrastive-appendix-23",
        "arxiv-cs229-superscripts",
        "arxiv-logistic",
        "arxiv-svm-softplus",
        "backprop-mlp-md",
        "beamer-gls",
        "beamer-gp-lengthscale-29",
        "beamer-metric-learning",
        "beamer-recsys-slides-23",
        "beamer-ridge-kernel",
        "blog-matrix-factorisation",
        "docs-site-kernels",
        "docusaurus-rnn-step-27",
        "exam-gls-ridge-30",
        "exam-kernel-ridge",
        "exam-solution-sheet-28",
        "gh-discussion-procrustes",
        "gh-issue-autoencoder",
        "gh-rnn-readme",
        "gp-marginal-blog",
        "gp-notes-rasmussen",
        "hackmd-huber-layernorm-traces-27",
        "homework-regression-solutions",
        "hugo-lora-post",
        "ieee-two-layer-ntk-27",
        "jekyll-gmm-em",
        "jmlr-stein-discrepancy-32",
        "jupyter-gaussian-mle",
        "jupyter-mvn-mle",
        "jupyter-softmax-note",
        "kalman-ls-notes",
        "latex-kernel-notes",
        "lecture-notes-chapter",
        "lecture-notes-pca",
        "mathse-trace-answer",
        "md-aligned-defs-coloneqq",
        "md-batchnorm-paper-notation",
        "md-blog-spellings-23",
        "md-classifier-notes",
        "md-deep-models-notes",
        "md-diffusion-score-matching-26",
        "md-distill-temperature-29",
        "md-empirical-risk-spellings",
        "md-entry-gradients-25",
        "md-gaussian-samples",
        "md-gelu-layernorm-blog",
        "md-glm-blog-23",
        "md-gp-evidence-post-28",
        "md-heldout-networks",
        "md-infonce-blog-30",
        "md-kernel-expansion",
        "md-kfac-natural-gradient-26",
        "md-masked-completion-25",
        "md-mathse-answer-chain-29",
        "md-metric-embedding-losses",
        "md-mixture-means-24",
        "md-newton-logistic",
        "md-notation-corners-23",
        "md-preference-loss-25",
        "md-prml-classifiers",
        "md-rnn-named-loss",
        "md-robust-losses-25",
        "md-softmax-regression-onehot-28",
        "md-softmax-xent-jacobians-24",
        "md-sparse-coding-elastic-26",
        "md-triplet-positives-24",
        "md-two-layer-relu-28",
        "md-vae-glm-notes",
        "mdbook-gp-evidence-30",
        "mkdocs-softmax-attention",
        "myst-attention",
        "myst-layernorm",
        "myst-recsys-factorisation",
        "myst-rnn-bptt",
        "myst-vae-elbo",
        "nbconvert-gp-hyperparameters",
        "neurips-infonce-mixture-27",
        "obsidian-kernel-logsumexp",
        "obsidian-vae-kalman",
        "obsidian-vae-logvar-29",
        "openreview-dpo-bradley-terry-32",
        "own-glm-notes-22",
        "own-word2vec-poisson-23",
        "pandoc-multinomial-handout",
        "qmd-heldout-likelihoods",
        "qmd-lora-multioutput-26",
        "qmd-named-intermediates",
        "qmd-negbin-glm-25",
        "qmd-pca-rayleigh-lagrangian-30",
        "qmd-precision-mle-28",
        "qmd-scaled-attention",
        "qmd-weight-decay-attention-29",
        "qmd-zh-notes-23",
        "quarto-gaussian",
        "quarto-gelu-mlp",
        "quarto-pdf-attention-rows-27",
        "quarto-poisson-glm",
        "revealjs-likelihood-slides",
        "rmarkdown-batchnorm",
        "rmd-econometrics-primes-26",
        "rmd-glmnet-path",
        "rmd-poisson-ridge-27",
        "slidev-maml-inner-step-32",
        "stackexchange-answer",
        "stats-appendix",
        "stats-gaussian-sigma-note-24",
        "tex-dimensions-as-numbers",
        "tex-einstein-comment",
        "tex-entries-and-vec",
        "tex-entropic-ot-26",
        "tex-erm-own-loss",
        "tex-focal-loss-25",
        "tex-gaussian-family-26",
        "tex-glm-course",
        "tex-homework-enumerate-parts-29",
        "tex-index-notation",
        "tex-japanese-lecture-30",
        "tex-kernel-vae-appendix-23",
        "tex-korean-lecture-29",
        "tex-logsumexp-index-28",
        "tex-lqr-policy-gradient-28",
        "tex-macro-estimators",
        "tex-mathsf-bm-ridge-25",
        "tex-own-functions",
        "tex-pairs-and-classes",
        "tex-pca-stiefel-28",
        "tex-policy-gradient",
        "tex-precision-matrix-25",
        "tex-prml-style-sums",
        "tex-problem-set-def",
        "tex-problem-set-deltas-24",
        "tex-rayleigh-laplacian-26",
        "tex-regularised-training",
        "tex-residual-intermediates",
        "tex-simclr-denominator-24",
        "tex-smooth-layers-24",
        "tex-td-linear-25",
        "tex-thesis-appendix-tensor-als-29",
        "tex-tikhonov-inverse-30",
        "tex-vorlesung-de-23",
        "thesis-graph-diffusion",
        "tikzposter-lqr-layernorm",
        "tufte-factorisation-logdet-27",
        "vitepress-heat-energy-32",
        "wiki-matrix-cheatsheet",
        "zola-gaussian-kl-27",
    ]
    for name in DOCS:
        assert read_markers(DERIVATIONS / name), f"{name} marks no row to differentiate"


@pytest.mark.parametrize("name", DOCS)
def test_the_document_is_correct(name: str) -> None:
    found = [str(f) for f in run_check(DERIVATIONS / name)]
    assert found == []


@pytest.mark.parametrize(("name", "marker"), _cases("diff"))
def test_the_row_is_differentiated_right(name: str, marker: Marker) -> None:
    out = differentiate(DERIVATIONS / name, marker)
    assert out.error is None, out.error
    assert out.verified, out.note
    if marker.answer:
        why = agrees_with_answer(DERIVATIONS / name, marker, answer_form(out, marker), out.where)
        assert why is None, why


@pytest.mark.parametrize(("name", "marker"), _cases("diff-refused"))
def test_known_refusal(name: str, marker: Marker) -> None:
    out = differentiate(DERIVATIONS / name, marker)
    assert out.error is None and out.verified
    if marker.answer:
        assert (
            agrees_with_answer(DERIVATIONS / name, marker, answer_form(out, marker), out.where)
            is None
        )


@pytest.mark.parametrize(("name", "marker"), _cases("diff-refused", xfail=False))
def test_a_refusal_is_said_in_the_documents_words(name: str, marker: Marker) -> None:
    out = differentiate(DERIVATIONS / name, marker)
    if out.error is None and out.verified:
        return  # differentiated now (the strict xfail of test_known_refusal says so)
    said = out.error if out.error is not None else out.note
    assert said, "refused without a word"
    assert not TREE_DUMP.search(said), said
