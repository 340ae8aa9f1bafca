"""`zedline portal export` and `import`: a whole portal moves as one zip file."""

import io
import json
import zipfile

import pytest

from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility
from zedline.tickets.services import Upload


@pytest.fixture
def worked_portal(zl, portal, client, operator, make_ticket):
    ticket = tickets.open_ticket(
        zl.uow(),
        zl.clock,
        zl.notifier,
        client,
        {"subject": "Printer jams", "description": "Every second page"},
        files=zl.files,
        limits=zl.file_limits,
        uploads=[Upload("jam.txt", "text/plain", io.BytesIO(b"paper path"))],
    )
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        ticket.number,
        body="Check the warranty",
        visibility=Visibility.INTERNAL,
    )
    make_ticket(client, subject="Second")
    return portal


def _counts(zl, slug):
    with zl.reader() as uow:
        p = uow.portals.get_by_slug(slug)
        admin = next(u for u in uow.users.staff(p.id) if u.is_admin)
        first = uow.tickets.get_for(admin, 1)
        bodies = [m.body for m in uow.messages.list_for(admin, first)]
        files = list(uow.attachments.list_for(admin, first))
    return p.ticket_seq, bodies, [(f.filename, f.size) for f in files], files


def test_export_then_import_under_another_slug_copies_everything(cli, zl, worked_portal, tmp_path):
    target = tmp_path / "acme.zip"
    assert cli("portal", "export", "acme", "--output", str(target)).exit_code == 0
    result = cli("portal", "import", str(target), "--slug", "acme-copy")
    assert result.exit_code == 0, result.output
    original, copy = _counts(zl, "acme"), _counts(zl, "acme-copy")
    assert (
        copy[:3]
        == original[:3]
        == (2, ["Every second page", "Check the warranty"], [("jam.txt", 10)])
    )


def test_imported_attachment_is_readable(cli, zl, worked_portal, tmp_path):
    target = tmp_path / "acme.zip"
    cli("portal", "export", "acme", "--output", str(target))
    cli("portal", "import", str(target), "--slug", "acme-copy")
    stored = _counts(zl, "acme-copy")[3][0]
    with zl.files.open(stored.storage_key) as f:
        assert f.read() == b"paper path"


def test_import_of_an_existing_slug_is_refused(cli, zl, worked_portal, tmp_path):
    target = tmp_path / "acme.zip"
    cli("portal", "export", "acme", "--output", str(target))
    result = cli("portal", "import", str(target))
    assert (result.exit_code, result.output.strip()) == (
        1,
        "error: a portal with the slug 'acme' already exists",
    )


def test_export_refuses_to_overwrite(cli, worked_portal, tmp_path):
    target = tmp_path / "acme.zip"
    target.write_text("keep me")
    result = cli("portal", "export", "acme", "--output", str(target))
    assert (result.exit_code, target.read_text()) == (1, "keep me")


def test_export_of_unknown_portal_fails(cli, worked_portal, tmp_path):
    result = cli("portal", "export", "nope", "--output", str(tmp_path / "x.zip"))
    assert (result.exit_code, result.output.strip()) == (1, "error: no portal 'nope'")


def test_import_of_a_non_zip_fails_cleanly(cli, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    result = cli("portal", "import", str(bad))
    assert result.exit_code == 1
    assert "not a zip file" in result.output


def test_import_of_another_schema_is_refused_and_creates_nothing(cli, zl, worked_portal, tmp_path):
    target = tmp_path / "acme.zip"
    cli("portal", "export", "acme", "--output", str(target))
    changed = tmp_path / "old.zip"
    with zipfile.ZipFile(target) as src, zipfile.ZipFile(changed, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["schema_revision"] = "0000"
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    result = cli("portal", "import", str(changed), "--slug", "old-copy")
    with zl.reader() as uow:
        assert not uow.portals.slug_taken("old-copy")
    assert result.exit_code == 1
    assert "schema 0000" in result.output
