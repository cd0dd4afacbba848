"""The issue-13 document set (``tests/documents/``): every planted error found, no false alarm.

Each document marks its planted errors and known misses in comments (see
``tests/documents/harness.py``). A diagnostic no marker asks for fails the document; a
planted error not found fails its own test; a known miss (``expect-missed``) or a known false
alarm (``false-alarm-known``) is a strict xfail, so the test fails — and names the marker to
change — the day texgrad finds it or stops reporting it.
"""

from __future__ import annotations

import pytest

from tests.documents.harness import (
    DOCUMENTS,
    KINDS,
    Marker,
    check_without_markers,
    judge,
    names,
    read_markers,
)
from texgrad.shapes.diagnostics import CODES

DOCS = names()
TRAPS = "traps-"  # a trap set: correct documents only, no planted error


def _is_traps(name: str) -> bool:
    return name.startswith(TRAPS)


_XFAIL = {
    "expect-missed": "known miss, needs {} (found now? flip the marker to `expect`)",
    "false-alarm-known": "known false alarm on a correct line: {} (gone now? remove the marker)",
}


def _cases(kind: str) -> list[object]:
    cases: list[object] = []
    for name in DOCS:
        for m in read_markers(DOCUMENTS / name):
            if m.kind != kind:
                continue
            marks = []
            if kind in _XFAIL:
                marks = [pytest.mark.xfail(strict=True, reason=_XFAIL[kind].format(m.note))]
            cases.append(pytest.param(name, m, id=f"{name}/{m.id}", marks=marks))
    return cases


def _reported(name: str) -> set[tuple[str, int, str]]:
    return {f.key for f in judge(name).found}


