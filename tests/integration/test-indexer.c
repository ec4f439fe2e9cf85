/* test-indexer.c - the real tracuu-indexer on generated folders: incremental runs, kill -9, exits.
 */
#include "tracuu-schema.h"
#include "tracuu-test-indexer.h"
#include "tracuu-test.h"
#include <glib.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The index is read with Debian's python3-xapian rather than with tracuu's own store, so that
 * the test checks what is really in the Xapian database, independently of the code under test.
 * The script prints one JSON object: the document count, every "Q" (id) and "XF" (file) term
 * with its frequency, the metadata keys, the frequency of each term named on the command line,
 * and the data of every document (its fields JSON, without the text that follows a NUL byte).
 */
static const char inspect_py[] =
    "import sys, json, xapian\n"
    "db = xapian.Database(sys.argv[1])\n"
    "out = {'doccount': db.get_doccount(), 'q': {}, 'xf': {}, 'meta': {}, 'freq': {}, "
    "'data': {}}\n"
    "for t in db.allterms('Q'):\n"
    "    out['q'][t.term.decode('utf-8', 'replace')[1:]] = t.termfreq\n"
    "for t in db.allterms('XF'):\n"
    "    out['xf'][t.term.decode()[2:]] = t.termfreq\n"
    "for k in db.metadata_keys():\n"
    "    out['meta'][k.decode('utf-8', 'replace')] = db.get_metadata(k).decode('utf-8', "
    "'replace')\n"
    "for a in sys.argv[2:]:\n"
    "    out['freq'][a] = db.get_termfreq(a)\n"
    "for p in db.postlist(''):\n"
    "    fields = db.get_document(p.docid).get_data().partition(b'\\0')[0]\n"
    "    d = json.loads(fields.decode())\n"
    "    out['data'][d.get('id', str(p.docid))] = d\n"
    "print(json.dumps(out))\n";

typedef tracuu_test_docs fixture;

/* A short official-looking text; @n makes each one different. Its provision is not an article
 * ("Điều 1."), so that the counts of these tests are of documents without article units
 * (test-articles tests those). */
static char *
doc_text(guint n, const char *extra)
{
    return g_strdup_printf("ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM\n"
                           "Số: %u/QĐ-UBND\n"
                           "Quảng Nam, ngày 12 tháng 3 năm 2021\n"
                           "QUYẾT ĐỊNH\n"
                           "Về việc phê duyệt kế hoạch số %u năm 2021\n"
                           "Căn cứ Luật Tổ chức chính quyền địa phương; đường giao thông %s\n"
                           "Phê duyệt kế hoạch mã%u.\n",
                           n, n, extra != NULL ? extra : "", n);
}

static void
fixture_setup(fixture *f, gconstpointer data)
{
    tracuu_test_docs_init(f, "tracuu-indexer-XXXXXX");
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
    tracuu_test_docs_clear(f);
}

static int
run_indexer_env(const char *const *args, char **env, char **out, char **err)
{
    return tracuu_test_run_indexer(args, env, NULL, out, err);
}

static int
run_indexer(const char *const *args, char **out)
{
    return run_indexer_env(args, NULL, out, NULL);
}

/* Runs with --json and returns the parsed summary; *@status gets the exit status. */
static JsonObject *
run_json(fixture *f, const char *const *extra, int *status)
{
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, (gpointer) "--db");
    g_ptr_array_add(a, f->db);
    g_ptr_array_add(a, (gpointer) "--json");
    for (const char *const *e = extra; e != NULL && *e != NULL; e++)
        g_ptr_array_add(a, (gpointer)*e);
    g_ptr_array_add(a, NULL);
    g_autofree char *out = NULL;
    int st = run_indexer((const char *const *)a->pdata, &out);
    g_ptr_array_free(a, TRUE);
    if (status != NULL)
        *status = st;
    g_test_message("summary: %s", out);
    return tracuu_test_parse_object(out);
}

/* Writes @lines to in.jsonl in the test folder and imports it with --from-jsonl; returns the
 * parsed summary, *@status the exit status. */
static JsonObject *
import_jsonl(fixture *f, const char *lines, int *status)
{
    tracuu_test_write_file(f->dir, "in.jsonl", lines, -1);
    g_autofree char *jsonl = g_build_filename(f->dir, "in.jsonl", NULL);
    const char *args[] = {"--from-jsonl", jsonl, NULL};
    return run_json(f, args, status);
}

/* What is in the index, read by python3-xapian (see inspect_py). */
static JsonObject *
inspect(const char *db, const char *const *terms)
{
    return tracuu_test_run_python(inspect_py, db, terms);
}

static char *
sha1_hex(const char *s)
{
    return g_compute_checksum_for_string(G_CHECKSUM_SHA1, s, -1);
}

/* The id the schema gives the document of the file @path: 16 hex of the SHA-1 of its path. */
static char *
file_id(const char *path)
{
    g_autofree char *real = realpath(path, NULL);
    g_assert_nonnull(real);
    g_autofree char *hex = sha1_hex(real);
    return g_strndup(hex, 16);
}

static const char mail_with_attachment[] =
    "From: Văn thư <vanthu@quangnam.gov.vn>\r\n"
    "To: Phòng Tổng hợp <tonghop@quangnam.gov.vn>\r\n"
    "Subject: =?UTF-8?B?R+G7rWkgcXV54bq/dCDEkeG7i25o?=\r\n"
    "Date: Fri, 12 Mar 2021 09:00:00 +0700\r\n"
    "Message-ID: <qd-1@quangnam.gov.vn>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Kính gửi Phòng Tổng hợp, xin gửi quyết định đính kèm về đường giao thông.\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Disposition: attachment; filename=\"phuluc.txt\"\r\n"
    "\r\n"
    "Phụ lục kèm theo: danh mục công trình thủy lợi.\r\n"
    "--b1--\r\n";

static const char mbox_two[] = "From vanthu@example.vn Mon Mar  1 08:00:00 2021\n"
                               "From: vanthu@example.vn\n"
                               "Subject: Thông báo một\n"
                               "Date: Mon, 1 Mar 2021 08:00:00 +0700\n"
                               "Message-ID: <m1@example.vn>\n"
                               "\n"
                               "Thông báo lịch họp giao ban tuần.\n"
                               "\n"
                               "From vanthu@example.vn Tue Mar  2 08:00:00 2021\n"
                               "From: vanthu@example.vn\n"
                               "Subject: Thông báo hai\n"
                               "Date: Tue, 2 Mar 2021 08:00:00 +0700\n"
                               "Message-ID: <m2@example.vn>\n"
                               "\n"
                               "Thông báo lịch trực cơ quan.\n";

