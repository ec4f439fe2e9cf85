#!/usr/bin/python3
# make-small-docx.py - writes small.docx, the DOCX fixture of test-extract: python3 make-small-docx.py small.docx
# Tabs, a non-breaking hyphen, a table cell with a line break, a deleted revision, a text box
# written twice (mc:Choice and mc:Fallback), a footnote and core properties.
import io, sys, zipfile
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
box = '<w:txbxContent><w:p><w:r><w:t>Nơi nhận: như trên</w:t></w:r></w:p></w:txbxContent>'
doc = f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W} {MC}><w:body><w:p><w:r><w:t>Số: 12/QĐ</w:t><w:noBreakHyphen/><w:t>UBND</w:t></w:r><w:r><w:tab/><w:t>Hà Nội</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t><w:br/><w:t>b</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:del><w:r><w:delText>bỏ đi</w:delText></w:r></w:del></w:p><w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice><mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p></w:body></w:document>'''
notes = f'''<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>Theo Nghị định 30/2020/NĐ-CP.</w:t></w:r></w:p></w:footnote></w:footnotes>'''
core = '''<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Quyết định</dc:title><dcterms:created>2024-05-02T08:00:00Z</dcterms:created></cp:coreProperties>'''
b = io.BytesIO()
with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
    for name, text in (('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
                       ('word/document.xml', doc), ('word/footnotes.xml', notes), ('docProps/core.xml', core)):
        info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, text)
open(sys.argv[1], 'wb').write(b.getvalue())
