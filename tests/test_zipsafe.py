"""``core.zipsafe``, the one reader of uploaded ZIP archives: bounded from the central directory before anything is
unpacked, unpacked never past what a member declares, XML parsed with no DTD; each refusal names the bound passed."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from parkportal.core import zipsafe
from parkportal.core.zipsafe import Bounds, Refused

ROOMY = Bounds(members=100, unpacked=64 * 1024 * 1024, ratio=100, grace=100 * 1024)


def archive_of(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP file holding ``parts`` (name → body), in that order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def opened(data: bytes) -> zipfile.ZipFile:
    """``data`` opened through ``zipsafe``."""
    return zipsafe.open_archive(io.BytesIO(data))


def bound_of(call) -> str:
    """The bound ``call`` (no arguments) is refused for."""
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.bound


def test_members_are_returned_by_lower_case_name_in_order():
    """A sound archive's members come back keyed by lower-case name, in the archive's order."""
    with opened(archive_of({"[Content_Types].xml": b"<Types/>", "Word/Document.xml": b"<d/>"})) as archive:
        found = zipsafe.members(archive, ROOMY)
    assert list(found) == ["[content_types].xml", "word/document.xml"]
    assert found["word/document.xml"].filename == "Word/Document.xml"


def test_too_many_members_is_the_members_bound():
    """More members than ``bounds.members`` is refused as ``members``, counting only those the caller keeps."""
    data = archive_of({f"part{n}.xml": b"<a/>" for n in range(5)} | {"keep.xml": b"<k/>"})
    bounds = Bounds(members=4, unpacked=10**6, ratio=100)
    with opened(data) as archive:
        assert bound_of(lambda: zipsafe.members(archive, bounds)) == Refused.MEMBERS
        kept = zipsafe.members(archive, bounds, keep=lambda info: info.filename.startswith("keep"))
    assert list(kept) == ["keep.xml"]


def test_too_much_declared_in_all_is_the_unpacked_bound():
    """Members declaring more bytes together than ``bounds.unpacked`` are refused as ``unpacked``."""
    data = archive_of({"a.xml": b"a" * 3000, "b.xml": b"b" * 3000}, zipfile.ZIP_STORED)
    with opened(data) as archive:
        assert bound_of(lambda: zipsafe.members(archive, Bounds(members=10, unpacked=5000, ratio=100))) == "unpacked"
        assert len(zipsafe.members(archive, Bounds(members=10, unpacked=6000, ratio=100))) == 2


def test_a_member_packed_too_tightly_is_the_ratio_bound_past_the_grace():
    """A member unpacking to more than ``ratio`` times its packed size is refused as ``ratio``, unless within
    ``grace``."""
    data = archive_of({"zeros.bin": b"\0" * (1024 * 1024)})
    with opened(data) as archive:
        assert bound_of(lambda: zipsafe.members(archive, ROOMY)) == Refused.RATIO
        assert zipsafe.members(archive, Bounds(members=10, unpacked=10**7, ratio=100, grace=2 * 1024 * 1024))


def test_with_the_file_size_the_ratio_is_the_whole_archive_s():
    """Given ``file_size``, the ratio is all members' declared sizes ÷ the file's size, not each member's."""
    data = archive_of({"zeros.bin": b"\0" * 200_000, "noise.bin": random.Random(1).randbytes(50_000)})
    bounds = Bounds(members=10, unpacked=10**7, ratio=10)
    with opened(data) as archive:
        assert bound_of(lambda: zipsafe.members(archive, bounds)) == Refused.RATIO  # the zeros alone: far past 10
        assert zipsafe.members(archive, bounds, file_size=len(data))  # 250 KB from about 50 KB: within 10 times
        assert bound_of(lambda: zipsafe.members(archive, bounds, file_size=len(data) // 10)) == Refused.RATIO


@pytest.mark.parametrize("case", ["twice-in-another-case", "encrypted", "bzip2"])
def test_a_name_twice_an_encrypted_member_or_an_odd_method_is_damaged(case):
    """A name twice (in any case), an encrypted member, or a method but stored or deflated is refused as damaged."""
    if case == "twice-in-another-case":
        data = archive_of({"word/document.xml": b"<a/>", "WORD/document.xml": b"<b/>"})
    elif case == "bzip2":
        data = archive_of({"a.xml": b"<a/>"}, zipfile.ZIP_BZIP2)
    else:
        data = bytearray(archive_of({"a.xml": b"<a/>"}))
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit
            start = data.find(signature)
            struct.pack_into("<H", data, start + offset, struct.unpack_from("<H", data, start + offset)[0] | 1)
        data = bytes(data)
    with opened(data) as archive:
        assert bound_of(lambda: zipsafe.members(archive, ROOMY)) == Refused.DAMAGED


def test_what_is_no_zip_is_damaged():
    """Bytes that are no ZIP archive are refused as damaged when opened."""
    assert bound_of(lambda: zipsafe.open_archive(io.BytesIO(b"PK\x03\x04 not really"))) == Refused.DAMAGED


def test_a_member_is_unpacked_in_pieces_never_past_its_declared_size():
    """``chunks`` yields pieces of at most ``size`` bytes that make the member; ``read`` gives it whole."""
    body = bytes(range(256)) * 1000
    with opened(archive_of({"a.bin": body})) as archive:
        info = archive.getinfo("a.bin")
        pieces = list(zipsafe.chunks(archive, info, size=10_000))
        assert all(len(piece) <= 10_000 for piece in pieces) and b"".join(pieces) == body
        assert zipsafe.read(archive, info) == body


def test_a_member_that_declares_less_than_it_holds_is_damaged_when_unpacked():
    """A central directory understating a member's size: reading stops at the declared size and is refused."""
    data = bytearray(archive_of({"a.xml": b"<a>" + b"x" * 10_000 + b"</a>"}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        struct.pack_into("<I", data, data.find(signature) + offset, 100)
    with opened(bytes(data)) as archive:
        info = archive.getinfo("a.xml")
        assert info.file_size == 100
        assert bound_of(lambda: zipsafe.read(archive, info)) == Refused.DAMAGED


def test_a_corrupted_member_is_damaged_when_unpacked():
    """A member whose bytes were changed fails its CRC (or its inflation) and is refused as damaged."""
    data = bytearray(archive_of({"a.xml": b"<a>" + b"y" * 1000 + b"</a>"}, zipfile.ZIP_STORED))
    data[data.find(b"yyyy")] = ord("z")
    with opened(bytes(data)) as archive:
        assert bound_of(lambda: zipsafe.read(archive, archive.getinfo("a.xml"))) == Refused.DAMAGED


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "haha">]><a>&b;</a>',
        b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY b "x">]><a>&b;</a>'.encode("utf-16"),
    ],
    ids=["internal-entity", "external-dtd", "utf-16"],
)
def test_the_xml_parser_refuses_any_dtd(xml):
    """``xml_parser`` refuses a DTD (internal entities, an external DTD, in UTF-16 too) as ``dtd``."""
    parser = zipsafe.xml_parser()
    assert bound_of(lambda: parser.Parse(xml, True)) == Refused.DTD


def test_the_xml_parser_reads_plain_xml_with_namespaces():
    """Without a DTD, ``xml_parser`` parses as expat does, names split at the separator given."""
    names: list[str] = []
    parser = zipsafe.xml_parser(namespace_separator=" ")
    parser.StartElementHandler = lambda name, _attributes: names.append(name)
    parser.Parse(b'<w:document xmlns:w="urn:w"><w:body/></w:document>', True)
    assert names == ["urn:w document", "urn:w body"]
