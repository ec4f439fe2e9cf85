#!/usr/bin/python3
# make-pdf-fixtures.py - writes two small PDFs of test-extract: python3 make-pdf-fixtures.py [DIR]
#   scan.pdf            a one-page scan: the page is an image and nothing else (no font, no
#                       text), as a scanner or a fax server writes it
#   anonymous-title.pdf a text page whose Info dictionary is the one ReportLab writes when
#                       nobody gave a title: "(anonymous)" is not a title
import os, sys, zlib

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def pdf(objects, info=None):
    """A PDF of @objects (bytes, numbered from 1; 1 is the catalog), with a correct xref."""
    body = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for i, o in enumerate(objects, 1):
        offsets.append(len(body))
        body += b'%d 0 obj\n' % i + o + b'\nendobj\n'
    xref = len(body)
    body += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    body += b''.join(b'%010d 00000 n \n' % o for o in offsets)
    trailer = b'<< /Size %d /Root 1 0 R' % (len(objects) + 1)
    if info is not None:
        trailer += b' /Info %d 0 R' % info
    body += b'trailer\n' + trailer + b' >>\nstartxref\n%d\n%%%%EOF\n' % xref
    return bytes(body)


def stream(data, extra=b''):
    return b'<< /Length %d%s >>\nstream\n' % (len(data), extra) + data + b'\nendstream'


# A 400 x 160 grey page of "typed lines": dark bars on light paper, with some noise.
w, h = 400, 160
pixels = bytearray()
for y in range(h):
    for x in range(w):
        ink = (y // 12) % 2 == 1 and 30 < x < 370 - (y * 7) % 90 and (x // 5 + y) % 7 != 0
        pixels.append(40 if ink else 235 - (x * 31 + y * 17) % 12)
image = stream(zlib.compress(bytes(pixels), 9),
               b' /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray'
               b' /BitsPerComponent 8 /Filter /FlateDecode' % (w, h))
draw = b'q 500 0 0 200 56 560 cm /Im1 Do Q'
open(os.path.join(out, 'scan.pdf'), 'wb').write(pdf([
    b'<< /Type /Catalog /Pages 2 0 R >>',
    b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R'
    b' /Resources << /XObject << /Im1 5 0 R >> /ProcSet [/PDF /ImageB] >> >>',
    stream(draw),
    image,
    b'<< /Producer (scan.pdf of tracuu\'s tests) /CreationDate (D:20130122090000+07\'00\') >>',
], info=6))

text = (b'BT /F1 12 Tf 72 720 Td (BO GIAO DUC VA DAO TAO) Tj 0 -16 Td (So: 2154/BGDDT-CNTT) Tj'
        b' 0 -16 Td (Kinh gui: So Giao duc va Dao tao cac tinh) Tj ET')
open(os.path.join(out, 'anonymous-title.pdf'), 'wb').write(pdf([
    b'<< /Type /Catalog /Pages 2 0 R >>',
    b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R'
    b' /Resources << /Font << /F1 5 0 R >> >> >>',
    stream(text),
    b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    b"<< /Author (\\(anonymous\\)) /CreationDate (D:20260814104628+07'00') /Creator"
    b" (\\(unspecified\\)) /Keywords () /ModDate (D:20260814104628+07'00') /Producer (ReportLab"
    b" PDF Library - \\(opensource\\)) /Subject (\\(unspecified\\)) /Title (\\(anonymous\\))"
    b" /Trapped /False >>",
], info=6))
