# tracuu_page_fixture.py - an index and tracuu-searchd --http daemons for the page's tests.
"""Builds one index with the real tracuu-indexer (corpus/archive, a hostile HTML page made at
test time, labelled documents from --from-jsonl) and starts tracuu-searchd over it: "open"
(no users: the local owner) and "users" (anh holds so-tttt; binh holds nothing), each on a
free port of 127.0.0.1 chosen by the daemon (--http 127.0.0.1:0, port read from its log)."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

# The restricted-document check: anh (so-tttt) sees "pub" and "tttt", never "nv"; each has the
# word kiwiquaz, and "nv" alone has its issuer, so that a leak would show in the facets too.
ACL_JSONL = (
    '{"id":"pub","doc_type":"Công văn","issuer":"Văn phòng chung","title":"Thông báo chung '
    'kiwiquaz","text":"Thông báo chung kiwiquaz cho mọi người."}\n'
    '{"id":"tttt","access":["so-tttt"],"doc_type":"Công văn","issuer":"Sở Thông tin",'
    '"title":"Thông báo của Sở Thông tin kiwiquaz","text":"Thông báo của Sở Thông tin kiwiquaz."}\n'
    '{"id":"nv","access":["so-noi-vu"],"doc_type":"Tờ trình","issuer":"Sở Nội vụ bí mật",'
    '"title":"Tờ trình mật của Sở Nội vụ kiwiquaz","text":"Nội dung mật zebrafoxtrot kiwiquaz."}\n'
)

# A page whose title holds markup: the page must show it as text.
HOSTILE_TITLE = '<script>window.pwned=1</script><img src=x onerror=window.pwned=2> xssquaz'
HOSTILE_HTML = (
    '<!doctype html><html><head><meta charset="utf-8"><title>'
    + HOSTILE_TITLE.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    + '</title></head><body><p>Văn bản thử nghiệm xssquaz &lt;b&gt;đậm&lt;/b&gt; '
    '&lt;script&gt;window.pwned=3&lt;/script&gt;.</p></body></html>\n'
)


class Daemon:
    def __init__(self, proc, port, log):
        self.proc, self.port, self.log = proc, port, log

    @property
    def base(self):
        return f'http://127.0.0.1:{self.port}'

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Fixture:
    def __init__(self):
        self.build = os.environ.get('TRACUU_BUILD_ROOT')
        self.src = os.environ.get('TRACUU_SOURCE_ROOT')
        if not self.build or not self.src:
            raise RuntimeError('TRACUU_BUILD_ROOT and TRACUU_SOURCE_ROOT must be set (meson test does)')
        self.indexer = os.path.join(self.build, 'indexer', 'tracuu-indexer')
        self.searchd = os.path.join(self.build, 'searchd', 'tracuu-searchd')
        self.tmp = tempfile.mkdtemp(prefix='tracuu-page-')
        self.db = os.path.join(self.tmp, 'db')
        self.daemons = []
        self.tokens = {}
        self.passwords = {}

    def run(self, *args, stdin=None):
        return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=240)

    def index(self):
        hostile = os.path.join(self.tmp, 'hostile')
        os.mkdir(hostile)
        with open(os.path.join(hostile, 'xss.html'), 'w', encoding='utf-8') as f:
            f.write(HOSTILE_HTML)
        jsonl = os.path.join(self.tmp, 'acl.jsonl')
        with open(jsonl, 'w', encoding='utf-8') as f:
            f.write(ACL_JSONL)
        archive = os.path.join(self.src, 'corpus', 'archive')
        r1 = self.run(self.indexer, '--db', self.db, '-q', '-j', '2', archive, hostile)
        # 1: indexed, but some files failed (the corpus holds a few on purpose).
        if r1.returncode not in (0, 1):
            raise RuntimeError(f'tracuu-indexer: {r1.returncode} {r1.stderr}')
        r2 = self.run(self.indexer, '--db', self.db, '--from-jsonl', jsonl, '-q')
        if r2.returncode != 0:
            raise RuntimeError(f'tracuu-indexer --from-jsonl: {r2.returncode} {r2.stderr}')

    def new_token(self, user):
        r = self.run(self.searchd, '--new-token', user)
        if r.returncode != 0:
            raise RuntimeError(f'--new-token: {r.stderr}')
        token, line = r.stdout.split('\n')[:2]
        self.tokens[user] = token
        return line

    def password_line(self, user, password):
        """The password = line of --hash-password, or None when the daemon has no logins."""
        r = self.run(self.searchd, '--hash-password', stdin=password + '\n')
        line = next((l for l in r.stdout.splitlines() if l.startswith('password')), None)
        if r.returncode != 0 or not line:
            return None
        self.passwords[user] = password
        return line

    def start(self, name, args):
        log = os.path.join(self.tmp, name + '.log')
        sock = os.path.join(self.tmp, name + '.sock')
        with open(log, 'w') as err:
            proc = subprocess.Popen([self.searchd, '--socket', sock] + args, cwd=self.tmp,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=err)
        mark = re.compile(r'listening on http:127\.0\.0\.1:(\d+)')
        for _ in range(500):
            with open(log, encoding='utf-8', errors='replace') as f:
                m = mark.search(f.read())
            if m:
                d = Daemon(proc, int(m.group(1)), log)
                self.daemons.append(d)
                return d
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        with open(log, encoding='utf-8', errors='replace') as f:
            raise RuntimeError(f'tracuu-searchd {name} did not start: {f.read()}')

    def start_open(self):
        return self.start('open', ['--db', self.db, '--http', '127.0.0.1:0', '--threads', '2'])

    def start_users(self):
        lines = ['[index]', 'db = db', '[searchd]', 'http = 127.0.0.1:0', 'threads = 2',
                 '[access]', 'default = public']
        for user, labels in (('anh', 'so-tttt'), ('binh', '')):
            lines.append(f'[user {user}]')
            if labels:
                lines.append(f'labels = {labels}')
            lines.append(self.new_token(user))
            pw = self.password_line(user, f'mk-{user}-2026')
            if pw:
                lines.append(pw)
        conf = os.path.join(self.tmp, 'users.conf')
        with open(conf, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        return self.start('users', ['--config', conf])

    def close(self, keep):
        for d in self.daemons:
            d.stop()
        if keep:
            print(f'# kept {self.tmp} for a look')
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
