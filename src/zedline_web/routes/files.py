"""Attachment downloads: only after an access check, and never as something a browser runs.

An uploaded file is hostile until proven otherwise: HTML or SVG served inline from our origin
would run script with the viewer's session. So every file is a download of an opaque type,
sandboxed and not sniffable; only the four raster image formats may be shown inline, and only
when the page asks for it (`?inline=1`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import quote

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Stream

from zedline.errors import NotFound
from zedline.files import CHUNK
from zedline.i18n import N_
from zedline_web.context import ActorDep, PortalDep, ZlDep

INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
OPAQUE = "application/octet-stream"
DOWNLOAD_CSP = "sandbox; default-src 'none'"


def content_disposition(kind: str, filename: str) -> str:
    """`kind; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987)."""
    fallback = (
        "".join(
            ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%;' else "_"  # noqa: PLR2004
            for ch in filename
        ).strip()
        or "file"
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def served_type(stored: str, *, want_inline: bool) -> tuple[str, str]:
    """(Content-Type, disposition kind) for a stored content type."""
    base = stored.split(";", 1)[0].strip().lower()
    if base in INLINE_IMAGES:
        return base, "inline" if want_inline else "attachment"
    return OPAQUE, "attachment"


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk


@get(
    "/p/{slug:str}/tickets/{number:int}/files/{attachment_id:int}",
    sync_to_thread=True,
    name="attachment",
)
def download(
    *,
    request: Request[Any, Any, Any],
    portal: PortalDep,  # noqa: ARG001 - resolves the portal (404 when unknown or disabled)
    actor: ActorDep,
    zl: ZlDep,
    number: FromPath[int],
    attachment_id: FromPath[int],
) -> Stream:
    with zl.reader() as uow:
        ticket = uow.tickets.get_for(actor, number)
        attachment = uow.attachments.get_for(actor, ticket, attachment_id)
    try:
        stream = zl.files.open(attachment.storage_key)
    except (FileNotFoundError, ValueError):
        raise NotFound(N_("this file is no longer stored")) from None
    media_type, kind = served_type(
        attachment.content_type, want_inline=request.query_params.get("inline") == "1"
    )
    headers = {
        "Content-Disposition": content_disposition(kind, attachment.filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Cache-Control": "private, no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    # A store without real files has no length to tell: then the body is sent chunked.
    with contextlib.suppress(AttributeError, OSError, ValueError):
        headers["Content-Length"] = str(os.fstat(stream.fileno()).st_size)
    return Stream(_chunks(stream), media_type=media_type, headers=headers)


ROUTES: list[Any] = [download]
