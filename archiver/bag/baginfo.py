"""bag-info.txt (RFC 8493 §2.2.2): ordered, repeatable "Label: value" metadata elements.

Order MUST be preserved and labels may repeat, so the data type is a list of (label, value)
pairs, never a dict. Long values may continue on lines that start with a space or tab.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archiver.bag.codes import Problem, problem
from archiver.bag.tagfile import iter_lines
from archiver.errors import ArchiverError

BAG_INFO = "bag-info.txt"

# RFC 8493 §2.2.2: Payload-Oxum MUST NOT be repeated; these others SHOULD NOT be.
MUST_NOT_REPEAT = ("Payload-Oxum",)
SHOULD_NOT_REPEAT = ("Bagging-Date", "Bag-Size", "Bag-Group-Identifier", "Bag-Count")

# archiver writes bag-info.txt in this documented order (docs/bags.md); --info elements follow.
FIELD_ORDER = (
    "Source-Organization",
    "Organization-Address",
    "Contact-Name",
    "Contact-Phone",
    "Contact-Email",
    "External-Description",
    "External-Identifier",
    "Bag-Group-Identifier",
    "Bag-Count",
    "Bagging-Date",
    "Bag-Size",
    "Payload-Oxum",
    "Bag-Software-Agent",
    "BagIt-Profile-Identifier",
)


def parse_bag_info_lines(lines: Iterable[tuple[int, str]], problems: list[Problem] | None = None
                         ) -> list[tuple[str, str]]:
    """Turn numbered lines into (label, value) pairs, keeping order and repeats."""
    elements: list[tuple[str, str]] = []
    for number, line in lines:
        if line[:1] in (" ", "\t"):
            if elements and line.strip():
                label, value = elements[-1]
                elements[-1] = (label, f"{value} {line.strip()}")
                continue
            if not line.strip():
                continue  # blank-ish trailing line
        if not line.strip():
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip():
            if problems is not None:
                problems.append(problem("E-BAGINFO-LINE", BAG_INFO,
                                        f"line {number}: expected 'Label: value', found {line!r}"))
            continue
        if label != label.rstrip() and problems is not None:
            problems.append(problem("W-BAGINFO-SEPARATOR", BAG_INFO,
                                    f"line {number}: whitespace before the colon in {label.strip()!r}"))
        elements.append((label.strip(), value.strip()))
    return elements


def read_bag_info(bag: Path, encoding: str | None = None, problems: list[Problem] | None = None
                  ) -> list[tuple[str, str]]:
    """Read bag/bag-info.txt in file order (repeats kept); [] when the bag has none.

    *encoding* defaults to the bag declaration's Tag-File-Character-Encoding.
    """
    path = Path(bag) / BAG_INFO
    if not path.is_file():
        return []
    if encoding is None:
        from archiver.bag.declaration import read_declaration

        encoding = read_declaration(bag).encoding
    try:
        return parse_bag_info_lines(iter_lines(path, encoding), problems)
    except UnicodeDecodeError as exc:
        raise ArchiverError(f"{path}: does not decode as {encoding} (byte {exc.start})") from None


def info_values(elements: Iterable[tuple[str, str]], label: str) -> list[str]:
    """All values of *label* (labels compare case-insensitively, RFC 8493 §2.2.2)."""
    key = label.lower()
    return [v for k, v in elements if k.lower() == key]


def format_bag_info(elements: Iterable[tuple[str, str]]) -> str:
    """Serialise elements one per line, in the order given; refuse what cannot round-trip."""
    out = []
    for label, value in elements:
        if not label or ":" in label or label != label.strip() or any(c in label for c in "\r\n"):
            raise ArchiverError(f"bag-info label {label!r} is not allowed (no colon, no surrounding spaces)")
        if any(c in value for c in "\r\n"):
            raise ArchiverError(f"bag-info value for {label!r} must be one line")
        out.append(f"{label}: {value}\n")
    return "".join(out)


def order_bag_info(elements: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Stable order: FIELD_ORDER labels first (in that order, repeats kept), then the rest as given."""
    elements = list(elements)
    rank = {label.lower(): i for i, label in enumerate(FIELD_ORDER)}
    known = [(rank[k.lower()], i, (k, v)) for i, (k, v) in enumerate(elements) if k.lower() in rank]
    rest = [(k, v) for k, v in elements if k.lower() not in rank]
    return [kv for _, _, kv in sorted(known)] + rest
