/* test-mail.c - mail extraction: header decoding, charsets, MIME structure, mbox, damage. */
#include "extract-mail.h"
#include "extract-private.h"
#include "mail-decode.h"
#include "tracuu-schema-rules.h"
#include "tracuu-test.h"

#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

/* --- GMime's own decoder, to notice when jstedfast/gmime#133 is fixed --- */

/*
 * GMime 3.2.13 drops every encoded-word after a padded base64 one. tracuu_mail_decode_header()
 * exists because of this; when this test fails, GMime was fixed and the workaround can be
 * reconsidered (keep it for older GMime versions).
 */
static void
test_gmime_bug_133(void)
{
    g_autofree char *gmime =
        g_mime_utils_header_decode_text(NULL, "=?UTF-8?B?UXV54bq/dA==?= =?UTF-8?B?IMSR4buLbmg=?=");
    g_assert_cmpstr(gmime, ==, "Quyết");
}

/* --- tracuu_mail_decode_header on fixed strings --- */

typedef struct {
    const char *name;
    const char *raw;
    const char *expected;
} header_case;

static const header_case header_cases[] = {
    {"gmime-133", "=?UTF-8?B?UXV54bq/dA==?= =?UTF-8?B?IMSR4buLbmg=?=", "Quyết định"},
    {"folded-b-words", "=?UTF-8?B?UXV54bq/dA==?=\r\n =?UTF-8?B?IMSR4buLbmg=?=", "Quyết định"},
    {"q-word", "=?utf-8?Q?Quy=E1=BA=BFt_=C4=91=E1=BB=8Bnh_s=E1=BB=91_12?=", "Quyết định số 12"},
    /* RFC 2047 6.2: whitespace between adjacent encoded-words is not part of the text. */
    {"space-between-words-dropped",
     "=?utf-8?q?Ngh=E1=BB=8B?=  \r\n =?utf-8?q?_=C4=91=E1=BB=8Bnh?=", "Nghị định"},
    {"words-joined", "=?utf-8?q?s=E1=BB=91?= =?utf-8?q?12?=", "số12"},
    {"lowercase-b", "=?utf-8?b?Q8O0bmcgdsSDbg==?=", "Công văn"},
    /* A UTF-8 character cut in two by the mailer: bytes of one charset are joined first. */
    {"char-split-across-words", "=?UTF-8?Q?Quy=E1=BA?= =?UTF-8?Q?=BFt?=", "Quyết"},
    {"text-around-words", "Re: =?UTF-8?Q?C=C3=B4ng_v=C4=83n?= 12/BTC", "Re: Công văn 12/BTC"},
    {"rfc2231-language", "=?UTF-8*vi?Q?H=C3=A0_N=E1=BB=99i?=", "Hà Nội"},
    {"two-charsets", "=?iso-8859-1?Q?Th=F4ng?= =?UTF-8?Q?_b=C3=A1o?=", "Thông báo"},
    /* An unknown charset name does not lose the text: it is read as UTF-8. */
    {"unknown-charset", "=?x-no-such-charset?B?UXV54bq/dCDEkeG7i25o?=", "Quyết định"},
    /* A charset name that is not one: iconv is never asked about it. */
    {"garbage-charset", "=?\x01\x02?Q?abc?=", "abc"},
    {"raw-utf8", "Quyết định số 5", "Quyết định số 5"},
    /* Undeclared windows-1258 bytes (Quy\xEA\xECt = Quyết with a combining acute). */
    {"raw-windows-1258", "Quy\xea\xect \xf0i\xf2nh", "Quyết định"},
    /* UTF-8 with one damaged byte stays UTF-8 (U+FFFD for the byte), not windows-1258. */
    {"raw-utf8-one-bad-byte", "Quyết \xff định", "Quyết \xef\xbf\xbd định"},
    {"unterminated-word", "=?utf-8?q?abc", "=?utf-8?q?abc"},
    {"not-a-word", "a =? b ?= c", "a =? b ?= c"},
    {"whitespace-collapsed", "  a\r\n\tb   c  ", "a b c"},
    {"empty", "", ""},
    /* Words that decode to no bytes at all (found by fuzz-mail: a NULL data pointer). */
    {"empty-words", "=?UTF-8?B?\?= =?x-bad?Q?\?= a =?UTF-8?B?=?=", "a"},
};

static void
test_decode_header(gconstpointer data)
{
    const header_case *c = data;
    g_autofree char *got = tracuu_mail_decode_header(c->raw);
    g_autofree char *want = g_utf8_normalize(c->expected, -1, G_NORMALIZE_NFC);
    g_assert_cmpstr(got, ==, want);
}

/* Bytes that are valid in no charset still give valid UTF-8, and every readable letter. */
static void
test_decode_header_invalid_bytes(void)
{
    static const char *const raws[] = {
        "\xff\xfe\x81 abc",          "=?utf-8?B?/w==?=", "=?utf-8?Q?=FF=FE=81?= abc", "\xc3",
        "=?windows-1258?Q?=81=8A?=",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(raws); i++) {
        g_autofree char *got = tracuu_mail_decode_header(raws[i]);
        g_assert_true(g_utf8_validate(got, -1, NULL));
    }
    g_autofree char *mixed = tracuu_mail_decode_header("\xff\xfe\x81 abc");
    g_assert_nonnull(strstr(mixed, "abc"));
}

/* --- Encoded-words in legacy charsets, encoded at test time with iconv --- */

typedef struct {
    const char *charset; /* as written in the encoded-word */
    const char *iconv;   /* to encode the fixture */
    char encoding;       /* 'B', 'Q' or 0 for raw 8-bit bytes */
    const char *text;
} charset_case;

static const charset_case charset_cases[] = {
    {"windows-1258", "WINDOWS-1258", 'B', "Quyết định số 15/2024/QĐ-UBND"},
    {"windows-1258", "WINDOWS-1258", 'Q', "Về việc tăng cường sử dụng thư điện tử"},
    {"cp1258", "WINDOWS-1258", 'Q', "Ủy ban nhân dân"},
    {"iso-8859-1", "ISO-8859-1", 'Q', "Thông báo"},
    {"ISO-8859-1", "ISO-8859-1", 'B', "Façade à Genève"},
    {"TCVN5712-1", "TCVN5712-1", 'B', "Công văn Hà Nội"},
    {"x-viet-tcvn", "TCVN5712-1", 'Q', "Giấy mời hội thảo"},
    {"VISCII", "VISCII", 'B', "Nghị định về việc"},
    {"viscii", "VISCII", 'Q', "Tờ trình Đại học Quốc gia"},
    {"koi8-r", "KOI8-R", 'B', "Привет"},
};

static char *
encode_word(const charset_case *c)
{
    gsize len = 0;
    g_autofree char *bytes = g_convert(c->text, -1, c->iconv, "UTF-8", NULL, &len, NULL);
    g_assert_nonnull(bytes);
    if (c->encoding == 'B') {
        g_autofree char *b64 = g_base64_encode((const guchar *)bytes, len);
        return g_strdup_printf("=?%s?B?%s?=", c->charset, b64);
    }
    GString *q = g_string_new(NULL);
    g_string_append_printf(q, "=?%s?Q?", c->charset);
    for (gsize i = 0; i < len; i++) {
        guchar b = (guchar)bytes[i];
        if (b == ' ')
            g_string_append_c(q, '_');
        else if (b < 0x80 && g_ascii_isalnum(b))
            g_string_append_c(q, (char)b);
        else
            g_string_append_printf(q, "=%02X", b);
    }
    g_string_append(q, "?=");
    return g_string_free(q, FALSE);
}