def test_the_set_holds_its_documents_and_the_trap_sets() -> None:
    assert "traps-5" in DOCS
    assert [name for name in DOCS if not _is_traps(name)] == [
        "appendix-loss-align-26",
        "apuntes-completado-es-23",
        "apuntes-redes-neuronales-es-25",
        "arxiv-adapter-11",
        "arxiv-adapter-function-25",
        "arxiv-attention",
        "arxiv-contrastive-9",
        "arxiv-crossattn-10",
        "arxiv-cvpr-align-18",
        "arxiv-ddpm-16",
        "arxiv-diffusion-3",
        "arxiv-encdec-tags-22",
        "arxiv-flows-24",
        "arxiv-gcn-11",
        "arxiv-gcn-appendix-21",
        "arxiv-gnn-6",
        "arxiv-kfac-17",
        "arxiv-kronecker-gp-10",
        "arxiv-lora-7",
        "arxiv-mixture-experts-8",
        "arxiv-perceiver-17",
        "arxiv-retrieval-12",
        "arxiv-rl-4",
        "arxiv-sinkhorn-sty-26",
        "arxiv-ssm-16",
        "arxiv-transformer-15",
        "arxiv-vae-2",
        "arxiv-vae-xparse-24",
        "arxiv-xattn-adapter-13",
        "backprop-gfm-12",
        "backprop-gru-tags-23",
        "backprop-layers-13",
        "backprop-lstm-md-15",
        "backprop-md",
        "backprop-ng-16",
        "backprop-notes-10",
        "backprop-readme-batch-26",
        "beamer-backprop-delta-27",
        "beamer-cca-8",
        "beamer-ddim-overlays-24",
        "beamer-encdec-10",
        "beamer-gates-21",
        "beamer-gls-12",
        "beamer-gnn-15",
        "beamer-kalman-smoother-4",
        "beamer-kfac-natgrad-26",
        "beamer-lasso-6",
        "beamer-lora-16",
        "beamer-lora-rect-19",
        "beamer-manipulator-jacobian-25",
        "beamer-mha-columns-27",
        "beamer-newton-2",
        "beamer-overlays-lda-22",
        "beamer-pca-3",
        "beamer-recsys-9",
        "beamer-ridge",
        "beamer-rrr-16",
        "beamer-score-matching-23",
        "beamer-spectral-7",
        "beamer-transformer-17",
        "beamer-vae-11",
        "beamer-xformer-11",
        "blog-backprop-layers-26",
        "blog-fisher-macros-md-24",
        "blog-gp-unicode-26",
        "blog-mlp-delta-23",
        "blog-normalised-laplacian-25",
        "book-backprop-chapter-22",
        "book-kriging-20",
        "book-mixed-18",
        "book-pca-cca-21",
        "book-svd-17",
        "bookdown-ridge-labels-23",
        "boyd-appendix-22",
        "boyd-exercises-23",
        "cheatsheet-multicol-22",
        "cheatsheet-tabular-24",
        "cnn-md-4",
        "control-ekf-6",
        "control-example-sizes-23",
        "control-hinf-8",
        "control-kalman-10",
        "control-kalman-mpc-lecture-15",
        "control-kalman-notes-13",
        "control-kkt-10",
        "control-lqr-2",
        "control-lqr-kkt-17",
        "control-mpc-11",
        "control-mpc-3",
        "control-observer-9",
        "control-riccati-26",
        "control-sysid-7",
        "cookbook-labels-23",
        "cours-calcul-matriciel-21",
        "cours-espaces-matrices-23",
        "cours-filtre-fr-23",
        "csdn-ridge-21",
        "ctex-jacobian-lecture-21",
        "ctex-logreg-handout-24",
        "differential-forms-25",
        "differential-sheet-24",
        "dispense-minimi-quadrati-it-24",
        "econ-statespace-primes-24",
        "econometrics-notes-4",
        "entry-partials-25",
        "entrywise-gradients-24",
        "exam-class-solutions-22",
        "exam-solutions-25",
        "foglio-traccia-it-26",
        "gp-blog",
        "gp-blog-11",
        "gp-blog-16",
        "gp-blog-17",
        "gp-blog-post-15",
        "gp-classification-blog-8",
        "gp-graph-vectors-23",
        "gp-notes-10",
        "gp-sparse-blog-6",
        "gru-md-8",
        "handout-2sls-primes-21",
        "handout-cca-19",
        "handout-kron-vec-20",
        "handout-sparse-coding-26",
        "hessian-sheet-25",
        "hoja-derivadas-es-25",
        "homework-align-22",
        "hugo-apuntes-es-22",
        "hugo-gp-18",
        "hugo-ukf-particle-25",
        "hugo-word2vec-27",
        "hvp-sheet-26",
        "icml-node-adjoint-25",
        "icml-rope-mqa-23",
        "ieee-backprop-11",
        "ieee-gsp-filters-24",
        "ieee-kkt-12",
        "interview-prep-23",
        "jacobian-numerator-25",
        "jacobian-sheet-24",
        "jbook-kron-gp-22",
        "jupyter-adam-rmsprop-27",
        "jupyter-hesse-22",
        "jupyter-irls-20",
        "jupyter-mha-18",
        "jupyter-notebook-ridge-24",
        "jupyter-softmax-17",
        "jupyter-wls-11",
        "kalman-notes",
        "kalman-readme-18",
        "konspekt-pca-ru-24",
        "layernorm-md-6",
        "lecture-align-chains-24",
        "lecture-cca-underline-24",
        "lecture-deepnets-17",
        "lecture-gaussians-16",
        "lecture-gnn-18",
        "lecture-infofilter-12",
        "lecture-intertext-25",
        "lecture-jacobian-entries-22",
        "lecture-kalman-minus-plus-23",
        "lecture-lqr-18",
        "lecture-lqr-kalman-16",
        "lecture-lqr-mixed-transposes-24",
        "lecture-mpc-bellman-25",
        "lecture-ot-19",
        "lecture-rts-includeonly-26",
        "lstm-gh-11",
        "ltjs-backprop-ja-23",
        "mathse-answer-22",
        "mathse-answers-24",
        "matrixcalculus-answers-25",
        "md-generic-member-26",
        "md-gnn-readout-23",
        "md-least-squares-sums-25",
        "md-parens-linear-attention-23",
        "md-rope-steps-23",
        "md-rowwise-features-24",
        "md-shape-keeping-24",
        "merkblatt-ableitungen-24",
        "myst-batchnorm-10",
        "myst-differentials-23",
        "myst-ekf-16",
        "myst-flows-jacobian-27",
        "myst-graphs-4",
        "myst-kalman-table-21",
        "myst-kernels-3",
        "myst-kkt-11",
        "myst-label-propagation-26",
        "myst-lsq-2",
        "myst-mha-16",
        "myst-ot-7",
        "myst-pagerank-8",
        "myst-pca",
        "myst-pca-svd-15",
        "myst-relaxations-17",
        "myst-simplex-12",
        "myst-spectral-clustering-24",
        "myst-svd-6",
        "nbconvert-matrix-completion-25",
        "neurips-gla-sections-25",
        "neurips-gqa-22",
        "notas-aula-regressao-pt-25",
        "notas-sur-pt-23",
        "notation-zoo-22",
        "notebook-chain-named-26",
        "notebook-krr-hsic-24",
        "notebook-logreg-sum-23",
        "notes-kkt-blocks-25",
        "notes-kron-restated-24",
        "notes-mpc-toeplitz-import-26",
        "notes-offset-free-mpc-20",
        "notes-primes-blocks-24",
        "notion-dmd-23",
        "notion-policy-gradient-27",
        "numerator-notes-14",
        "obsidian-gsp-23",
        "obsidian-pca-svd-27",
        "optimization-notes-3",
        "own-dsp-adaptive-22",
        "own-equaliser-23",
        "own-fm-recsys-22",
        "own-glm-20",
        "own-gnn-survey-table-23",
        "own-gqa-paper-22",
        "own-kramdown-blog-20",
        "own-lora-beamer-20",
        "own-lsq-book-chapter-23",
        "own-markowitz-20",
        "own-mechanics-19",
        "own-metric-project-19",
        "own-mlp-backprop-blog-23",
        "own-pca-lecture-20",
        "own-pca-quarto-19",
        "own-plain-reals-24",
        "own-portfolio-19",
        "own-reals-spellings-23",
        "own-se-answer-22",
        "own-softmax-thesis-19",
        "own-ssm-project-23",
        "own-stacked-rows-24",
        "own-topics-sets-22",
        "own-transformer-project-20",
        "own-weight-decay-24",
        "own-wls-19",
        "pandoc-kalman-11",
        "partial-notation-25",
        "physics-pkg-opspace-23",
        "project-import-blr-21",
        "project-layouts-22",
        "project-sur-optargs-24",
        "qa-thread-25",
        "quarto-bayes-4",
        "quarto-book-22",
        "quarto-callouts-24",
        "quarto-ct-dynamics-16",
        "quarto-diffusion-18",
        "quarto-gat-23",
        "quarto-gls-10",
        "quarto-gmm-3",
        "quarto-gmm-em-16",
        "quarto-gp-kernels-15",
        "quarto-graphical-lasso-25",
        "quarto-gridgp-11",
        "quarto-iv-19",
        "quarto-kalman-callouts-24",
        "quarto-kron-12",
        "quarto-lmm-slopes-20",
        "quarto-logistic",
        "quarto-lora-table-26",
        "quarto-mamba-19",
        "quarto-moe-routing-24",
        "quarto-pca-11",
        "quarto-portfolio-9",
        "quarto-ppca-8",
        "quarto-ridge-2",
        "quarto-ridge-softmax-27",
        "quarto-rts-17",
        "quarto-score-matching-26",
        "quarto-statespace-6",
        "quarto-stats-notes-13",
        "quarto-vae-16",
        "quarto-vae-elbo-27",
        "quarto-var-7",
        "quarto-vec-kron-26",
        "readme-ik-19",
        "readme-latent-diffusion-21",
        "readme-mf-recsys-27",
        "readme-mha-impl-20",
        "real-only-notes-25",
        "revealjs-clip-23",
        "rmarkdown-als-19",
        "rmarkdown-bayesreg-17",
        "rmarkdown-gee-8",
        "rmarkdown-glm-2",
        "rmarkdown-growth-16",
        "rmarkdown-kron-10",
        "rmarkdown-laplace-7",
        "rmarkdown-lda-6",
        "rmarkdown-lmm-henderson-15",
        "rmarkdown-logit-12",
        "rmarkdown-mixed",
        "rmarkdown-panel-16",
        "rmarkdown-pca-3",
        "rmarkdown-ridge-gls-15",
        "rmarkdown-sem-4",
        "rmd-dynamic-panel-gmm-25",
        "rmd-fixed-effects-23",
        "rmd-gaussian-conditioning-24",
        "rmd-lda-qda-primes-26",
        "rmd-logistic-irls-27",
        "rnn-md-2",
        "robotics-notes-4",
        "robotics-rotation-23",
        "scribe-gls-ridge-22",
        "scribe-nystrom-def-23",
        "scribe-svm-dual-20",
        "se-answer-frac-w-26",
        "solutions-env-23",
        "solutions-proof-26",
        "stats-blog-2",
        "stats-mvn-mle-26",
        "survey-moe-table-23",
        "td-optim-kkt-fr-22",
        "tex-apposition-space-26",
        "textbook-vec-arrows-24",
        "thesis-bayesopt-subfiles-25",
        "thesis-cca-subfiles-26",
        "thesis-import-19",
        "thesis-lqg-subfiles-23",
        "thesis-paper-shared-22",
        "thesis-rrr-20",
        "thesis-spectral-11",
        "thesis-subfiles-10",
        "transformer-md-3",
        "transformer-notes-10",
        "tufte-factor-analysis-23",
        "uebungsblatt-matrix-21",
        "vorlesung-kalman-de-22",
        "zhihu-hangxiang-25",
        "zhihu-hessian-sheet-23",
        "zhihu-qiudao-21",
        "zhihu-weifen-22",
    ]


