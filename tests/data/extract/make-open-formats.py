#!/usr/bin/python3
# make-open-formats.py - writes the ODT, ODS and XLSX fixtures of test-extract with python's
# zipfile, following the structure LibreOffice and Excel write (no office suite needed):
#   python3 make-open-formats.py [DIR]   (DIR: where to write, default here)
# Written:
#   cong-van.odt  a letter: heading, paragraphs with text:s and text:tab, a table of two rows,
#                 a footnote, a comment and a tracked deletion (neither is text), meta.xml title
#   bang-luong.ods two sheets: cells with numbers and Vietnamese text, repeated empty cells and
#                 rows, a cell of two paragraphs; meta.xml title and creation date
#   danh-sach.xlsx two sheets in workbook order (not file order), shared and inline strings,
#                 numbers, a rich-text run; docProps/core.xml title and creation date
import os, sys, zipfile

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else here

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')


def write_zip(name, entries):
    """@entries: (name, text) in order; an ODF "mimetype" goes first and stored, as ODF 1.2
    section 3.3 requires, so that libmagic knows the file by its first bytes."""
    path = os.path.join(out, name)
    with zipfile.ZipFile(path, 'w') as z:
        for entry, text in entries:
            info = zipfile.ZipInfo(entry, date_time=(2024, 5, 2, 8, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if entry == 'mimetype' else zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode('utf-8'))


def odf(name, mime, body, title, created):
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                'manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>' % mime)
    meta = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<office:document-meta %s office:version="1.2"><office:meta>'
            '<meta:generator>make-open-formats.py</meta:generator>'
            '<dc:title>%s</dc:title><meta:creation-date>%s</meta:creation-date>'
            '</office:meta></office:document-meta>' % (NS, title, created))
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<office:document-content %s office:version="1.2">'
               '<office:font-face-decls><style:font-face style:name="Times New Roman"/>'
               '</office:font-face-decls><office:automatic-styles/>'
               '<office:body>%s</office:body></office:document-content>' % (NS, body))
    write_zip(name, [('mimetype', mime), ('content.xml', content), ('meta.xml', meta),
                     ('META-INF/manifest.xml', manifest)])


odf('cong-van.odt', 'application/vnd.oasis.opendocument.text',
    '<office:text><text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>'
    '<table:table table:name="Header"><table:table-column table:number-columns-repeated="2"/>'
    '<table:table-row><table:table-cell><text:p>ỦY BAN NHÂN DÂN</text:p>'
    '<text:p>TỈNH BẮC NINH</text:p></table:table-cell>'
    '<table:table-cell><text:p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</text:p></table:table-cell>'
    '</table:table-row>'
    '<table:table-row><table:table-cell><text:p>Số: 45/UBND-VX</text:p></table:table-cell>'
    '<table:table-cell><text:p>Bắc Ninh, ngày 12 tháng 3 năm 2021</text:p></table:table-cell>'
    '<table:covered-table-cell/></table:table-row></table:table>'
    '<text:h text:outline-level="1">V/v triển khai chuyển đổi số</text:h>'
    '<text:p>Kính gửi:<text:tab/>Các sở, ban, ngành<text:s text:c="3"/>tỉnh.</text:p>'
    '<text:p>Căn cứ Thông tư 39/2017/TT-BTTTT<text:note text:note-class="footnote">'
    '<text:note-citation>1</text:note-citation><text:note-body>'
    '<text:p>Danh mục tiêu chuẩn kỹ thuật về ứng dụng công nghệ thông tin.</text:p>'
    '</text:note-body></text:note>, đề nghị các đơn vị thực hiện.</text:p>'
    '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>'
    '<text:p>câu đã xóa</text:p></text:deletion></text:changed-region></text:tracked-changes>'
    '<text:p><office:annotation><dc:creator>Văn thư</dc:creator><text:p>ghi chú nội bộ</text:p>'
    '</office:annotation>Nơi nhận:<text:line-break/>- Như trên;</text:p>'
    '</office:text>',
    'Công văn về chuyển đổi số', '2021-03-12T08:30:00')

