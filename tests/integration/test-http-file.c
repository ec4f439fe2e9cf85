/* test-http-file.c - GET /api/doc/ID/file: original bytes over tracuu-searchd's HTTP. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "tracuu-test.h"

/*
 * One folder of files written here (a message with attachments, one of them an attached
 * message with an attachment of its own, an mbox of two messages, a PDF of the corpus, a
 * labelled copy under secret/, files to change and remove), indexed by the real tracuu-indexer
 * with an access map, and one tracuu-searchd with a user "anh" who may not see secret/. The
 * tests compare what the endpoint answers with the bytes written.
 */

static struct {
    char *tmp, *in, *db, *searchd, *indexer, *log, *token;
    GPid pid;
    int port;
    GError *setup_error;
} F;

/* What the attachments hold, and so what the endpoint must give back. */
static const char attach_text[] = "Nội dung đính kèm: kiwiattach.\n";
static const char nested_text[] = "Tệp trong thư chuyển tiếp: kiwinested.\n";
static const char mbox_attach_text[] = "Báo cáo quý I: kiwimbox.\n";

/* base64 of the three above, made at setup */
static char *b64_attach, *b64_nested, *b64_mbox;

static char *
message_eml(void)
{
    return g_strdup_printf(
        "From: Văn thư <vanthu@example.vn>\r\n"
        "To: anh@example.vn\r\n"
        "Subject: kiwimail with attachments\r\n"
        "Date: Mon, 1 Jan 2024 08:00:00 +0700\r\n"
        "Message-ID: <kiwimail@example.vn>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
        "\r\n"
        "--outer\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Kính gửi anh, kiwibody.\r\n"
        "--outer\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment;\r\n"
        " filename*=UTF-8''Quy%%E1%%BA%%BFt%%20%%C4%%91%%E1%%BB%%8Bnh%%20s%%E1%%BB%%91%%201.txt\r\n"
        "\r\n"
        "%s\r\n"
        "--outer\r\n"
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment;\r\n"
        " filename*=UTF-8''a%%22b%%0D%%0A%%3Cscript%%3E.txt\r\n"
        "\r\n"
        "hostile name\r\n"
        "--outer\r\n"
        "Content-Type: message/rfc822\r\n"
        "\r\n"
        "From: so@example.vn\r\n"
        "Subject: inner kiwiinner\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"inner\"\r\n"
        "\r\n"
        "--inner\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Thư bên trong.\r\n"
        "--inner\r\n"
        "Content-Type: text/plain; charset=utf-8; name=\"nested.txt\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"nested.txt\"\r\n"
        "\r\n"
        "%s\r\n"
        "--inner--\r\n"
        "\r\n"
        "--outer--\r\n",
        b64_attach, b64_nested);
}

static const char mbox_m1[] = "From: a@example.vn\n"
                              "Subject: kiwimboxone\n"
                              "Date: Tue, 2 Jan 2024 09:00:00 +0700\n"
                              "\n"
                              "Thư thứ nhất.\n";

static char *
mbox_m2(void)
{
    return g_strdup_printf("From: b@example.vn\n"
                           "Subject: kiwimboxtwo\n"
                           "Date: Wed, 3 Jan 2024 09:00:00 +0700\n"
                           "MIME-Version: 1.0\n"
                           "Content-Type: multipart/mixed; boundary=\"b\"\n"
                           "\n"
                           "--b\n"
                           "Content-Type: text/plain; charset=utf-8\n"
                           "\n"
                           "Thư thứ hai.\n"
                           "--b\n"
                           "Content-Type: text/plain; charset=utf-8\n"
                           "Content-Transfer-Encoding: base64\n"
                           "Content-Disposition: attachment; filename=\"bao-cao.txt\"\n"
                           "\n"
                           "%s\n"
                           "--b--\n",
                           b64_mbox);
}

/* ---- a small HTTP/1.1 client, as test-http.c's ---- */

