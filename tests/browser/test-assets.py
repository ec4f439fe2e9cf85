#!/usr/bin/python3
# test-assets.py - the page's static files over HTTP: paths, types, headers, traversal refused.
"""Runs without a browser: speaks HTTP to tracuu-searchd --http with raw requests (so that it can
send paths no browser would) and checks what http-assets.c answers. Exit 0 passes, 1 fails."""

import http.client
import json
import os
import socket
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tracuu_page_fixture import Fixture  # noqa: E402

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

failures = []


def check(cond, what):
    print(('ok    ' if cond else 'FAIL  ') + what)
    if not cond:
        failures.append(what)


def raw(port, target, method='GET', headers=''):
    """Sends one request line as written; returns (status, headers dict lower-cased, body)."""
    s = socket.create_connection(('127.0.0.1', port), timeout=20)
    s.sendall(f'{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n'
              .encode('latin-1'))
    data = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split()[1]) if lines and lines[0].startswith('HTTP/1.1 ') else 0
    hs = {}
    for line in lines[1:]:
        k, _, v = line.partition(':')
        hs[k.strip().lower()] = v.strip()
    return status, hs, body


def main():
    fx = Fixture()
    ok = False
    try:
        fx.index()
        d = fx.start_open()
        port = d.port
        # The page at / whatever the query string, each file with its type and the headers.
        for target, ctype, needle in (
                ('/', 'text/html; charset=utf-8', b'<script src="/assets/app.js"'),
                ('/?q=th%C6%B0+%C4%91i%E1%BB%87n+t%E1%BB%AD&page=2&sort=-date',
                 'text/html; charset=utf-8', b'id="search"'),
                ('/?doc=%3Cscript%3E', 'text/html; charset=utf-8', b'id="doc-view"'),
                ('/assets/app.js', 'text/javascript; charset=utf-8', b'snippetNodes'),
                ('/assets/app.css', 'text/css; charset=utf-8', b'@media')):
            st, hs, body = raw(port, target)
            check(st == 200, f'GET {target} -> 200 (got {st})')
            check(hs.get('content-type') == ctype, f'{target}: Content-Type {ctype} ({hs.get("content-type")})')
            check(needle in body, f'{target}: the bundled file')
            check(hs.get('content-security-policy') == CSP, f'{target}: the CSP')
            check(hs.get('x-content-type-options') == 'nosniff', f'{target}: nosniff')
            check(hs.get('referrer-policy') == 'no-referrer', f'{target}: Referrer-Policy')
            check(hs.get('cache-control') == 'no-cache', f'{target}: Cache-Control no-cache')
            etag = hs.get('etag', '')
            check(len(etag) == 34, f'{target}: an ETag ({etag})')
            st2, hs2, body2 = raw(port, target, headers=f'If-None-Match: {etag}\r\n')
            check(st2 == 304 and body2 == b'', f'{target}: If-None-Match -> 304 without a body ({st2})')
        st, hs, body = raw(port, '/assets/app.js', method='HEAD')
        check(st == 200 and body == b'' and hs.get('content-type', '').startswith('text/javascript'),
              'HEAD /assets/app.js: 200, the type, no body')
        # Anything else is 404 (with the page's headers too); no file outside the bundle.
        for target in ('/index.html', '/nope', '/assets/', '/assets', '/assets/nope.js',
                       '/assets/../http.c', '/assets/%2e%2e/http.c', '/assets/%2E%2E%2Fhttp.c',
                       '/assets/..%2f..%2fmeson.build', '/assets/app.js/', '/assets/web/app.js',
                       '/assets/.hidden', '/assets/%00', '/assets/x%00app.js',
                       '/assets/app.js%00.png', '/assets/app.css%00', '/%00', '/%00/assets/app.js',
                       '/assets/app%2ejs%2f..', '/%2e%2e/%2e%2e/etc/passwd', '//etc/passwd',
                       '/assets//app.js', '/assets/app.js%20', '/assets/%FF',
                       '/assets/tracuu-web.gresource.xml', '/../../etc/passwd'):
            st, hs, body = raw(port, target)
            check(st == 404, f'GET {target} -> 404 (got {st})')
            check(b'"not_found"' in body and b'root:' not in body, f'{target}: the not_found object')
            check(hs.get('content-security-policy') == CSP, f'{target}: the CSP on a 404')
        # A parameter's %00 is still refused by the API (and the page ignores its own).
        st, _, body = raw(port, '/api/search?q=a%00b')
        check(st == 400 and b'"bad_request"' in body, f'/api/search?q=a%00b -> 400 ({st})')
        st, _, _ = raw(port, '/healthz%00x')
        check(st == 404, f'/healthz%00x -> 404, not /healthz ({st})')
        st, hs, _ = raw(port, '/', method='DELETE')
        check(st == 405, f'DELETE / -> 405 (got {st})')
        # The API is untouched by the page: JSON as before, and unknown /api paths stay 404.
        st, hs, body = raw(port, '/api/stats')
        check(st == 200 and hs.get('content-type', '').startswith('application/json'),
              '/api/stats still the API')
        st, _, _ = raw(port, '/api/assets/app.js')
        check(st == 404, '/api/assets/app.js is no page')
        # An attachment's id holds "/": the page sends it percent-encoded, and it opens.
        st, _, body = raw(port, '/api/search?q=&kind=attachment&limit=1')
        att = json.loads(body)['hits'][0]['id']
        check('/' in att, f'an attachment id with a slash: {att}')
        st, _, body = raw(port, '/api/doc/' + urllib.parse.quote(att, safe=''))
        check(st == 200 and json.loads(body)['doc']['id'] == att, f'/api/doc/{att} (encoded) -> 200 ({st})')
        st, _, body = raw(port, '/api/doc/' + att + '/x')
        check(st == 404 and b'"not_found"' in body, f'/api/doc/{att}/x -> 404 ({st})')
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
        conn.request('GET', '/healthz')
        check(conn.getresponse().status == 200, '/healthz still answers')
        ok = not failures
    finally:
        fx.close(keep=not ok)
    if failures:
        print(f'{len(failures)} check(s) failed', file=sys.stderr)
        return 1
    print('all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