static void
test_decode_charset(gconstpointer data)
{
    const charset_case *c = data;
    g_autofree char *word = encode_word(c);
    g_autofree char *got = tracuu_mail_decode_header(word);
    g_autofree char *want = g_utf8_normalize(c->text, -1, G_NORMALIZE_NFC);
    g_assert_cmpstr(got, ==, want);
}

/* --- Whole messages --- */

/* Builds a message at test time (big or binary fixtures); returns it with its length. */
typedef char *(*mail_builder)(gsize *len);
/* Builds a message around the file at @path. */
typedef char *(*mail_file_builder)(const char *path, gsize *len);

typedef struct {
    const char *name;
    const char *raw; /* the message, or NULL when built */
    mail_builder build;
    mail_file_builder build_around;
    const char *file; /* for build_around: "shared:..." or "src:..." (see file_path()) */
    int error_code;   /* -1: must succeed; else the TRACUU_EXTRACT_ERROR expected */
    const char *subject;
    const char *from;
    const char *to;
    const char *cc;
    const char *created;
    const char *message_id;
    const char *in_reply_to;
    const char *references;
    const char *text_has[3];
    const char *text_lacks;
    const char *subject_has; /* when the whole subject is too long to write down */
    int children;            /* -1: not checked */
    const char *child_attachment;
    const char *child_mime;
    const char *child_text_has;
    const char *second_attachment; /* file name of the second child */
    const char *child_subject;     /* a nested message */
    const char *grandchild_text_has;
    const char *warning_has; /* a warning of the message or of a document under it */
    double max_seconds;      /* 0: not checked */
} mail_case;

#define OK -1

/*
 * Time limits are for the normal build; the sanitizers slow GMime's allocations down about
 * tenfold, and CI runs them on a shared machine.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TIME_FACTOR 10.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TIME_FACTOR 10.0
#endif
#endif
#ifndef TIME_FACTOR
#define TIME_FACTOR 1.0
#endif

static const char msg_plain[] =
    "From: =?UTF-8?B?Tmd1eeG7hW4gVsSDbiBB?= <a@moet.gov.vn>\r\n"
    "To: b@hanoi.gov.vn, =?UTF-8?Q?Tr=E1=BA=A7n_B?= <c@hanoi.gov.vn>\r\n"
    "Cc: d@mof.gov.vn, \"=?UTF-8?Q?V=C4=83n_ph=C3=B2ng?=\" <vp@mof.gov.vn>,\r\n"
    " \"Nguy=?UTF-8?Q?=E1=BB=85n?=, A\" <na@mof.gov.vn>\r\n"
    "Subject: =?UTF-8?B?UXV54bq/dA==?= =?UTF-8?B?IMSR4buLbmg=?= =?UTF-8?Q?_s=E1=BB=91_12?=\r\n"
    "Date: Tue, 5 Mar 2024 09:15:00 +0700\r\n"
    "Message-ID: <qd12@moet.gov.vn>\r\n"
    "In-Reply-To: <cv11@hanoi.gov.vn>\r\n"
    "References: <cv10@hanoi.gov.vn>\r\n <cv11@hanoi.gov.vn>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "K=C3=ADnh g=E1=BB=ADi c=C3=A1c S=E1=BB=9F Gi=C3=A1o d=E1=BB=A5c.\r\n"
    "Tr=C3=A2n tr=E1=BB=8Dng.\r\n";

static const char msg_alternative[] =
    "From: a@b.vn\nSubject: alt\nMIME-Version: 1.0\n"
    "Date: Tue, 5 Mar 2024 01:30:00 +0700\n" /* 4 March in UTC: the sender's date is kept */
    "Content-Type: multipart/alternative; boundary=\"XX\"\n\n"
    "--XX\nContent-Type: text/plain; charset=utf-8\n\nBản văn thuần\n"
    "--XX\nContent-Type: text/html; charset=utf-8\n\n<p>Bản <b>HTML</b> riêng</p>\n"
    "--XX--\n";

static const char msg_html_only[] =
    "From: a@b.vn\nSubject: html\nMIME-Version: 1.0\n"
    "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    "<html><head><title>t</title><style>p{color:red}</style></head>"
    "<body><p>Kính gửi:</p><p>Ủy ban nhân dân &amp; Sở Nội vụ</p></body></html>\n";

/* windows-1258 HTML whose <meta> names another charset: the MIME header wins. */
static const char msg_html_1258[] =
    "From: a@b.vn\nSubject: html\nMIME-Version: 1.0\n"
    "Content-Type: text/html; charset=windows-1258\n\n"
    "<html><head><meta charset=\"iso-8859-1\"></head><body><p>Quy\xea\xect \xf0i\xf2nh</p>"
    "</body></html>\n";

static const char msg_rfc2231[] =
    "From: a@b.vn\nSubject: rfc2231\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
    "--B\nContent-Type: text/plain; charset=utf-8\n\nXem tệp đính kèm.\n"
    "--B\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Disposition: attachment;\n"
    " filename*0*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20;\n"
    " filename*1=\"12.txt\"\n"
    "Content-Transfer-Encoding: base64\n\n"
    "TuG7mWkgZHVuZyB04buHcCDEkcOtbmgga8OobQ==\n"
    "--B--\n";

/* RFC 2231 in one extended value, in windows-1258, and a name only in Content-Type. */
static const char msg_rfc2231_1258[] =
    "From: a@b.vn\nSubject: rfc2231\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
    "--B\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Disposition: attachment; filename*=windows-1258'vi'Quy%EA%ECt%20%F0i%F2nh.txt\n\n"
    "abc\n"
    "--B\nContent-Type: application/octet-stream; name*=x-unknown''T%E1%BB%9D%20tr%C3%ACnh.bin\n\n"
    "\x01\x02\n"
    "--B--\n";

/* Outlook writes RFC 2047 inside the quoted name, with the #133 pattern. */
static const char msg_rfc2047_filename[] =
    "From: a@b.vn\nSubject: outlook\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
    "--B\nContent-Type: text/plain; name=\"=?UTF-8?B?UXV54bq/dA==?= "
    "=?UTF-8?B?IMSR4buLbmg=?=.txt\"\n"
    "Content-Disposition: attachment\n\nnoi dung\n"
    "--B--\n";

static const char msg_unknown_charset[] =
    "From: a@b.vn\nSubject: =?x-unknown?Q?Th=C3=B4ng_b=C3=A1o?=\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=x-unknown-charset\n\n"
    "Thông báo họp\n";

/* Declared UTF-8, written in windows-1258: read as windows-1258 instead of lost. */
static const char msg_wrong_charset[] = "From: a@b.vn\nSubject: wrong\nMIME-Version: 1.0\n"
                                        "Content-Type: text/plain; charset=utf-8\n\n"
                                        "Quy\xea\xect \xf0i\xf2nh v\xea\xcc vi\xea\xf2"
                                        "c\n";