typedef struct {
    int status;
    char *head;
    char *body;
    gsize body_len;
} reply;

static void
reply_free(reply *r)
{
    g_free(r->head);
    g_free(r->body);
    g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(reply, reply_free)

static reply *
request(const char *method, const char *target, gboolean auth)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((guint16)F.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    struct timeval tv = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    g_autofree char *auth_line =
        auth ? g_strdup_printf("Authorization: Bearer %s\r\n", F.token) : g_strdup("");
    g_autofree char *raw =
        g_strdup_printf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n", method,
                        target, auth_line);
    g_assert_cmpint(send(fd, raw, strlen(raw), MSG_NOSIGNAL), ==, (ssize_t)strlen(raw));
    g_autoptr(GString) in = g_string_new(NULL);
    char buf[65536];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        g_string_append_len(in, buf, n);
    close(fd);
    reply *r = g_new0(reply, 1);
    const char *end = strstr(in->str, "\r\n\r\n");
    if (!end || !g_str_has_prefix(in->str, "HTTP/1.1 ")) {
        r->head = g_strdup("");
        r->body = g_strdup("");
        return r;
    }
    r->status = atoi(in->str + 9);
    r->head = g_strndup(in->str, (gsize)(end - in->str));
    r->body_len = in->len - (gsize)(end + 4 - in->str);
    r->body = g_memdup2(end + 4, r->body_len + 1);
    return r;
}

static reply *
get(const char *target)
{
    return request("GET", target, TRUE);
}

/* The value of header @name in @r (case-insensitive name), or NULL. Caller frees. */
static char *
header(const reply *r, const char *name)
{
    g_auto(GStrv) lines = g_strsplit(r->head, "\r\n", -1);
    gsize len = strlen(name);
    for (char **l = lines; *l; l++)
        if (g_ascii_strncasecmp(*l, name, len) == 0 && (*l)[len] == ':')
            return g_strdup(g_strstrip(*l + len + 1));
    return NULL;
}

static void
assert_header(const reply *r, const char *name, const char *want)
{
    g_autofree char *v = header(r, name);
    if (g_strcmp0(v, want) != 0)
        g_test_message("headers:\n%s", r->head);
    g_assert_cmpstr(v, ==, want);
}

/* The id of the one document the query @q finds (as anh). */
static char *
id_of(const char *q)
{
    g_autofree char *target = g_strdup_printf("/api/search?q=%s&limit=2", q);
    g_autoptr(reply) r = get(target);
    g_assert_cmpint(r->status, ==, 200);
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, r->body, (gssize)r->body_len, NULL));
    JsonArray *hits =
        json_object_get_array_member(json_node_get_object(json_parser_get_root(p)), "hits");
    g_assert_cmpuint(json_array_get_length(hits), ==, 1);
    return g_strdup(json_object_get_string_member(json_array_get_object_element(hits, 0), "id"));
}

static reply *
get_file(const char *id)
{
    g_autofree char *target = g_strdup_printf("/api/doc/%s/file", id);
    return get(target);
}

static char *
read_in(const char *name, gsize *len)
{
    g_autofree char *path = g_build_filename(F.in, name, NULL);
    char *data = NULL;
    g_assert_true(g_file_get_contents(path, &data, len, NULL));
    return data;
}

/* The bytes of @r are @want (@len of them), with a fitting Content-Length. */
static void
assert_body(const reply *r, const char *want, gsize len)
{
    if (r->status != 200)
        g_test_message("answer: %s\n%s", r->head, r->body);
    g_assert_cmpint(r->status, ==, 200);
    g_assert_cmpuint(r->body_len, ==, len);
    g_assert_true(memcmp(r->body, want, len) == 0);
    g_autofree char *cl = g_strdup_printf("%" G_GSIZE_FORMAT, len);
    assert_header(r, "Content-Length", cl);
    assert_header(r, "X-Content-Type-Options", "nosniff");
}

