#!/usr/bin/env python3
"""Regenerate the binary cases of the corpus: tests/corpus/beam/*.beam and
tests/corpus/tarball/*.tar*. The files are kept in git (tests read them as
they are); run this only to change or add a case:

    python3 tests/corpus/generate.py      # needs erlc and GNU tar

The .expect files are written by hand (see README.md).
"""
import gzip
import io
import os
import struct
import subprocess
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def chunks_of(beam):
    """[(id, data)] of a BEAM file."""
    assert beam[:4] == b"FOR1" and beam[8:12] == b"BEAM"
    pos, out = 12, []
    while pos < len(beam):
        cid, n = beam[pos:pos + 4], struct.unpack(">I", beam[pos + 4:pos + 8])[0]
        out.append((cid, beam[pos + 8:pos + 8 + n]))
        pos += 8 + ((n + 3) & ~3)
    return out


def build(chunks, size_delta=0, form=b"BEAM"):
    body = b""
    for cid, data in chunks:
        body += cid + struct.pack(">I", len(data)) + data + b"\0" * ((4 - len(data) % 4) % 4)
    return b"FOR1" + struct.pack(">I", len(body) + 4 + size_delta) + form + body


def beams(out):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "bad.erl"), "w") as f:
            f.write("-module(bad).\n-export([hello/0]).\nhello() -> ok.\n")
        subprocess.run(["erlc", "bad.erl"], cwd=d, check=True)
        good = open(os.path.join(d, "bad.beam"), "rb").read()
    ch = chunks_of(good)
    ids = [c for c, _ in ch]
    cases = {}
    cases["text"] = b"this is not a BEAM file\n"
    cases["empty"] = b""
    cases["truncated"] = good[: len(good) // 2]
    cases["size-too-small"] = build(ch, size_delta=-8)
    cases["form-not-beam"] = build(ch, form=b"JUNK")
    # a chunk claiming more bytes than the file has
    bad = bytearray(build(ch))
    off = 12 + 4  # length field of the first chunk
    bad[off:off + 4] = struct.pack(">I", 0x7FFFFF00)
    cases["chunk-overflow"] = bytes(bad)
    cases["duplicate-chunk"] = build(ch + [ch[-1]])
    cases["bad-chunk-id"] = build([(b"\x01\x02\x03\x04", b"x")] + ch)
    cases["no-atom-table"] = build([(c, d) for c, d in ch if c not in (b"AtU8", b"Atom")])
    atoms = dict(ch).get(b"AtU8")
    cases["atoms-truncated"] = build([(c, d[:6] if c == b"AtU8" else d) for c, d in ch])
    cases["atoms-count-lies"] = build(
        [(c, struct.pack(">I", 100000) + d[4:] if c == b"AtU8" else d) for c, d in ch])
    cases["no-code-chunk"] = build([(c, d) for c, d in ch if c != b"Code"])
    cases["gzip-corrupt"] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-not-deflate"
    cases["gzip-truncated"] = gzip.compress(good)[:-20]
    cases["gzip-trailing-garbage"] = gzip.compress(good) + b"trailing"
    cases["gzip-of-text"] = gzip.compress(b"hello, not a beam\n")
    cases["only-header"] = b"FOR1\0\0\0\4BEAM"
    assert atoms is not None and "Code" in str(ids)
    for name, data in cases.items():
        with open(os.path.join(out, name + ".beam"), "wb") as f:
            f.write(data)


def tarballs(out):
    """Release tarballs with one unsafe thing each, beside a plausible
    release (bin/r, releases/start_erl.data), so the unsafe entry is what
    is refused."""

    def base(t):
        for name, data, mode in (("bin/r", b"#!/bin/sh\necho r\n", 0o755),
                                 ("releases/start_erl.data", b"13.1.5 1", 0o644)):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode = len(data), mode
            t.addfile(ti, io.BytesIO(data))

    def write(name, extra, compress=True):
        path = os.path.join(out, name + (".tar.gz" if compress else ".tar"))
        with tarfile.open(path, "w:gz" if compress else "w", format=tarfile.GNU_FORMAT) as t:
            base(t)
            for ti, data in extra:
                t.addfile(ti, io.BytesIO(data) if data is not None else None)

    def f(name, data=b"x", **kw):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        for k, v in kw.items():
            setattr(ti, k, v)
        return ti, data

    def special(name, kind, **kw):
        ti = tarfile.TarInfo(name)
        ti.type = kind
        for k, v in kw.items():
            setattr(ti, k, v)
        return ti, None

    write("dotdot", [f("../evil")])
    write("dotdot-inside", [f("lib/../../evil")])
    write("absolute", [f("/tmp/relman-evil")])
    write("symlink-escapes", [special("lib/x", tarfile.SYMTYPE, linkname="../../../etc")])
    write("symlink-absolute", [special("lib/passwd", tarfile.SYMTYPE, linkname="/etc/passwd")])
    write("through-symlink", [special("lib/d", tarfile.SYMTYPE, linkname="."),
                              f("lib/d/file")])
    write("hardlink", [special("lib/h", tarfile.LNKTYPE, linkname="bin/r")])
    write("char-device", [special("lib/null", tarfile.CHRTYPE, devmajor=1, devminor=3)])
    write("block-device", [special("lib/sda", tarfile.BLKTYPE, devmajor=8, devminor=0)])
    write("fifo", [special("lib/pipe", tarfile.FIFOTYPE)])
    write("duplicate", [f("bin/r", b"#!/bin/sh\necho other\n", mode=0o755)])
    write("setuid-dotdot", [f("../../usr/local/bin/x", mode=0o4755)])
    write("empty-name", [f("./")])
    # not a tarball at all, and one cut short
    with open(os.path.join(out, "not-a-tarball.tar.gz"), "wb") as fh:
        fh.write(b"this is not a tarball\n" * 20)
    ok = io.BytesIO()
    with tarfile.open(fileobj=ok, mode="w:gz") as t:
        base(t)
        big = os.urandom(200000)
        ti = tarfile.TarInfo("lib/big")
        ti.size = len(big)
        t.addfile(ti, io.BytesIO(big))
    with open(os.path.join(out, "truncated.tar.gz"), "wb") as fh:
        fh.write(ok.getvalue()[: len(ok.getvalue()) // 2])
    # a huge (sparse) entry: 3 GiB that take no room, packed by GNU tar
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "bin"))
        os.makedirs(os.path.join(d, "releases"))
        with open(os.path.join(d, "bin", "r"), "w") as fh:
            fh.write("#!/bin/sh\n")
        with open(os.path.join(d, "releases", "start_erl.data"), "w") as fh:
            fh.write("13.1.5 1")
        with open(os.path.join(d, "huge"), "wb") as fh:
            fh.truncate(3 << 30)
        subprocess.run(["tar", "--sparse", "--owner=0", "--group=0", "-czf",
                        os.path.join(out, "sparse-huge.tar.gz"), "bin", "releases", "huge"],
                       cwd=d, check=True)


if __name__ == "__main__":
    beams(os.path.join(HERE, "beam"))
    tarballs(os.path.join(HERE, "tarball"))