/* Raw 8-bit headers in the body's charset (windows-1258), declared nowhere in the header. */
static const char msg_raw_1258_headers[] =
    "From: Nguy\xea\xde\x6e V\xe3n A <a@b.vn>\nSubject: Quy\xea\xect \xf0i\xf2nh\n"
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=windows-1258\n\n"
    "Quy\xea\xect \xf0i\xf2nh\n";

static const char msg_raw_tcvn_headers[] =
    "From: a@b.vn\nSubject: C\xab\x6eg v\xa8n\n"
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=tcvn5712-1\n\n"
    "C\xab\x6eg v\xa8n H\xb5 N\xe9i\n";

static const char msg_nested[] =
    "From: outer@b.vn\nSubject: Fwd: inner\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"O\"\n\n"
    "--O\nContent-Type: text/plain\n\nForwarded.\n"
    "--O\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"inner.eml\"\n\n"
    "From: inner@c.vn\nSubject: =?UTF-8?Q?Gi=E1=BA=A5y_m=E1=BB=9Di?=\n"
    "Date: Wed, 01 May 2024 08:00:00 +0700\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"I\"\n\n"
    "--I\nContent-Type: text/plain; charset=utf-8\n\nNội dung thư bên trong\n"
    "--I\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; "
    "filename=a.txt\n\n"
    "Tệp của thư bên trong\n"
    "--I--\n"
    "--O--\n";

/*
 * A signed message (the signature is not an attachment) carrying a message sent as a file:
 * a part named .eml is read as a message whatever type it declares (text/plain here).
 */
static const char msg_signed_eml[] =
    "From: a@b.vn\nSubject: signed\nMIME-Version: 1.0\n"
    "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256;"
    " boundary=\"S\"\n\n"
    "--S\nContent-Type: multipart/mixed; boundary=\"M\"\n\n"
    "--M\nContent-Type: text/plain; charset=utf-8\n\nThư có chữ ký số.\n"
    "--M\nContent-Type: text/plain\n"
    "Content-Disposition: attachment; filename=\"chuyen tiep.EML\"\n\n"
    "From: x@y.vn\nSubject: =?UTF-8?Q?Th=C6=B0_g=E1=BB=91c?=\n\nNội dung thư gốc\n"
    "--M--\n"
    "--S\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
    "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\n"
    "--S--\n";

static const char msg_truncated[] =
    "From: a@b.vn\nSubject: cut\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"T\"\n\n"
    "--T\nContent-Type: text/plain; charset=utf-8\n\nPhần còn đọc được\n"
    "--T\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename=\"cut.pdf\"\n\nJVBERi0xLjQKJ";

/* Charset names and a content type made of bytes that are not text (found by fuzz-mail). */
static const char msg_bad_names[] =
    "From: a@b.vn\nSubject: =?U\xa6\xa6TF-8?B?UXV54bq/dA==?=\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
    "--B\nContent-Type: text/plain; charset=\"\xff\xfe\x01\"\n\nQuy\xea\xect\n"
    "--B\nContent-Type: \xff/\xa6\xa6; name=\"a.bin\"\n\nxx\n"
    "--B--\n";

/* Empty bodies (found by fuzz-mail: an empty part has no data pointer at all). */
static const char msg_empty_html[] = "From: a@b.vn\nSubject: empty\nMIME-Version: 1.0\n"
                                     "Content-Type: multipart/mixed; boundary=\"E\"\n\n"
                                     "--E\nContent-Type: text/html\n\n"
                                     "--E\nContent-Type: text/plain; charset=utf-8\n\n"
                                     "--E\nContent-Type: application/pdf; name=\"empty.pdf\"\n\n"
                                     "--E--\n";

static const char msg_junk[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x01\x02\xff\xfe garbage";

static char *
build_long_header(gsize *len)
{
    GString *s = g_string_new("From: a@b.vn\nSubject: ");
    /* "aị" is 4 bytes and the value starts with a space: a cut at 64 KiB falls inside "ị". */
    for (gsize i = 0; i < 2 * 1024 * 1024 / 4; i++)
        g_string_append(s, "aị");
    g_string_append(s, "\nX-Junk: ");
    for (gsize i = 0; i < 2 * 1024 * 1024; i++)
        g_string_append_c(s, 'x');
    g_string_append(s, "\nContent-Type: text/plain\n\nThân thư vẫn đọc được\n");
    *len = s->len;
    return g_string_free(s, FALSE);
}

/*
 * The costly kind of long header for GMime, which decodes Subject and addresses word by word:
 * 2 MB of undeclared 8-bit words, and a Cc folded over 200,000 lines.
 */
static char *
build_long_8bit_headers(gsize *len)
{
    GString *s = g_string_new("From: a@b.vn\nSubject: ");
    for (gsize i = 0; i < 1024 * 1024; i++)
        g_string_append(s, "\xe1 ");
    g_string_append(s, "\nCc: ");
    for (gsize i = 0; i < 200000; i++)
        g_string_append(s, "c@d.vn,\n ");
    g_string_append(s, "e@f.vn\nContent-Type: text/plain; charset=utf-8\n\nThân thư\n");
    *len = s->len;
    return g_string_free(s, FALSE);
}

static char *
build_nested_multipart(gsize *len)
{
    GString *s = g_string_new("From: a@b.vn\nSubject: deep\nMIME-Version: 1.0\n");
    for (int i = 0; i < 200; i++)
        g_string_append_printf(s, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i,
                               i);
    g_string_append(s, "Content-Type: text/plain\n\nsâu nhất\n");
    for (int i = 199; i >= 0; i--)
        g_string_append_printf(s, "--b%d--\n", i);
    *len = s->len;
    return g_string_free(s, FALSE);
}

static char *
build_nested_messages(gsize *len)
{
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 200; i++)
        g_string_append_printf(s,
                               "From: m%d@b.vn\nSubject: level %d\nMIME-Version: 1.0\n"
                               "Content-Type: message/rfc822\n\n",
                               i, i);
    g_string_append(s, "From: last@b.vn\nSubject: last\n\nthư cuối\n");
    *len = s->len;
    return g_string_free(s, FALSE);
}

/* 5,000 attachments of a few bytes each: the parts after the limit are skipped and reported. */
static char *
build_many_parts(gsize *len)
{
    GString *s = g_string_new("From: a@b.vn\nSubject: many\nMIME-Version: 1.0\n"
                              "Content-Type: multipart/mixed; boundary=\"M\"\n\n");
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(s,
                               "--M\nContent-Type: text/plain\n"
                               "Content-Disposition: attachment; filename=\"%d.txt\"\n\n%d\n",
                               i, i);
    g_string_append(s, "--M--\n");
    *len = s->len;
    return g_string_free(s, FALSE);
}

/*
 * The path of a fixture file: "shared:" under the shared data, where a missing file marks the
 * test skipped (with a message naming it) and gives NULL; "src:" under the source tree.
 */
