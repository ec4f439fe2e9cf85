#!/usr/bin/env python3
# md2man.py - turns a manual page of docs/ (Markdown in man's layout) into a roff man page.
"""Usage: md2man.py INPUT.md OUTPUT.N SECTION VERSION

docs/tracuu*.md are written as manual pages already (# NAME(N), ## NAME, ## SYNOPSIS, ...),
so the man pages are made from them and the two cannot disagree. Only the Markdown those
pages use is understood: headings, paragraphs, ``` blocks, "- " lists, definition lists (a
term line, then ": " and its text, continued by indented lines), pipe tables, `code`,
*emphasis* and **strong**. Anything else is kept as text.
"""
import re
import sys


def esc(text):
    """Escapes roff's specials in running text."""
    text = text.replace('\\', '\\e').replace('-', '\\-')
    return text


def inline(text):
    """Markdown inline markup to roff fonts: `code` and **strong** bold, *em* italic."""
    out = []
    pos = 0
    for m in re.finditer(r'`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*', text):
        out.append(esc(text[pos:m.start()]))
        if m.group(1) is not None:
            out.append('\\fB' + esc(m.group(1)) + '\\fR')
        elif m.group(2) is not None:
            out.append('\\fB' + esc(m.group(2)) + '\\fR')
        else:
            out.append('\\fI' + esc(m.group(3)) + '\\fR')
        pos = m.end()
    out.append(esc(text[pos:]))
    return ''.join(out)


def line_safe(s):
    """A roff text line must not start with a control character."""
    if s.startswith(('.', "'")):
        return '\\&' + s
    return s


def text_lines(text):
    """Running text, one output line per sentence-ish chunk, safe for roff."""
    return [line_safe(inline(text.strip()))]


def table(rows, out):
    """A pipe table as a tagged list: the first cell is the tag, the middle cells are named by
    their column, the last is the text. A tbl table would not fit a terminal's width with the
    long cells these pages have (and groff warns of each line it cannot break)."""
    cells = [[c.strip() for c in split_row(r)] for r in rows]
    header, body = cells[0], cells[2:]
    n = len(header)
    for r in body:
        r = (r + [''] * n)[:n]
        out.append('.TP')
        out.append(line_safe(inline(r[0])))
        middle = ['%s: %s' % (header[k], r[k]) for k in range(1, n - 1) if r[k]]
        if middle:
            out.append(line_safe(inline('; '.join(middle))))
            out.append('.br')
        if n > 1 and r[n - 1]:
            out.append(line_safe(inline(r[n - 1])))


def split_row(row):
    """The cells of "| a | b |", where "\\|" is a '|' inside a cell."""
    row = row.strip()
    if row.startswith('|'):
        row = row[1:]
    if row.endswith('|') and not row.endswith('\\|'):
        row = row[:-1]
    return [c.replace('\\|', '|') for c in re.split(r'(?<!\\)\|', row)]


def convert(md, section, version):
    lines = md.split('\n')
    out = []
    title = None
    i = 0
    para = []

    def flush():
        if para:
            out.append(line_safe(inline(' '.join(p.strip() for p in para))))
            para.clear()

    while i < len(lines):
        ln = lines[i]
        m = re.match(r'^# (\S+)\((\d)\)\s*$', ln)
        if m and title is None:
            title = m.group(1)
            if m.group(2) != section:
                sys.exit('md2man: %s is section %s, asked for %s' % (title, m.group(2), section))
            out.append('.TH "%s" "%s" "" "tracuu %s" "tracuu manual"' %
                       (title.upper(), section, version))
            i += 1
            continue
        if ln.startswith('## '):
            flush()
            out.append('.SH "%s"' % esc(ln[3:].strip().upper()).replace('"', '\\(dq'))
            i += 1
            continue
        if ln.startswith('### '):
            flush()
            out.append('.SS "%s"' % esc(ln[4:].strip()).replace('"', '\\(dq'))
            i += 1
            continue
        if ln.startswith('```'):
            flush()
            out.append('.PP')
            out.append('.RS 4')
            out.append('.nf')
            i += 1
            while i < len(lines) and not lines[i].startswith('```'):
                out.append(line_safe(esc(lines[i])))
                i += 1
            out.append('.fi')
            out.append('.RE')
            i += 1
            continue
        if ln.startswith('|'):
            flush()
            rows = []
            while i < len(lines) and lines[i].startswith('|'):
                rows.append(lines[i])
                i += 1
            table(rows, out)
            continue
        if ln.startswith('- '):
            flush()
            item = [ln[2:]]
            i += 1
            while i < len(lines) and lines[i].startswith('  ') and lines[i].strip():
                item.append(lines[i])
                i += 1
            out.append('.IP \\(bu 2')
            out.append(line_safe(inline(' '.join(p.strip() for p in item))))
            continue
        if (ln.strip() and i + 1 < len(lines) and lines[i + 1].startswith(': ')):
            flush()
            out.append('.TP')
            out.append(line_safe(inline(ln.strip())))
            i += 1
            item = [lines[i][2:]]
            i += 1
            while i < len(lines) and lines[i].startswith('  ') and lines[i].strip():
                item.append(lines[i])
                i += 1
            out.append(line_safe(inline(' '.join(p.strip() for p in item))))
            continue
        if not ln.strip():
            flush()
            if out and out[-1] not in ('.PP',) and not out[-1].startswith(('.SH', '.SS', '.TH')):
                out.append('.PP')
            i += 1
            continue
        para.append(ln)
        i += 1
    flush()
    if title is None:
        sys.exit('md2man: no "# NAME(N)" title line')
    # Empty paragraphs before a heading or at the end are dropped.
    cleaned = []
    for k, o in enumerate(out):
        nxt = out[k + 1] if k + 1 < len(out) else '.SH'
        if o == '.PP' and (nxt.startswith(('.SH', '.SS', '.PP', '.TP', '.IP'))):
            continue
        cleaned.append(o)
    return '.\\" Made from docs/%s.md by man/md2man.py: edit that file, not this one.\n' % (
        title) + '\n'.join(cleaned) + '\n'


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding='utf-8') as f:
        md = f.read()
    roff = convert(md, sys.argv[3], sys.argv[4])
    with open(sys.argv[2], 'w', encoding='utf-8') as f:
        f.write(roff)


if __name__ == '__main__':
    main()