odf('bang-luong.ods', 'application/vnd.oasis.opendocument.spreadsheet',
    '<office:spreadsheet><table:table table:name="Lương tháng 3">'
    '<table:table-column table:number-columns-repeated="1024"/>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Họ và tên</text:p>'
    '</table:table-cell><table:table-cell office:value-type="string"><text:p>Chức vụ</text:p>'
    '</table:table-cell><table:table-cell office:value-type="string"><text:p>Lương</text:p>'
    '</table:table-cell><table:table-cell table:number-columns-repeated="1021"/></table:table-row>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Nguyễn Văn An</text:p>'
    '</table:table-cell><table:table-cell office:value-type="string"><text:p>Trưởng phòng</text:p>'
    '</table:table-cell><table:table-cell office:value-type="float" office:value="12500000">'
    '<text:p>12500000</text:p></table:table-cell>'
    '<table:table-cell table:number-columns-repeated="1021"/></table:table-row>'
    '<table:table-row table:number-rows-repeated="1000"><table:table-cell '
    'table:number-columns-repeated="1024"/></table:table-row>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Trần Thị Bình</text:p>'
    '</table:table-cell><table:table-cell office:value-type="string"><text:p>Chuyên viên</text:p>'
    '<text:p>phòng Tổ chức</text:p></table:table-cell><table:table-cell '
    'office:value-type="float" office:value="9800000"><text:p>9800000</text:p>'
    '</table:table-cell></table:table-row></table:table>'
    '<table:table table:name="Ghi chú"><table:table-row><table:table-cell '
    'office:value-type="string"><text:p>Quyết định số 12/QĐ-UBND</text:p></table:table-cell>'
    '</table:table-row></table:table></office:spreadsheet>',
    'Bảng lương tháng 3 năm 2021', '2021-03-31T16:00:00')

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PKG = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
OD = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'


def cell(ref, kind, value):
    if kind == 's':
        return '<c r="%s" t="s"><v>%d</v></c>' % (ref, value)
    if kind == 'inline':
        return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, value)
    return '<c r="%s"><v>%s</v></c>' % (ref, value)


strings = ['STT', 'Đơn vị', 'Số văn bản', 'Sở Thông tin và Truyền thông', 'Sở Nội vụ']
sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst %s count="%d" '
       'uniqueCount="%d">' % (MAIN, len(strings) + 1, len(strings) + 1)
       + ''.join('<si><t>%s</t></si>' % s for s in strings)
       + '<si><r><rPr><b/></rPr><t>Văn phòng </t></r><r><t>UBND tỉnh</t></r>'
         '<rPh sb="0" eb="1"><t>ふりがな</t></rPh></si></sst>')
sheet_units = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet %s><sheetData>'
               '<row r="1">%s%s%s</row>'
               '<row r="2">%s%s%s</row>'
               '<row r="3">%s%s%s</row>'
               '<row r="5">%s%s</row>'
               '</sheetData></worksheet>' % (
                   MAIN, cell('A1', 's', 0), cell('B1', 's', 1), cell('C1', 's', 2),
                   cell('A2', 'n', 1), cell('B2', 's', 3), cell('C2', 'inline', '45/STTTT-CĐS'),
                   cell('A3', 'n', 2), cell('B3', 's', 4), cell('C3', 'inline', '102/SNV-TCBC'),
                   cell('A5', 'n', 3), cell('B5', 's', 5)))
sheet_notes = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet %s><sheetData><row r="1">%s</row></sheetData></worksheet>'
               % (MAIN, cell('A1', 'inline', 'Tổng hợp đến ngày 15 tháng 4')))
workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook %s %s><sheets>'
            '<sheet name="Danh sách" sheetId="1" r:id="rId2"/>'
            '<sheet name="Ghi chú" sheetId="2" r:id="rId1"/>'
            '</sheets></workbook>' % (MAIN, REL))
wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships %s>'
           '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
           '<Relationship Id="rId2" Type="%s/worksheet" Target="worksheets/sheet2.xml"/>'
           '<Relationship Id="rId3" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
           '</Relationships>' % (PKG, OD, OD, OD))
content_types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                 '<Override PartName="/docProps/core.xml" ContentType="application/vnd.'
                 'openxmlformats-package.core-properties+xml"/></Types>')
root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships %s>'
             '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/>'
             '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
             'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
             '</Relationships>' % (PKG, OD))
core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:title>Danh sách văn bản   đến</dc:title>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2021-04-15T02:00:00Z</dcterms:created>'
        '</cp:coreProperties>')
write_zip('danh-sach.xlsx', [
    ('[Content_Types].xml', content_types), ('_rels/.rels', root_rels),
    ('docProps/core.xml', core), ('xl/workbook.xml', workbook),
    ('xl/_rels/workbook.xml.rels', wb_rels), ('xl/worksheets/sheet1.xml', sheet_notes),
    ('xl/worksheets/sheet2.xml', sheet_units), ('xl/sharedStrings.xml', sst)])