static char *
file_path(const char *spec)
{
    if (g_str_has_prefix(spec, "shared:"))
        return tracuu_test_shared_or_skip(spec + 7);
    g_assert_true(g_str_has_prefix(spec, "src:"));
    return tracuu_test_source_path(spec + 4);
}

static char *
build_pdf_attachment(const char *path, gsize *len)
{
    g_autofree char *pdf = NULL;
    gsize pdf_len = 0;
    g_assert_true(g_file_get_contents(path, &pdf, &pdf_len, NULL));
    g_autofree char *b64 = g_base64_encode((const guchar *)pdf, pdf_len);
    GString *s = g_string_new(
        "From: vanthu@moet.gov.vn\nSubject: =?UTF-8?Q?C=C3=B4ng_v=C4=83n?=\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"P\"\n\n"
        "--P\nContent-Type: text/plain; charset=utf-8\n\nGửi công văn.\n"
        "--P\nContent-Type: application/pdf; name=\"cv.pdf\"\n"
        "Content-Disposition: attachment; filename=\"=?UTF-8?Q?C=C3=B4ng_v=C4=83n?=.pdf\"\n"
        "Content-Transfer-Encoding: base64\n\n");
    gsize b64_len = strlen(b64);
    for (gsize i = 0; i < b64_len; i += 76)
        g_string_append_printf(s, "%.76s\n", b64 + i);
    g_string_append(s, "--P--\n");
    *len = s->len;
    return g_string_free(s, FALSE);
}

/* A DOCX sent as application/octet-stream, as many mailers do: the detected type is kept. */
static char *
build_docx_attachment(const char *path, gsize *len)
{
    g_autofree char *docx = NULL;
    gsize docx_len = 0;
    g_assert_true(g_file_get_contents(path, &docx, &docx_len, NULL));
    g_autofree char *b64 = g_base64_encode((const guchar *)docx, docx_len);
    g_autofree char *name = g_path_get_basename(path);
    GString *s = g_string_new(NULL);
    g_string_printf(s,
                    "From: a@b.vn\nSubject: docx\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/mixed; boundary=\"D\"\n\n"
                    "--D\nContent-Type: application/octet-stream\n"
                    "Content-Disposition: attachment; filename=\"%s\"\n"
                    "Content-Transfer-Encoding: base64\n\n",
                    name);
    gsize b64_len = strlen(b64);
    for (gsize i = 0; i < b64_len; i += 76)
        g_string_append_printf(s, "%.76s\n", b64 + i);
    g_string_append(s, "--D--\n");
    *len = s->len;
    return g_string_free(s, FALSE);
}

static const mail_case mail_cases[] = {
    {.name = "plain",
     .raw = msg_plain,
     .error_code = OK,
     .subject = "Quyết định số 12",
     .from = "Nguyễn Văn A <a@moet.gov.vn>",
     .to = "b@hanoi.gov.vn, Trần B <c@hanoi.gov.vn>",
     .cc = "d@mof.gov.vn, Văn phòng <vp@mof.gov.vn>, \"Nguyễn, A\" <na@mof.gov.vn>",
     .created = "2024-03-05",
     .message_id = "qd12@moet.gov.vn",
     .in_reply_to = "cv11@hanoi.gov.vn",
     .references = "cv10@hanoi.gov.vn cv11@hanoi.gov.vn",
     .text_has = {"Kính gửi các Sở Giáo dục.\nTrân trọng."},
     .text_lacks = "\r",
     .children = 0},
    {.name = "alternative",
     .raw = msg_alternative,
     .error_code = OK,
     .created = "2024-03-05",
     .text_has = {"Bản văn thuần"},
     .text_lacks = "riêng",
     .children = 0},
    {.name = "html-only",
     .raw = msg_html_only,
     .error_code = OK,
     .text_has = {"Kính gửi:", "Ủy ban nhân dân & Sở Nội vụ"},
     .text_lacks = "<p>",
     .children = 0},
    {.name = "html-windows-1258",
     .raw = msg_html_1258,
     .error_code = OK,
     .text_has = {"Quyết định"},
     .children = 0},
    {.name = "rfc2231-filename",
     .raw = msg_rfc2231,
     .error_code = OK,
     .text_has = {"Xem tệp đính kèm."},
     .children = 1,
     .child_attachment = "Quyết định 12.txt",
     .child_mime = "text/plain",
     .child_text_has = "Nội dung tệp đính kèm"},
    {.name = "rfc2231-windows-1258",
     .raw = msg_rfc2231_1258,
     .error_code = OK,
     .children = 2,
     .child_attachment = "Quyết định.txt",
     .child_text_has = "abc",
     /* An unknown charset in RFC 2231 still gives the UTF-8 it holds. */
     .second_attachment = "Tờ trình.bin"},
    {.name = "rfc2047-filename",
     .raw = msg_rfc2047_filename,
     .error_code = OK,
     .children = 1,
     .child_attachment = "Quyết định.txt",
     .child_text_has = "noi dung"},
    {.name = "unknown-charset",
     .raw = msg_unknown_charset,
     .error_code = OK,
     .subject = "Thông báo",
     .text_has = {"Thông báo họp"},
     .warning_has = "x-unknown-charset"},
    {.name = "wrong-charset",
     .raw = msg_wrong_charset,
     .error_code = OK,
     .text_has = {"Quyết định về việc"},
     .warning_has = "utf-8"},
    {.name = "raw-1258-headers",
     .raw = msg_raw_1258_headers,
     .error_code = OK,
     .subject = "Quyết định",
     .from = "Nguyễn Văn A <a@b.vn>",
     .text_has = {"Quyết định"}},
    {.name = "raw-tcvn-headers",
     .raw = msg_raw_tcvn_headers,
     .error_code = OK,
     .subject = "Công văn",
     .text_has = {"Công văn Hà Nội"}},
    {.name = "nested-message",
     .raw = msg_nested,
     .error_code = OK,
     .subject = "Fwd: inner",
     .text_has = {"Forwarded."},
     .text_lacks = "bên trong",
     .children = 1,
     .child_attachment = "inner.eml",
     .child_mime = "message/rfc822",
     .child_subject = "Giấy mời",
     .child_text_has = "Nội dung thư bên trong",
     .grandchild_text_has = "Tệp của thư bên trong"},
    {.name = "pdf-attachment",
     .build_around = build_pdf_attachment,
     .file = "shared:samples/pdf/01_Cong_Van_Den_Bo_GDDT.pdf",
     .error_code = OK,
     .subject = "Công văn",
     .text_has = {"Gửi công văn."},
     .children = 1,
     .child_attachment = "Công văn.pdf",
     .child_mime = "application/pdf",
     .child_text_has = "2154/BGDĐT-CNTT"},
    /* The same with a Công văn of the project's corpus, when the shared data is not there. */
    {.name = "pdf-attachment-corpus",
     .build_around = build_pdf_attachment,
     .file = "src:corpus/archive/van-ban/cv-172-2023-cdn.pdf",
     .error_code = OK,
     .subject = "Công văn",
     .text_has = {"Gửi công văn."},
     .children = 1,
     .child_attachment = "Công văn.pdf",
     .child_mime = "application/pdf",
     .child_text_has = "Số: 172/CĐN-TGNC"},
    {.name = "docx-attachment",
     .build_around = build_docx_attachment,
     .file = "shared:samples/docx_laws/145_2020_ND-CP_459400.docx",
     .error_code = OK,
     .children = 1,
     .child_attachment = "145_2020_ND-CP_459400.docx",
     .child_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     .child_text_has = "145/2020/NĐ-CP"},
    {.name = "docx-attachment-own",
     .build_around = build_docx_attachment,
     .file = "src:tests/data/extract/luat.docx",
     .error_code = OK,
     .children = 1,
     .child_attachment = "luat.docx",
     .child_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     .child_text_has = "Luật số: 24/2018/QH14"},
    {.name = "signed-with-eml-file",
     .raw = msg_signed_eml,
     .error_code = OK,
     .text_has = {"Thư có chữ ký số."},
     .children = 1,
     .child_attachment = "chuyen tiep.EML",
     .child_mime = "message/rfc822",
     .child_subject = "Thư gốc",
     .child_text_has = "Nội dung thư gốc"},
    {.name = "truncated-multipart",
     .raw = msg_truncated,
     .error_code = OK,
     .subject = "cut",
     .text_has = {"Phần còn đọc được"},
     .children = 1,
     .child_attachment = "cut.pdf",
     .warning_has = "cut.pdf"},
    {.name = "bad-charset-names",
     .raw = msg_bad_names,
     .error_code = OK,
     .subject = "Quyết",
     .text_has = {"Quyết"},
     .children = 1,
     .warning_has = "charset"},
    {.name = "empty-parts",
     .raw = msg_empty_html,
     .error_code = OK,
     .subject = "empty",
     .children = 1,
     .child_attachment = "empty.pdf",
     .warning_has = "empty.pdf"},
    {.name = "junk-bytes", .raw = msg_junk, .error_code = TRACUU_EXTRACT_ERROR_DAMAGED},
    {.name = "header-2mb",
     .build = build_long_header,
     .error_code = OK,
     .text_has = {"Thân thư vẫn đọc được"},
     .subject_has = "aịaịaị",
     .warning_has = "header Subject",
     .max_seconds = 5},
    {.name = "headers-2mb-8bit",
     .build = build_long_8bit_headers,
     .error_code = OK,
     .text_has = {"Thân thư"},
     .warning_has = "header Cc: over",
     .max_seconds = 5},
    {.name = "nested-multipart-200",
     .build = build_nested_multipart,
     .error_code = OK,
     .subject = "deep",
     .text_lacks = "sâu nhất",
     .warning_has = "nested",
     .max_seconds = 5},
    {.name = "many-parts",
     .build = build_many_parts,
     .error_code = OK,
     .subject = "many",
     .children = 1999,
     .warning_has = "more than 2000 parts",
     .max_seconds = 5},
    {.name = "nested-messages-200",
     .build = build_nested_messages,
     .error_code = OK,
     .subject = "level 0",
     .children = 1,
     .child_subject = "level 1",
     .warning_has = "nested",
     .max_seconds = 5},
};

