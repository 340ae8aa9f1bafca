"""Moving a whole portal between installations: `zedline portal export` and `import`.

An export is one zip file: `manifest.json` (format, schema revision, portal, row counts),
`tables/<table>.jsonl` (the portal's rows, one JSON object a line, parents first) and
`files/<storage key>` (the attachments). Tables are streamed, so a portal of a million
tickets exports in constant memory. Outgoing mail still waiting in the outbox and password
reset links are not exported: they belong to the installation that made them.

An import creates the portal anew (a new portal id, optionally a new slug), in one
transaction: it is there completely or not at all.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum as PyEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Enum, Table, insert, select

from zedline.clock import Clock
from zedline.errors import Conflict, InvalidInput
from zedline.files import FileStore
from zedline.persistence import tables as t
from zedline.persistence.types import UTCDateTime
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import validate_slug

FORMAT = "zedline-portal-export"
VERSION = 1
BATCH = 1000
# Pending mail and reset links belong to the installation that made them; the ticket
# counters are derived (kept by triggers as the tickets are inserted).
SKIPPED = frozenset({"outbox", "password_reset_tokens", "ticket_counts"})
# Attachments may be large; an import refuses nothing that the export itself contained.
NO_LIMIT = 1 << 62


@dataclass(frozen=True)
class TransferSummary:
    slug: str
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    missing_files: int = 0


def _parent_first() -> list[Table]:
    return [tbl for tbl in reversed(t.TENANT_TABLES_CHILD_FIRST) if tbl.name not in SKIPPED]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, PyEnum):
        return value.value
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in row.items():
        column = table.c[name]
        value = raw
        if raw is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(raw)
        elif raw is not None and isinstance(column.type, Enum) and column.type.enum_class:
            value = column.type.enum_class(raw)
        out[name] = value
    return out


def _rows(uow: UnitOfWork, table: Table, portal_id: int) -> Iterator[dict[str, Any]]:
    result = uow.session.execute(
        select(table).where(table.c.portal_id == portal_id).execution_options(yield_per=5000)
    )
    for row in result.mappings():
        yield {k: _encode(v) for k, v in row.items()}


def export_portal(
    uow: UnitOfWork,
    clock: Clock,
    files: FileStore,
    *,
    slug: str,
    target: Path,
    schema_revision: str | None,
) -> TransferSummary:
    """Write the portal `slug` to the zip file `target`.

    Raises:
        NotFound: no such portal.
    """
    counts: dict[str, int] = {}
    copied = missing = 0
    tmp = target.with_name(target.name + ".part")
    with uow, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        portal = uow.portals.get_by_slug(slug)
        portal_row = (
            uow.session.execute(select(t.portals).where(t.portals.c.id == portal.id))
            .mappings()
            .one()
        )
        keys: list[str] = []
        for table in _parent_first():
            n = 0
            with zf.open(f"tables/{table.name}.jsonl", "w") as out:
                for row in _rows(uow, table, portal.id):
                    out.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                    n += 1
                    if table is t.attachments:
                        keys.append(row["storage_key"])
            counts[table.name] = n
        for key in keys:
            try:
                with files.open(key) as src, zf.open(f"files/{key}", "w") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                copied += 1
            except FileNotFoundError:
                missing += 1
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "schema_revision": schema_revision,
            "exported_at": clock.now().isoformat(),
            "portal": {k: _encode(v) for k, v in portal_row.items()},
            "rows": counts,
            "files": copied,
            "missing_files": missing,
        }
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    tmp.replace(target)
    return TransferSummary(slug, counts, copied, missing)


def _manifest(zf: zipfile.ZipFile, schema_revision: str | None) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError):
        raise InvalidInput({"file": "this is not a ZEDLine portal export"}) from None
    if manifest.get("format") != FORMAT:
        raise InvalidInput({"file": "this is not a ZEDLine portal export"})
    if manifest.get("version") != VERSION:
        raise InvalidInput(
            {
                "file": f"export format version {manifest.get('version')} is not "
                f"supported (this installation reads version {VERSION})"
            }
        )
    if manifest.get("schema_revision") != schema_revision:
        raise InvalidInput(
            {
                "file": f"the export is of schema {manifest.get('schema_revision')}"
                f" and this installation is at {schema_revision}; bring "
                "both to the same version first"
            }
        )
    return dict(manifest)


def import_portal(
    uow: UnitOfWork,
    files: FileStore,
    *,
    source: Path,
    schema_revision: str | None,
    slug: str | None = None,
) -> TransferSummary:
    """Create a portal from an export made by `export_portal`.

    Raises:
        InvalidInput: not an export, another format or schema version, a bad slug.
        Conflict: a portal with that slug exists.
    """
    try:
        zf = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile):
        raise InvalidInput({"file": f"cannot read {source.name}: not a zip file"}) from None
    saved: list[str] = []
    counts: dict[str, int] = {}
    with zf:
        manifest = _manifest(zf, schema_revision)
        portal_row = _decode(t.portals, manifest["portal"])
        portal_row["slug"] = validate_slug(slug or portal_row["slug"])
        try:
            with uow:
                if uow.portals.slug_taken(portal_row["slug"]):
                    raise Conflict(  # noqa: TRY301 - the cleanup below must run
                        f"a portal with the slug '{portal_row['slug']}' already exists"
                    )
                new_id = uow.next_id()
                portal_row["id"] = new_id
                uow.session.execute(insert(t.portals), [portal_row])
                new_keys = _import_files(zf, files, new_id, saved)
                for table in _parent_first():
                    counts[table.name] = _import_table(uow, zf, table, new_id, new_keys)
                uow.commit()
        except BaseException:
            for key in saved:
                files.delete(key)
            raise
    return TransferSummary(portal_row["slug"], counts, len(saved), 0)


def _import_files(
    zf: zipfile.ZipFile, files: FileStore, portal_id: int, saved: list[str]
) -> dict[str, str]:
    new_keys: dict[str, str] = {}
    for info in zf.infolist():
        if not info.filename.startswith("files/") or info.is_dir():
            continue
        old_key = info.filename.removeprefix("files/")
        with zf.open(info) as src:
            key, _ = files.save(portal_id, src, max_bytes=NO_LIMIT)  # type: ignore[arg-type]
        saved.append(key)
        new_keys[old_key] = key
    return new_keys


def _import_table(
    uow: UnitOfWork,
    zf: zipfile.ZipFile,
    table: Table,
    portal_id: int,
    new_keys: dict[str, str],
) -> int:
    name = f"tables/{table.name}.jsonl"
    if name not in zf.namelist():
        return 0
    batch: list[dict[str, Any]] = []
    n = 0
    with zf.open(name) as lines:
        for line in lines:
            row = _decode(table, json.loads(line))
            row["portal_id"] = portal_id
            if table is t.attachments:
                row["storage_key"] = new_keys.get(row["storage_key"], row["storage_key"])
            batch.append(row)
            if len(batch) >= BATCH:
                uow.session.execute(insert(table), batch)
                n += len(batch)
                batch = []
    if batch:
        uow.session.execute(insert(table), batch)
        n += len(batch)
    return n


__all__ = ["TransferSummary", "export_portal", "import_portal"]