@pytest.mark.parametrize("name", DOCS)
def test_markers_are_well_formed(name: str) -> None:
    markers = read_markers(DOCUMENTS / name)
    assert all(m.kind in KINDS and m.code in CODES for m in markers), markers
    planted = [m for m in markers if m.kind in ("expect", "expect-missed")]
    if _is_traps(name):
        assert planted == [], "a trap set holds correct documents only"
    else:
        assert 2 <= len(planted) <= 7, planted
    assert all(m.note for m in markers if m.kind != "expect"), "say which feature, or why"
    assert len({m.key for m in markers}) == len(markers), "one marker per line and code"


@pytest.mark.parametrize("name", DOCS)
def test_no_false_alarm(name: str) -> None:
    """Precision is absolute: every diagnostic is a planted error or a known false alarm."""
    unmarked = [str(f) for f in judge(name).unknown_false_alarms]
    assert unmarked == []


@pytest.mark.parametrize(("name", "marker"), _cases("expect"))
def test_planted_error_is_found(name: str, marker: Marker) -> None:
    assert marker.key in _reported(name), [str(f) for f in judge(name).found]


@pytest.mark.parametrize(("name", "marker"), _cases("expect-missed"))
def test_known_miss(name: str, marker: Marker) -> None:
    assert marker.key in _reported(name)


@pytest.mark.parametrize(("name", "marker"), _cases("false-alarm-known"))
def test_known_false_alarm(name: str, marker: Marker) -> None:
    assert marker.key not in _reported(name)


@pytest.mark.parametrize("name", DOCS)
def test_markers_do_not_change_how_the_document_is_read(name: str) -> None:
    """The same diagnostics, at the same places, with every marker comment removed."""
    assert check_without_markers(name) == list(judge(name).found)