static void
require_setup(void)
{
    g_assert_no_error(F.setup_error);
}

/* ---- tests ---- */

static void
test_pdf(void)
{
    require_setup();
    g_autofree char *id = id_of("&kind=pdf");
    g_autoptr(reply) r = get_file(id);
    gsize len = 0;
    g_autofree char *want = read_in("ct-34-2008.pdf", &len);
    assert_body(r, want, len);
    assert_header(r, "Content-Type", "application/pdf");
    assert_header(r, "Content-Disposition",
                  "attachment; filename=\"ct-34-2008.pdf\"; filename*=UTF-8''ct-34-2008.pdf");
    /* HEAD: the same headers, no body. */
    g_autofree char *target = g_strdup_printf("/api/doc/%s/file", id);
    g_autoptr(reply) h = request("HEAD", target, TRUE);
    g_assert_cmpint(h->status, ==, 200);
    g_assert_cmpuint(h->body_len, ==, 0);
    g_autofree char *cl = g_strdup_printf("%" G_GSIZE_FORMAT, len);
    assert_header(h, "Content-Length", cl);
    assert_header(h, "Content-Type", "application/pdf");
}

static void
test_mail_and_attachments(void)
{
    require_setup();
    g_autofree char *mail = id_of("kiwibody");
    g_autoptr(reply) m = get_file(mail);
    gsize len = 0;
    g_autofree char *want = read_in("thu.eml", &len);
    assert_body(m, want, len);
    assert_header(m, "Content-Type", "message/rfc822");
    assert_header(m, "Content-Disposition",
                  "attachment; filename=\"thu.eml\"; filename*=UTF-8''thu.eml");

    /* The attachment with a Vietnamese name: its decoded bytes and both forms of the name. */
    g_autofree char *att = g_strdup_printf("%s/1", mail);
    /* Its fields too, by an id that holds '/' (as it is, and percent-encoded). */
    for (gsize k = 0; k < 2; k++) {
        g_autofree char *doc_target =
            g_strdup_printf(k == 0 ? "/api/doc/%s/1" : "/api/doc/%s%%2F1", mail);
        g_autoptr(reply) d = get(doc_target);
        g_assert_cmpint(d->status, ==, 200);
        g_assert_nonnull(strstr(d->body, "kiwiattach"));
    }
    g_autoptr(reply) a = get_file(att);
    assert_body(a, attach_text, strlen(attach_text));
    assert_header(a, "Content-Type", "text/plain");
    assert_header(a, "Content-Disposition",
                  "attachment; filename=\"Quy_t __nh s_ 1.txt\"; "
                  "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%201.txt");

    /* A name with a quote, CR LF and <script>: nothing of it reaches the header raw. */
    g_autofree char *hostile = g_strdup_printf("%s/2", mail);
    g_autoptr(reply) h = get_file(hostile);
    assert_body(h, "hostile name", strlen("hostile name"));
    g_autofree char *disp = header(h, "Content-Disposition");
    g_assert_nonnull(disp);
    g_assert_null(strchr(disp, '<'));
    g_assert_null(strchr(disp, '\n'));
    /* The indexer's RFC 2231 decoder keeps the line break as "\n" (CR LF read as one). */
    g_assert_cmpstr(disp, ==,
                    "attachment; filename=\"a_b__script_.txt\"; "
                    "filename*=UTF-8''a%22b%0A%3Cscript%3E.txt");

    /* The attached message, and the attachment inside it. */
    g_autofree char *inner = g_strdup_printf("%s/3", mail);
    g_autoptr(reply) i = get_file(inner);
    g_assert_cmpint(i->status, ==, 200);
    assert_header(i, "Content-Type", "message/rfc822");
    assert_header(i, "Content-Disposition",
                  "attachment; filename=\"message-3.eml\"; filename*=UTF-8''message-3.eml");
    g_assert_nonnull(strstr(i->body, "Subject: inner kiwiinner"));
    g_autofree char *nested = g_strdup_printf("%s/3/1", mail);
    g_autoptr(reply) n = get_file(nested);
    assert_body(n, nested_text, strlen(nested_text));
    assert_header(n, "Content-Disposition",
                  "attachment; filename=\"nested.txt\"; filename*=UTF-8''nested.txt");
}

