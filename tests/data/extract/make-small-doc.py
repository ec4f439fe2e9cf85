#!/usr/bin/python3
# make-small-doc.py - writes the compound-file fixtures of test-extract:
#   python3 make-small-doc.py small.doc
#   python3 make-small-doc.py --encrypted encrypted.docx  (the streams of a password-protected
#   Office 2007+ file, EncryptionInfo and EncryptedPackage, with placeholder contents)
# Writes a minimal Word 97 compound file: WordDocument in regular sectors, 1Table in the mini stream.
import struct, sys
encrypted = sys.argv[1] == '--encrypted'
if encrypted:
    sys.argv.pop(1)
END, FREE, FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
t1 = "Quyet dinh\r".encode('cp1252')
t2 = ('Số: 12/QĐ\x1eUBND\x07Hà Nội\x07\x07\x13 HYPERLINK "http://vbpl.vn" \x14vbpl.vn\x15\r').encode('utf-16-le')
t3 = 'Chú thích: theo Luật 2015.\r'.encode('utf-16-le')   # footnote story
t4 = 'TIÊU ĐỀ TRANG\r'.encode('utf-16-le')                 # header story, not indexed
n1, n2, n3, n4 = len(t1), len(t2) // 2, len(t3) // 2, len(t4) // 2
word = bytearray(4096)
struct.pack_into('<HHH', word, 0, 0xA5EC, 0x00C1, 0)
struct.pack_into('<H', word, 0x0A, 0x0200)
pos = 32
struct.pack_into('<H', word, pos, 14); pos += 2 + 28
struct.pack_into('<H', word, pos, 22)
struct.pack_into('<III', word, pos + 2 + 3 * 4, n1 + n2, n3, n4)  # ccpText, ccpFtn, ccpHdd
pos += 2 + 88
struct.pack_into('<H', word, pos, 93)
cps = [0, n1, n1 + n2, n1 + n2 + n3, n1 + n2 + n3 + n4]
clx = bytes([2]) + struct.pack('<I', 4 * 5 + 8 * 4) + struct.pack('<5I', *cps) + \
      struct.pack('<HIH', 0, (0x800 * 2) | 0x40000000, 0) + struct.pack('<HIH', 0, 0xA00, 0) + \
      struct.pack('<HIH', 0, 0xC00, 0) + struct.pack('<HIH', 0, 0xD00, 0)
struct.pack_into('<II', word, pos + 2 + 33 * 8, 0, len(clx))
word[0x800:0x800 + n1] = t1
word[0xA00:0xA00 + len(t2)] = t2
word[0xC00:0xC00 + len(t3)] = t3
word[0xD00:0xD00 + len(t4)] = t4
table = clx + bytes(64 - len(clx) % 64 if len(clx) % 64 else 0)
mini = table + bytes(512 - len(table))
hdr = bytearray(512)
hdr[0:8] = bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
struct.pack_into('<HHHHH', hdr, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
struct.pack_into('<IIIIIIII', hdr, 0x2C, 1, 1, 0, 4096, 2, 1, END, 0)
for i in range(109): struct.pack_into('<I', hdr, 0x4C + 4 * i, 0 if i == 0 else FREE)
fat = [FATSECT, END, END] + [4, 5, 6, 7, 8, 9, 10, END] + [END] + [FREE] * (128 - 12)
fat_sec = struct.pack('<128I', *fat)
def entry(name, typ, start, size, left=FREE, right=FREE, child=FREE):
    e = bytearray(128)
    nm = (name + '\0').encode('utf-16-le'); e[0:len(nm)] = nm
    struct.pack_into('<HBB', e, 0x40, len(nm), typ, 1)
    struct.pack_into('<III', e, 0x44, left, right, child)
    struct.pack_into('<II', e, 0x74, start, size)
    return bytes(e)
names = ('EncryptionInfo', 'EncryptedPackage') if encrypted else ('WordDocument', '1Table')
d = entry('Root Entry', 5, 11, 512, child=1) + entry(names[0], 2, 3, 4096, right=2) + \
    entry(names[1], 2, 0, len(clx)) + bytes(128)
minifat = struct.pack('<128I', *([END] + [FREE] * 127))
out = bytes(hdr) + fat_sec + d + minifat + bytes(word) + mini
open(sys.argv[1], 'wb').write(out)
