"""Every citation of the provider facts points at a section of docs/PROVIDERS.md that exists.

Code and comments justify a limit or a field by citing ``docs/PROVIDERS.md §N`` (and, for the
simulator's guesses, ``§4 #N``: a row of its table of unknowns). A citation of a section that
was renumbered away, of a ``§`` with no document named, or of the research notes the document
was written from (``providers.md``, ``settlements.md``, ``legacy-schema.md``: they are not in
the repository) sends the next engineer nowhere; this test lists each one.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THIS = str(Path(__file__).resolve().relative_to(ROOT))  # it spells out what it looks for
DOC = "docs/PROVIDERS.md"
UNKNOWNS_SECTION = "4"

# A heading "### 1.5.3 U3 driver status" or "## 2. Bolt" defines section 1.5.3 or 2.
HEADING = re.compile(r"^#{2,6}\s+(\d+(?:\.\d+)*)\.?\s", re.MULTILINE)
# A row "| 12 | …" of the table of unknowns.
UNKNOWN_ROW = re.compile(r"^\|\s*(\d+)\s*\|", re.MULTILINE)
# "§1.5.4", "§1.5.4–1.5.7", "§4 #4, #5 and #14"
NUMBER = r"(\d+(?:\.\d+)*)"
SECTION = re.compile(rf"§\s*{NUMBER}(?:\s*[–-]\s*{NUMBER})?((?:[\s,]*(?:and\s+)?#\d+)*)")
ITEM = re.compile(r"#(\d+)")
# The notes the document restates, cited by their own name; or ours without its folder.
NOTES = re.compile(r"(?<![\w/])(providers|settlements|legacy-schema)\.md", re.IGNORECASE)
# Documents of others that may be cited by section: RFCs.
FOREIGN = re.compile(r"\bRFC\s*\d+")


def tracked_files() -> list[str]:
    """The repository's text files, as git sees them (untracked ones not ignored included)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    return [name for name in listed if name and (ROOT / name).is_file()]


def sections(doc: str) -> set[str]:
    return set(HEADING.findall(doc))


def unknowns(doc: str) -> set[str]:
    start = re.search(rf"^## {UNKNOWNS_SECTION}\.", doc, re.MULTILINE)
    return set(UNKNOWN_ROW.findall(doc[start.end() :])) if start else set()


def citation_problems(name: str, text: str, known: set[str], items: set[str]) -> Iterator[str]:
    """What is wrong with each citation in one file's text."""
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{name}:{number}"
        for note in NOTES.finditer(line):
            yield f"{where}: cites {note.group(0)!r}; cite {DOC} §N"
        if "§" not in line or FOREIGN.search(line):
            continue
        if DOC not in line and name != DOC:
            yield f"{where}: a § without the document it belongs to; write {DOC} §N"
            continue
        yield from _section_problems(where, line, known, items)


def _section_problems(where: str, line: str, known: set[str], items: set[str]) -> Iterator[str]:
    for cited in SECTION.finditer(line):
        first, last, rows = cited.group(1), cited.group(2), cited.group(3)
        for section in filter(None, (first, last)):
            if section not in known:
                yield f"{where}: {DOC} has no §{section}"
        if rows and first == UNKNOWNS_SECTION:
            yield from (
                f"{where}: {DOC} §4 has no #{row}" for row in ITEM.findall(rows) if row not in items
            )


def all_problems() -> list[str]:
    doc = (ROOT / DOC).read_text()
    known, items = sections(doc), unknowns(doc)
    problems: list[str] = []
    for name in tracked_files():
        if name == THIS:
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # not text: nothing to cite from
        if "§" in text or NOTES.search(text):
            problems.extend(citation_problems(name, text, known, items))
    return problems


def test_every_citation_of_the_provider_facts_names_a_section_that_exists() -> None:
    assert all_problems() == []


def test_the_checker_reports_a_missing_section_a_bare_section_and_the_notes_by_name() -> None:
    known, items = {"1", "1.5", "1.5.3", "4"}, {"4", "14"}
    text = "\n".join(
        [
            "ok: docs/PROVIDERS.md §1.5.3, §4 #4 and #14",
            "gone: docs/PROVIDERS.md §1.9",
            "no row: docs/PROVIDERS.md §4 #21",
            "bare: (§1.5)",
            "old name: providers.md §1.5",
            "an RFC: RFC 9700 §4.14.2",
        ]
    )

    problems = list(citation_problems("x.py", text, known, items))

    assert problems == [
        f"x.py:2: {DOC} has no §1.9",
        f"x.py:3: {DOC} §4 has no #21",
        f"x.py:4: a § without the document it belongs to; write {DOC} §N",
        "x.py:5: cites 'providers.md'; cite docs/PROVIDERS.md §N",
        f"x.py:5: a § without the document it belongs to; write {DOC} §N",
    ]