/* Length of the fixture strings: they hold NUL bytes (junk), so not strlen(). */
static gsize
raw_length(const mail_case *c)
{
#define LEN_OF(m)                                                                                  \
    if (c->raw == m)                                                                               \
        return sizeof m - 1;
    LEN_OF(msg_plain)
    LEN_OF(msg_alternative)
    LEN_OF(msg_html_only)
    LEN_OF(msg_html_1258)
    LEN_OF(msg_rfc2231)
    LEN_OF(msg_rfc2047_filename)
    LEN_OF(msg_unknown_charset)
    LEN_OF(msg_wrong_charset)
    LEN_OF(msg_raw_1258_headers)
    LEN_OF(msg_raw_tcvn_headers)
    LEN_OF(msg_nested)
    LEN_OF(msg_truncated)
    LEN_OF(msg_signed_eml)
    LEN_OF(msg_rfc2231_1258)
    LEN_OF(msg_junk)
    LEN_OF(msg_bad_names)
    LEN_OF(msg_empty_html)
#undef LEN_OF
    g_assert_not_reached();
}

static void
assert_field(const char *field, const char *got, const char *want)
{
    if (want == NULL)
        return;
    g_autofree char *nfc = g_utf8_normalize(want, -1, G_NORMALIZE_NFC);
    if (g_strcmp0(got, nfc) != 0)
        g_error("%s: got \"%s\", want \"%s\"", field, got ? got : "(null)", nfc);
}

static void
assert_contains(const char *what, const char *text, const char *needle)
{
    if (needle == NULL)
        return;
    g_assert_nonnull(text);
    if (strstr(text, needle) == NULL)
        g_error("%s lacks \"%s\": \"%.300s\"", what, needle, text);
}

/* TRUE when a warning of @doc or of a document under it contains @needle. */
static gboolean
warnings_contain(const tracuu_extracted *doc, const char *needle)
{
    for (guint i = 0; doc->warnings && i < doc->warnings->len; i++) {
        if (strstr(g_ptr_array_index(doc->warnings, i), needle))
            return TRUE;
    }
    for (guint i = 0; doc->children && i < doc->children->len; i++) {
        if (warnings_contain(g_ptr_array_index(doc->children, i), needle))
            return TRUE;
    }
    return FALSE;
}

/* The mailboxes of an address field as the index shows them ("Name <a@b>, c@d"), or NULL. */
static char *
shown(const GArray *boxes)
{
    if (boxes == NULL)
        return NULL;
    return tracuu_schema_mailboxes_format((const tracuu_mailbox *)(const void *)boxes->data,
                                          boxes->len);
}

/* Every string of @doc and its children is valid UTF-8: the contract of tracuu_extracted. */
static void
assert_valid_utf8(const tracuu_extracted *doc)
{
    const char *fields[] = {doc->kind,      doc->mime,       doc->title,
                            doc->text,      doc->created,    doc->subject,
                            doc->message_id, doc->in_reply_to, doc->references,
                            doc->attachment};
    for (gsize i = 0; i < G_N_ELEMENTS(fields); i++)
        g_assert_true(fields[i] == NULL || g_utf8_validate(fields[i], -1, NULL));
    const GArray *lists[] = {doc->from, doc->to, doc->cc};
    for (gsize i = 0; i < G_N_ELEMENTS(lists); i++) {
        for (guint k = 0; lists[i] != NULL && k < lists[i]->len; k++) {
            const tracuu_mailbox *m = &g_array_index(lists[i], tracuu_mailbox, k);
            g_assert_true(m->name != NULL || m->address != NULL);
            g_assert_true(m->name == NULL || g_utf8_validate(m->name, -1, NULL));
            g_assert_true(m->address == NULL || g_utf8_validate(m->address, -1, NULL));
        }
    }
    g_assert_nonnull(doc->text);
    for (guint i = 0; doc->warnings && i < doc->warnings->len; i++)
        g_assert_true(g_utf8_validate(g_ptr_array_index(doc->warnings, i), -1, NULL));
    for (guint i = 0; doc->children && i < doc->children->len; i++)
        assert_valid_utf8(g_ptr_array_index(doc->children, i));
}

