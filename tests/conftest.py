"""Shared test setup: where the shared corpus of real documents lives, which tests are slow,
and one BLAS thread per process.

The ``slow`` marker is given here, from one measured list, rather than in each module: the
list is revised in one place when ``pytest --durations=40`` says so, and a test module does not
change because its test got slower. ``editor`` and ``vscode`` are set in their own modules
(``tests/editors/``, ``tests/test_vscode_client.py``), which are nothing else.
"""

from __future__ import annotations

import ast
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# One BLAS thread per process. The engine's matrices are tiny, so OpenBLAS's threads only
# contend — with each other, with the other xdist worker, with the servers the tests start
# (which inherit this): a rule's verification took 2 s instead of 0.2 s and, under load, ran out
# of its 5 s budget. Set here, before the tests first import numpy.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# The parse cache (syntax/parse_cache.py) of the fronts the tests run goes to a folder of this
# run, not the user's cache folder.
if "TEXGRAD_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    _parses = tempfile.mkdtemp(prefix="texgrad-test-parses-")
    os.environ["TEXGRAD_CACHE_DIR"] = _parses
    atexit.register(shutil.rmtree, _parses, True)
# Check results (cli_check_cache.py) are not kept: a test that runs a file twice, the second
# time with a monkeypatched checker, sees what that checker does (tests/test_check_cache.py
# turns it on where it is tested).
os.environ.setdefault("TEXGRAD_CHECK_CACHE", "off")

# The servers the tests start publish what they analyse, not what the server of an earlier
# test kept for the same document (protocol/early_diagnostics.py: a second publication would
# confuse the tests that count them); tests/protocol/test_early_diagnostics.py turns it on.
os.environ.setdefault("TEXGRAD_KEEP_DIAGNOSTICS", "off")

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))

# Tests that take several seconds alone (measured with --durations=0): whole-corpus sweeps,
# random edits checked against fresh runs, long property-based runs, subprocess builds and
# installs, whole-package mypy. By file (relative to tests/), test function names; a name marks
# every parametrization of its function. The problem sets stay out: each problem is quick.
SLOW: dict[str, tuple[str, ...]] = {
    "calculus/test_notation.py": (
        "test_a_document_notation_after_edits_is_what_a_whole_walk_learns",
    ),
    "calculus/test_messages.py": ("test_the_corpus_is_refused_in_its_own_words",),
    "calculus/test_unequal_steps.py": ("test_the_test_documents_have_only_reviewed_slips",),
    "calculus/test_written_deadline.py": (
        "test_the_fronts_find_what_the_full_check_finds",
        "test_work_that_never_checks_is_interrupted_on_the_main_thread",
    ),
    "protocol/test_early_diagnostics.py": (
        "test_a_document_reopened_gets_the_diagnostics_its_analysis_publishes",
    ),
    "corpus/test_corpus.py": (
        "test_check_reports_only_reviewed_diagnostics",
        "test_every_document_reads_and_parses",
        "test_verbatim_nodes_point_at_their_source",
        "test_written_derivatives_flag_only_reviewed_errata",
        "test_unequal_steps_flag_nothing_on_the_corpus",
    ),
    "shapes/test_collect_after_edits.py": (
        "test_random_edits_give_the_table_and_diagnostics_of_a_fresh_check",
    ),
    "reading/test_markdown.py": (
        "test_never_raises_on_any_text",
        "test_never_raises_on_markdownish_input",
    ),
    "reading/test_rescan.py": (
        "test_reading_after_edits_splices_what_a_fresh_read_gives",
        "test_random_edits_to_corpus_documents",
        "test_typing_commands_in_math_key_by_key",
        "test_random_edits_read_again_paragraph_by_paragraph",
    ),
    "test_cli.py": ("test_console_script_runs",),
    "test_cli_parallel.py": (
        "test_the_whole_corpus_in_parallel_is_the_serial_output",
        "test_spawned_workers_give_the_same_output",
    ),
    "test_incremental.py": (
        "test_random_edits_to_corpus_documents_give_what_a_fresh_check_gives",
        "test_dollars_and_declarations_typed_in_paragraphs_give_what_a_fresh_check_gives",
        "test_boundaries_after_an_edit_are_those_of_the_new_text",
    ),
    "test_lint.py": ("test_mypy",),
    "test_packaging.py": ("test_regular_install_finds_the_grammar",),
}
# Every test here starts a real `texgrad lsp` process (a few seconds each, 64 sessions):
# end-to-end tests, kept out of the inner loop as a whole.
SLOW_FOLDERS = ("lsp",)


# Differentiation budgets read on the process's CPU time (``deadline.clock``): a Budget and a
# wall-clock Deadline made in a test's process (``texgrad diff``'s 5 s default, the server's
# ``differentiation.timeBudget``, a test's own 0.5 s) ran on while a loaded machine made the
# test wait its turn, and what was verified changed with the load.  The user's promise, a
# bound on the wall clock, stays tested where it is the point: tests/robustness.  (Processes
# a test starts, a server or a ``texgrad`` child, read the wall clock: those tests give
# generous budgets instead, as tests/lsp/conftest.py does.)
WALL_CLOCK_FOLDERS = ("robustness",)


@pytest.fixture(autouse=True)
def _budgets_in_cpu_time(request: pytest.FixtureRequest) -> Iterator[None]:
    folders = [REPO / "tests" / folder for folder in WALL_CLOCK_FOLDERS]
    path = request.node.path
    if any(f in path.parents for f in folders):
        yield
        return
    from texgrad.calculus import deadline

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deadline, "clock", time.process_time)
        yield


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The folder of real documents; tests that need it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set TEXGRAD_CORPUS to its folder)")
    return CORPUS


def pytest_configure(config: pytest.Config) -> None:
    # A renamed or removed test must not silently lose its mark (or leave a dead entry).
    here = Path(__file__).parent
    for name, tests in SLOW.items():
        path = here / name
        defined = (
            {
                node.name
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            if path.is_file()
            else set()
        )
        for test in tests:
            if test not in defined:
                raise pytest.UsageError(f"tests/conftest.py SLOW: no {test} in tests/{name}")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    slow = {(here / name, test) for name, tests in SLOW.items() for test in tests}
    folders = [here / folder for folder in SLOW_FOLDERS]
    for item in items:
        function = getattr(item, "originalname", item.name)
        if (item.path, function) in slow or any(f in item.path.parents for f in folders):
            item.add_marker(pytest.mark.slow)
