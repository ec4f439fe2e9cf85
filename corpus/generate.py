#!/usr/bin/python3
# generate.py - writes the sample archive (corpus/archive/) and its expected metadata.
#
# Usage: /usr/bin/python3 corpus/generate.py [--renderer build/corpus/tracuu-corpus-pdf]
#
# The documents come from corpus/documents.txt; the mail is described below. PDFs are drawn by
# tracuu-corpus-pdf (pango and cairo); DOCX, HTML, text, .eml, mbox and Maildir are written
# here with the standard library, byte by byte where the encoding is the point of the test
# (consecutive base64 encoded-words, windows-1258, TCVN5712-1, VISCII, raw 8-bit headers).
# Running it again gives the same files. corpus/expected.json is what the tests check.

import argparse
import base64
import io
import json
import os
import quopri
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import urllib.parse
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ARCHIVE = os.path.join(HERE, "archive")

STATE_MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def docnum_key(s):
    """A document number compared loosely: any dash, spaces around it, any case."""
    for dash in ("\u2013", "\u2014", "\u2212"):
        s = s.replace(dash, "-")
    return s.replace(" - ", "-").replace(" -", "-").replace("- ", "-").lower()


def parse_documents(path):
    docs = []
    text = open(path, encoding="utf-8").read()
    records = [r for r in text.split("\n=====\n")]
    for rec in records:
        lines = [l for l in rec.split("\n") if not l.startswith("#")]
        if "---" not in lines:
            continue
        sep = lines.index("---")
        fields = {}
        for l in lines[:sep]:
            if not l.strip():
                continue
            k, _, v = l.partition(":")
            fields[k.strip()] = v.strip()
        body = [l for l in lines[sep + 1:] if l.strip()]
        fields["body"] = body
        fields["cites"] = [c.strip() for c in fields.get("cites", "").split(";") if c.strip()]
        for c in fields["cites"]:
            if not any(docnum_key(c) in docnum_key(b) for b in body):
                sys.exit(f"generate.py: {fields['id']}: cited {c} is not in the body")
        docs.append(fields)
    return docs


def date_line(doc):
    """Place and date as Nghị định 30/2020 writes them: days below 10 and months 1 and 2
    with a leading zero."""
    y, m, d = (int(x) for x in doc["date"].split("-"))
    month = f"{m:02d}" if m < 3 else str(m)
    return f"{doc['place']}, ngày {d:02d} tháng {month} năm {y}"


def number_line(doc):
    # Party documents write "Số 64-TB/VPTW", state documents "Số: 34/2008/CT-TTg".
    return ("Số " if doc.get("motto") else "Số: ") + doc["number"]


def is_letter(doc):
    return doc["type"] == "Công văn"


def header_columns(doc):
    left = doc["header"].split("|") + [number_line(doc)]
    if is_letter(doc):
        left.append(doc["title"])
    right = [doc["motto"]] if doc.get("motto") else list(STATE_MOTTO)
    right.append(date_line(doc))
    return left, right


def layout_text(doc):
    """The @-prefixed layout that tracuu-corpus-pdf draws."""
    left, right = header_columns(doc)
    out = [f"@L {l}" for l in left] + [f"@R {r}" for r in right]
    if not is_letter(doc):
        out.append(f"@C {doc['type'].upper()}")
        out.append(f"@C {doc['title']}")
    out += doc["body"]
    out.append("")
    out += ["@L Nơi nhận:", "@L - Như trên;", "@L - Lưu: VT."]
    out += [f"@R {r}" for r in doc["role"].split("|")] + ["@R (Đã ký)", f"@R {doc['signer']}"]
    return "\n".join(out) + "\n"


def plain_lines(doc):
    """The same document as plain text lines, header columns one after the other."""
    left, right = header_columns(doc)
    out = left + right
    if not is_letter(doc):
        out += [doc["type"].upper(), doc["title"]]
    for b in doc["body"]:
        out.append(b[3:] if b.startswith("@C ") else b)
    if True:
        out += ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
        out += doc["role"].split("|") + [doc["signer"]]
    return [l for l in out if l != "@PAGE"]