static void
test_message(gconstpointer data)
{
    const mail_case *c = data;
    gsize len = 0;
    g_autofree char *built = NULL;
    if (c->build_around != NULL) {
        g_autofree char *path = file_path(c->file);
        if (path == NULL)
            return;
        built = c->build_around(path, &len);
    } else if (c->build != NULL) {
        built = c->build(&len);
    }
    const char *raw = built ? built : c->raw;
    if (built == NULL)
        len = raw_length(c);

    g_autoptr(GError) error = NULL;
    gint64 start = g_get_monotonic_time();
    g_autoptr(tracuu_extracted) doc = tracuu_extract_mail_message(raw, len, 0, &error);
    double seconds = (g_get_monotonic_time() - start) / 1e6;
    if (c->max_seconds > 0 && seconds > c->max_seconds * TIME_FACTOR)
        g_error("took %.1f s, over %.1f s", seconds, c->max_seconds * TIME_FACTOR);

    if (c->error_code != OK) {
        g_assert_null(doc);
        g_assert_error(error, TRACUU_EXTRACT_ERROR, c->error_code);
        return;
    }
    g_assert_no_error(error);
    g_assert_nonnull(doc);
    assert_valid_utf8(doc);
    g_assert_cmpstr(doc->kind, ==, "mail");
    assert_field("subject", doc->subject, c->subject);
    assert_field("title", doc->title, c->subject);
    g_autofree char *from = shown(doc->from);
    g_autofree char *to = shown(doc->to);
    g_autofree char *cc = shown(doc->cc);
    assert_field("from", from, c->from);
    assert_field("to", to, c->to);
    assert_field("cc", cc, c->cc);
    assert_field("created", doc->created, c->created);
    assert_field("message_id", doc->message_id, c->message_id);
    assert_field("in_reply_to", doc->in_reply_to, c->in_reply_to);
    assert_field("references", doc->references, c->references);
    for (gsize i = 0; i < G_N_ELEMENTS(c->text_has); i++)
        assert_contains("text", doc->text, c->text_has[i]);
    assert_contains("subject", doc->subject, c->subject_has);
    if (c->subject_has != NULL && strstr(doc->subject, "\xef\xbf\xbd") != NULL)
        g_error("subject has U+FFFD: a character was cut");
    if (c->text_lacks != NULL && strstr(doc->text, c->text_lacks) != NULL)
        g_error("text has \"%s\": \"%.300s\"", c->text_lacks, doc->text);

    guint n = doc->children ? doc->children->len : 0;
    if (c->children >= 0 && (c->children > 0 || c->child_attachment == NULL))
        g_assert_cmpuint(n, ==, (guint)c->children);
    const tracuu_extracted *child = n > 0 ? g_ptr_array_index(doc->children, 0) : NULL;
    if (c->child_attachment || c->child_mime || c->child_text_has || c->child_subject) {
        g_assert_nonnull(child);
        g_assert_cmpstr(child->kind, ==, "attachment");
        assert_field("attachment", child->attachment, c->child_attachment);
        assert_field("child mime", child->mime, c->child_mime);
        assert_field("child subject", child->subject, c->child_subject);
        assert_contains("child text", child->text, c->child_text_has);
    }
    if (c->second_attachment != NULL) {
        g_assert_cmpuint(n, >=, 2);
        const tracuu_extracted *second = g_ptr_array_index(doc->children, 1);
        assert_field("second attachment", second->attachment, c->second_attachment);
    }
    if (c->grandchild_text_has != NULL) {
        g_assert_nonnull(child->children);
        g_assert_cmpuint(child->children->len, ==, 1);
        const tracuu_extracted *g = g_ptr_array_index(child->children, 0);
        g_assert_cmpstr(g->kind, ==, "attachment");
        assert_contains("grandchild text", g->text, c->grandchild_text_has);
    }
    if (c->warning_has != NULL && !warnings_contain(doc, c->warning_has))
        g_error("no warning with \"%s\"", c->warning_has);
}

/* A PDF attachment keeps what the PDF extractor gives: pages, and the page text. */
static void
test_pdf_attachment_pages(gconstpointer data)
{
    g_autofree char *path = file_path(data);
    if (path == NULL)
        return;
    gsize len = 0;
    g_autofree char *raw = build_pdf_attachment(path, &len);
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_mail_message(raw, len, 0, &error);
    g_assert_no_error(error);
    const tracuu_extracted *pdf = g_ptr_array_index(doc->children, 0);
    g_assert_nonnull(pdf->pages);
    g_assert_cmpuint(pdf->pages->len, >=, 1);
    g_assert_nonnull(strstr(pdf->text, "Kính gửi"));
}

/* The depth argument is honoured: a message already at the limit is not parsed. */
static void
test_depth_limit_argument(void)
{
    g_autoptr(GError) error = NULL;
    tracuu_extracted *doc = tracuu_extract_mail_message(msg_plain, sizeof msg_plain - 1,
                                                        TRACUU_EXTRACT_MAX_DEPTH + 1, &error);
    g_assert_null(doc);
    g_assert_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE);
}

/* What the attachment reader of test_attach_function() was asked, and how often. */
static guint attach_calls;
static char *attach_name;

static tracuu_extracted *
fake_attach(const char *data, gsize len, const char *name, const char *mime, GError **error)
{
    tracuu_extracted *doc = tracuu_extracted_new("fake", mime);
    attach_calls++;
    g_free(attach_name);
    attach_name = g_strdup(name);
    g_free(doc->text);
    doc->text = g_strdup_printf("%" G_GSIZE_FORMAT " bytes read by the caller's reader", len);
    return doc;
}

/*
 * Mail reads its attachments with the function it is given, not by calling the dispatcher:
 * a message whose attachment would be a PDF to tracuu_extract_buffer() gets the fake text.
 */
