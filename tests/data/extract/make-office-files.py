#!/usr/bin/python3
# make-office-files.py - writes the test-extract fixtures that a real office suite made, from the
# .fodt sources beside it: python3 make-office-files.py [DIR]   (DIR: where to write, default here)
# Needs LibreOffice (Debian: libreoffice-writer-nogui); its outputs are committed, so the tests
# do not. Written:
#   quyet-dinh.doc  Word 97 by LibreOffice's "MS Word 97" filter: a header table, a footnote, a
#                   page header, and the title (code page 65001) and date in SummaryInformation
#   vni-title.doc   the same file with its title rewritten as Word on a windows-1252 system keeps
#                   a title typed in a VNI font: code page 1252 and the font's bytes
#   luat.docx       a law by the "MS Word 2007 XML" filter: header cells, a line break in the
#                   title, tabs, and a dc:title whose layout spaces must become one
import os, shutil, struct, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else here
soffice = shutil.which('soffice')
if soffice is None:
    sys.exit('make-office-files.py: needs soffice (apt-get install libreoffice-writer-nogui)')


def convert(src, fmt):
    with tempfile.TemporaryDirectory() as home:
        subprocess.run([soffice, '-env:UserInstallation=file://' + home, '--headless',
                        '--convert-to', fmt, '--outdir', out, os.path.join(here, src)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Cfb:
    """Just enough of a compound file to rewrite one stream in place, through its chain."""

    def __init__(self, data):
        self.d = bytearray(data)
        self.ss = 1 << struct.unpack_from('<H', data, 0x1E)[0]
        n_fat, dir_start, _, self.cutoff, mf_start, n_mf = struct.unpack_from('<6I', data, 0x2C)
        self.fat = []
        for s in struct.unpack_from('<109I', data, 0x4C)[:n_fat]:
            self.fat += struct.unpack_from('<%dI' % (self.ss // 4), data, self.off(s))
        self.minifat = []
        for s in self.chain(mf_start, self.fat):
            self.minifat += struct.unpack_from('<%dI' % (self.ss // 4), data, self.off(s))
        self.entries = {}
        for s in self.chain(dir_start, self.fat):
            for e in range(self.off(s), self.off(s) + self.ss, 128):
                n = struct.unpack_from('<H', data, e + 0x40)[0]
                name = data[e:e + max(n - 2, 0)].decode('utf-16-le')
                self.entries[name] = struct.unpack_from('<II', data, e + 0x74)
        self.root = self.chain(self.entries['Root Entry'][0], self.fat)

    def off(self, s):
        return 512 + s * self.ss

    def chain(self, s, table):
        out = []
        while s < 0xFFFFFFFA:
            out.append(s)
            s = table[s]
        return out

    def places(self, name):
        """File offsets and lengths of the pieces of stream @name, in order."""
        start, size = self.entries[name]
        if size >= self.cutoff:
            return [(self.off(s), self.ss) for s in self.chain(start, self.fat)], size
        pieces = []
        for m in self.chain(start, self.minifat):
            big = self.root[m * 64 // self.ss]
            pieces.append((self.off(big) + m * 64 % self.ss, 64))
        return pieces, size

    def read(self, name):
        pieces, size = self.places(name)
        return bytearray(b''.join(self.d[o:o + n] for o, n in pieces)[:size])

    def write(self, name, data):
        pieces, size = self.places(name)
        assert len(data) == size
        at = 0
        for o, n in pieces:
            k = min(n, size - at)
            self.d[o:o + k] = data[at:at + k]
            at += k


def vni_title(src, dst, title):
    """Copies the .doc @src to @dst with its title set to the bytes @title in code page 1252."""
    cfb = Cfb(open(src, 'rb').read())
    s = cfb.read('\x05SummaryInformation')
    base = struct.unpack_from('<I', s, 44)[0]
    for i in range(struct.unpack_from('<I', s, base + 4)[0]):
        pid, off = struct.unpack_from('<II', s, base + 8 + 8 * i)
        v = base + off
        if pid == 1:  # the code page, a VT_I2
            struct.pack_into('<H', s, v + 4, 1252)
        elif pid == 2:  # the title, a VT_LPSTR: the new bytes, NUL-padded to the old length
            n = struct.unpack_from('<I', s, v + 4)[0]
            assert len(title) < n
            s[v + 8:v + 8 + n] = title + bytes(n - len(title))
    cfb.write('\x05SummaryInformation', s)
    open(dst, 'wb').write(cfb.d)


convert('quyet-dinh.fodt', 'doc:MS Word 97')
convert('luat.fodt', 'docx:MS Word 2007 XML')
# "Quyết định thành lập Tổ công tác" typed in VNI-Times, as Latin-1 bytes.
vni_title(os.path.join(out, 'quyet-dinh.doc'), os.path.join(out, 'vni-title.doc'),
          b'Quye\xe1t \xf1\xf2nh tha\xf8nh la\xe4p To\xe5 co\xe2ng ta\xf9c')