def render_pdf(renderer, doc, out_path):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write(layout_text(doc))
        tmp = f.name
    try:
        subprocess.run([renderer, "--title", f"{doc['type']} {doc['number']}",
                        "--date", doc["date"] + "T08:00:00", tmp, out_path], check=True)
    finally:
        os.unlink(tmp)


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_zip(path, members):
    # Fixed timestamps keep the DOCX byte-identical from run to run.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def docx_bytes(doc):
    paras = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{xml_escape(l)}</w:t></w:r></w:p>'
        for l in plain_lines(doc))
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:body>{paras}</w:body></w:document>')
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{xml_escape(doc["type"] + " " + doc["number"])}</dc:title>'
            f'<dc:creator>{xml_escape(doc["issuer"])}</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{doc["date"]}T08:00:00Z</dcterms:created>'
            '</cp:coreProperties>')
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
             '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
             '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '</Relationships>')
    buf = io.BytesIO()
    write_zip(buf, [("[Content_Types].xml", types), ("_rels/.rels", rels),
                    ("word/document.xml", document), ("docProps/core.xml", core)])
    return buf.getvalue()


def html_text(doc):
    left, right = header_columns(doc)
    rows = "".join(f"<tr><td>{xml_escape(l)}</td><td>{xml_escape(r)}</td></tr>"
                   for l, r in zip(left + [""] * 5, right + [""] * 5) if l or r)
    body = "".join(f"<p>{xml_escape(b)}</p>" for b in doc["body"])
    sign = "<br>".join(xml_escape(x) for x in doc["role"].split("|") + [doc["signer"]])
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
            f'<title>{xml_escape(doc["type"] + " " + doc["number"])}</title>'
            f'<style>p {{ text-align: justify; }}</style><script>var x = "không phải văn bản";</script>'
            f'</head><body><table>{rows}</table>'
            f'<h2>{xml_escape(doc["type"].upper())}</h2><h3>{xml_escape(doc["title"])}</h3>'
            f'{body}<p><b>{sign}</b></p></body></html>\n')


def iconv(text, charset):
    return subprocess.run(["iconv", "-f", "UTF-8", "-t", charset], input=text.encode("utf-8"),
                          stdout=subprocess.PIPE, check=True).stdout


# ---- mail ----

def b_words(text, charset="UTF-8", chunk_words=1):
    """RFC 2047 B encoding, one encoded-word per word: most come out padded with '=', which is
    what GMime 3.2.13 mishandles (jstedfast/gmime#133)."""
    words = text.split(" ")
    out = []
    for i in range(0, len(words), chunk_words):
        piece = " ".join(words[i:i + chunk_words])
        if i:
            piece = " " + piece
        data = piece.encode("utf-8") if charset.upper() == "UTF-8" else iconv(piece, charset)
        out.append(f"=?{charset}?B?{base64.b64encode(data).decode()}?=")
    return "\r\n ".join(out)


def q_word(text, charset="UTF-8"):
    data = text.encode("utf-8") if charset.upper() == "UTF-8" else iconv(text, charset)
    enc = ""
    for byte in data:
        c = chr(byte)
        if c == " ":
            enc += "_"
        elif c.isalnum() and byte < 128:
            enc += c
        else:
            enc += "=%02X" % byte
    return f"=?{charset}?Q?{enc}?="


def qp(data):
    return quopri.encodestring(data).decode("ascii").replace("\n", "\r\n")