static void
test_attach_function(void)
{
    static const char raw[] = "From: a@b.vn\r\nSubject: tep\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
                              "--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                              "Thân\r\n"
                              "--x\r\nContent-Type: application/pdf\r\n"
                              "Content-Disposition: attachment; filename=\"qd.pdf\"\r\n\r\n"
                              "%PDF-1.4 not really\r\n"
                              "--x--\r\n";
    g_autoptr(GError) error = NULL;
    attach_calls = 0;
    g_autoptr(tracuu_extracted) doc =
        tracuu_mail_read_message(raw, sizeof raw - 1, 0, fake_attach, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(attach_calls, ==, 1);
    g_assert_cmpstr(attach_name, ==, "qd.pdf");
    g_assert_cmpuint(doc->children->len, ==, 1);
    const tracuu_extracted *child = g_ptr_array_index(doc->children, 0);
    g_assert_cmpstr(child->kind, ==, "attachment");
    g_assert_cmpstr(child->attachment, ==, "qd.pdf");
    g_assert_true(g_str_has_suffix(child->text, "bytes read by the caller's reader"));
    g_clear_pointer(&attach_name, g_free);

    /* Without a reader the attachment is still listed, with a warning and no text. */
    g_autoptr(tracuu_extracted) bare =
        tracuu_mail_read_message(raw, sizeof raw - 1, 0, NULL, &error);
    g_assert_no_error(error);
    child = g_ptr_array_index(bare->children, 0);
    g_assert_cmpstr(child->text, ==, "");
    g_assert_nonnull(child->warnings);
}

/* --- mbox --- */

typedef struct {
    const char *name;
    const char *file; /* under tests/data/mail/ */
    int error_code;
    guint messages;
    const char *subjects[4];
    const char *text_has[4]; /* per message, NULL: not checked */
    const char *created[4];
    const char *warning_has; /* on the mbox document */
    const char *span_has[4]; /* in the message's bytes in the file (its original) */
} mbox_case;

static const mbox_case mbox_cases[] = {
    {.name = "three-messages",
     .file = "three.mbox",
     .error_code = OK,
     .messages = 3,
     .subjects = {"Thư thứ nhất", "Thư thứ hai", "Quyết định"},
     .text_has = {"Nội dung một", "\nFrom the minutes: giữ dòng này\n>From quoted\n", "Ủy ban"},
     /* The third has no Date: the date of its "From " line stands in. */
     .created = {"2024-03-05", "2024-03-06", "2024-03-07"}},
    {.name = "skips-headerless",
     .file = "headerless.mbox",
     .error_code = OK,
     .messages = 1,
     .subjects = {"Có tiêu đề"},
     .text_has = {"Còn lại"},
     .warning_has = "skipped"},
    /* An mboxo writer left a body line "From the minutes..." unquoted: its text stays. */
    {.name = "unquoted-from",
     .file = "unquoted-from.mbox",
     .error_code = OK,
     .messages = 2,
     .subjects = {"one", "two"},
     .text_has = {"body.\n\nFrom the minutes of the meeting: this line was not escaped.\n"
                  "More body text after it.",
                  "Second."},
     .warning_has = "unquoted",
     .span_has = {"this line was not escaped.\nMore body text after it.", "Second."}},
    {.name = "unquoted-from-last",
     .file = "unquoted-from-last.mbox",
     .error_code = OK,
     .messages = 1,
     .subjects = {"one"},
     .text_has = {"From the end: no more messages after this line.\nLast words."},
     .warning_has = "unquoted",
     .span_has = {"Last words."}},
    {.name = "not-an-mbox", .file = "not-mbox.txt", .error_code = TRACUU_EXTRACT_ERROR_DAMAGED},
};

static void
test_mbox(gconstpointer data)
{
    const mbox_case *c = data;
    g_autofree char *path =
        g_build_filename(g_getenv("TRACUU_SOURCE_ROOT"), "tests", "data", "mail", c->file, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_mbox_file(path, &error);
    if (c->error_code != OK) {
        g_assert_null(doc);
        g_assert_error(error, TRACUU_EXTRACT_ERROR, c->error_code);
        return;
    }
    g_assert_no_error(error);
    assert_valid_utf8(doc);
    g_assert_cmpstr(doc->kind, ==, "mbox");
    g_assert_cmpuint(doc->children->len, ==, c->messages);
    g_autofree char *file = NULL;
    gsize file_len = 0;
    g_assert_true(g_file_get_contents(path, &file, &file_len, NULL));
    for (guint i = 0; i < c->messages; i++) {
        const tracuu_extracted *m = g_ptr_array_index(doc->children, i);
        g_assert_cmpstr(m->kind, ==, "mail");
        /* Its original: after its "From " line, up to the next message or the end. */
        g_assert_cmpint(m->span_offset, >, 0);
        g_assert_cmpint(m->span_offset + m->span_length, <=, (gint64)file_len);
        g_assert_cmpint(file[m->span_offset - 1], ==, '\n');
        g_autofree char *span = g_strndup(file + m->span_offset, (gsize)m->span_length);
        g_assert_false(g_str_has_prefix(span, "From "));
        gint64 end = m->span_offset + m->span_length;
        g_assert_true(end == (gint64)file_len || g_str_has_prefix(file + end, "From "));
        if (c->span_has[i] != NULL)
            assert_contains("span", span, c->span_has[i]);
        assert_field("subject", m->subject, c->subjects[i]);
        assert_contains("text", m->text, c->text_has[i]);
        assert_field("created", m->created, c->created[i]);
    }
    if (c->warning_has != NULL && !warnings_contain(doc, c->warning_has))
        g_error("no warning with \"%s\"", c->warning_has);
}

static void
test_mbox_missing_file(void)
{
    g_autoptr(GError) error = NULL;
    tracuu_extracted *doc = tracuu_extract_mbox_file("/nonexistent/tracuu.mbox", &error);
    g_assert_null(doc);
    g_assert_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_IO);
}

/* --- Files as the indexer sees them: Maildir messages, an mbox, junk named .eml --- */

typedef struct {
    const char *file; /* under tests/data/mail/ */
    const char *kind; /* NULL: must fail */
    const char *subject;
    const char *created;
    const char *text_has;
    guint children;
} file_case;

static const file_case file_cases[] = {
    {"maildir/cur/1723446000.M1P100.tracuu:2,S", "mail", "Giấy mời hội thảo", "2024-08-12",
     "Kính mời đại diện Sở", 0},
    {"maildir/new/1723510800.M2P100.tracuu", "mail", "Thông báo", "2024-08-13", "Thông báo họp", 0},
    {"three.mbox", "mbox", NULL, NULL, NULL, 3},
    /* Random bytes under a .eml name: an error that says so, not a crash or a document. */
    {"junk.eml", NULL},
};

static void
test_file(gconstpointer data)
{
    const file_case *c = data;
    g_autofree char *path =
        g_build_filename(g_getenv("TRACUU_SOURCE_ROOT"), "tests", "data", "mail", c->file, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_file(path, &error);
    if (c->kind == NULL) {
        g_assert_null(doc);
        g_assert_nonnull(error);
        g_assert_true(error->domain == TRACUU_EXTRACT_ERROR);
        return;
    }
    g_assert_no_error(error);
    assert_valid_utf8(doc);
    g_assert_cmpstr(doc->kind, ==, c->kind);
    assert_field("subject", doc->subject, c->subject);
    assert_field("created", doc->created, c->created);
    assert_contains("text", doc->text, c->text_has);
    g_assert_cmpuint(doc->children ? doc->children->len : 0, ==, c->children);
}


/* --- part paths: what the indexer records is what tracuu_mail_part_bytes() finds --- */

static const char parts_message[] =
    "From: a@example.vn\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
    "--o\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
    "--alt\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
    "--alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n--alt--\r\n"
    "--o\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"one.bin\"\r\n\r\nb25lIGJ5dGVz\r\n"
    "--o\r\nContent-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n"
    "From: b@example.vn\r\nSubject: inner\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"i\"\r\n\r\n"
    "--i\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
    "--i\r\nContent-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"two.bin\"\r\n\r\ntwo bytes\r\n--i--\r\n"
    "\r\n--o--\r\n";

static void
test_part_paths(void)
{
    gsize len = strlen(parts_message);
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_mail_read_message(parts_message, len, 0, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(doc->children);
    g_assert_cmpuint(doc->children->len, ==, 2);
    tracuu_extracted *one = doc->children->pdata[0];
    tracuu_extracted *fwd = doc->children->pdata[1];
    g_assert_cmpstr(one->part, ==, "2");
    g_assert_cmpstr(fwd->part, ==, "3");
    g_assert_cmpuint(fwd->children->len, ==, 1);
    tracuu_extracted *two = fwd->children->pdata[0];
    g_assert_cmpstr(two->part, ==, "3.m.2");
    static const struct {
        const char *path, *bytes;
    } cases[] = {{"2", "one bytes"}, {"3.m.2", "two bytes"}, {"1.2", "plain"}};
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GBytes) b = tracuu_mail_part_bytes(parts_message, len, cases[i].path, &error);
        g_assert_no_error(error);
        gsize n = 0;
        const char *data = g_bytes_get_data(b, &n);
        g_assert_cmpmem(data, n, cases[i].bytes, strlen(cases[i].bytes));
    }
    /* Paths that lead nowhere: out of range, into a leaf, a multipart itself, junk. */
    static const char *const bad[] = {"9", "2.1", "1", "x", "0", "-1", "3.m.9", "2.m", ""};
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) e = NULL;
        g_autoptr(GBytes) b = tracuu_mail_part_bytes(parts_message, len, bad[i], &e);
        g_assert_null(b);
        g_assert_error(e, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED);
    }
}