/* Fills f->docs with text files, a mail with an attachment, an mbox, a Maildir and a PDF. */
static guint
make_small_archive(fixture *f)
{
    for (guint i = 1; i <= 3; i++) {
        g_autofree char *name = g_strdup_printf("van-ban/qd-%u.txt", i);
        g_autofree char *text = doc_text(i, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    tracuu_test_write_file(f->docs, "thu/gui-qd.eml", mail_with_attachment, -1);
    tracuu_test_write_file(f->docs, "thu/hop.mbox", mbox_two, -1);
    /* A Maildir: its messages have no extension, and tmp/ must be left alone. */
    tracuu_test_write_file(f->docs, "Maildir/cur/1615500000.M1P1.host:2,S", mail_with_attachment,
                           -1);
    tracuu_test_write_file(
        f->docs, "Maildir/new/1615500001.M2P2.host",
        "From: a@b.vn\nSubject: Giấy mời\nMessage-ID: <gm@b.vn>\n\nMời dự họp.\n", -1);
    tracuu_test_write_file(f->docs, "Maildir/tmp/1615500002.M3P3.host", "half a mess", -1);
    /* A real PDF, from the test data of the extractors. */
    g_autofree char *pdf = g_build_filename(g_getenv("TRACUU_SOURCE_ROOT"), "tests", "data",
                                            "extract", "memo.pdf", NULL);
    g_autofree char *bytes = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(pdf, &bytes, &len, NULL));
    tracuu_test_write_file(f->docs, "van-ban/memo.pdf", bytes, (gssize)len);
    return 8; /* files the walk must see (tmp/ excluded) */
}

static void
test_basic(fixture *f, gconstpointer data)
{
    make_small_archive(f);
    int status;
    const char *args[] = {f->docs, NULL};
    g_autoptr(JsonObject) s = run_json(f, args, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "seen"), ==, 8);
    g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 8);
    g_assert_cmpint(tracuu_test_int_member(s, "failed"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "unchanged"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "removed"), ==, 0);
    g_assert_true(json_object_get_double_member(s, "elapsed") >= 0);

    g_autofree char *txt = g_build_filename(f->docs, "van-ban", "qd-2.txt", NULL);
    g_autofree char *eml = g_build_filename(f->docs, "thu", "gui-qd.eml", NULL);
    g_autofree char *mbox = g_build_filename(f->docs, "thu", "hop.mbox", NULL);
    g_autofree char *txt_id = file_id(txt);
    g_autofree char *eml_id = file_id(eml);
    g_autofree char *mbox_id = file_id(mbox);
    const char *terms[] = {"đường", "Fduong", "mã2", "Fma2", "Kmail", "Kattachment", NULL};
    g_autoptr(JsonObject) ix = inspect(f->db, terms);
    JsonObject *q = json_object_get_object_member(ix, "q");
    JsonObject *freq = json_object_get_object_member(ix, "freq");
    /* 3 texts, the memo, mail + attachment, 2 mbox messages, Maildir: 2 + 1. */
    g_assert_cmpint(tracuu_test_int_member(ix, "doccount"), ==, 11);
    g_assert_cmpint(json_object_get_size(q), ==, 11);
    /* The ids of store/tracuu-schema.h: file, mbox message, attachment. */
    g_assert_cmpint(tracuu_test_int_member(q, txt_id), ==, 1);
    g_autofree char *att_id = g_strconcat(eml_id, "/1", NULL);
    g_autofree char *msg1 = g_strconcat(mbox_id, ":1", NULL);
    g_autofree char *msg2 = g_strconcat(mbox_id, ":2", NULL);
    g_assert_cmpint(tracuu_test_int_member(q, eml_id), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(q, att_id), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(q, msg1), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(q, msg2), ==, 1);
    /* Every word in its accented and its accent-free form. */
    g_assert_cmpint(tracuu_test_int_member(freq, "mã2"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(freq, "Fma2"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(freq, "đường"), >=, 4);
    g_assert_cmpint(tracuu_test_int_member(freq, "Fduong"), >=, 4);
    g_assert_cmpint(tracuu_test_int_member(freq, "Kmail"), ==, 5);
    g_assert_cmpint(tracuu_test_int_member(freq, "Kattachment"), ==, 2);
    /* The attachment names its parent; every document of a file carries the file's key. */
    JsonObject *docs = json_object_get_object_member(ix, "data");
    JsonObject *att = json_object_get_object_member(docs, att_id);
    g_assert_cmpstr(json_object_get_string_member(att, "parent"), ==, eml_id);
    g_autofree char *real_eml = realpath(eml, NULL);
    g_autofree char *eml_key = sha1_hex(real_eml);
    g_assert_cmpint(tracuu_test_int_member(json_object_get_object_member(ix, "xf"), eml_key), ==,
                    2);
    /* The state of each file is in the metadata, with the versions. */
    JsonObject *meta = json_object_get_object_member(ix, "meta");
    g_autofree char *state_key = g_strconcat("file:", eml_key, NULL);
    g_assert_true(json_object_has_member(meta, state_key));
    g_assert_nonnull(strstr(json_object_get_string_member(meta, state_key), "\"status\":\"ok\""));
    g_autofree char *schema_version = g_strdup_printf("%d", TRACUU_SCHEMA_VERSION);
    g_assert_cmpstr(json_object_get_string_member(meta, "tracuu.schema_version"), ==,
                    schema_version);
    g_assert_true(json_object_has_member(meta, "tracuu.tokenizer_version"));
}

/*
 * OpenDocument and XLSX through the whole indexer: each file indexed under its kind and its
 * words found (accented and accent-free terms), a truncated ODT reported failed.
 */
static void
test_open_formats(fixture *f, gconstpointer data)
{
    static const char *const files[] = {"cong-van.odt", "bang-luong.ods", "danh-sach.xlsx"};
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *src = g_build_filename(g_getenv("TRACUU_SOURCE_ROOT"), "tests", "data",
                                                "extract", files[i], NULL);
        g_autofree char *bytes = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(src, &bytes, &len, NULL));
        tracuu_test_write_file(f->docs, files[i], bytes, (gssize)len);
        if (i == 0)
            tracuu_test_write_file(f->docs, "hong.odt", bytes, (gssize)(len / 2));
    }
    int status;
    const char *args[] = {f->docs, NULL};
    g_autoptr(JsonObject) s = run_json(f, args, &status);
    g_assert_cmpint(status, ==, 1); /* one file failed */
    g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 3);
    g_assert_cmpint(tracuu_test_int_member(s, "failed"), ==, 1);
    const char *terms[] = {"chuyển", "Fchuyen", "Kodt", "Kods", "Kxlsx", "lương", "nội", NULL};
    g_autoptr(JsonObject) ix = inspect(f->db, terms);
    JsonObject *freq = json_object_get_object_member(ix, "freq");
    g_assert_cmpint(tracuu_test_int_member(freq, "chuyển"), ==, 1);
    /* "chuyển đổi", and "Chuyên viên" in the ODS */
    g_assert_cmpint(tracuu_test_int_member(freq, "Fchuyen"), ==, 2);
    g_assert_cmpint(tracuu_test_int_member(freq, "Kodt"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(freq, "Kods"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(freq, "Kxlsx"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(freq, "lương"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(freq, "nội"), ==,
                    1); /* "Sở Nội vụ"; the ODT's comment "nội bộ" is not text */
}

static void
test_incremental(fixture *f, gconstpointer data)
{
    guint n = make_small_archive(f);
    int status;
    const char *args[] = {f->docs, NULL};
    g_autoptr(JsonObject) s1 = run_json(f, args, &status);
    g_assert_cmpint(tracuu_test_int_member(s1, "indexed"), ==, n);
    g_autoptr(JsonObject) ix1 = inspect(f->db, NULL);
    gint64 docs1 = tracuu_test_int_member(ix1, "doccount");

    /* Nothing changed: nothing is read again. */
    g_autoptr(JsonObject) s2 = run_json(f, args, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s2, "seen"), ==, n);
    g_assert_cmpint(tracuu_test_int_member(s2, "indexed"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s2, "unchanged"), ==, n);
    g_assert_cmpint(tracuu_test_int_member(s2, "documents"), ==, 0);

    /* One file changed, one gone, one new. */
    g_autofree char *text = doc_text(2, "thay đổi nội dung mớiiii");
    tracuu_test_write_file(f->docs, "van-ban/qd-2.txt", text, -1);
    g_autofree char *gone = g_build_filename(f->docs, "thu", "hop.mbox", NULL);
    g_assert_cmpint(g_unlink(gone), ==, 0);
    g_autofree char *text9 = doc_text(9, NULL);
    tracuu_test_write_file(f->docs, "van-ban/qd-9.txt", text9, -1);
    g_autoptr(JsonObject) s3 = run_json(f, args, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s3, "indexed"), ==, 2);
    g_assert_cmpint(tracuu_test_int_member(s3, "removed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s3, "unchanged"), ==, n - 2);
    const char *terms[] = {"mớiiii", "mã9", NULL};
    g_autoptr(JsonObject) ix3 = inspect(f->db, terms);
    /* The mbox's two messages are gone, one text is new. */
    g_assert_cmpint(tracuu_test_int_member(ix3, "doccount"), ==, docs1 - 2 + 1);
    g_assert_cmpint(tracuu_test_int_member(json_object_get_object_member(ix3, "freq"), "mớiiii"),
                    ==, 1);
    g_assert_cmpint(tracuu_test_int_member(json_object_get_object_member(ix3, "freq"), "mã9"), ==,
                    1);
    g_autofree char *real_gone_dir = realpath(f->docs, NULL);
    g_autofree char *gone_path = g_build_filename(real_gone_dir, "thu", "hop.mbox", NULL);
    g_autofree char *gone_key = sha1_hex(gone_path);
    g_autofree char *gone_state = g_strconcat("file:", gone_key, NULL);
    g_assert_false(json_object_has_member(json_object_get_object_member(ix3, "meta"), gone_state));

    /* A run over another folder removes nothing of this one. */
    g_autofree char *other = g_build_filename(f->dir, "other", NULL);
    g_assert_cmpint(g_mkdir(other, 0755), ==, 0);
    tracuu_test_write_file(other, "x.txt", "một văn bản khác", -1);
    const char *args_other[] = {other, NULL};
    g_autoptr(JsonObject) s4 = run_json(f, args_other, &status);
    g_assert_cmpint(tracuu_test_int_member(s4, "indexed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s4, "removed"), ==, 0);
    g_autoptr(JsonObject) ix4 = inspect(f->db, NULL);
    g_assert_cmpint(tracuu_test_int_member(ix4, "doccount"), ==,
                    tracuu_test_int_member(ix3, "doccount") + 1);
}

/* A second run over an unchanged archive is at least 20 times faster than the first. */
static void
test_unchanged_speed(fixture *f, gconstpointer data)
{
    for (guint i = 0; i < 300; i++) {
        g_autofree char *name = g_strdup_printf("d%03u/vb-%u.txt", i % 10, i);
        g_autofree char *text = doc_text(i, "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. "
                                            "Chánh Văn phòng, Giám đốc các Sở chịu trách nhiệm "
                                            "thi hành Quyết định này.");
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    const char *args[] = {f->docs, NULL};
    int status;
    g_autoptr(JsonObject) s1 = run_json(f, args, &status);
    g_assert_cmpint(tracuu_test_int_member(s1, "indexed"), ==, 300);
    /* The better of two unchanged runs: on a shared machine one may be descheduled. */
    double t2 = G_MAXDOUBLE;
    for (int i = 0; i < 2; i++) {
        g_autoptr(JsonObject) s2 = run_json(f, args, &status);
        g_assert_cmpint(tracuu_test_int_member(s2, "unchanged"), ==, 300);
        g_assert_cmpint(tracuu_test_int_member(s2, "indexed"), ==, 0);
        t2 = MIN(t2, json_object_get_double_member(s2, "elapsed"));
    }
    double t1 = json_object_get_double_member(s1, "elapsed");
    g_test_message("first run %.3f s, second %.3f s: %.1f times faster", t1, t2, t1 / t2);
    g_assert_cmpfloat(t2 * 20, <=, t1);
}

static gint64
count_q_dupes(JsonObject *ix)
{
    JsonObject *q = json_object_get_object_member(ix, "q");
    g_autoptr(GList) members = json_object_get_members(q);
    gint64 dupes = 0;
    for (GList *m = members; m != NULL; m = m->next)
        if (json_object_get_int_member(q, m->data) != 1)
            dupes++;
    return dupes;
}

/*
 * kill -9 at several moments of a run: the index opens, no worker outlives the indexer by more
 * than a second, and the next run completes the work.
 */
static void
test_kill9(fixture *f, gconstpointer data)
{
    for (guint i = 0; i < 600; i++) {
        g_autofree char *name = g_strdup_printf("k%02u/vb-%u.txt", i % 20, i);
        g_autofree char *text = doc_text(i, "Nội dung dài hơn một chút để chỉ mục có việc làm.");
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    tracuu_test_write_file(f->docs, "thu/hop.mbox", mbox_two, -1);
    /* The reference: a clean run into another index. */
    g_autofree char *clean_db = g_build_filename(f->dir, "clean", NULL);
    const char *clean_args[] = {"--db", clean_db, "--json", f->docs, NULL};
    g_assert_cmpint(run_indexer(clean_args, NULL), ==, 0);
    g_autoptr(JsonObject) clean = inspect(clean_db, NULL);
    gint64 want = tracuu_test_int_member(clean, "doccount");
    g_assert_cmpint(want, ==, 602);

    const guint delays_ms[] = {5, 60, 150, 300, 500, 800, 1200};
    guint workers_seen = 0;
    tracuu_test_become_subreaper(TRUE);
    for (guint k = 0; k < G_N_ELEMENTS(delays_ms); k++) {
        const char *argv[] = {
            tracuu_test_indexer_path(), "--db", f->db, "--batch", "40", "-q", f->docs, NULL};
        /* 20 ms per file, so that the run is killed in its middle. */
        workers_seen += tracuu_test_kill_slow_indexer(argv, delays_ms[k], 1000);
        /* Whatever moment it died at, the index opens and has no duplicate. */
        if (g_file_test(f->db, G_FILE_TEST_IS_DIR) && g_file_test(f->db, G_FILE_TEST_EXISTS)) {
            g_autofree char *iam = g_build_filename(f->db, "iamglass", NULL);
            if (g_file_test(iam, G_FILE_TEST_EXISTS)) {
                g_autoptr(JsonObject) mid = inspect(f->db, NULL);
                g_test_message("killed after %u ms: %" G_GINT64_FORMAT " documents", delays_ms[k],
                               tracuu_test_int_member(mid, "doccount"));
                g_assert_cmpint(count_q_dupes(mid), ==, 0);
                g_assert_cmpint(tracuu_test_int_member(mid, "doccount"), <=, want);
            }
        }
    }
    tracuu_test_become_subreaper(FALSE);
    /* Most kills came in the middle of the extraction, with workers to end. */
    g_assert_cmpuint(workers_seen, >, 0);
    /* The next run completes the work. */
    int status;
    const char *args[] = {f->docs, NULL};
    g_autoptr(JsonObject) s = run_json(f, args, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "seen"), ==, 601);
    g_assert_cmpint(tracuu_test_int_member(s, "indexed") + tracuu_test_int_member(s, "unchanged"),
                    ==, 601);
    g_autoptr(JsonObject) after = inspect(f->db, NULL);
    g_assert_cmpint(tracuu_test_int_member(after, "doccount"), ==, want);
    g_assert_cmpint(count_q_dupes(after), ==, 0);
    g_assert_cmpint(json_object_get_size(json_object_get_object_member(after, "q")), ==, want);
    /* And a run after that has nothing left to do. */
    g_autoptr(JsonObject) s2 = run_json(f, args, &status);
    g_assert_cmpint(tracuu_test_int_member(s2, "unchanged"), ==, 601);
}

/* A child of @ppid that has not exec'd yet (its command line is still its parent's), or 0. */
static pid_t
unexeced_child(pid_t ppid)
{
    g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    tracuu_test_children_of(ppid, pids, NULL);
    for (guint i = 0; i < pids->len; i++) {
        g_autofree char *path =
            g_strdup_printf("/proc/%d/cmdline", (int)g_array_index(pids, pid_t, i));
        g_autofree char *cmd = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &cmd, &len, NULL))
            continue;
        /* The arguments are NUL-separated: "--internal-worker" is one of them after exec. */
        gboolean worker = FALSE;
        for (gsize j = 0; j < len; j += strlen(cmd + j) + 1)
            worker |= strcmp(cmd + j, "--internal-worker") == 0;
        if (len > 0 && !worker)
            return g_array_index(pids, pid_t, i);
    }
    return 0;
}

/* A child of @ppid that runs as a worker (it has exec'd), or 0. */
static pid_t
worker_child(pid_t ppid)
{
    g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    tracuu_test_children_of(ppid, pids, NULL);
    for (guint i = 0; i < pids->len; i++) {
        pid_t pid = g_array_index(pids, pid_t, i);
        g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
        g_autofree char *cmd = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &cmd, &len, NULL))
            continue;
        for (gsize j = 0; j < len; j += strlen(cmd + j) + 1)
            if (strcmp(cmd + j, "--internal-worker") == 0)
                return pid;
    }
    return 0;
}

/*
 * The indexer killed while its workers are stuck in files that hang them for good (they read
 * no pipe, so only the kernel's parent-death signal can end them); and, with @data, killed
 * between a worker's fork() and the moment the child asks for that signal (the hook
 * "fork-delay" holds the child there): the child must notice that its parent is gone and end,
 * not go on to run the jobs already queued in its pipe.
 */
static void
test_kill9_hung_workers(fixture *f, gconstpointer data)
{
    gboolean before_start = data != NULL;
    for (guint i = 0; i < 20; i++) {
        g_autofree char *name = g_strdup_printf("vb-%u.txt", i);
        g_autofree char *text = doc_text(i, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    tracuu_test_become_subreaper(TRUE);
    const char *argv[] = {tracuu_test_indexer_path(), "--db", f->db, "--jobs", "2", "--timeout", "0",
                          "-q", f->docs, NULL};
    g_auto(GStrv) env =
        g_environ_setenv(g_get_environ(), "TRACUU_INDEXER_FAULT",
                         before_start ? "hang:vb-,fork-delay:1500" : "hang:vb-", TRUE);
    GPid pid;
    GError *error = NULL;
    g_spawn_async(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, &pid, &error);
    g_assert_no_error(error);
    /* A child still not exec'd 100 ms after it was seen is a worker held by the hook (the one
     * that tests itself before the run is not held). */
    gboolean caught = FALSE;
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (!before_start && !caught && g_get_monotonic_time() < deadline) {
        /* Given its files at once, a worker that runs is stuck in one. */
        caught = worker_child(pid) != 0;
        if (!caught)
            g_usleep(2000);
    }
    while (before_start && !caught && g_get_monotonic_time() < deadline) {
        pid_t child = unexeced_child(pid);
        if (child == 0) {
            g_usleep(2000);
            continue;
        }
        g_usleep(100000);
        caught = unexeced_child(pid) == child;
    }
    g_assert_true(caught);
    /* Long enough for the workers to be in their files, or for the indexer to queue the held
     * child's jobs (microseconds after its fork), and well short of the child's 1.5 s wait. */
    g_usleep(200000);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    g_spawn_close_pid(pid);
    /* Held children wake 1.3 s from now: give them a second more. */
    tracuu_test_assert_orphans_end(before_start ? 2300 : 1000);
    tracuu_test_become_subreaper(FALSE);

    /* And the index is right: the next run, without the faults, indexes every file once. */
    int status;
    const char *args[] = {f->docs, NULL};
    g_autoptr(JsonObject) s = run_json(f, args, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "indexed") + tracuu_test_int_member(s, "unchanged"),
                    ==, 20);
    g_autoptr(JsonObject) ix = inspect(f->db, NULL);
    g_assert_cmpint(tracuu_test_int_member(ix, "doccount"), ==, 20);
    g_assert_cmpint(count_q_dupes(ix), ==, 0);
}

static void
new_process_group(gpointer data)
{
    setpgid(0, 0);
}

/*
 * Ctrl-C (SIGINT to the whole process group, workers included) or SIGTERM: the run stops,
 * keeps what it did, says so, and records no file as failed; the next run does the rest.
 */
static void
test_interrupt(fixture *f, gconstpointer data)
{
    for (guint i = 0; i < 600; i++) {
        g_autofree char *name = g_strdup_printf("i%02u/vb-%u.txt", i % 20, i);
        g_autofree char *text = doc_text(i, "Văn bản để thử ngắt giữa chừng.");
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    const int sigs[] = {SIGINT, SIGTERM};
    for (guint k = 0; k < G_N_ELEMENTS(sigs); k++) {
        g_autofree char *db = g_strdup_printf("%s-%u", f->db, k);
        const char *argv[] = {
            tracuu_test_indexer_path(), "--db", db, "--json", "--batch", "20", f->docs, NULL};
        GPid pid;
        int out_fd;
        GError *error = NULL;
        /* 20 ms per file: the run lasts seconds however fast the machine, and is interrupted
         * in its middle. */
        g_auto(GStrv) env =
            g_environ_setenv(g_get_environ(), "TRACUU_INDEXER_FAULT", "slow:vb-", TRUE);
        g_spawn_async_with_pipes(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                 new_process_group, NULL, &pid, NULL, &out_fd, NULL, &error);
        g_assert_no_error(error);
        /* Wait until some files are done, then interrupt the whole group. */
        for (int waited = 0; waited < 600; waited++) {
            g_usleep(50000);
            g_autofree char *iam = g_build_filename(db, "iamglass", NULL);
            if (waited > 4 && g_file_test(iam, G_FILE_TEST_EXISTS))
                break;
        }
        kill(sigs[k] == SIGINT ? -pid : pid, sigs[k]);
        GString *out = g_string_new(NULL);
        char buf[4096];
        ssize_t n;
        while ((n = read(out_fd, buf, sizeof buf)) > 0)
            g_string_append_len(out, buf, n);
        close(out_fd);
        int st;
        waitpid(pid, &st, 0);
        g_spawn_close_pid(pid);
        g_test_message("interrupted by %d: %s", sigs[k], out->str);
        g_assert_true(WIFEXITED(st));
        g_assert_cmpint(WEXITSTATUS(st), ==, 1);
        g_autoptr(JsonParser) p = json_parser_new();
        g_assert_true(json_parser_load_from_data(p, out->str, -1, NULL));
        g_string_free(out, TRUE);
        JsonObject *s = json_node_get_object(json_parser_get_root(p));
        g_assert_true(json_object_get_boolean_member(s, "interrupted"));
        g_assert_cmpint(tracuu_test_int_member(s, "failed"), ==, 0);
        g_assert_cmpint(tracuu_test_int_member(s, "indexed"), <, 600);

        /* The next run completes the work, reading only what was not done. */
        const char *again[] = {"--db", db, "--json", f->docs, NULL};
        g_autofree char *out2 = NULL;
        g_assert_cmpint(run_indexer(again, &out2), ==, 0);
        g_autoptr(JsonParser) p2 = json_parser_new();
        g_assert_true(json_parser_load_from_data(p2, out2, -1, NULL));
        JsonObject *s2 = json_node_get_object(json_parser_get_root(p2));
        g_assert_cmpint(tracuu_test_int_member(s2, "indexed"), ==,
                        600 - tracuu_test_int_member(s, "indexed"));
        g_autoptr(JsonObject) ix = inspect(db, NULL);
        g_assert_cmpint(tracuu_test_int_member(ix, "doccount"), ==, 600);
        g_assert_cmpint(count_q_dupes(ix), ==, 0);
    }
}

typedef struct {
    const char *name;
    int expect;
    const char *args[6]; /* "@DB", "@DOCS" and "@FILE" are replaced */
} exit_case;

static const exit_case exit_cases[] = {
    {"no --db", 2, {"@DOCS", NULL}},
    {"unknown option", 2, {"--db", "@DB", "--no-such-option", "@DOCS", NULL}},
    {"nothing to index", 2, {"--db", "@DB", NULL}},
    {"bad --jobs", 2, {"--db", "@DB", "--jobs", "many", "@DOCS", NULL}},
    {"missing jsonl file", 2, {"--db", "@DB", "--from-jsonl", "/nonexistent/x.jsonl", NULL}},
    {"all indexed", 0, {"--db", "@DB", "@DOCS", NULL}},
    {"one input missing", 1, {"--db", "@DB", "@DOCS", "/nonexistent/path", NULL}},
    {"index is a file", 3, {"--db", "@FILE", "@DOCS", NULL}},
};

static void
test_exit_codes(fixture *f, gconstpointer data)
{
    tracuu_test_write_file(f->docs, "a.txt", "Công văn số 12/UBND về việc họp.", -1);
    g_autofree char *file = g_build_filename(f->dir, "not-a-db", NULL);
    tracuu_test_write_file(f->dir, "not-a-db", "plain file", -1);
    for (size_t i = 0; i < G_N_ELEMENTS(exit_cases); i++) {
        const exit_case *c = &exit_cases[i];
        const char *args[8] = {0};
        for (size_t j = 0; c->args[j] != NULL; j++) {
            const char *a = c->args[j];
            args[j] = strcmp(a, "@DB") == 0     ? f->db
                      : strcmp(a, "@DOCS") == 0 ? f->docs
                      : strcmp(a, "@FILE") == 0 ? file
                                                : a;
        }
        g_autofree char *err = NULL;
        int st = run_indexer_env(args, NULL, NULL, &err);
        g_test_message("%s: exit %d", c->name, st);
        g_assert_cmpint(st, ==, c->expect);
        if (c->expect >= 2)
            g_assert_true(err != NULL && strstr(err, "tracuu-indexer") != NULL);
    }

    /* An index of another schema version (1: the text inside the fields JSON): refused with 3
     * and a clear message, --rebuild works. */
    const char *set_old[] = {"/usr/bin/python3", "-c",
                             "import sys, xapian\n"
                             "db = xapian.WritableDatabase(sys.argv[1], xapian.DB_OPEN)\n"
                             "db.set_metadata('tracuu.schema_version', '1')\n"
                             "db.commit()\n",
                             f->db, NULL};
    int pst = -1;
    g_spawn_sync(NULL, (char **)set_old, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &pst, NULL);
    g_assert_cmpint(pst, ==, 0);
    const char *args[] = {"--db", f->db, f->docs, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(run_indexer_env(args, NULL, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "--rebuild"));
    g_assert_nonnull(strstr(err, "schema version 1"));
    const char *rebuild[] = {"--db", f->db, "--rebuild", f->docs, NULL};
    g_assert_cmpint(run_indexer(rebuild, NULL), ==, 0);
    g_autoptr(JsonObject) ix = inspect(f->db, NULL);
    g_assert_cmpint(tracuu_test_int_member(ix, "doccount"), ==, 1);
    g_autofree char *current = g_strdup_printf("%d", TRACUU_SCHEMA_VERSION);
    g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(ix, "meta"),
                                                  "tracuu.schema_version"),
                    ==, current);

    /* Another writer holds the index: 3. */
    const char *hold[] = {"/usr/bin/python3", "-c",
                          "import sys, time, xapian\n"
                          "db = xapian.WritableDatabase(sys.argv[1], xapian.DB_OPEN)\n"
                          "print('locked', flush=True)\n"
                          "sys.stdin.read()\n",
                          f->db, NULL};
    GPid pid;
    int in_fd, out_fd;
    GError *error = NULL;
    g_spawn_async_with_pipes(NULL, (char **)hold, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                             &in_fd, &out_fd, NULL, &error);
    g_assert_no_error(error);
    char buf[16] = {0};
    g_assert_cmpint(read(out_fd, buf, 6), ==, 6);
    g_autofree char *err2 = NULL;
    g_assert_cmpint(run_indexer_env(args, NULL, NULL, &err2), ==, 3);
    g_assert_nonnull(strstr(err2, "lock"));
    close(in_fd);
    close(out_fd);
    int st;
    waitpid(pid, &st, 0);
    g_spawn_close_pid(pid);
}

static void
test_summary_text(fixture *f, gconstpointer data)
{
    tracuu_test_write_file(f->docs, "a.txt", "Thông báo số 5/TB về lịch trực.", -1);
    /* Binary junk under a PDF's name (a text under that name would be indexed as text). */
    static const char junk[] = "\x89\x00\xff\x13\x00\x01\xfe\x80\x00\x7f\x00\x02\x03";
    tracuu_test_write_file(f->docs, "b.pdf", junk, sizeof junk);
    const char *args[] = {"--db", f->db, f->docs, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(run_indexer_env(args, NULL, &out, &err), ==, 1);
    /* A pipe gets the summary and no progress. */
    g_assert_nonnull(strstr(out, "files seen:  2"));
    g_assert_nonnull(strstr(out, "indexed:     1"));
    g_assert_nonnull(strstr(out, "failed:      1"));
    g_assert_nonnull(strstr(out, "b.pdf: "));
    g_assert_nonnull(strstr(out, "elapsed:"));
    g_assert_null(strstr(err, "files/s"));
    g_assert_null(strstr(out, "files/s"));

    /* A terminal gets progress: script(1) gives the indexer a pseudo-terminal. */
    g_autofree char *script = g_find_program_in_path("script");
    if (script != NULL) {
        g_autofree char *db2 = g_build_filename(f->dir, "db2", NULL);
        g_autofree char *cmd =
            g_strdup_printf("'%s' --db '%s' '%s'", tracuu_test_indexer_path(), db2, f->docs);
        const char *argv[] = {"script", "-qec", cmd, "/dev/null", NULL};
        g_autofree char *tty_out = NULL;
        int st;
        g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &tty_out, NULL,
                     &st, NULL);
        g_assert_nonnull(strstr(tty_out, "files/s"));
        g_assert_nonnull(strstr(tty_out, "2/2 files"));
    }
}

static void
test_jsonl(fixture *f, gconstpointer data)
{
    const char *lines =
        "{\"id\": \"law-1#1\", \"title\": \"Điều 1. Phạm vi\", \"text\": \"Luật này quy định "
        "về đường bộ.\", \"number\": \"23/2008/QH12\", \"date\": \"2008-11-13\"}\n"
        "{\"id\": \"law-1#2\", \"title\": \"Điều 2\", \"text\": broken json}\n"
        "{\"id\": \"law-1#3\", \"title\": \"Điều 3\", \"text\": \"Giải thích từ ngữ cầu cống.\","
        " \"cites\": [\"23/2008/QH12\"]}\n"
        "{\"title\": \"no id\", \"text\": \"x\"}\n"
        "{\"id\": \"law-1#5\", \"text\": \"ngày sai\", \"date\": \"13/11/2008\"}\n"
        "\n"
        "[1, 2]\n"
        "{\"id\": \"law-1#8\", \"text\": \"Nội dung tám trùng mã.\"}\n";
    int status;
    g_autoptr(JsonObject) s = import_jsonl(f, lines, &status);
    g_assert_cmpint(status, ==, 1);
    JsonObject *j = json_object_get_object_member(s, "jsonl");
    g_assert_cmpint(tracuu_test_int_member(j, "lines"), ==, 7);
    g_assert_cmpint(tracuu_test_int_member(j, "imported"), ==, 3);
    g_assert_cmpint(tracuu_test_int_member(j, "bad"), ==, 4);
    JsonArray *bad = json_object_get_array_member(j, "bad_lines");
    const gint64 want_lines[] = {2, 4, 5, 7};
    g_assert_cmpint(json_array_get_length(bad), ==, G_N_ELEMENTS(want_lines));
    for (guint i = 0; i < G_N_ELEMENTS(want_lines); i++) {
        JsonObject *b = json_array_get_object_element(bad, i);
        g_assert_cmpint(json_object_get_int_member(b, "line"), ==, want_lines[i]);
        g_assert_cmpstr(json_object_get_string_member(b, "reason"), !=, "");
    }
    const char *terms[] = {"Fduong", "Kjson", "cống", NULL};
    g_autoptr(JsonObject) ix = inspect(f->db, terms);
    g_assert_cmpint(tracuu_test_int_member(ix, "doccount"), ==, 3);
    JsonObject *q = json_object_get_object_member(ix, "q");
    g_assert_true(json_object_has_member(q, "law-1#1"));
    g_assert_true(json_object_has_member(q, "law-1#8"));
    JsonObject *freq = json_object_get_object_member(ix, "freq");
    g_assert_cmpint(tracuu_test_int_member(freq, "Kjson"), ==, 3);
    g_assert_cmpint(tracuu_test_int_member(freq, "Fduong"), ==, 1);
    /* A hit carries the id it was imported with. */
    JsonObject *d =
        json_object_get_object_member(json_object_get_object_member(ix, "data"), "law-1#1");
    g_assert_cmpstr(json_object_get_string_member(d, "id"), ==, "law-1#1");

    /* Importing again replaces documents with the same id: no duplicates, new text. */
    g_autoptr(JsonObject) s2 = import_jsonl(
        f, "{\"id\": \"law-1#1\", \"title\": \"Điều 1\", \"text\": \"Sửa đổi: cầu cống.\"}\n",
        &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(json_object_get_object_member(s2, "jsonl"), "imported"),
                    ==, 1);
    g_autoptr(JsonObject) ix2 = inspect(f->db, terms);
    g_assert_cmpint(tracuu_test_int_member(ix2, "doccount"), ==, 3);
    g_assert_cmpint(count_q_dupes(ix2), ==, 0);
    JsonObject *freq2 = json_object_get_object_member(ix2, "freq");
    g_assert_cmpint(tracuu_test_int_member(freq2, "Fduong"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(freq2, "cống"), ==, 2);
}

/*
 * --from-jsonl checks each member by the type the field table gives it: a date must be a real
 * day (2021-02-31 was taken before the one validator), addresses are mailboxes, and the cites
 * of a line that gives none are read from its text, as for files.
 */
static void
test_jsonl_fields(fixture *f, gconstpointer data)
{
    const char *lines =
        "{\"id\": \"d1\", \"text\": \"ngày không có\", \"date\": \"2021-02-31\"}\n"
        "{\"id\": \"d2\", \"text\": \"tháng không có\", \"date\": \"2021-13-01\"}\n"
        "{\"id\": \"d3\", \"text\": \"Năm nhuận, theo Nghị định 30/2020/NĐ-CP.\","
        " \"date\": \"2020-02-29\", \"from\": \"\\\"Văn thư, Bộ\\\" <VanThu@Bo.gov.vn>, b@c.vn\"}\n"
        "{\"id\": \"d4\", \"text\": \"x\", \"cites\": \"30/2020/NĐ-CP\"}\n";
    int status;
    g_autoptr(JsonObject) s = import_jsonl(f, lines, &status);
    g_assert_cmpint(status, ==, 1);
    JsonObject *j = json_object_get_object_member(s, "jsonl");
    g_assert_cmpint(tracuu_test_int_member(j, "imported"), ==, 1);
    JsonArray *bad = json_object_get_array_member(j, "bad_lines");
    static const struct {
        gint64 line;
        const char *says[2];
    } want[] = {
        {1, {"\"date\" must be a date YYYY-MM-DD", "\"2021-02-31\""}},
        {2, {"\"date\" must be a date YYYY-MM-DD", "\"2021-13-01\""}},
        {4, {"\"cites\" must be an array of strings", NULL}},
    };
    g_assert_cmpint(json_array_get_length(bad), ==, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        JsonObject *b = json_array_get_object_element(bad, i);
        const char *reason = json_object_get_string_member(b, "reason");
        g_test_message("line %u: %s", i, reason);
        g_assert_cmpint(json_object_get_int_member(b, "line"), ==, want[i].line);
        for (guint k = 0; k < 2 && want[i].says[k] != NULL; k++)
            g_assert_nonnull(strstr(reason, want[i].says[k]));
    }
    const char *terms[] = {"D20200229", "Avanthu@bo.gov.vn", "Ab@c.vn", "AWvan",
                           "XC30/2020/nd-cp", NULL};
    g_autoptr(JsonObject) ix = inspect(f->db, terms);
    g_assert_cmpint(tracuu_test_int_member(ix, "doccount"), ==, 1);
    JsonObject *freq = json_object_get_object_member(ix, "freq");
    for (guint i = 0; terms[i] != NULL; i++) {
        if (tracuu_test_int_member(freq, terms[i]) != 1)
            g_test_message("%s: %" G_GINT64_FORMAT, terms[i],
                           tracuu_test_int_member(freq, terms[i]));
        g_assert_cmpint(tracuu_test_int_member(freq, terms[i]), ==, 1);
    }
    JsonObject *d = json_object_get_object_member(json_object_get_object_member(ix, "data"), "d3");
    g_assert_cmpstr(json_object_get_string_member(d, "from"), ==,
                    "\"Văn thư, Bộ\" <VanThu@Bo.gov.vn>, b@c.vn");
    JsonArray *cites = json_object_get_array_member(d, "cites");
    g_assert_cmpuint(json_array_get_length(cites), ==, 1);
    g_assert_cmpstr(json_array_get_string_element(cites, 0), ==, "30/2020/NĐ-CP");
}

/* A stamp printed in a --from-jsonl line's text sets its level; the level the line gives
 * raises it, never lowers it (issue 10: "a rule may raise it, never lower it"). */
static void
test_jsonl_stamp(fixture *f, gconstpointer data)
{
#define HEAD "BỘ CÔNG AN\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n" \
             "Độc lập - Tự do - Hạnh phúc\nSố: 12/QĐ-BCA\nHà Nội, ngày 3 tháng 4 năm 2024\n"
#define BODY "QUYẾT ĐỊNH\nVề việc bảo vệ bí mật nhà nước\nCăn cứ Luật Bảo vệ bí mật nhà nước;\n"
    static const struct {
        const char *id, *text, *given, *want;
    } cases[] = {
        {"printed", HEAD "MẬT\n" BODY, NULL, "mat"},
        {"raised", HEAD "MẬT\n" BODY, "toi-mat", "toi-mat"},
        {"not-lowered", HEAD "TUYỆT MẬT\n" BODY, "none", "tuyet-mat"},
        {"given", HEAD BODY, "mat", "mat"},
        {"none", HEAD BODY, NULL, "none"},
    };
    GString *lines = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "id", cases[i].id);
        json_object_set_string_member(o, "text", cases[i].text);
        if (cases[i].given != NULL)
            json_object_set_string_member(o, "secrecy", cases[i].given);
        g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), o);
        json_object_unref(o);
        g_autofree char *line = json_to_string(n, FALSE);
        g_string_append_printf(lines, "%s\n", line);
    }
    int status;
    g_autoptr(JsonObject) s = import_jsonl(f, lines->str, &status);
    g_string_free(lines, TRUE);
    g_assert_cmpint(status, ==, 0);
    const char *terms[] = {"XLnone", "XLmat", "XLtoi-mat", "XLtuyet-mat", NULL};
    g_autoptr(JsonObject) ix = inspect(f->db, terms);
    JsonObject *all = json_object_get_object_member(ix, "data");
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        JsonObject *d = json_object_get_object_member(all, cases[i].id);
        g_assert_nonnull(d);
        const char *got = json_object_get_string_member_with_default(d, "secrecy", "none");
        g_test_message("%s: %s", cases[i].id, got);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
    JsonObject *freq = json_object_get_object_member(ix, "freq");
    g_assert_cmpint(tracuu_test_int_member(freq, "XLnone"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(freq, "XLmat"), ==, 2);
    g_assert_cmpint(tracuu_test_int_member(freq, "XLtoi-mat"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(freq, "XLtuyet-mat"), ==, 1);
#undef HEAD
#undef BODY
}

/* A file that crashes or hangs its extractor costs that file only, and is not retried until
 * it changes. TRACUU_INDEXER_FAULT makes the worker crash or hang on chosen names. */
static void
test_worker_faults(fixture *f, gconstpointer data)
{
    for (guint i = 0; i < 6; i++) {
        g_autofree char *name = g_strdup_printf("ok-%u.txt", i);
        g_autofree char *text = doc_text(i, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    tracuu_test_write_file(f->docs, "boom.txt", "nổ", -1);
    tracuu_test_write_file(f->docs, "stuck.txt", "treo", -1);
    tracuu_test_write_file(f->docs, "spin.txt", "quay", -1);
    const char *args[] = {"--db", f->db,    "--json", "--timeout", "2", "--cpu-limit",
                          "1",    "--jobs", "2",      f->docs,     NULL};
    const char *faults[] = {"crash:boom", "hang:stuck", "spin:spin"};
    /* The wall-clock limit must not beat the CPU limit to the spinning worker, nor the
     * crash: under AddressSanitizer on a loaded machine its report alone can take seconds. */
    const char *timeouts[] = {"30", "2", "30"};
    /* Under AddressSanitizer a SIGSEGV becomes its report and an abort (signal 6). */
    const char *reasons[] = {"extractor crashed (signal", "timed out", "CPU time"};
    /* One fault per run: the variable names one. */
    for (guint k = 0; k < G_N_ELEMENTS(faults); k++) {
        g_autofree char *db = g_strdup_printf("%s-%u", f->db, k);
        args[1] = db;
        args[4] = timeouts[k];
        g_autofree char *var = g_strdup_printf("TRACUU_INDEXER_FAULT=%s", faults[k]);
        g_auto(GStrv) env =
            g_environ_setenv(g_get_environ(), "TRACUU_INDEXER_FAULT", faults[k], TRUE);
        g_autofree char *out = NULL;
        int st = run_indexer_env(args, env, &out, NULL);
        g_test_message("%s: %s", var, out);
        g_assert_cmpint(st, ==, 1);
        g_autoptr(JsonParser) p = json_parser_new();
        g_assert_true(json_parser_load_from_data(p, out, -1, NULL));
        JsonObject *s = json_node_get_object(json_parser_get_root(p));
        g_assert_cmpint(tracuu_test_int_member(s, "seen"), ==, 9);
        g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 8);
        g_assert_cmpint(tracuu_test_int_member(s, "failed"), ==, 1);
        JsonObject *fail =
            json_array_get_object_element(json_object_get_array_member(s, "failures"), 0);
        g_assert_nonnull(
            strstr(json_object_get_string_member(fail, "path"), strchr(faults[k], ':') + 1));
        g_assert_nonnull(strstr(json_object_get_string_member(fail, "reason"), reasons[k]));

        /* Not retried on the next run while unchanged (it would fail again), but reported. */
        g_autofree char *out2 = NULL;
        st = run_indexer_env(args, env, &out2, NULL);
        g_assert_cmpint(st, ==, 1);
        g_assert_nonnull(strstr(out2, "\"indexed\" : 0"));
        g_assert_nonnull(strstr(out2, "\"unchanged\" : 9"));
        g_assert_nonnull(strstr(out2, reasons[k]));
    }
    /* Changed, and without the fault: retried and indexed. */
    g_usleep(10000);
    tracuu_test_write_file(f->docs, "boom.txt", "không nổ nữa", -1);
    args[1] = g_strdup_printf("%s-0", f->db);
    g_autofree char *out = NULL;
    int st = run_indexer_env(args, NULL, &out, NULL);
    g_free((char *)args[1]);
    g_assert_cmpint(st, ==, 0);
    g_assert_nonnull(strstr(out, "\"indexed\" : 1"));
}

/*
 * The memory limit: a worker that takes 1 GiB under a 256 MiB limit fails on that file only;
 * with no limit the same file is indexed, so the limit is what stopped it. An AddressSanitizer
 * build applies no limit (its shadow memory needs the address space) and says so in --version.
 */
static void
test_memory_limit(fixture *f, gconstpointer data)
{
    const char *version[] = {"--version", NULL};
    g_autofree char *v = NULL;
    g_assert_cmpint(run_indexer(version, &v), ==, 0);
    if (strstr(v, "AddressSanitizer") != NULL) {
        g_test_skip("no memory limit in an AddressSanitizer build");
        return;
    }
    for (guint i = 0; i < 4; i++) {
        g_autofree char *name = g_strdup_printf("ok-%u.txt", i);
        g_autofree char *text = doc_text(i, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    tracuu_test_write_file(f->docs, "hog.txt", "tham lam", -1);
    g_auto(GStrv) env =
        g_environ_setenv(g_get_environ(), "TRACUU_INDEXER_FAULT", "alloc:hog", TRUE);
    const char *limits[] = {"256", "0"};
    for (guint k = 0; k < G_N_ELEMENTS(limits); k++) {
        g_autofree char *db = g_strdup_printf("%s-%u", f->db, k);
        const char *args[] = {"--db", db, "--json", "--memory-limit", limits[k], f->docs, NULL};
        g_autofree char *out = NULL;
        int st = run_indexer_env(args, env, &out, NULL);
        g_test_message("--memory-limit %s: %s", limits[k], out);
        g_autoptr(JsonParser) p = json_parser_new();
        g_assert_true(json_parser_load_from_data(p, out, -1, NULL));
        JsonObject *s = json_node_get_object(json_parser_get_root(p));
        if (k == 0) {
            g_assert_cmpint(st, ==, 1);
            g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 4);
            g_assert_cmpint(tracuu_test_int_member(s, "failed"), ==, 1);
            JsonObject *fail =
                json_array_get_object_element(json_object_get_array_member(s, "failures"), 0);
            g_assert_true(
                g_str_has_suffix(json_object_get_string_member(fail, "path"), "/hog.txt"));
            g_assert_nonnull(
                strstr(json_object_get_string_member(fail, "reason"), "extractor crashed"));
        } else {
            g_assert_cmpint(st, ==, 0);
            g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 5);
        }
    }
}

/*
 * A limit too low for a worker even to start (its libraries do not fit) is refused before
 * anything is written, with the smallest limit that works, measured; and that one works. Without
 * the check every file failed with "extractor exited with status 127", recorded so, and was
 * not retried by the next run with a sane limit.
 */
static void
test_memory_limit_too_low(fixture *f, gconstpointer data)
{
    const char *version[] = {"--version", NULL};
    g_autofree char *v = NULL;
    g_assert_cmpint(run_indexer(version, &v), ==, 0);
    if (strstr(v, "AddressSanitizer") != NULL) {
        g_test_skip("no memory limit in an AddressSanitizer build");
        return;
    }
    tracuu_test_write_file(f->docs, "a.txt", "Thông báo số 5/TB về lịch trực.", -1);
    const char *args[] = {"--db", f->db, "--memory-limit", "30", f->docs, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(run_indexer_env(args, NULL, &out, &err), ==, 2);
    g_assert_nonnull(
        strstr(err, "--memory-limit 30 MiB is too low for an extraction worker to start"));
    const char *at = strstr(err, "the smallest that works here is about ");
    g_assert_nonnull(at);
    guint64 least =
        g_ascii_strtoull(at + strlen("the smallest that works here is about "), NULL, 10);
    g_test_message("smallest limit: %" G_GUINT64_FORMAT " MiB", least);
    g_assert_cmpuint(least, >, 30);
    g_assert_cmpuint(least, <, 2048);
    /* Nothing was written: not even an empty index. */
    g_assert_false(g_file_test(f->db, G_FILE_TEST_EXISTS));

    /* The limit it named is enough to index a small text. */
    g_autofree char *least_s = g_strdup_printf("%" G_GUINT64_FORMAT, least);
    const char *ok_args[] = {"--memory-limit", least_s, f->docs, NULL};
    int status;
    g_autoptr(JsonObject) s = run_json(f, ok_args, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 1);

    /* Into an index that exists, with a file to read: refused too, and the file is not
     * recorded as failed, so the next run with a sane limit reads it. */
    g_usleep(10000);
    tracuu_test_write_file(f->docs, "a.txt", "Thông báo số 6/TB về lịch trực mới.", -1);
    g_autofree char *err2 = NULL;
    g_assert_cmpint(run_indexer_env(args, NULL, NULL, &err2), ==, 2);
    g_assert_nonnull(strstr(err2, "too low for an extraction worker to start"));
    const char *again[] = {f->docs, NULL};
    g_autoptr(JsonObject) s3 = run_json(f, again, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s3, "indexed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s3, "still_failing"), ==, 0);
}

/* Workers that cannot work at all (here libmagic has no database) stop the run before it
 * records every file as failed: exit status 3, with the worker's own reason. */
static void
test_worker_cannot_start(fixture *f, gconstpointer data)
{
    tracuu_test_write_file(f->docs, "a.txt", "Thông báo số 5/TB về lịch trực.", -1);
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "MAGIC", "/nonexistent/magic.mgc", TRUE);
    const char *args[] = {"--db", f->db, "--json", f->docs, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(run_indexer_env(args, env, &out, &err), ==, 3);
    g_assert_nonnull(strstr(err, "cannot start an extraction worker: "));
    g_assert_nonnull(strstr(err, "libmagic"));
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, out, -1, NULL));
    JsonObject *s = json_node_get_object(json_parser_get_root(p));
    g_assert_cmpint(tracuu_test_int_member(s, "exit_status"), ==, 3);
    g_assert_nonnull(strstr(json_object_get_string_member(s, "error"), "libmagic"));
    g_assert_false(g_file_test(f->db, G_FILE_TEST_EXISTS));
}

/*
 * A PDF whose only page is an image (a scan without a text layer), written byte by byte with
 * its cross-reference table, so that the test needs no tool to make one.
 */
static GBytes *
image_only_pdf(void)
{
    static const char image[] = "\x00\xff\xff\x00"; /* 2 x 2 grey pixels */
    static const char content[] = "q 200 0 0 200 0 0 cm /Im1 Do Q\n";
    GString *pdf = g_string_new("%PDF-1.4\n");
    gsize offsets[6];
    offsets[1] = pdf->len;
    g_string_append(pdf, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    offsets[2] = pdf->len;
    g_string_append(pdf, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    offsets[3] = pdf->len;
    g_string_append(pdf, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                         "/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>\n"
                         "endobj\n");
    offsets[4] = pdf->len;
    g_string_append(pdf, "4 0 obj\n<< /Type /XObject /Subtype /Image /Width 2 /Height 2 "
                         "/ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n");
    g_string_append_len(pdf, image, 4);
    g_string_append(pdf, "\nendstream\nendobj\n");
    offsets[5] = pdf->len;
    g_string_append_printf(pdf, "5 0 obj\n<< /Length %zu >>\nstream\n%sendstream\nendobj\n",
                           strlen(content), content);
    gsize xref = pdf->len;
    g_string_append(pdf, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 1; i <= 5; i++)
        g_string_append_printf(pdf, "%010zu 00000 n \n", offsets[i]);
    g_string_append_printf(pdf, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                           xref);
    return g_string_free_to_bytes(pdf);
}

/* The line of @out that starts with @label, or NULL. Caller frees. */
static char *
summary_line(const char *out, const char *label)
{
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l != NULL; l++)
        if (g_str_has_prefix(*l, label))
            return g_strdup(*l);
    return NULL;
}

/*
 * A scan that fails on every run (it needs OCR) is not retried while it is unchanged, but it is
 * still not in the index: the exit status says 1 run after run, and the summary, in text and in
 * JSON, says why, next to the number of files that failed in this run. Excluding the file is
 * how an administrator accepts it: the run is then clean.
 */
static void
test_still_failing(fixture *f, gconstpointer data)
{
    tracuu_test_write_file(f->docs, "a.txt", "Thông báo số 5/TB về lịch trực.", -1);
    g_autoptr(GBytes) pdf = image_only_pdf();
    tracuu_test_write_file(f->docs, "scan.pdf", g_bytes_get_data(pdf, NULL),
                           (gssize)g_bytes_get_size(pdf));
    int status;
    /* Without OCR, which might read something in the scan: this is about a file that fails. */
    const char *args[] = {"--ocr=never", f->docs, NULL};
    g_autoptr(JsonObject) s1 = run_json(f, args, &status);
    g_assert_cmpint(status, ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s1, "exit_status"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s1, "failed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s1, "still_failing"), ==, 0);
    JsonObject *fail =
        json_array_get_object_element(json_object_get_array_member(s1, "failures"), 0);
    g_assert_nonnull(strstr(json_object_get_string_member(fail, "reason"), "image-only"));

    /* Unchanged: not read again, and the summary says what the exit status says. */
    const char *text_args[] = {"--db", f->db, "--ocr=never", f->docs, NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(run_indexer(text_args, &out), ==, 1);
    g_test_message("second run: %s", out);
    g_autofree char *failed_line = summary_line(out, "failed:");
    g_assert_nonnull(failed_line);
    g_assert_nonnull(strstr(failed_line, "1 still failing"));
    g_assert_nonnull(strstr(out, "scan.pdf: image-only"));

    g_autoptr(JsonObject) s2 = run_json(f, args, &status);
    g_assert_cmpint(status, ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s2, "exit_status"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s2, "indexed"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s2, "unchanged"), ==, 2);
    g_assert_cmpint(tracuu_test_int_member(s2, "failed"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s2, "still_failing"), ==, 1);
    JsonArray *old = json_object_get_array_member(s2, "unchanged_failures");
    g_assert_cmpint(json_array_get_length(old), ==, 1);
    g_assert_true(g_str_has_suffix(
        json_object_get_string_member(json_array_get_object_element(old, 0), "path"), "/scan.pdf"));

    /* --quiet, as from cron, does not hide it. */
    const char *quiet_args[] = {"--db", f->db, "--quiet", f->docs, NULL};
    g_autofree char *quiet_out = NULL;
    g_assert_cmpint(run_indexer(quiet_args, &quiet_out), ==, 1);
    g_assert_nonnull(strstr(quiet_out, "scan.pdf"));

    /* Excluded, it is no longer an input: its record goes and the run is clean. */
    const char *exclude[] = {"--exclude", "scan.pdf", f->docs, NULL};
    g_autoptr(JsonObject) s3 = run_json(f, exclude, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s3, "exit_status"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s3, "removed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s3, "still_failing"), ==, 0);
}

static void
test_exclude_and_db_inside(fixture *f, gconstpointer data)
{
    tracuu_test_write_file(f->docs, "keep.txt", "giữ lại", -1);
    tracuu_test_write_file(f->docs, "drafts/nhap.txt", "bản nháp", -1);
    tracuu_test_write_file(f->docs, "x.bak", "bản sao", -1);
    /* The index inside the folder it indexes must not index itself. */
    g_autofree char *db = g_build_filename(f->docs, ".index", NULL);
    const char *args[] = {"--db", db,      "--json", "--exclude", "drafts",
                          "-x",   "*.bak", f->docs,  NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(run_indexer(args, &out), ==, 0);
    g_assert_nonnull(strstr(out, "\"seen\" : 1"));
    g_assert_nonnull(strstr(out, "\"indexed\" : 1"));
    g_autofree char *out2 = NULL;
    g_assert_cmpint(run_indexer(args, &out2), ==, 0);
    g_assert_nonnull(strstr(out2, "\"unchanged\" : 1"));
}

/* ---- --compact ---- */

static char *
ix_text(JsonObject *ix)
{
    g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), ix);
    return json_to_string(n, FALSE);
}

static JsonObject *
member_object(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_object_member(o, name);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names in @dir, sorted and joined by spaces: what a compaction left beside the index. */
static char *
dir_names(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    char *out = g_strjoinv(" ", (char **)names->pdata);
    g_ptr_array_free(names, TRUE);
    return out;
}

static const char *const compact_terms[] = {"đường", "Fduong", "mã2", "Fma2", "Kmail", NULL};

/*
 * The small archive and 300 more texts: an index of about a megabyte, which a compaction makes
 * smaller by more than the 64 kB below which it keeps the index as it is.
 */
static guint
make_compact_archive(fixture *f)
{
    guint n = make_small_archive(f);
    for (guint i = 0; i < 300; i++) {
        g_autofree char *name = g_strdup_printf("c%02u/vb-%u.txt", i % 10, i);
        g_autofree char *text = doc_text(100 + i, "Điều 2. Quyết định này có hiệu lực kể từ "
                                                  "ngày ký; các cơ quan liên quan thi hành.");
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    return n + 300;
}

/*
 * A run with --compact: the index is smaller and holds exactly what it held (documents under
 * the same numbers, their data, every term asked about, every metadata key: versions and file
 * states), so that the next run still skips the unchanged files and reads the changed one.
 */
static void
test_compact_after_run(fixture *f, gconstpointer data)
{
    guint n = make_compact_archive(f);
    int status;
    const char *plain[] = {f->docs, NULL};
    g_autoptr(JsonObject) s1 = run_json(f, plain, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_false(json_object_has_member(s1, "compact"));
    g_autoptr(JsonObject) ix1 = inspect(f->db, compact_terms);

    const char *compact[] = {"--compact", f->docs, NULL};
    g_autoptr(JsonObject) s2 = run_json(f, compact, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s2, "unchanged"), ==, n);
    JsonObject *c = member_object(s2, "compact");
    g_assert_true(json_object_get_boolean_member(c, "done"));
    g_assert_cmpint(tracuu_test_int_member(c, "size_after"), >, 0);
    g_assert_cmpint(tracuu_test_int_member(c, "size_after"), <,
                    tracuu_test_int_member(c, "size_before"));
    g_assert_cmpint(tracuu_test_int_member(c, "documents"), ==,
                    tracuu_test_int_member(ix1, "doccount"));
    g_assert_true(json_object_get_double_member(c, "seconds") > 0);
    g_autoptr(JsonObject) ix2 = inspect(f->db, compact_terms);
    g_autofree char *t1 = ix_text(ix1);
    g_autofree char *t2 = ix_text(ix2);
    g_assert_cmpstr(t2, ==, t1);
    g_autofree char *names = dir_names(f->dir);
    g_assert_cmpstr(names, ==, "db docs");

    /* The state survived: nothing is read again. */
    g_autoptr(JsonObject) s3 = run_json(f, plain, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s3, "unchanged"), ==, n);
    g_assert_cmpint(tracuu_test_int_member(s3, "indexed"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s3, "removed"), ==, 0);

    /* A change after the compaction is seen, and a second compaction keeps it. */
    g_autofree char *text = doc_text(2, "thay đổi sau khi nén");
    tracuu_test_write_file(f->docs, "van-ban/qd-2.txt", text, -1);
    g_autoptr(JsonObject) s4 = run_json(f, compact, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s4, "indexed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s4, "unchanged"), ==, n - 1);
    g_assert_true(json_object_get_boolean_member(member_object(s4, "compact"), "done"));
    const char *terms[] = {"nén", "Fnen", NULL};
    g_autoptr(JsonObject) ix4 = inspect(f->db, terms);
    g_assert_cmpint(tracuu_test_int_member(ix4, "doccount"), ==,
                    tracuu_test_int_member(ix1, "doccount"));
    g_assert_cmpint(tracuu_test_int_member(member_object(ix4, "freq"), "nén"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(member_object(ix4, "freq"), "Fnen"), ==, 1);

    /* Compacted and unchanged since: nothing to gain, the index is left alone. */
    struct stat st1, st2;
    g_assert_cmpint(stat(f->db, &st1), ==, 0);
    g_autoptr(JsonObject) s5 = run_json(f, compact, &status);
    g_assert_cmpint(status, ==, 0);
    JsonObject *c5 = member_object(s5, "compact");
    g_assert_true(json_object_get_boolean_member(c5, "done"));
    g_assert_false(json_object_get_boolean_member(c5, "replaced"));
    g_assert_cmpint(tracuu_test_int_member(c5, "size_after"), ==,
                    tracuu_test_int_member(c5, "size_before"));
    g_assert_cmpint(stat(f->db, &st2), ==, 0);
    g_assert_cmpuint(st1.st_ino, ==, st2.st_ino);
    const char *args[] = {"--db", f->db, "--compact", f->docs, NULL};
    g_autofree char *out1 = NULL;
    g_assert_cmpint(run_indexer(args, &out1), ==, 0);
    g_test_message("%s", out1);
    g_assert_nonnull(strstr(out1, "compacted:   no need, already compact ("));

    /* The text summary says what it did in one line: "compacted:   N kB -> M kB in T s", each
     * size as g_format_size() writes it (recent GLib puts a no-break space before the unit). */
    tracuu_test_write_file(f->docs, "van-ban/qd-10.txt", "Công văn số 10 về việc nén chỉ mục.", -1);
    g_autofree char *out = NULL;
    g_assert_cmpint(run_indexer(args, &out), ==, 0);
    g_test_message("%s", out);
    g_assert_true(g_regex_match_simple(
        "\\ncompacted:   [0-9.]+(?: |\u00a0)[kM]B -> [0-9.]+(?: |\u00a0)[kM]B in [0-9.]+ s\\n", out, 0,
        0));
}

/* --compact without PATHs: only the compaction, which never creates an index. */
static void
test_compact_alone(fixture *f, gconstpointer data)
{
    const char *alone[] = {"--db", f->db, "--compact", NULL};
    g_autofree char *err = NULL;
    g_autofree char *out0 = NULL;
    g_assert_cmpint(run_indexer_env(alone, NULL, &out0, &err), ==, 3);
    g_assert_nonnull(strstr(err, "No such file"));
    g_assert_false(g_file_test(f->db, G_FILE_TEST_EXISTS));
    const char *rebuild[] = {"--db", f->db, "--compact", "--rebuild", NULL};
    g_assert_cmpint(run_indexer_env(rebuild, NULL, NULL, NULL), ==, 2);

    make_compact_archive(f);
    const char *plain[] = {"--db", f->db, "-q", f->docs, NULL};
    g_assert_cmpint(run_indexer(plain, NULL), ==, 0);
    g_autoptr(JsonObject) ix1 = inspect(f->db, compact_terms);

    g_autofree char *out = NULL;
    g_assert_cmpint(run_indexer(alone, &out), ==, 0);
    g_test_message("%s", out);
    g_assert_nonnull(strstr(out, "compacted:   "));
    g_assert_null(strstr(out, "files seen"));
    g_autoptr(JsonObject) ix2 = inspect(f->db, compact_terms);
    g_autofree char *t1 = ix_text(ix1);
    g_autofree char *t2 = ix_text(ix2);
    g_assert_cmpstr(t2, ==, t1);

    /* Again, with --json; and --quiet says nothing when all went well. */
    const char *none[] = {"--compact", NULL};
    int status;
    g_autoptr(JsonObject) s = run_json(f, none, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "exit_status"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "seen"), ==, 0);
    g_assert_true(json_object_get_boolean_member(member_object(s, "compact"), "done"));
    const char *quiet[] = {"--db", f->db, "--compact", "-q", NULL};
    g_autofree char *qout = NULL;
    g_assert_cmpint(run_indexer(quiet, &qout), ==, 0);
    g_assert_cmpstr(qout, ==, "");
    g_autoptr(JsonObject) ix3 = inspect(f->db, compact_terms);
    g_autofree char *t3 = ix_text(ix3);
    g_assert_cmpstr(t3, ==, t1);
}

/* A Python process that holds the index's write lock until its stdin closes. Its stdout stays
 * open too: closed early, a late write of the newline kills it with a broken pipe. */
static GPid
hold_lock(const char *db, int *in_fd, int *out_fd)
{
    const char *hold[] = {"/usr/bin/python3", "-c",
                          "import sys, xapian\n"
                          "db = xapian.WritableDatabase(sys.argv[1], xapian.DB_OPEN)\n"
                          "print('locked', flush=True)\n"
                          "sys.stdin.read()\n",
                          db, NULL};
    GPid pid;
    GError *error = NULL;
    g_spawn_async_with_pipes(NULL, (char **)hold, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                             in_fd, out_fd, NULL, &error);
    g_assert_no_error(error);
    char buf[16] = {0};
    g_assert_cmpint(read(*out_fd, buf, 6), ==, 6);
    return pid;
}

static void
release_lock(GPid pid, int in_fd, int out_fd)
{
    close(in_fd);
    close(out_fd);
    int st;
    waitpid(pid, &st, 0);
    g_spawn_close_pid(pid);
}

typedef struct {
    const char *name;
    const char *fault;    /* TRACUU_COMPACT_FAULT */
    gboolean foreign_tmp; /* somebody's folder named db.compacting */
    gboolean locked;      /* another writer holds the index */
    gboolean small_files; /* ulimit -f 64: no file may grow past 64 KiB, as on a full disk */
    const char *message;  /* in the error on stderr */
} compact_failure;

static const compact_failure compact_failures[] = {
    {"foreign folder in the way", NULL, TRUE, FALSE, FALSE, "already exists"},
    {"no room for the copy", NULL, FALSE, FALSE, TRUE, "File too large"},
    {"copy differs", "differ", FALSE, FALSE, FALSE, "changed the metadata key"},
    {"failure before the swap", "before-swap", FALSE, FALSE, FALSE, "before the swap"},
    {"failure between two renames", "mid-swap", FALSE, FALSE, FALSE,
     "cannot move the compacted copy"},
    {"another writer", NULL, FALSE, TRUE, FALSE, "lock"},
};

/* Child setup for "no room for the copy": files may not grow past 64 KiB. */
static void
limit_file_size(gpointer data)
{
    struct rlimit rl = {64 * 1024, 64 * 1024};
    setrlimit(RLIMIT_FSIZE, &rl);
}

/* Each failure: exit status 3, a clear message, the index as it was, nothing left beside it. */
static void
test_compact_failures(fixture *f, gconstpointer data)
{
    make_compact_archive(f);
    const char *plain[] = {"--db", f->db, "-q", f->docs, NULL};
    g_assert_cmpint(run_indexer(plain, NULL), ==, 0);
    g_autoptr(JsonObject) ix1 = inspect(f->db, compact_terms);
    g_autofree char *t1 = ix_text(ix1);
    g_autofree char *tmp = g_strconcat(f->db, ".compacting", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(compact_failures); i++) {
        const compact_failure *c = &compact_failures[i];
        if (c->foreign_tmp) {
            g_assert_cmpint(g_mkdir(tmp, 0755), ==, 0);
            tracuu_test_write_file(tmp, "mine.txt", "not the indexer's", -1);
        }
        int lock_in = -1, lock_out = -1;
        GPid holder = c->locked ? hold_lock(f->db, &lock_in, &lock_out) : 0;
        g_auto(GStrv) env = g_get_environ();
        if (c->fault)
            env = g_environ_setenv(env, "TRACUU_COMPACT_FAULT", c->fault, TRUE);
        const char *args[] = {"--db", f->db, "--compact", "--json", NULL};
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        int st = c->small_files ? tracuu_test_run_indexer(args, env, limit_file_size, &out, &err)
                                : run_indexer_env(args, env, &out, &err);
        if (holder)
            release_lock(holder, lock_in, lock_out);
        g_test_message("%s: exit %d: %s", c->name, st, err);
        g_assert_cmpint(st, ==, 3);
        g_assert_nonnull(strstr(err, "compaction failed"));
        g_assert_nonnull(strstr(err, c->message));
        g_assert_nonnull(strstr(err, "the index is as it was"));
        g_autoptr(JsonParser) p = json_parser_new();
        g_assert_true(json_parser_load_from_data(p, out, -1, NULL));
        JsonObject *s = json_node_get_object(json_parser_get_root(p));
        g_assert_cmpint(tracuu_test_int_member(s, "exit_status"), ==, 3);
        g_assert_true(json_object_has_member(s, "error"));
        JsonObject *cs = member_object(s, "compact");
        g_assert_false(json_object_get_boolean_member(cs, "done"));
        g_assert_nonnull(strstr(json_object_get_string_member(cs, "error"), c->message));

        g_autoptr(JsonObject) ix = inspect(f->db, compact_terms);
        g_autofree char *t = ix_text(ix);
        g_assert_cmpstr(t, ==, t1);
        g_autofree char *names = dir_names(f->dir);
        if (c->foreign_tmp) {
            g_assert_cmpstr(names, ==, "db db.compacting docs");
            g_autofree char *mine = g_build_filename(tmp, "mine.txt", NULL);
            g_assert_true(g_file_test(mine, G_FILE_TEST_EXISTS));
            tracuu_test_rm_rf(tmp);
        } else {
            g_assert_cmpstr(names, ==, "db docs");
        }
    }
    /* After all that, the index is still one the indexer goes on with. */
    const char *again[] = {f->docs, NULL};
    int status;
    g_autoptr(JsonObject) s = run_json(f, again, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 0);

    /* An index left aside by a compaction killed between its two renames is not hidden under
     * a new, empty one: the indexer refuses to run until it is moved back. */
    g_autofree char *aside = g_strconcat(f->db, ".compacting-old", NULL);
    g_assert_cmpint(g_rename(f->db, aside), ==, 0);
    const char *run[] = {"--db", f->db, f->docs, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(run_indexer_env(run, NULL, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "move it back"));
    g_assert_false(g_file_test(f->db, G_FILE_TEST_EXISTS));
    g_assert_cmpint(g_rename(aside, f->db), ==, 0);
    g_autoptr(JsonObject) s2 = run_json(f, again, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s2, "indexed"), ==, 0);
}

static void
drop_to_nobody(gpointer data)
{
    if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
        _exit(126);
}

static int
run_as_nobody(const char *const *args, char **err)
{
    g_autofree char *out = NULL; /* the summary: kept out of the TAP stream */
    int st = tracuu_test_run_indexer(args, NULL, drop_to_nobody, &out, err);
    g_test_message("%s", out);
    return st;
}

/*
 * The copy is made beside the index, so its folder must be writable: run as "nobody" (root may
 * write anywhere), an index that nobody owns in a folder that nobody cannot write cannot be
 * compacted; it is left as it was. The same index in a folder nobody can write is compacted,
 * and stays nobody's.
 */
static void
test_compact_parent_not_writable(fixture *f, gconstpointer data)
{
    if (geteuid() != 0) {
        g_test_skip("needs root, to run the indexer as nobody");
        return;
    }
    make_compact_archive(f);
    g_assert_cmpint(g_chmod(f->dir, 0755), ==, 0);
    g_autofree char *parent = g_build_filename(f->dir, "ro", NULL);
    g_assert_cmpint(g_mkdir(parent, 0755), ==, 0);
    g_autofree char *db = g_build_filename(parent, "db", NULL);
    const char *plain[] = {"--db", db, "-q", f->docs, NULL};
    g_assert_cmpint(run_indexer(plain, NULL), ==, 0);
    g_autoptr(JsonObject) ix1 = inspect(db, compact_terms);
    g_autofree char *t1 = ix_text(ix1);
    /* The index is nobody's, its folder is not. */
    g_assert_cmpint(chown(db, 65534, 65534), ==, 0);
    g_autoptr(GDir) d = g_dir_open(db, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(db, name, NULL);
        g_assert_cmpint(chown(p, 65534, 65534), ==, 0);
    }

    const char *args[] = {"--db", db, "--compact", NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(run_as_nobody(args, &err), ==, 3);
    g_test_message("%s", err);
    g_assert_nonnull(strstr(err, "Permission denied"));
    g_assert_nonnull(strstr(err, "db.compacting"));
    g_autoptr(JsonObject) ix2 = inspect(db, compact_terms);
    g_autofree char *t2 = ix_text(ix2);
    g_assert_cmpstr(t2, ==, t1);
    g_autofree char *names = dir_names(parent);
    g_assert_cmpstr(names, ==, "db");

    g_assert_cmpint(g_chmod(parent, 0777), ==, 0);
    g_autofree char *err2 = NULL;
    g_assert_cmpint(run_as_nobody(args, &err2), ==, 0);
    g_autoptr(JsonObject) ix3 = inspect(db, compact_terms);
    g_autofree char *t3 = ix_text(ix3);
    g_assert_cmpstr(t3, ==, t1);
    GStatBuf st;
    g_assert_cmpint(g_stat(db, &st), ==, 0);
    g_assert_cmpuint(st.st_uid, ==, 65534);

    /* Root compacting nobody's index leaves it nobody's, folder and files: nobody goes on
     * indexing into it. */
    tracuu_test_write_file(f->docs, "van-ban/moi.txt", "Công văn mới, sau khi nén.", -1);
    const char *index_args[] = {"--db", db, "-q", f->docs, NULL};
    g_assert_cmpint(run_as_nobody(index_args, NULL), ==, 0);
    const char *as_root[] = {"--db", db, "--compact", "--json", NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(run_indexer(as_root, &out), ==, 0);
    g_assert_nonnull(strstr(out, "\"replaced\" : true"));
    g_assert_cmpint(g_stat(db, &st), ==, 0);
    g_assert_cmpuint(st.st_uid, ==, 65534);
    g_assert_cmpuint(st.st_gid, ==, 65534);
    g_autoptr(GDir) after = g_dir_open(db, 0, NULL);
    while ((name = g_dir_read_name(after)) != NULL) {
        g_autofree char *p = g_build_filename(db, name, NULL);
        g_assert_cmpint(g_stat(p, &st), ==, 0);
        g_assert_cmpuint(st.st_uid, ==, 65534);
    }
    tracuu_test_write_file(f->docs, "van-ban/moi2.txt", "Công văn mới nữa.", -1);
    g_assert_cmpint(run_as_nobody(index_args, NULL), ==, 0);
}

/* Waits up to 20 s for @cond; FALSE if it never held. */
static gboolean
wait_for(gboolean (*cond)(gpointer), gpointer data)
{
    for (int i = 0; i < 1000; i++) {
        if (cond(data))
            return TRUE;
        g_usleep(20000);
    }
    return FALSE;
}

typedef struct {
    const char *path;
    ino_t ino;
} ino_watch;

static gboolean
file_exists(gpointer data)
{
    return g_file_test(data, G_FILE_TEST_EXISTS);
}

static gboolean
ino_changed(gpointer data)
{
    ino_watch *w = data;
    struct stat st;
    return stat(w->path, &st) == 0 && st.st_ino != w->ino;
}

/*
 * While a compaction runs, before and after its swap, another indexer gets the usual "locked"
 * error (exit 3) and changes nothing; once it is done, indexing goes on. The compaction is
 * slowed down by 3 s before and after its swap (TRACUU_COMPACT_FAULT=slow) to be caught there.
 */
static void
test_compact_holds_lock(fixture *f, gconstpointer data)
{
    guint n = make_compact_archive(f);
    const char *plain[] = {"--db", f->db, "-q", f->docs, NULL};
    g_assert_cmpint(run_indexer(plain, NULL), ==, 0);
    struct stat st;
    g_assert_cmpint(stat(f->db, &st), ==, 0);
    ino_watch w = {f->db, st.st_ino};

    const char *argv[] = {tracuu_test_indexer_path(), "--db", f->db, "--compact", "-q", NULL};
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "TRACUU_COMPACT_FAULT", "slow", TRUE);
    GPid pid;
    GError *error = NULL;
    g_spawn_async(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error);
    g_assert_no_error(error);

    /* The copy is complete, the swap not done yet. */
    g_autofree char *copied = g_build_filename(f->db, "..", "db.compacting", "iamglass", NULL);
    g_assert_true(wait_for(file_exists, copied));
    g_assert_false(ino_changed(&w));
    tracuu_test_write_file(f->docs, "van-ban/qd-new.txt", "Công văn mới trong lúc nén.", -1);
    g_autofree char *err1 = NULL;
    g_assert_cmpint(run_indexer_env(plain, NULL, NULL, &err1), ==, 3);
    g_assert_nonnull(strstr(err1, "lock"));
    g_assert_false(ino_changed(&w)); /* still before the swap: the refusal was the lock's */

    /* Swapped, not yet let go. */
    g_assert_true(wait_for(ino_changed, &w));
    g_autofree char *err2 = NULL;
    g_assert_cmpint(run_indexer_env(plain, NULL, NULL, &err2), ==, 3);
    g_assert_nonnull(strstr(err2, "lock"));

    int status;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_autofree char *names = dir_names(f->dir);
    g_assert_cmpstr(names, ==, "db docs");

    const char *again[] = {f->docs, NULL};
    g_autoptr(JsonObject) s = run_json(f, again, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s, "unchanged"), ==, n);
}

/*
 * SIGINT or SIGTERM while --compact runs: it stops, the index is as it was (the very same
 * folder), nothing is left beside it, and the summary says "interrupted" with exit status 1.
 * The compaction waits 3 s before its swap (TRACUU_COMPACT_FAULT=slow), where the signal
 * comes; the last check before the swap sees it.
 */
static void
test_compact_interrupted(fixture *f, gconstpointer data)
{
    make_compact_archive(f);
    const char *plain[] = {"--db", f->db, "-q", f->docs, NULL};
    g_assert_cmpint(run_indexer(plain, NULL), ==, 0);
    g_autoptr(JsonObject) ix1 = inspect(f->db, compact_terms);
    g_autofree char *t1 = ix_text(ix1);
    g_autofree char *copied = g_build_filename(f->dir, "db.compacting", "iamglass", NULL);
    const int sigs[] = {SIGINT, SIGTERM};
    for (guint k = 0; k < G_N_ELEMENTS(sigs); k++) {
        struct stat st;
        g_assert_cmpint(stat(f->db, &st), ==, 0);
        ino_watch w = {f->db, st.st_ino};
        const char *argv[] = {
            tracuu_test_indexer_path(), "--db", f->db, "--compact", "--json", NULL};
        g_auto(GStrv) env =
            g_environ_setenv(g_get_environ(), "TRACUU_COMPACT_FAULT", "slow", TRUE);
        GPid pid;
        int out_fd;
        GError *error = NULL;
        g_spawn_async_with_pipes(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &pid, NULL, &out_fd, NULL, &error);
        g_assert_no_error(error);
        g_assert_true(wait_for(file_exists, copied));
        g_usleep(200000);
        kill(pid, sigs[k]);
        GString *out = g_string_new(NULL);
        char buf[4096];
        ssize_t n;
        while ((n = read(out_fd, buf, sizeof buf)) > 0)
            g_string_append_len(out, buf, n);
        close(out_fd);
        int status;
        waitpid(pid, &status, 0);
        g_spawn_close_pid(pid);
        g_test_message("signal %d: %s", sigs[k], out->str);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_autoptr(JsonParser) p = json_parser_new();
        g_assert_true(json_parser_load_from_data(p, out->str, -1, NULL));
        g_string_free(out, TRUE);
        JsonObject *s = json_node_get_object(json_parser_get_root(p));
        g_assert_true(json_object_get_boolean_member(s, "interrupted"));
        JsonObject *c = member_object(s, "compact");
        g_assert_false(json_object_get_boolean_member(c, "done"));
        g_assert_nonnull(strstr(json_object_get_string_member(c, "error"), "interrupted"));
        g_assert_false(ino_changed(&w));
        g_autofree char *names = dir_names(f->dir);
        g_assert_cmpstr(names, ==, "db docs");
        g_autoptr(JsonObject) ix = inspect(f->db, compact_terms);
        g_autofree char *t = ix_text(ix);
        g_assert_cmpstr(t, ==, t1);
    }
}

static void
test_help(fixture *f, gconstpointer data)
{
    const char *args[] = {"--help", NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(run_indexer(args, &out), ==, 0);
    const char *options[] = {"--db",      "--from-jsonl", "--jobs",
                             "--rebuild", "--json",       "--quiet",
                             "--verbose", "--exclude",    "--follow-symlinks",
                             "--timeout", "--compact", "Exit status"};
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++)
        g_assert_nonnull(strstr(out, options[i]));
}

static void
test_not_built(void)
{
    g_test_skip("tracuu-indexer is not built yet");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!g_file_test(tracuu_test_indexer_path(), G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_add_func("/indexer/not-built", test_not_built);
        return g_test_run();
    }
#define ADD(name, fn) g_test_add(name, fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/indexer/basic", test_basic);
    ADD("/indexer/open-formats", test_open_formats);
    ADD("/indexer/incremental", test_incremental);
    ADD("/indexer/unchanged-speed", test_unchanged_speed);
    ADD("/indexer/kill9", test_kill9);
    g_test_add("/indexer/kill9 with hung workers", fixture, NULL, fixture_setup,
               test_kill9_hung_workers, fixture_teardown);
    g_test_add("/indexer/kill9 before a worker starts", fixture, "before start", fixture_setup,
               test_kill9_hung_workers, fixture_teardown);
    ADD("/indexer/interrupt", test_interrupt);
    ADD("/indexer/exit-codes", test_exit_codes);
    ADD("/indexer/summary-text", test_summary_text);
    ADD("/indexer/jsonl", test_jsonl);
    ADD("/indexer/jsonl-fields", test_jsonl_fields);
    ADD("/indexer/jsonl-stamp", test_jsonl_stamp);
    ADD("/indexer/worker-faults", test_worker_faults);
    ADD("/indexer/memory-limit", test_memory_limit);
    ADD("/indexer/still-failing", test_still_failing);
    ADD("/indexer/memory-limit too low", test_memory_limit_too_low);
    ADD("/indexer/worker cannot start", test_worker_cannot_start);
    ADD("/indexer/exclude", test_exclude_and_db_inside);
    ADD("/indexer/help", test_help);
    ADD("/indexer/compact after a run", test_compact_after_run);
    ADD("/indexer/compact alone", test_compact_alone);
    ADD("/indexer/compact failures", test_compact_failures);
    ADD("/indexer/compact parent not writable", test_compact_parent_not_writable);
    ADD("/indexer/compact holds the lock", test_compact_holds_lock);
    ADD("/indexer/compact interrupted", test_compact_interrupted);
    return g_test_run();
}
