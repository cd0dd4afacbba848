"""reading.memo.by_text: a cache of functions of whole texts, bounded by the characters its
keys hold (an LRU cache of entries kept every version of an edited document)."""

from __future__ import annotations

from texgrad.reading.memo import by_text


def test_versions_of_a_text_are_bounded_by_characters() -> None:
    calls: list[str] = []

    @by_text(max_chars=1000)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    versions = ["x" * 300 + str(k) for k in range(20)]  # 301-302 characters each
    for v in versions:
        assert length(v) == len(v)
    cache = length.cache  # type: ignore[attr-defined]
    assert len(cache) == 3 and cache.chars == sum(map(len, versions[-3:]))
    assert length(versions[-1]) == len(versions[-1]) and len(calls) == 20  # a hit
    assert length(versions[0]) == len(versions[0]) and len(calls) == 21  # forgotten
    assert len(cache) == 3


def test_a_text_shared_by_entries_counts_once() -> None:
    @by_text(max_chars=1000)
    def around(text: str, at: int) -> str:
        return text[max(0, at - 1) : at + 1]

    text = "y" * 900
    for at in range(50):
        assert around(text, at) == text[max(0, at - 1) : at + 1]
    cache = around.cache  # type: ignore[attr-defined]
    assert len(cache) == 50 and cache.chars == 900
    # (strings inside tuples count too: a project's files)

    @by_text(max_chars=1000, maxsize=2)
    def total(files: tuple[tuple[str, str], ...]) -> int:
        return sum(len(t) for _, t in files)

    assert total((("a", "z" * 400), ("b", "z" * 500))) == 900
    assert total.cache.chars == 902  # type: ignore[attr-defined]
    assert total((("a", "w" * 600),)) == 600  # past 1000 characters: the first goes
    assert len(total.cache) == 1 and total.cache.chars == 601  # type: ignore[attr-defined]