/* A message that the dispatcher found by content in an attachment named neither .eml nor
 * message/rfc822: its attachments' paths go through that attachment too. */
static void
test_part_paths_sniffed_message(void)
{
    static const char raw[] =
        "From: a@example.vn\r\nSubject: outer\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
        "--o\r\nContent-Type: text/plain\r\n\r\nouter body\r\n"
        "--o\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename=\"forwarded.dat\"\r\n\r\n"
        "From: b@example.vn\r\nTo: c@example.vn\r\nSubject: inner\r\n"
        "Date: Mon, 1 Jan 2024 08:00:00 +0700\r\nMessage-ID: <x@example.vn>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"i\"\r\n\r\n"
        "--i\r\nContent-Type: text/plain\r\n\r\ninner body\r\n"
        "--i\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename=\"deep.bin\"\r\n\r\ndeep bytes\r\n--i--\r\n"
        "\r\n--o--\r\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_mail_message(raw, sizeof raw - 1, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(doc->children->len, ==, 1);
    tracuu_extracted *fwd = doc->children->pdata[0];
    g_assert_cmpstr(fwd->part, ==, "2");
    if (fwd->children == NULL) {
        g_test_skip("libmagic does not read the attachment as a message here");
        return;
    }
    tracuu_extracted *deep = fwd->children->pdata[0];
    g_assert_cmpstr(deep->part, ==, "2.m.2");
    g_autoptr(GBytes) b = tracuu_mail_part_bytes(raw, sizeof raw - 1, deep->part, &error);
    g_assert_no_error(error);
    gsize n = 0;
    const char *data = g_bytes_get_data(b, &n);
    g_assert_cmpmem(data, n, "deep bytes", 10);
}

/* The source of a document, as stored and read back; a path that is not UTF-8 survives. */
static void
test_source_round_trip(void)
{
    tracuu_schema_source src = {(char *)"/srv/th\xf0 m\xe1" "c&x=1%/a b", 123, 1700000000123456789,
                                47, 428, (char *)"3.m.2"};
    g_autofree char *text = tracuu_schema_source_format(&src);
    g_assert_true(g_utf8_validate(text, -1, NULL));
    g_autoptr(tracuu_schema_source) back = tracuu_schema_source_parse(text);
    g_assert_nonnull(back);
    g_assert_cmpstr(back->path, ==, src.path);
    g_assert_cmpuint(back->size, ==, 123);
    g_assert_cmpint(back->mtime_ns, ==, src.mtime_ns);
    g_assert_cmpint(back->offset, ==, 47);
    g_assert_cmpint(back->length, ==, 428);
    g_assert_cmpstr(back->part, ==, "3.m.2");
    tracuu_schema_source whole = {(char *)"/a.pdf", 1, 2, -1, 0, NULL};
    g_autofree char *t2 = tracuu_schema_source_format(&whole);
    g_autoptr(tracuu_schema_source) b2 = tracuu_schema_source_parse(t2);
    g_assert_cmpint(b2->offset, ==, -1);
    g_assert_null(b2->part);
    /* Not a source: relative path, missing size, a NUL in the path. */
    static const char *const bad[] = {"size=1&mtime=2&path=a.pdf", "mtime=2&path=/a",
                                      "size=1&mtime=2&path=/a%00b", "", "size=x&mtime=2&path=/a"};
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_null(tracuu_schema_source_parse(bad[i]));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autoptr(GError) error = NULL;
    if (!tracuu_extract_init(&error))
        g_error("tracuu_extract_init: %s", error->message);

    g_test_add_func("/mail/gmime-bug-133", test_gmime_bug_133);
    g_test_add_func("/mail/part-paths", test_part_paths);
    g_test_add_func("/mail/part-paths/sniffed-message", test_part_paths_sniffed_message);
    g_test_add_func("/mail/source-round-trip", test_source_round_trip);
    for (gsize i = 0; i < G_N_ELEMENTS(header_cases); i++) {
        g_autofree char *path = g_strdup_printf("/mail/header/%s", header_cases[i].name);
        g_test_add_data_func(path, &header_cases[i], test_decode_header);
    }
    g_test_add_func("/mail/header/invalid-bytes", test_decode_header_invalid_bytes);
    for (gsize i = 0; i < G_N_ELEMENTS(charset_cases); i++) {
        g_autofree char *path = g_strdup_printf("/mail/charset/%s-%c-%zu", charset_cases[i].charset,
                                                charset_cases[i].encoding, i);
        g_test_add_data_func(path, &charset_cases[i], test_decode_charset);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(mail_cases); i++) {
        g_autofree char *path = g_strdup_printf("/mail/message/%s", mail_cases[i].name);
        g_test_add_data_func(path, &mail_cases[i], test_message);
    }
    g_test_add_data_func("/mail/message/pdf-pages/shared",
                         "shared:samples/pdf/01_Cong_Van_Den_Bo_GDDT.pdf",
                         test_pdf_attachment_pages);
    g_test_add_data_func("/mail/message/pdf-pages/corpus",
                         "src:corpus/archive/van-ban/cv-172-2023-cdn.pdf",
                         test_pdf_attachment_pages);
    g_test_add_func("/mail/message/depth-argument", test_depth_limit_argument);
    g_test_add_func("/mail/message/attach-function", test_attach_function);
    for (gsize i = 0; i < G_N_ELEMENTS(mbox_cases); i++) {
        g_autofree char *path = g_strdup_printf("/mail/mbox/%s", mbox_cases[i].name);
        g_test_add_data_func(path, &mbox_cases[i], test_mbox);
    }
    g_test_add_func("/mail/mbox/missing-file", test_mbox_missing_file);
    for (gsize i = 0; i < G_N_ELEMENTS(file_cases); i++) {
        g_autofree char *path =
            g_strdup_printf("/mail/file/%zu-%s", i,
                            strchr(file_cases[i].file, '/') ? "maildir" : file_cases[i].file);
        g_test_add_data_func(path, &file_cases[i], test_file);
    }
    return g_test_run();
}