/* A Maildir message is its file, named for a download with ".eml". */
static void
test_maildir(void)
{
    require_setup();
    g_autofree char *id = id_of("kiwimaildir");
    g_autoptr(reply) r = get_file(id);
    gsize len = 0;
    g_autofree char *want = read_in("Maildir/cur/1700000000.M1P1.host:2,S", &len);
    assert_body(r, want, len);
    assert_header(r, "Content-Type", "message/rfc822");
    assert_header(r, "Content-Disposition",
                  "attachment; filename=\"1700000000.M1P1.host_2,S.eml\"; "
                  "filename*=UTF-8''1700000000.M1P1.host%3A2%2CS.eml");
}

static void
test_mbox(void)
{
    require_setup();
    g_autofree char *one = id_of("kiwimboxone");
    g_autofree char *two = id_of("kiwimboxtwo");
    g_assert_true(g_str_has_suffix(one, ":1"));
    g_assert_true(g_str_has_suffix(two, ":2"));
    /* Each message alone, without the mbox's "From " line (the blank line that separates
     * messages in the mbox stays with the one before it). */
    g_autoptr(reply) r1 = get_file(one);
    g_autofree char *want1 = g_strconcat(mbox_m1, "\n", NULL);
    assert_body(r1, want1, strlen(want1));
    assert_header(r1, "Content-Type", "message/rfc822");
    assert_header(r1, "Content-Disposition",
                  "attachment; filename=\"message-1.eml\"; filename*=UTF-8''message-1.eml");
    g_autoptr(reply) r2 = get_file(two);
    g_autofree char *m2 = mbox_m2();
    assert_body(r2, m2, strlen(m2));
    g_autofree char *att = g_strdup_printf("%s/1", two);
    g_autoptr(reply) a = get_file(att);
    assert_body(a, mbox_attach_text, strlen(mbox_attach_text));
    assert_header(a, "Content-Disposition",
                  "attachment; filename=\"bao-cao.txt\"; filename*=UTF-8''bao-cao.txt");
}

/* A document anh may not see answers as an id that no document has: same status, same body
 * but for the id itself. */
static void
test_hidden_same_as_missing(void)
{
    require_setup();
    /* Found by the unrestricted search of the index's owner... */
    g_autofree char *path = g_build_filename(F.in, "secret", "mat.txt", NULL);
    g_autofree char *key = g_compute_checksum_for_string(G_CHECKSUM_SHA1, path, -1);
    g_autofree char *hidden = g_strndup(key, 16);
    /* ...which anh cannot find. */
    g_autoptr(reply) s = get("/api/search?q=kiwisecret");
    g_assert_cmpint(s->status, ==, 200);
    g_assert_null(strstr(s->body, hidden));
    g_autoptr(reply) h = get_file(hidden);
    g_autoptr(reply) m = get_file("0123456789abcdef");
    g_assert_cmpint(h->status, ==, 404);
    g_assert_cmpint(m->status, ==, 404);
    g_autoptr(GString) b = g_string_new(h->body);
    g_string_replace(b, hidden, "0123456789abcdef", 0);
    g_assert_cmpstr(b->str, ==, m->body);
    g_assert_nonnull(strstr(m->body, "\"code\":\"not_found\""));
    /* And not through an attachment-shaped id either. */
    g_autofree char *child = g_strdup_printf("%s/1", hidden);
    g_autoptr(reply) c = get_file(child);
    g_assert_cmpint(c->status, ==, 404);
    /* Without a token at all: the user must authenticate first. */
    g_autofree char *target = g_strdup_printf("/api/doc/%s/file", hidden);
    g_autoptr(reply) anon = request("GET", target, FALSE);
    g_assert_cmpint(anon->status, ==, 401);
}

