"""Reading the ModelArts API pages (``../shared/reference/modelarts-docs/*.txt``): the URI, the example
request and the response tables, so a test can send the example and hold the answer against the tables.

The pages are plain-text copies of the public reference in one format: ``.. table:: **Table N** Name``
headings, rows either ``| name | type | description |`` (with continuation rows whose first cell is
empty) or ``name Type description`` separated by blanks; a ``Response Parameters`` section with
``**Status code: 200**``; an ``Example Requests`` (or ``Request Example``) section whose first code
block is either ``GET https://{endpoint}/v2/...`` or a JSON body for the URI's method and path.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "modelarts-docs"
ROOT = "Response body parameters"

_URI = re.compile(r"^(GET|POST|PUT|DELETE) (/v2/\S+)\s*$", re.M)
_TABLE = re.compile(r"^\.\. table:: \*\*Table \d+\*\* (.+?)\s*$")
_STATUS = re.compile(r"\*\*Status code\**:?\s*\**\s*(\d{3})\**")
_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_TYPE_WORDS = ("String", "Integer", "Long", "Double", "Float", "Boolean", "Object", "Array", "Map")


@dataclass
class Page:
    name: str  # the file name without .txt
    operation: str  # from :original_name:
    method: str
    path: str  # the URI template
    example_method: str | None = None
    example_path: str | None = None  # the example's own path and query, when it gives one
    example_body: object = None
    example_status: int | None = None  # the status of the example response
    status: int | None = None  # of the response tables
    tables: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> {field: documented type}


def _section(text: str, start: str | tuple[str, ...], stops: tuple[str, ...]) -> str:
    starts = (start,) if isinstance(start, str) else start
    lines = text.splitlines()
    begin = next((i for i, line in enumerate(lines) if line.strip() in starts), None)
    if begin is None:
        return ""
    end = next((i for i in range(begin + 1, len(lines)) if lines[i].strip() in stops), len(lines))
    return "\n".join(lines[begin + 1:end])


def _tables(section: str) -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {}
    current = None
    for line in section.splitlines():
        m = _TABLE.match(line.strip())
        if m:
            current = tables.setdefault(m.group(1), {})
            continue
        if current is None or not line.strip():
            continue
        row = _PIPE_ROW.match(line)
        if row:
            cells = [c.strip() for c in row.group(1).split("|")]
            if len(cells) == 3 and cells[0] and cells[0] != "Parameter":
                current[cells[0]] = cells[1]
            continue
        tokens = line.split()
        if tokens[:2] == ["Parameter", "Type"] or len(tokens) < 2 or not tokens[1].startswith(_TYPE_WORDS):
            continue
        kind = tokens[1]
        if kind == "Array":
            kind = " ".join(tokens[1:5] if tokens[3] not in ("strings", "integers", "objects") else tokens[1:4])
        current[tokens[0]] = kind
    return tables


def _example(section: str) -> tuple[str | None, str | None, object]:
    lines = section.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith(".. code-block::")), None)
    if start is None:
        return None, None, None
    block = []
    for line in lines[start + 1:]:
        if line.strip() and not line.startswith(" "):
            break
        block.append(line)
    text = "\n".join(block).strip()
    m = re.match(r"^(GET|POST|PUT|DELETE) https://\{endpoint\}(\S+)$", text)
    if m:
        return m.group(1), m.group(2), None
    return None, None, json.loads(text)


def read(path: Path) -> Page | None:
    """The page, or None when it has no example request."""
    text = path.read_text(encoding="utf-8")
    uri = _URI.search(text)
    operation = re.search(r":original_name: (\w+)\.html", text).group(1)
    example = _section(text, ("Example Requests", "Request Example"), ("Example Responses", "Response Example"))
    if not example.strip():
        return None
    method, example_path, body = _example(example)
    response = _section(text, "Response Parameters", ("Example Requests", "Request Example"))
    status = _STATUS.search(response)
    answered = _STATUS.search(_section(text, ("Example Responses", "Response Example"),
                                       ("Status Codes", "Status Code")))
    page = Page(name=path.stem, operation=operation, method=uri.group(1), path=uri.group(2),
                example_method=method, example_path=example_path, example_body=body,
                example_status=int(answered.group(1)) if answered else None,
                status=int(status.group(1)) if status else None, tables=_tables(response))
    return page


def pages() -> list[Page]:
    found = [read(p) for p in sorted(DOCS.glob("*.txt")) if p.name != "error_codes.txt"]
    return [p for p in found if p is not None]


# -------------------------------------------------------------------------------------- comparing

def _table_of(kind: str) -> str | None:
    m = re.match(r"^(?:Array of )?(\w+)\s+objects?$", kind)
    if m and m.group(1) not in ("strings", "integers", "objects"):
        return m.group(1)
    m = re.match(r"^Map<String,\\?\s*(?:Array<)?(\w+)\s*>+$", kind)
    if m and m.group(1) not in ("Integer", "String", "Map"):
        return m.group(1)
    return None


def _type_ok(kind: str, value) -> bool:
    if kind in ("String",):
        return isinstance(value, str)
    if kind in ("Integer", "Long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("Double", "Float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind.startswith("Array"):
        if not isinstance(value, list):
            return False
        if kind == "Array of strings":
            return all(isinstance(v, str) for v in value)
        if kind == "Array of integers":
            return all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        return True
    if kind.startswith("Map"):
        return isinstance(value, dict)
    if kind.endswith("object"):
        return isinstance(value, dict)
    return True  # Object: any JSON


def compare(page: Page, answer, optional: dict[tuple[str, str], str], free: set[str]) -> list[str]:
    """Every problem of ``answer`` against the page's response tables: a field the tables do not
    document (anywhere below), a documented field missing (unless ``optional`` says when it may be, or
    its table is a ``free`` key-value map), a value of another type than documented."""
    problems: list[str] = []

    def walk(value, table: str, where: str):
        fields = page.tables.get(table)
        if fields is None:
            problems.append(f"{where}: the page has no table {table}")
            return
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object ({table}), got {type(value).__name__}")
            return
        for key in value:
            if key not in fields:
                problems.append(f"{where}.{key}: not in the page's table {table}")
        for key, kind in fields.items():
            if key not in value:
                if table not in free and (table, key) not in optional:
                    problems.append(f"{where}.{key}: documented in {table} but missing")
                continue
            item = value[key]
            if not _type_ok(kind, item):
                problems.append(f"{where}.{key}: documented as {kind}, got {json.dumps(item)[:80]}")
                continue
            inner = _table_of(kind)
            if inner is None:
                continue
            if kind.startswith("Array"):
                for i, x in enumerate(item):
                    walk(x, inner, f"{where}.{key}[{i}]")
            elif kind.startswith("Map"):
                for k, x in item.items():
                    for j, y in enumerate(x if isinstance(x, list) else [x]):
                        walk(y, inner, f"{where}.{key}[{k!r}]" + (f"[{j}]" if isinstance(x, list) else ""))
            else:
                walk(item, inner, f"{where}.{key}")

    walk(answer, ROOT, "answer")
    return problems