def b64_lines(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def header_block(headers):
    return "".join(f"{k}: {v}\r\n" for k, v in headers)


class Part:
    def __init__(self, ctype, body_bytes, cte=None, disposition=None, extra=None):
        self.ctype, self.body, self.cte = ctype, body_bytes, cte
        self.disposition, self.extra = disposition, extra or []

    def bytes(self):
        h = [("Content-Type", self.ctype)]
        if self.cte:
            h.append(("Content-Transfer-Encoding", self.cte))
        if self.disposition:
            h.append(("Content-Disposition", self.disposition))
        h += self.extra
        if self.cte == "base64":
            payload = b64_lines(self.body)
        elif self.cte == "quoted-printable":
            payload = qp(self.body)
        else:
            payload = self.body.decode("latin-1")
        return (header_block(h) + "\r\n" + payload + "\r\n").encode("latin-1")


def multipart(subtype, parts, boundary):
    out = b""
    for p in parts:
        out += f"--{boundary}\r\n".encode() + p.bytes()
    out += f"--{boundary}--\r\n".encode()
    return Part(f'multipart/{subtype}; boundary="{boundary}"', out)


def message(headers, part):
    """A whole message: top headers plus the (multi)part's own headers and body."""
    return header_block(headers).encode("latin-1") + b"MIME-Version: 1.0\r\n" + part.bytes()


def attachment(path_or_bytes, filename, ctype, rfc2231=False):
    data = open(path_or_bytes, "rb").read() if isinstance(path_or_bytes, str) else path_or_bytes
    if rfc2231:
        q = urllib.parse.quote(filename, safe="")
        half = len(q) // 2
        while q[half - 1] == "%" or q[half - 2] == "%":
            half += 1
        disp = f"attachment;\r\n filename*0*=utf-8''{q[:half]};\r\n filename*1*={q[half:]}"
        ct = f"{ctype}; name*=utf-8''{q}"
    else:
        disp = f'attachment; filename="{filename}"'
        ct = f'{ctype}; name="{filename}"'
    return Part(ct, data, "base64", disp)


def text_part(text, charset="utf-8", subtype="plain", cte="quoted-printable"):
    data = text.encode("utf-8") if charset.lower() == "utf-8" else iconv(text, charset)
    return Part(f"text/{subtype}; charset={charset}", data, cte)


def build_mail(docs_by_id, pdfs, out):
    """Writes the .eml files, the mbox and the Maildir; returns their expected metadata."""
    expected = []
    thu = os.path.join(out, "thu")
    os.makedirs(thu, exist_ok=True)

    def expect(path, subject, sender, date, msgid, attachments=(), index=None, **kw):
        e = {"path": path, "kind": "mail", "subject": subject, "from": sender, "date": date,
             "message_id": msgid, "attachments": list(attachments)}
        if index is not None:
            e["index"] = index
        e.update(kw)
        expected.append(e)

    def att(doc_id, name, mime="application/pdf"):
        d = docs_by_id[doc_id]
        return {"name": name, "mime": mime, "number": d["number"], "doc_type": d["type"],
                "date": d["date"], "issuer": d["issuer"]}

    # 1. UTF-8 subject in padded base64 words (gmime#133), a PDF attachment.
    subj = "Quyết định số 28/2018/QĐ-TTg về gửi, nhận văn bản điện tử"
    m = message([
        ("From", b_words("Văn phòng Chính phủ", chunk_words=2) + " <vanthu@chinhphu.gov.vn>"),
        ("To", "vanthu@mic.gov.vn"),
        ("Subject", b_words(subj)),
        ("Date", "Mon, 16 Jul 2018 08:30:00 +0700"),
        ("Message-ID", "<qd28-2018@chinhphu.gov.vn>"),
    ], multipart("mixed", [
        text_part("Kính gửi Văn thư Bộ Thông tin và Truyền thông,\n\nVăn phòng Chính phủ gửi "
                  "Quyết định số 28/2018/QĐ-TTg của Thủ tướng Chính phủ về việc gửi, nhận văn "
                  "bản điện tử giữa các cơ quan trong hệ thống hành chính nhà nước.\n\n"
                  "Trân trọng.\n"),
        attachment(pdfs["qd-28-2018"], "QD-28-2018-QD-TTg.pdf", "application/pdf"),
    ], "=_tracuu_1"))
    open(os.path.join(thu, "01-quyet-dinh-28-2018.eml"), "wb").write(m)
    expect("thu/01-quyet-dinh-28-2018.eml", subj, "vanthu@chinhphu.gov.vn", "2018-07-16",
           "qd28-2018@chinhphu.gov.vn", [att("qd-28-2018", "QD-28-2018-QD-TTg.pdf")])

    # 2. Q-encoded subject, HTML body, an attachment with an RFC 2231 file name.
    subj = "Công văn 2117/VPCP-KSTT triển khai Nghị định 30/2020/NĐ-CP"
    html = ("<html><body><p>Kính gửi: <b>Các Bộ, cơ quan ngang Bộ</b>,</p><p>Văn phòng Chính "
            "phủ gửi Công văn số 2117/VPCP-KSTT về việc triển khai Nghị định số 30/2020/NĐ-CP "
            "về công tác văn thư.</p><p>Trân trọng.</p></body></html>")
    m = message([
        ("From", q_word("Cục Kiểm soát thủ tục hành chính") + " <ksttvpcp@chinhphu.gov.vn>"),
        ("To", "vanthu@moha.gov.vn, vanthu@mic.gov.vn"),
        ("Cc", "=?UTF-8?Q?L=C3=A3nh_=C4=91=E1=BA=A1o_V=C4=83n_ph=C3=B2ng?= <lanhdao@chinhphu.gov.vn>"),
        ("Subject", q_word(subj)),
        ("Date", "Tue, 30 Mar 2021 14:05:00 +0700"),
        ("Message-ID", "<cv2117-2021@chinhphu.gov.vn>"),
    ], multipart("mixed", [
        text_part(html, subtype="html", cte="base64"),
        attachment(pdfs["cv-2117-2021-vpcp"], "Công văn 2117-VPCP-KSTT.pdf", "application/pdf",
                   rfc2231=True),
    ], "=_tracuu_2"))
    open(os.path.join(thu, "02-cong-van-2117.eml"), "wb").write(m)
    expect("thu/02-cong-van-2117.eml", subj, "ksttvpcp@chinhphu.gov.vn", "2021-03-30",
           "cv2117-2021@chinhphu.gov.vn",
           [att("cv-2117-2021-vpcp", "Công văn 2117-VPCP-KSTT.pdf")])

    # 3. windows-1258 subject and bodies (multipart/alternative), a reply in a thread.
    subj = "Báo cáo tình hình sử dụng thư điện tử công vụ"
    body = ("Kính gửi Văn phòng Chính phủ,\n\nBộ Thông tin và Truyền thông báo cáo tình hình "
            "sử dụng thư điện tử công vụ sau khi tiếp nhận Quyết định số 28/2018/QĐ-TTg: "
            "100% đơn vị thuộc Bộ đã sử dụng hộp thư công vụ.\n")
    m = message([
        ("From", q_word("Văn thư Bộ TT&TT", "windows-1258") + " <vanthu@mic.gov.vn>"),
        ("To", "vanthu@chinhphu.gov.vn"),
        ("Subject", q_word(subj, "windows-1258")),
        ("Date", "Wed, 18 Jul 2018 10:00:00 +0700"),
        ("Message-ID", "<bc-thu-dien-tu-2018@mic.gov.vn>"),
        ("In-Reply-To", "<qd28-2018@chinhphu.gov.vn>"),
        ("References", "<qd28-2018@chinhphu.gov.vn>"),
    ], multipart("alternative", [
        text_part(body, "windows-1258"),
        text_part("<p>" + body.replace("\n", "<br>") + "</p>", "windows-1258", "html"),
    ], "=_tracuu_3"))
    open(os.path.join(thu, "03-bao-cao-windows-1258.eml"), "wb").write(m)
    expect("thu/03-bao-cao-windows-1258.eml", subj, "vanthu@mic.gov.vn", "2018-07-18",
           "bc-thu-dien-tu-2018@mic.gov.vn", in_reply_to="qd28-2018@chinhphu.gov.vn")

    # 4. A forwarded message (message/rfc822) that itself carries a DOCX.
    inner_subj = "Tờ trình số 56/TTr-SNV về Quy chế công tác văn thư, lưu trữ"
    inner = message([
        ("From", q_word("Sở Nội vụ Nghệ An") + " <sonoivu@nghean.gov.vn>"),
        ("To", "vanthu@nghean.gov.vn"),
        ("Subject", b_words(inner_subj, chunk_words=3)),
        ("Date", "Mon, 10 Jul 2023 16:20:00 +0700"),
        ("Message-ID", "<ttr56-2023@nghean.gov.vn>"),
    ], multipart("mixed", [
        text_part("Sở Nội vụ gửi Tờ trình số 56/TTr-SNV kèm theo.\n"),
        attachment(docx_bytes(docs_by_id["ttr-56-2023-nan"]), "To-trinh-56-TTr-SNV.docx",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ], "=_tracuu_4i"))
    subj = "Fwd: " + inner_subj
    m = message([
        ("From", q_word("Văn phòng UBND tỉnh Nghệ An") + " <vpubnd@nghean.gov.vn>"),
        ("To", "lanhdao@nghean.gov.vn"),
        ("Subject", q_word(subj)),
        ("Date", "Tue, 11 Jul 2023 07:45:00 +0700"),
        ("Message-ID", "<fwd-ttr56-2023@nghean.gov.vn>"),
    ], multipart("mixed", [
        text_part("Chuyển Lãnh đạo tỉnh xem xét Tờ trình của Sở Nội vụ.\n"),
        Part("message/rfc822", inner, None, "attachment"),
    ], "=_tracuu_4"))
    open(os.path.join(thu, "04-chuyen-tiep-to-trinh.eml"), "wb").write(m)
    expect("thu/04-chuyen-tiep-to-trinh.eml", subj, "vpubnd@nghean.gov.vn", "2023-07-11",
           "fwd-ttr56-2023@nghean.gov.vn",
           [{"name": None, "mime": "message/rfc822", "subject": inner_subj,
             "attachments": [att("ttr-56-2023-nan", "To-trinh-56-TTr-SNV.docx",
                                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]}])

    # An mbox: TCVN5712-1, VISCII, ISO-8859-1, and a body line escaped as ">From ".
    mbox = []
    subj_a = "Lịch họp giao ban tuần 38"
    mbox.append((message([
        ("From", "vanphong@quangninh.gov.vn"),
        ("To", "lanhdao@quangninh.gov.vn"),
        ("Subject", b_words(subj_a, "TCVN5712-1", chunk_words=6)),
        ("Date", "Mon, 16 Sep 2024 07:30:00 +0700"),
        ("Message-ID", "<giaoban-38-2024@quangninh.gov.vn>"),
    ], text_part("Cuộc họp giao ban tuần 38 bàn về khắc phục hậu quả cơn bão số 3 tại "
                 "phòng họp số 2, tầng 5 trụ sở Ủy ban nhân dân tỉnh.\n",
                 "TCVN5712-1", cte="8bit")), subj_a, "vanphong@quangninh.gov.vn", "2024-09-16",
                 "giaoban-38-2024@quangninh.gov.vn"))
    subj_b = "Thông báo nghỉ lễ Quốc khánh 2/9"
    mbox.append((message([
        ("From", "congdoan@quangninh.gov.vn"),
        ("To", "toanthe@quangninh.gov.vn"),
        ("Subject", q_word(subj_b, "VISCII")),
        ("Date", "Fri, 30 Aug 2024 15:00:00 +0700"),
        ("Message-ID", "<nghile-2024@quangninh.gov.vn>"),
    ], text_part("Cán bộ, công chức được nghỉ lễ Quốc khánh từ ngày 31/8 đến hết ngày 3/9/2024.\n",
                 "VISCII", cte="8bit")), subj_b, "congdoan@quangninh.gov.vn", "2024-08-30",
                 "nghile-2024@quangninh.gov.vn"))
    subj_c = "Réunion de coopération numérique"
    mbox.append((message([
        ("From", "=?ISO-8859-1?Q?Fran=E7ois_Martin?= <f.martin@ambafrance-vn.example>"),
        ("To", "hoptacquocte@quangninh.gov.vn"),
        ("Subject", "=?ISO-8859-1?Q?R=E9union_de_coop=E9ration_num=E9rique?="),
        ("Date", "Thu, 12 Sep 2024 09:10:00 +0200"),
        ("Message-ID", "<reunion-2024@ambafrance-vn.example>"),
    ], Part("text/plain; charset=iso-8859-1",
            "Madame, Monsieur,\n\nNous proposons une réunion sur la coopération numérique "
            "et le courrier électronique administratif.\n".encode("latin-1"), "8bit")),
        subj_c, "f.martin@ambafrance-vn.example", "2024-09-12",
        "reunion-2024@ambafrance-vn.example"))
    subj_d = "Kế hoạch 87/KH-UBND chuyển đổi số tỉnh Thừa Thiên Huế"
    mbox.append((message([
        ("From", "=?UTF-8?B?U+G7nyBUaMO0bmcgdGluIHbDoCBUcnV54buBbiB0aMO0bmc=?= <stttt@thuathienhue.gov.vn>"),
        ("To", "vanthu@thuathienhue.gov.vn"),
        ("Subject", b_words(subj_d, chunk_words=2)),
        ("Date", "Tue, 13 Apr 2021 08:00:00 +0700"),
        ("Message-ID", "<kh87-2021@thuathienhue.gov.vn>"),
    ], multipart("mixed", [
        text_part("Gửi các đơn vị Kế hoạch chuyển đổi số năm 2021.\n"
                  "From the Department of Information and Communications: see the attachment.\n",
                  cte="8bit"),
        attachment(pdfs["kh-87-2021-tthue"], "KH-87-UBND.pdf", "application/pdf"),
    ], "=_tracuu_5")), subj_d, "stttt@thuathienhue.gov.vn", "2021-04-13",
        "kh87-2021@thuathienhue.gov.vn"))
    with open(os.path.join(thu, "vanthu.mbox"), "wb") as f:
        for i, (msg, *_rest) in enumerate(mbox):
            f.write(b"From tracuu@localhost Mon Jan  1 00:00:00 2024\n")
            for line in msg.replace(b"\r\n", b"\n").split(b"\n"):
                if line.startswith(b"From ") or line.startswith(b">From "):
                    line = b">" + line
                f.write(line + b"\n")
            f.write(b"\n")
    for i, (msg, subj, sender, date, msgid) in enumerate(mbox):
        atts = [att("kh-87-2021-tthue", "KH-87-UBND.pdf")] if msgid.startswith("kh87") else []
        expect("thu/vanthu.mbox", subj, sender, date, msgid, atts, index=i + 1)

    # A Maildir: HTML-only body, a raw 8-bit UTF-8 header, an RFC 2231 continued file name.
    md = os.path.join(thu, "Maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
    bc = docs_by_id["bc-45-2022-qnam"]
    subj = "Báo cáo kết quả thư điện tử công vụ năm 2022"
    m = message([
        ("From", "sotttt@quangnam.gov.vn"), ("To", "vanthu@mic.gov.vn"),
        ("Subject", b_words(subj, chunk_words=4)),
        ("Date", "Wed, 21 Dec 2022 09:00:00 +0700"),
        ("Message-ID", "<bc45-2022@quangnam.gov.vn>"),
    ], text_part(html_text(bc), subtype="html", cte="quoted-printable"))
    open(os.path.join(md, "cur", "1671588000.M1P100.tracuu:2,S"), "wb").write(m)
    expect("thu/Maildir/cur/1671588000.M1P100.tracuu:2,S", subj, "sotttt@quangnam.gov.vn",
           "2022-12-21", "bc45-2022@quangnam.gov.vn")
    subj = "Góp ý dự thảo Quy chế công tác văn thư"
    m = message([
        ("From", "phongvanthu@nghean.gov.vn"), ("To", "sonoivu@nghean.gov.vn"),
        ("Subject", subj.encode("utf-8").decode("latin-1")),
        ("Date", "Fri, 14 Jul 2023 11:30:00 +0700"),
        ("Message-ID", "<gopy-quyche-2023@nghean.gov.vn>"),
    ], text_part("Phòng Văn thư góp ý: đề nghị bổ sung quy định về lưu trữ hồ sơ điện tử và "
                 "chữ ký số theo Nghị định 30/2020/NĐ-CP.\n", cte="8bit"))
    open(os.path.join(md, "new", "1689309000.M2P200.tracuu"), "wb").write(m)
    expect("thu/Maildir/new/1689309000.M2P200.tracuu", subj, "phongvanthu@nghean.gov.vn",
           "2023-07-14", "gopy-quyche-2023@nghean.gov.vn")
    subj = "Hướng dẫn triển khai Chỉ thị 34/2008/CT-TTg"
    name = "Công văn 1654 BTTTT hướng dẫn Chỉ thị 34.pdf"
    m = message([
        ("From", "ungdungcntt@mic.gov.vn"), ("To", "vanthu@moet.gov.vn"),
        ("Subject", b_words(subj, chunk_words=2)),
        ("Date", "Thu, 28 May 2009 08:15:00 +0700"),
        ("Message-ID", "<cv1654-2009@mic.gov.vn>"),
    ], multipart("mixed", [
        text_part("Bộ Thông tin và Truyền thông gửi Công văn số 1654/BTTTT-ƯDCNTT.\n"),
        attachment(pdfs["cv-1654-2009"], name, "application/pdf", rfc2231=True),
    ], "=_tracuu_6"))
    open(os.path.join(md, "cur", "1243473300.M3P300.tracuu:2,RS"), "wb").write(m)
    expect("thu/Maildir/cur/1243473300.M3P300.tracuu:2,RS", subj, "ungdungcntt@mic.gov.vn",
           "2009-05-28", "cv1654-2009@mic.gov.vn", [att("cv-1654-2009", name)])
    return expected


def main():
    ap = argparse.ArgumentParser(description="Writes corpus/archive/ and corpus/expected.json.")
    ap.add_argument("--renderer", default=os.path.join(ROOT, "build", "corpus", "tracuu-corpus-pdf"))
    args = ap.parse_args()
    if not os.access(args.renderer, os.X_OK):
        sys.exit(f"generate.py: no renderer at {args.renderer}: build first (meson compile -C build)")
    docs = parse_documents(os.path.join(HERE, "documents.txt"))
    by_id = {d["id"]: d for d in docs}
    if os.path.isdir(ARCHIVE):
        shutil.rmtree(ARCHIVE)
    vb = os.path.join(ARCHIVE, "van-ban")
    os.makedirs(vb)
    work = tempfile.mkdtemp()
    expected_docs, pdfs = [], {}
    try:
        for d in docs:
            fmt = d["format"]
            meta = {"kind": fmt.split("-")[0] if fmt != "attachment-only" else None,
                    "number": d["number"], "doc_type": d["type"], "issuer": d["issuer"],
                    "date": d["date"], "title": d["title"], "signer": d["signer"],
                    "cites": d["cites"]}
            pdf = os.path.join(work, d["id"] + ".pdf")
            render_pdf(args.renderer, d, pdf)
            pdfs[d["id"]] = pdf
            if fmt == "pdf":
                # One PDF goes under a .txt name: the type is read from content, not the name.
                name = d["id"] + (".txt" if d["id"] == "nd-14-2010" else ".pdf")
                shutil.copy(pdf, os.path.join(vb, name))
            elif fmt == "docx":
                name = d["id"] + ".docx"
                open(os.path.join(vb, name), "wb").write(docx_bytes(d))
            elif fmt == "html":
                name = d["id"] + ".html"
                open(os.path.join(vb, name), "w", encoding="utf-8").write(html_text(d))
            elif fmt == "text":
                name = d["id"] + ".txt"
                open(os.path.join(vb, name), "w", encoding="utf-8").write(
                    "\n".join(plain_lines(d)) + "\n")
            elif fmt == "text-cp1258":
                name = d["id"] + ".txt"
                open(os.path.join(vb, name), "wb").write(
                    iconv("\r\n".join(plain_lines(d)) + "\r\n", "WINDOWS-1258"))
                meta["kind"] = "text"
                meta["charset"] = "windows-1258"
            else:
                continue
            meta["path"] = "van-ban/" + name
            expected_docs.append(meta)
        messages = build_mail(by_id, pdfs, ARCHIVE)
    finally:
        shutil.rmtree(work)
    expected = {
        "about": "Expected metadata of corpus/archive, written by corpus/generate.py from "
                 "corpus/documents.txt. Paths are relative to corpus/archive.",
        "documents": expected_docs,
        "messages": messages,
    }
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"generate.py: {len(expected_docs)} documents, {len(messages)} messages in {ARCHIVE}")


if __name__ == "__main__":
    main()