static void
test_changed_and_gone(void)
{
    require_setup();
    g_autofree char *changed = id_of("kiwichanged");
    g_autofree char *vanished = id_of("kiwivanished");
    g_autoptr(reply) before = get_file(changed);
    g_assert_cmpint(before->status, ==, 200);

    g_autofree char *cpath = g_build_filename(F.in, "changed.txt", NULL);
    g_assert_true(g_file_set_contents(cpath, "Văn bản đã sửa kiwichanged, dài hơn.\n", -1, NULL));
    g_autoptr(reply) after = get_file(changed);
    g_assert_cmpint(after->status, ==, 410);
    g_assert_nonnull(strstr(after->body, "\"code\":\"gone\""));
    g_assert_nonnull(strstr(after->body, "changed since it was indexed"));

    /* The same size, another mtime: changed too. */
    g_autofree char *touched = id_of("kiwitouched");
    g_autofree char *tpath = g_build_filename(F.in, "touched.txt", NULL);
    struct stat st;
    g_assert_cmpint(stat(tpath, &st), ==, 0);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    times[1].tv_nsec = (times[1].tv_nsec + 1) % 1000000000;
    g_assert_cmpint(utimensat(AT_FDCWD, tpath, times, 0), ==, 0);
    g_autoptr(reply) t = get_file(touched);
    g_assert_cmpint(t->status, ==, 410);

    g_autofree char *vpath = g_build_filename(F.in, "vanished.txt", NULL);
    g_assert_cmpint(unlink(vpath), ==, 0);
    g_autoptr(reply) v = get_file(vanished);
    g_assert_cmpint(v->status, ==, 410);
    g_assert_nonnull(strstr(v->body, "no longer where it was indexed"));
}

static void
test_no_source_and_hostile(void)
{
    require_setup();
    /* A --from-jsonl document names a path, but nothing of it is served. */
    g_autoptr(reply) j = get_file("jsonl-passwd");
    g_assert_cmpint(j->status, ==, 404);
    g_assert_nonnull(strstr(j->body, "no original file of its own"));
    g_assert_null(strstr(j->body, "root:"));

    static const char *const targets[] = {
        "/api/doc/../../../../etc/passwd/file",
        "/api/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd/file",
        "/api/doc/abc%00def/file",
        "/api/doc//file",
        "/api/doc/file",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_autoptr(reply) r = get(targets[i]);
        g_test_message("%s: %d", targets[i], r->status);
        g_assert_cmpint(r->status, >=, 400);
        g_assert_cmpint(r->status, <, 500);
        g_assert_null(strstr(r->body, "root:"));
    }
    g_autoptr(GString) longid = g_string_new("/api/doc/");
    for (int i = 0; i < 3000; i++)
        g_string_append(longid, "ab");
    g_string_append(longid, "/file");
    g_autoptr(reply) l = get(longid->str);
    g_assert_cmpint(l->status, ==, 404);
}

static void
test_metrics_and_audit(void)
{
    require_setup();
    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(F.log, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "code=ok audit=file doc="));
    g_autoptr(reply) r = get("/metrics");
    g_assert_cmpint(r->status, ==, 200);
    g_assert_nonnull(
        strstr(r->body, "tracuu_http_requests_total{endpoint=\"file\",status=\"200\"} "));
    g_assert_null(
        strstr(r->body, "tracuu_http_requests_total{endpoint=\"file\",status=\"200\"} 0\n"));
    g_assert_null(
        strstr(r->body, "tracuu_http_requests_total{endpoint=\"file\",status=\"410\"} 0\n"));
}

/* Last: the daemon that served all of the above stops cleanly (under AddressSanitizer, a leak
 * of what a download holds, a descriptor's buffer or a part's bytes, would fail its exit). */
static void
test_clean_exit(void)
{
    require_setup();
    kill(F.pid, SIGTERM);
    int st = tracuu_test_wait_exit(F.pid, 30);
    F.pid = 0;
    if (st != 0) {
        g_autofree char *log = NULL;
        g_file_get_contents(F.log, &log, NULL, NULL);
        g_test_message("tracuu-searchd log:\n%s", log ? log : "");
    }
    g_assert_cmpint(st, ==, 0);
}

/* ---- setup ---- */

static int
run_sync(const char *const *argv, char **out_out, char **err_out)
{
    int status = -1;
    g_autoptr(GError) error = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out_out, err_out,
                      &status, &error))
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
put(const char *name, const char *data, gssize len)
{
    g_autofree char *path = g_build_filename(F.in, name, NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    g_mkdir_with_parents(dir, 0755);
    g_assert_true(g_file_set_contents(path, data, len, NULL));
}

static gboolean
setup(GError **error)
{
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    if (!build || !src) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "TRACUU_BUILD_ROOT and TRACUU_SOURCE_ROOT must be set (meson test does)");
        return FALSE;
    }
    F.indexer = g_build_filename(build, "indexer", "tracuu-indexer", NULL);
    F.searchd = g_build_filename(build, "searchd", "tracuu-searchd", NULL);
    F.tmp = g_dir_make_tmp("tracuu-http-file-XXXXXX", error);
    if (!F.tmp)
        return FALSE;
    F.in = g_build_filename(F.tmp, "in", NULL);
    F.db = g_build_filename(F.tmp, "db", NULL);
    b64_attach = g_base64_encode((const guchar *)attach_text, strlen(attach_text));
    b64_nested = g_base64_encode((const guchar *)nested_text, strlen(nested_text));
    b64_mbox = g_base64_encode((const guchar *)mbox_attach_text, strlen(mbox_attach_text));

    g_autofree char *eml = message_eml();
    put("thu.eml", eml, -1);
    g_autofree char *m2 = mbox_m2();
    g_autofree char *mbox = g_strconcat("From a@example.vn Tue Jan  2 09:00:00 2024\n", mbox_m1,
                                        "\nFrom b@example.vn Wed Jan  3 09:00:00 2024\n", m2, NULL);
    put("hop-thu.mbox", mbox, -1);
    g_autofree char *pdf_src =
        g_build_filename(src, "corpus", "archive", "van-ban", "ct-34-2008.pdf", NULL);
    g_autofree char *pdf = NULL;
    gsize pdf_len = 0;
    if (!g_file_get_contents(pdf_src, &pdf, &pdf_len, error))
        return FALSE;
    put("ct-34-2008.pdf", pdf, (gssize)pdf_len);
    put("secret/mat.txt", "Văn bản mật kiwisecret.\n", -1);
    put("changed.txt", "Văn bản kiwichanged.\n", -1);
    put("vanished.txt", "Văn bản kiwivanished.\n", -1);
    put("touched.txt", "Văn bản kiwitouched.\n", -1);
    put("Maildir/cur/1700000000.M1P1.host:2,S",
        "From: c@example.vn\nSubject: kiwimaildir\nDate: Thu, 4 Jan 2024 09:00:00 +0700\n\n"
        "Thư trong Maildir.\n",
        -1);
    for (gsize i = 0; i < 2; i++) {
        g_autofree char *dir = g_build_filename(F.in, "Maildir", i == 0 ? "new" : "tmp", NULL);
        g_mkdir_with_parents(dir, 0755);
    }
    g_autofree char *map = g_build_filename(F.tmp, "access.map", NULL);
    g_autofree char *map_text = g_strdup_printf("%s/secret so-noi-vu\n", F.in);
    if (!g_file_set_contents(map, map_text, -1, error))
        return FALSE;
    g_autofree char *jsonl = g_build_filename(F.tmp, "docs.jsonl", NULL);
    if (!g_file_set_contents(jsonl,
                             "{\"id\":\"jsonl-passwd\",\"path\":\"/etc/passwd\","
                             "\"text\":\"kiwijsonl\"}\n",
                             -1, error))
        return FALSE;
    const char *idx1[] = {F.indexer, "--db", F.db, "-q", "--access-map", map, F.in, NULL};
    const char *idx2[] = {F.indexer, "--db", F.db, "-q", "--from-jsonl", jsonl, NULL};
    g_autofree char *err1 = NULL, *err2 = NULL;
    int st1 = run_sync(idx1, NULL, &err1);
    int st2 = run_sync(idx2, NULL, &err2);
    if (st1 != 0 || st2 != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-indexer: %d %s / %d %s", st1,
                    err1 ? err1 : "", st2, err2 ? err2 : "");
        return FALSE;
    }

    const char *tok[] = {F.searchd, "--new-token", "anh", NULL};
    g_autofree char *out = NULL;
    if (run_sync(tok, &out, NULL) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "--new-token failed");
        return FALSE;
    }
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    F.token = g_strdup(lines[0]);
    g_autofree char *conf = g_strdup_printf("[index]\ndb = db\n[searchd]\nhttp = 127.0.0.1:0\n"
                                            "threads = 2\n[access]\ndefault = public\n"
                                            "[user anh]\nlabels = so-tttt\n%s\n",
                                            lines[1]);
    g_autofree char *conf_path = g_build_filename(F.tmp, "users.conf", NULL);
    if (!g_file_set_contents(conf_path, conf, -1, error))
        return FALSE;

    F.log = g_build_filename(F.tmp, "searchd.log", NULL);
    int errfd = open(F.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const char *argv[] = {F.searchd, "--config", conf_path, NULL};
    if (!g_spawn_async_with_pipes_and_fds(F.tmp, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                          tracuu_test_die_with_parent, NULL, -1, -1, errfd, NULL,
                                          NULL, 0, &F.pid, NULL, NULL, NULL, error))
        return FALSE;
    close(errfd);
    static const char mark[] = "listening on http:127.0.0.1:";
    for (int i = 0; i < 500; i++) {
        g_autofree char *log = NULL;
        g_file_get_contents(F.log, &log, NULL, NULL);
        const char *p = log ? strstr(log, mark) : NULL;
        if (p) {
            F.port = atoi(p + strlen(mark));
            return TRUE;
        }
        if (tracuu_test_wait_exit(F.pid, 0.02) >= 0) {
            F.pid = 0;
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-searchd stopped: %s",
                        log ? log : "");
            return FALSE;
        }
    }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-searchd did not log its port");
    return FALSE;
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    setup(&F.setup_error);

    g_test_add_func("/http-file/pdf and HEAD", test_pdf);
    g_test_add_func("/http-file/mail and attachments", test_mail_and_attachments);
    g_test_add_func("/http-file/mbox messages", test_mbox);
    g_test_add_func("/http-file/maildir message", test_maildir);
    g_test_add_func("/http-file/hidden is missing", test_hidden_same_as_missing);
    g_test_add_func("/http-file/changed and gone", test_changed_and_gone);
    g_test_add_func("/http-file/no source and hostile ids", test_no_source_and_hostile);
    g_test_add_func("/http-file/metrics and audit", test_metrics_and_audit);
    g_test_add_func("/http-file/clean exit", test_clean_exit);
    int rc = g_test_run();

    if (F.pid) {
        kill(F.pid, SIGKILL);
        tracuu_test_wait_exit(F.pid, 5);
    }
    if (F.tmp && rc == 0)
        tracuu_test_rm_rf(F.tmp);
    else if (F.tmp)
        g_printerr("# kept %s for a look\n", F.tmp);
    g_clear_error(&F.setup_error);
    return rc;
}
