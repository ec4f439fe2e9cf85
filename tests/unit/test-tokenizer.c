/* test-tokenizer.c - unit tests for the tokenizer: normalisation, folding, docnums, robustness. */
#include "tracuu-test.h"
#include "tokenizer-private.h" /* the look-alike table, checked against ICU's confusables */
#include "tracuu-tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uspoof.h>

/* ---------------------------------------------------------------------------------------- */
/* Helpers: tokens rendered as text, so that each table row states what a user would see.    */

typedef struct {
    GString *out;
    gboolean terms_only;  /* "term term ..." of tokens without TRACUU_TOKEN_PART */
    gboolean folded_only; /* "folded folded ..." of tokens without TRACUU_TOKEN_PART */
    int calls;
    int stop_after; /* > 0: return FALSE from that call */
} render_ctx;

static gboolean
render_cb(const tracuu_token *t, gpointer user_data)
{
    render_ctx *c = user_data;
    c->calls++;
    gboolean part = (t->flags & TRACUU_TOKEN_PART) != 0;
    /* The contract: NUL-terminated strings of the stated length, never longer than MAX_TERM. */
    g_assert_cmpuint(strlen(t->term), ==, t->term_len);
    g_assert_cmpuint(strlen(t->folded), ==, t->folded_len);
    g_assert_cmpuint(t->term_len, <=, TRACUU_TOKENIZER_MAX_TERM);
    g_assert_cmpuint(t->folded_len, <=, TRACUU_TOKENIZER_MAX_TERM);
    g_assert_true(g_utf8_validate(t->term, (gssize)t->term_len, NULL));
    g_assert_true(g_utf8_validate(t->folded, (gssize)t->folded_len, NULL));
    g_assert_cmpuint(t->start, <, t->end);
    if (c->terms_only || c->folded_only) {
        if (!part) {
            if (c->out->len)
                g_string_append_c(c->out, ' ');
            g_string_append(c->out, c->terms_only ? t->term : t->folded);
        }
    } else {
        if (c->out->len)
            g_string_append(c->out, " | ");
        g_string_append_printf(c->out, "%s %s %s %u %zu %zu%s", t->term, t->folded,
                               tracuu_token_kind_name(t->kind), t->pos, t->start, t->end,
                               part ? " P" : "");
    }
    return c->stop_after <= 0 || c->calls < c->stop_after;
}

static tracuu_tokenizer *
new_tokenizer(void)
{
    GError *error = NULL;
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    g_assert_no_error(error);
    g_assert_nonnull(tk);
    return tk;
}

/* Renders every token of @text ("term folded kind pos start end [P]" joined by " | "). */
static char *
render(const char *text, gssize len, int mode)
{
    tracuu_tokenizer *tk = new_tokenizer();
    render_ctx c = {g_string_new(""), mode == 1, mode == 2, 0, 0};
    tracuu_tokenizer_run(tk, text, len < 0 ? strlen(text) : (size_t)len, 0, render_cb, &c);
    tracuu_tokenizer_free(tk);
    return g_string_free(c.out, FALSE);
}

static char *
terms_of(const char *text)
{
    return render(text, -1, 1);
}

static char *
folded_of(const char *text)
{
    return render(text, -1, 2);
}

typedef struct {
    const char *input;
    const char *expected;
} pair;

static void
check_pairs(const pair *rows, size_t n, char *(*fn)(const char *))
{
    for (size_t i = 0; i < n; i++) {
        g_autofree char *got = fn(rows[i].input);
        if (g_strcmp0(got, rows[i].expected) != 0)
            g_test_message("input: \"%s\"", rows[i].input);
        g_assert_cmpstr(got, ==, rows[i].expected);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Words: case folding, NFC, tone placement.                                                 */

static const pair term_rows[] = {
    /* Old and new tone placement give one term: the new one. */
    {"hoà hòa", "hòa hòa"},
    {"thuý thúy", "thúy thúy"},
    {"khoẻ khỏe", "khỏe khỏe"},
    {"Uỷ Ủy uỷ ban", "ủy ủy ủy ban"},
    {"HOÀ BÌNH", "hòa bình"},
    {"thuỷ lợi thủy", "thủy lợi thủy"},
    {"loà xoà", "lòa xòa"},
    {"tuỳ tùy", "tùy tùy"},
    /* Where both styles agree nothing moves. */
    {"hoàng toán quý quyết người thuở khuỷu hoài ngoáy",
     "hoàng toán quý quyết người thuở khuỷu hoài ngoáy"},
    {"của mùa mía túi gửi cứu tuổi chuyển", "của mùa mía túi gửi cứu tuổi chuyển"},
    /* qu and gi are initials: the tone belongs on the vowel after them. */
    {"qúy gìa già gìn giữ quà", "quý già già gìn giữ quà"},
    /* Full case folding. */
    {"ĐIỆN Điện điện", "điện điện điện"},
    {"CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "cộng hòa xã hội chủ nghĩa việt nam"},
    {"Straße", "strasse"},
    /* Punctuation is dropped. */
    {"“Độc lập - Tự do - Hạnh phúc”!", "độc lập tự do hạnh phúc"},
    {"(a), [b]; {c}... d?", "a b c d"},
    /* Numbers. */
    {"1.000.000 đồng, 3,5%", "1.000.000 đồng 3,5"},
    {"Điều 5. Khoản 2", "điều 5 khoản 2"},
    /* Not a word of many letters: a full stop between letters splits. */
    {"TP.HCM v.v.", "tp hcm v v"},
    {"don't don’t", "don't don't"},
    /* Invisible format characters keep a word whole and are left out of its term. */
    {"trư\xc2\xadờng Ho\xe2\x80\x8d\xc3\xa0 a\xe2\x80\x8b"
     "b",
     "trường hòa a b"},
    /* Empty and separators only. */
    {"", ""},
    {"  ,.;!? \n\t ", ""},
};

static void
test_terms(void)
{
    check_pairs(term_rows, G_N_ELEMENTS(term_rows), terms_of);
}

static const pair folded_rows[] = {
    {"đường Đường ĐƯỜNG", "duong duong duong"},
    {"Bộ Tài chính", "bo tai chinh"},
    {"hoà hòa Uỷ", "hoa hoa uy"},
    {"Nguyễn Thị Minh Khai", "nguyen thi minh khai"},
    {"ắ ằ ẳ ẵ ặ ấ ầ ẩ ẫ ậ", "a a a a a a a a a a"},
    {"ơ ư ô ê", "o u o e"},
    {"Crème brûlée Ærø", "creme brulee ærø"},
    {"Москва́", "москва"},
};

static void
test_folded(void)
{
    check_pairs(folded_rows, G_N_ELEMENTS(folded_rows), folded_of);
}

/* NFD input (as macOS and some PDFs give it) makes the same terms as NFC input. */
static void
test_nfd(void)
{
    static const pair rows[] = {
        /* "Hòa Quý Việt Nam đường" written decomposed */
        {"Ho\xcc\x80"
         "a Quy\xcc\x81 Vie\xcc\x82\xcc\xa3t Nam \xc4\x91u\xcc\x9bo\xcc\x9b\xcc\x80ng",
         "hòa quý việt nam đường"},
        /* "Hoà" decomposed, old placement */
        {"Hoa\xcc\x80", "hòa"},
        /* A mark in a different order than canonical: dot below then circumflex. */
        {"vie\xcc\xa3\xcc\x82t", "việt"},
    };
    check_pairs(rows, G_N_ELEMENTS(rows), terms_of);
}

/* Full token tables: kind, position and byte offsets into the input. */
static void
test_tokens(void)
{
    static const pair rows[] = {
        {"Điện lực", "điện dien word 0 0 7 | lực luc word 1 8 13"},
        {"Số: 1115/QĐ-TTg",
         "số so word 0 0 4 | 1115/qđ-ttg 1115/qd-ttg docnum 1 6 18 | "
         "1115 1115 number 1 6 10 P | qđ qd word 1 11 14 P | ttg ttg word 1 15 18 P"},
        {"34/2008/CT – TTg nhé",
         "34/2008/ct-ttg 34/2008/ct-ttg docnum 0 0 18 | 34 34 number 0 0 2 P | "
         "2008 2008 number 0 3 7 P | ct ct word 0 8 10 P | ttg ttg word 0 15 18 P | "
         "nhé nhe word 1 19 23"},
        {"Gửi vanthu@chinhphu.gov.vn.",
         "gửi gui word 0 0 5 | vanthu@chinhphu.gov.vn vanthu@chinhphu.gov.vn email 1 6 28 | "
         "vanthu vanthu word 1 6 12 P | chinhphu chinhphu word 1 13 21 P | "
         "gov gov word 1 22 25 P | vn vn word 1 26 28 P"},
        {"Xem https://vbpl.vn/Pages/x.aspx?ID=5, rồi",
         "xem xem word 0 0 3 | https://vbpl.vn/pages/x.aspx?id=5 https://vbpl.vn/pages/x.aspx?id=5 "
         "url 1 4 37 | https https word 1 4 9 P | vbpl vbpl word 1 12 16 P | vn vn word 1 17 19 P "
         "| "
         "pages pages word 1 20 25 P | x x word 1 26 27 P | aspx aspx word 1 28 32 P | "
         "id id word 1 33 35 P | 5 5 number 1 36 37 P | rồi roi word 2 39 44"},
        /* NFD input: the host starts with o and a combining circumflex, NFC or not. */
        {"http://o\xcc\x82to\xcc\x82.vn http://ôtô.vn",
         "http://ôtô.vn http://oto.vn url 0 0 17 | http http word 0 0 4 P | ôtô oto word 0 7 14 P "
         "| "
         "vn vn word 0 15 17 P | http://ôtô.vn http://oto.vn url 1 18 33 | http http word 1 18 22 "
         "P | "
         "ôtô oto word 1 25 30 P | vn vn word 1 31 33 P"},
        {"(www.chinhphu.vn)", "www.chinhphu.vn www.chinhphu.vn url 0 1 16 | www www word 0 1 4 P | "
                              "chinhphu chinhphu word 0 5 13 P | vn vn word 0 14 16 P"},
        {"ngày 3/12/2008", "ngày ngay word 0 0 5 | 3 3 number 1 6 7 | 12 12 number 2 8 10 | 2008 "
                           "2008 number 3 11 15"},
        {"1.000.000đ", "1.000.000đ 1.000.000d word 0 0 11"},
        /* Bare host names with a known top-level domain are URLs; TP.HCM is not. */
        {"vbpl.vn, Moj.Gov.VN/qt/tintuc. TP.HCM",
         "vbpl.vn vbpl.vn url 0 0 7 | vbpl vbpl word 0 0 4 P | vn vn word 0 5 7 P | "
         "moj.gov.vn/qt/tintuc moj.gov.vn/qt/tintuc url 1 9 29 | moj moj word 1 9 12 P | "
         "gov gov word 1 13 16 P | vn vn word 1 17 19 P | qt qt word 1 20 22 P | "
         "tintuc tintuc word 1 23 29 P | tp tp word 2 31 33 | hcm hcm word 3 34 37"},
        {"abc.vnx a.com@x", "abc abc word 0 0 3 | vnx vnx word 1 4 7 | a a word 2 8 9 | "
                            "com com word 3 10 13 | x x word 4 14 15"},
        {"Điều 5.2", "điều dieu word 0 0 7 | 5.2 5.2 number 1 8 11"},
        /* The pieces of a number are those of its Latin form too: "btc", not "btс". */
        {"TT-BTС", "tt tt word 0 0 2 | btс btс word 1 3 7"},
        {"01/2021/TT-BTС",
         "01/2021/tt-btc 01/2021/tt-btc docnum 0 0 15 | 01 01 number 0 0 2 P | "
         "2021 2021 number 0 3 7 P | tt tt word 0 8 10 P | btc btc word 0 11 15 P"},
        {"３４／ＣＴ－ＴＴｇ",
         "34/ct-ttg 34/ct-ttg docnum 0 0 27 | 34 34 number 0 0 6 P | ct ct word 0 9 15 P | "
         "ttg ttg word 0 18 27 P"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *got = render(rows[i].input, -1, 0);
        if (g_strcmp0(got, rows[i].expected) != 0)
            g_test_message("input: \"%s\"", rows[i].input);
        g_assert_cmpstr(got, ==, rows[i].expected);
    }
}

/* Other scripts go through ICU's break iterator (Thai and Chinese have no spaces). */
static void
test_mixed_scripts(void)
{
    static const pair rows[] = {
        {"Hà Nội và Москва", "hà nội và москва"},
        {"ภาษาไทยง่าย", "ภาษา ไทย ง่าย"},
        {"Việt Nam 越南 ABC", "việt nam 越南 abc"},
        {"ΣΊΣΥΦΟΣ", "σίσυφοσ"},
        {"abc١٢٣ ٤٥", "abc١٢٣ ٤٥"},
        /* Alphabetic scripts join as in UAX #29: µ (micro) folds to Greek μ inside a word. */
        {"ngµy vµ", "ngμy vμ"},
        {"ngμy", "ngμy"},
        /* Georgian capitals fold to letters far from theirs (U+10A0 to U+2D00). */
        {"Ⴀბ ႠႡ", "ⴀბ ⴀⴁ"},
        {"東京タワーと大阪", "東京タワー と 大阪"},
    };
    check_pairs(rows, G_N_ELEMENTS(rows), terms_of);
}

/* ---------------------------------------------------------------------------------------- */
/* Document numbers.                                                                         */

typedef struct {
    const char *input;
    const char *term; /* normal form in running text; NULL: not a document number */
    const char *folded;
    const char *alone; /* if set: what tracuu_docnum_normalize() gives instead, told that the
                          whole text is a number (its folded form is the same here) */
} docnum_row;

static const docnum_row docnum_rows[] = {
    /* The issue's examples. */
    {"34/2008/CT-TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"34/2008/CT–TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"34/2008/CT - TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"36a/NQ-CP", "36a/nq-cp", "36a/nq-cp"},
    {"64-TB/VPTW", "64-tb/vptw", "64-tb/vptw"},
    {"34-CT/TW", "34-ct/tw", "34-ct/tw"},
    {"172/CĐN-TGNC", "172/cđn-tgnc", "172/cdn-tgnc"},
    {"01/2021/TT-BTTTT", "01/2021/tt-btttt", "01/2021/tt-btttt"},
    {"1115/QĐ-TTg", "1115/qđ-ttg", "1115/qd-ttg"},
    {"1115/QD-TTg", "1115/qd-ttg", "1115/qd-ttg"},
    /* Other dashes, spaces around the slash, as found in vbpl texts. */
    {"34/2008/CT—TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"34/2008/CT −TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"64–TB/VPTW", "64-tb/vptw", "64-tb/vptw"},
    {"45/2025 /TT-BXD", "45/2025/tt-bxd", "45/2025/tt-bxd"},
    {"73 / 2025 /TT-NHNN", "73/2025/tt-nhnn", "73/2025/tt-nhnn"},
    {"18/2025/TT- BTC", "18/2025/tt-btc", "18/2025/tt-btc"},
    {"34/2008/CT\xc2\xa0-\xc2\xa0TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"}, /* no-break spaces */
    {"34／2008／CT－TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},              /* full width */
    {"34∕2008∕CT‑TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"}, /* division slash, no-break hyphen */
    {"34⁄2008⁄CT‒TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"}, /* fraction slash, figure dash */
    {"34/2008/CT⸺TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"}, /* two-em dash */
    /* Every separator a dash: the year, or two groups, or one in capitals of three letters,
     * show it is a number written NUMBER/[YEAR/]KÝ-HIỆU. */
    {"34-2008-CT-TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"34–2008–CT–TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"34-2008-ct-ttg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"01-2026-QH16", "01/2026/qh16", "01/2026/qh16"},
    {"1115-QĐ-TTg", "1115/qđ-ttg", "1115/qd-ttg"},
    {"1115-qđ-ttg", "1115/qđ-ttg", "1115/qd-ttg"},
    {"36a-NQ-CP", "36a/nq-cp", "36a/nq-cp"},
    {"164-HĐTVĐX", "164/hđtvđx", "164/hdtvdx"},
    {"34-2008-CT - TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"64-TB-VPTW", "64/tb-vptw", "64/tb-vptw"}, /* read as the state form: a Party number keeps
                                                   its slash */
    /* Look-alike letters of other scripts inside a number that is otherwise Latin. */
    {"01/2021/TT-BTС", "01/2021/tt-btc", "01/2021/tt-btc"}, /* Cyrillic Es */
    {"34/2008/СТ-ТТg", "34/2008/ct-ttg", "34/2008/ct-ttg"}, /* Cyrillic Es, Te */
    {"34/2008/CΤ-TTg", "34/2008/ct-ttg", "34/2008/ct-ttg"}, /* Greek Tau */
    {"30/2020/ΝĐ-CΡ", "30/2020/nđ-cp", "30/2020/nd-cp"},    /* Greek Nu, Rho */
    {"36а/NQ-CP", "36a/nq-cp", "36a/nq-cp"},                /* Cyrillic a */
    {"10/2025/tt-btс", "10/2025/tt-btc", "10/2025/tt-btc"}, /* Cyrillic es */
    {"1115/QÐ-TTg", "1115/qđ-ttg", "1115/qd-ttg"},          /* Eth from a legacy charset */
    /* Full-width forms, as Japanese and Chinese input methods type them. */
    {"３４／２００８／ＣＴ－ＴＴｇ", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"１１１５／ＱĐ－ＴＴｇ", "1115/qđ-ttg", "1115/qd-ttg"},
    {"３４／２００８／ＣＴ　－　ＴＴｇ", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    /* Forms from Nghị định 30/2020/NĐ-CP and the Công báo. */
    {"30/2020/NĐ-CP", "30/2020/nđ-cp", "30/2020/nd-cp"},
    {"15/QĐ-BNV", "15/qđ-bnv", "15/qd-bnv"},
    {"05/BNV-VP", "05/bnv-vp", "05/bnv-vp"},
    {"12/UBND-VX", "12/ubnd-vx", "12/ubnd-vx"},
    {"01/2026/QH16", "01/2026/qh16", "01/2026/qh16"},
    {"50/VBHN-BCT", "50/vbhn-bct", "50/vbhn-bct"},
    {"1930/NQ-UBTVQH15", "1930/nq-ubtvqh15", "1930/nq-ubtvqh15"},
    {"09/2025/TTLT-VKSNDTC-TANDTC-KTNN", "09/2025/ttlt-vksndtc-tandtc-ktnn",
     "09/2025/ttlt-vksndtc-tandtc-ktnn"},
    {"999/TTg-QHĐP", "999/ttg-qhđp", "999/ttg-qhdp"},
    /* "&" inside a group, as local offices write "và". */
    {"2005/TT-BGD&ĐT", "2005/tt-bgd&đt", "2005/tt-bgd&dt"},
    {"123/SKH&ĐT-ĐKKD", "123/skh&đt-đkkd", "123/skh&dt-dkkd"},
    /* Technical standards: QCVN 01:2025/BTNMT. */
    {"01:2025/BTNMT", "01:2025/btnmt", "01:2025/btnmt"},
    /* Typed in a query box without capitals. */
    {"1115/qđ-ttg", "1115/qđ-ttg", "1115/qd-ttg"},
    {"34/2008/ct-ttg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    /* A spaced dash in lowercase joins a group that cannot be a Vietnamese word ("ttg", not
     * "ha"), so that typing without capitals is no loss; told it is a number, any group. */
    {"34/2008/ct - ttg", "34/2008/ct-ttg", "34/2008/ct-ttg"},
    {"1115/qđ - ttg", "1115/qđ-ttg", "1115/qd-ttg"},
    {"01/2021/tt – btttt", "01/2021/tt-btttt", "01/2021/tt-btttt"},
    {"12/2020/qđ - ubnd", "12/2020/qđ-ubnd", "12/2020/qd-ubnd"},
    {"34/2008/ct - ha", "34/2008/ct", "34/2008/ct", "34/2008/ct-ha"},
    {"34/2008/ct - the", "34/2008/ct", "34/2008/ct", "34/2008/ct-the"},
    /* Not document numbers: dates, times, fractions, scores, phone numbers, units, words. */
    {"3/12/2008", NULL, NULL},
    {"22/5/2012", NULL, NULL},
    {"1/2", NULL, NULL},
    {"7/10", NULL, NULL},
    {"10:30", NULL, NULL},
    {"0912.345.678", NULL, NULL},
    {"(024) 3823 4567", NULL, NULL},
    {"số 5", NULL, NULL},
    {"1/Ban", NULL, NULL},
    {"1/Điều", NULL, NULL},
    {"100/ha", NULL, NULL, "100/ha"},
    {"5/kg", NULL, NULL, "5/kg"},
    {"10/cp", NULL, NULL, "10/cp"},
    {"2 /trạm", NULL, NULL},
    {"24/7", NULL, NULL},
    {"2/3A", NULL, NULL},
    {"8,5/10", NULL, NULL},
    {"10-15/2020", NULL, NULL},
    {"QĐ-TTg", NULL, NULL},
    {"12/2020", NULL, NULL},
    /* Dashes between digits, ordinary hyphenated words: dates, ranges, phones, names. */
    {"12-05-2020", NULL, NULL},
    {"2020-05-12", NULL, NULL},
    {"2019 - 2020", NULL, NULL},
    {"2019-2020", NULL, NULL},
    {"0912-345-678", NULL, NULL},
    {"024-3823-4567", NULL, NULL},
    {"COVID-19", NULL, NULL},
    {"Điều 5 - 7", NULL, NULL},
    {"12-2020", NULL, NULL},
    {"5-A", NULL, NULL},
    {"3-TK", NULL, NULL},
    {"5-kg", NULL, NULL},
    {"2-in-1", NULL, NULL},
    {"3-way-handshake", NULL, NULL, "3/way-handshake"},
    {"5-nam-qua", NULL, NULL, "5/nam-qua"},
    /* Letters of other scripts only: Russian or Greek text, not a number with look-alikes. */
    {"5/ТС-ВК", NULL, NULL},
    {"5/2020/ΑΒ", NULL, NULL},
    {"7/Москва", NULL, NULL},
};

/* The docnum tokens of @text as "term folded" joined by " | ". */
static char *
docnums_of(const char *text)
{
    tracuu_tokenizer *tk = new_tokenizer();
    render_ctx c = {g_string_new(""), FALSE, FALSE, 0, 0};
    tracuu_tokenizer_run(tk, text, strlen(text), 0, render_cb, &c);
    tracuu_tokenizer_free(tk);
    GString *out = g_string_new("");
    g_auto(GStrv) toks = g_strsplit(c.out->str, " | ", -1);
    for (char **t = toks; *t; t++) {
        g_auto(GStrv) f = g_strsplit(*t, " ", -1);
        if (g_strv_length(f) >= 3 && strcmp(f[2], "docnum") == 0)
            g_string_append_printf(out, "%s%s %s", out->len ? " | " : "", f[0], f[1]);
    }
    g_string_free(c.out, TRUE);
    return g_string_free(out, FALSE);
}

static void
test_docnum_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(docnum_rows); i++) {
        const docnum_row *r = &docnum_rows[i];
        g_test_message("input: \"%s\"", r->input);
        /* Alone, through the public normaliser. */
        g_autofree char *term = NULL, *folded = NULL;
        gboolean ok = tracuu_docnum_normalize(r->input, -1, &term, &folded);
        if (r->alone) {
            g_assert_true(ok);
            g_assert_cmpstr(term, ==, r->alone);
            g_assert_cmpstr(folded, ==, r->alone);
        } else {
            g_assert_cmpint(ok, ==, r->term != NULL);
            g_assert_cmpstr(term, ==, r->term);
            g_assert_cmpstr(folded, ==, r->folded);
        }
        /* In running text, as one token. */
        g_autofree char *text = g_strdup_printf("theo văn bản %s của", r->input);
        g_autofree char *got = docnums_of(text);
        g_autofree char *want =
            r->term ? g_strdup_printf("%s %s", r->term, r->folded) : g_strdup("");
        g_assert_cmpstr(got, ==, want);
    }
}

static void
test_docnum_context(void)
{
    static const pair rows[] = {
        /* A spaced dash joins only a group in capitals, not the next words. */
        {"Nghị quyết 01/NQ-CP - Về việc", "01/nq-cp 01/nq-cp"},
        {"Số: 217/2026/NĐ-CP; 1115/QĐ-TTg.",
         "217/2026/nđ-cp 217/2026/nd-cp | 1115/qđ-ttg 1115/qd-ttg"},
        {"(34-CT/TW)", "34-ct/tw 34-ct/tw"},
        /* Where a number written with spaced dashes ends: a group in capitals joins, the
         * words after it do not, in capitals or (typed without them) in lowercase. */
        {"Số 34/2008/CT - TTg", "34/2008/ct-ttg 34/2008/ct-ttg"},
        {"Số 34/2008/CT - Hà Nội", "34/2008/ct 34/2008/ct"},
        {"so 34/2008/ct - ha noi", "34/2008/ct 34/2008/ct"},
        {"so 34/2008/ct - ttg ve viec", "34/2008/ct-ttg 34/2008/ct-ttg"},
        {"chỉ thị 34/2008/ct - tăng cường", "34/2008/ct 34/2008/ct"},
        {"Chỉ thị 34-2008-CT-TTg, Quyết định 1115-QĐ-TTg.",
         "34/2008/ct-ttg 34/2008/ct-ttg | 1115/qđ-ttg 1115/qd-ttg"},
        /* Dates, ranges, phone numbers and hyphenated names stay what they are. */
        {"ngày 12-05-2020, năm học 2019 - 2020, giai đoạn 2021-2025, gọi 0912-345-678 hoặc "
         "024-3823-4567, dịch COVID-19, Điều 5 - 7, khoản 2-3",
         ""},
        {"Thông tư 01/2021/TT-BTС của Bộ", "01/2021/tt-btc 01/2021/tt-btc"},
        {"Приказ № 5/ТС-ВК от 2020", ""},
        {"QCVN 01:2025/BTNMT - Quy chuẩn", "01:2025/btnmt 01:2025/btnmt"},
        /* Digits that continue a number written before them do not start one. */
        {"1.2/CP 1-2/CP 1,2/CP 1–2/CP 1／2/CP ３－４/CP", ""},
        {"Số:217/2026/NĐ-CP", "217/2026/nđ-cp 217/2026/nd-cp"},
        {"ngày 22/5/2012 và 3/12/2008", ""},
        {"Quyết định số 1115/QĐ-TTg ban hành Kế hoạch triển khai thực hiện Thông báo 64-TB/VPTW "
         "ngày 22 tháng 5 năm 2026 về tình hình triển khai chỉ thị 34-CT/TW",
         "1115/qđ-ttg 1115/qd-ttg | 64-tb/vptw 64-tb/vptw | 34-ct/tw 34-ct/tw"},
    };
    check_pairs(rows, G_N_ELEMENTS(rows), docnums_of);

    /* The whole trimmed text must be the number. */
    g_autofree char *t = NULL, *f = NULL;
    g_assert_true(tracuu_docnum_normalize("  34/2008/CT - TTg \n", -1, &t, NULL));
    g_assert_cmpstr(t, ==, "34/2008/ct-ttg");
    g_clear_pointer(&t, g_free);
    g_assert_false(tracuu_docnum_normalize("34/2008/CT-TTg ngày", -1, &t, &f));
    g_assert_null(t);
    g_assert_null(f);
    g_assert_false(tracuu_docnum_normalize("", -1, NULL, NULL));
    g_assert_false(tracuu_docnum_normalize("số 34/2008/CT-TTg", -1, NULL, NULL));
    g_assert_true(tracuu_docnum_normalize("36a/NQ-CP and more", 9, &t, &f));
    g_assert_cmpstr(f, ==, "36a/nq-cp");
}

/*
 * The 4,043 numbers of the Công báo sample, each written six ways, must each give one docnum
 * token with the normal form of the number as published: as published, with en dashes, with
 * spaced hyphens, with every separator a dash, and as typed into a query box without capitals
 * (spaced hyphens, or dashes only).
 */
static const char *const congbao_styles[] = {
    "as published",
    "en dashes",
    "spaced hyphens",
    "all dashes",
    "lowercase, spaced hyphens",
    "lowercase, all dashes",
};

static char *
congbao_variant(const char *so, size_t style)
{
    GString *v = g_string_new(NULL);
    if (style >= 4) {
        g_autofree char *low = g_utf8_strdown(so, -1);
        g_string_assign(v, low);
    } else {
        g_string_assign(v, so);
    }
    if (style == 1)
        g_string_replace(v, "-", "–", 0);
    if (style == 2 || style == 4)
        g_string_replace(v, "-", " - ", 0);
    if (style == 3 || style == 5)
        g_string_replace(v, "/", "-", 0);
    return g_string_free(v, FALSE);
}

static void
test_docnum_congbao(void)
{
    g_autofree char *path = tracuu_test_shared_or_skip("samples/congbao_metadata.tsv");
    g_autofree char *contents = NULL;
    if (path == NULL)
        return;
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    /* Fields may hold quoted line breaks: take so_hieu (4th field) only from rows whose first
     * field is a file name, which is how every record starts. */
    g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
    tracuu_tokenizer *tk = new_tokenizer();
    int numbers = 0, good[G_N_ELEMENTS(congbao_styles)] = {0};
    for (char **l = lines + 1; *l; l++) {
        g_auto(GStrv) f = g_strsplit(*l, "\t", 5);
        if (g_strv_length(f) < 5 || !g_str_has_suffix(f[0], ".txt") || !*f[3])
            continue;
        numbers++;
        const char *so = f[3];
        g_autofree char *want = g_utf8_strdown(so, -1);
        for (size_t v = 0; v < G_N_ELEMENTS(congbao_styles); v++) {
            g_autofree char *written = congbao_variant(so, v);
            g_autofree char *text = g_strdup_printf("Văn bản số %s ngày 01 tháng 7", written);
            render_ctx c = {g_string_new(""), FALSE, FALSE, 0, 0};
            tracuu_tokenizer_run(tk, text, strlen(text), 0, render_cb, &c);
            g_autofree char *expect = g_strdup_printf(" | %s ", want);
            /* Exactly one docnum, with the right term. */
            const char *hit = strstr(c.out->str, " docnum ");
            gboolean one = hit && !strstr(hit + 1, " docnum ");
            if (one && strstr(c.out->str, expect) && strstr(c.out->str, expect) < hit)
                good[v]++;
            else if (numbers - good[v] <= 10)
                g_test_message("not recognised (%s): \"%s\": %s", congbao_styles[v], written,
                               c.out->str);
            g_string_free(c.out, TRUE);
        }
    }
    tracuu_tokenizer_free(tk);
    g_assert_cmpint(numbers, >=, 4000);
    for (size_t v = 0; v < G_N_ELEMENTS(congbao_styles); v++)
        g_test_message("%s: %d of %d numbers recognised", congbao_styles[v], good[v], numbers);
    /* Every number, in capitals, whatever its dashes. */
    for (size_t v = 0; v < 4; v++)
        g_assert_cmpint(good[v], ==, numbers);
    /* In lowercase, a group after a spaced dash or a dash where a slash belongs must look like
     * an abbreviation, and "ca" (Công an) reads as a word, as do groups with two vowels
     * ("ubanhk"); a single lowercase group is no number in running text ("164/hđtvđx", as
     * "5/kg"). That leaves out 9 of the 4,043; the rest must be found. */
    for (size_t v = 4; v < G_N_ELEMENTS(congbao_styles); v++)
        g_assert_cmpint(good[v], >=, numbers * 995 / 1000);
}

/* The confusable skeleton (Unicode TR #39) of one code point, as UTF-8. */
static char *
skeleton_of(const USpoofChecker *sc, uint32_t cp)
{
    char in[8], out[64];
    in[tok_encode(cp, in)] = '\0';
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = uspoof_getSkeletonUTF8(sc, 0, in, -1, out, sizeof out, &err);
    g_assert_true(U_SUCCESS(err));
    return g_strndup(out, (gsize)n);
}

/*
 * The Cyrillic and Greek look-alikes read as Latin inside a document number: each row must be
 * a confusable of its Latin letter in ICU's data, of the same case, and make the same number;
 * and every letter of the two scripts that ICU finds confusable with one ASCII letter of its
 * case must be in the table (but ͺ, a subscript), so that the table is ICU's list, fixed.
 */
static void
test_docnum_lookalikes(void)
{
    UErrorCode err = U_ZERO_ERROR;
    USpoofChecker *sc = uspoof_open(&err);
    g_assert_true(U_SUCCESS(err));
    GHashTable *in_table = g_hash_table_new(NULL, NULL);
    for (size_t k = 0; k < tracuu_tok_n_lookalikes; k++) {
        const tok_lookalike *r = &tracuu_tok_lookalikes[k];
        g_test_message("U+%04X as %c", r->cp, r->latin);
        if (k > 0)
            g_assert_cmpuint(tracuu_tok_lookalikes[k - 1].cp, <, r->cp); /* bsearch needs it */
        g_autofree char *sk = skeleton_of(sc, r->cp);
        g_autofree char *sl = skeleton_of(sc, (uint32_t)r->latin);
        g_assert_cmpstr(sk, ==, sl);
        g_assert_cmpint(u_isupper((UChar32)r->cp), ==, g_ascii_isupper(r->latin));
        g_hash_table_add(in_table, GUINT_TO_POINTER(r->cp));

        char letter[8];
        letter[tok_encode(r->cp, letter)] = '\0';
        g_autofree char *mixed = g_strdup_printf("12/2020/TT-B%sX", letter);
        g_autofree char *latin = g_strdup_printf("12/2020/TT-B%cX", r->latin);
        g_autofree char *tm = NULL, *tl = NULL;
        g_assert_true(tracuu_docnum_normalize(mixed, -1, &tm, NULL));
        g_assert_true(tracuu_docnum_normalize(latin, -1, &tl, NULL));
        g_assert_cmpstr(tm, ==, tl);
        g_autofree char *run = g_strdup_printf("theo %s của", mixed);
        g_autofree char *got = docnums_of(run);
        g_autofree char *want = g_strdup_printf("%s %s", tl, tl);
        g_assert_cmpstr(got, ==, want);
    }
    for (uint32_t cp = 0x370; cp < 0x530; cp++) {
        if (!u_isalpha((UChar32)cp) || cp == 0x37A)
            continue;
        g_autofree char *sk = skeleton_of(sc, cp);
        for (char c = 'A'; c <= 'z'; c++) {
            if (!g_ascii_isalpha(c) || g_ascii_isupper(c) != (u_isupper((UChar32)cp) != 0))
                continue;
            g_autofree char *sl = skeleton_of(sc, (uint32_t)c);
            if (strcmp(sk, sl) == 0 && !g_hash_table_contains(in_table, GUINT_TO_POINTER(cp)))
                g_error("U+%04X looks like %c to ICU but is not in tracuu_tok_lookalikes", cp, c);
        }
    }
    g_hash_table_destroy(in_table);
    uspoof_close(sc);
}

/* ---------------------------------------------------------------------------------------- */
/* Positions, callbacks, robustness.                                                         */

static void
test_positions(void)
{
    tracuu_tokenizer *tk = new_tokenizer();
    render_ctx c = {g_string_new(""), FALSE, FALSE, 0, 0};
    const char *text = "Theo 34/2008/CT-TTg và a@b.vn";
    uint32_t next = tracuu_tokenizer_run(tk, text, strlen(text), 100, render_cb, &c);
    /* theo, docnum (+4 parts), và, email (+3 parts): four positions from 100. */
    g_assert_cmpuint(next, ==, 104);
    g_assert_cmpint(c.calls, ==, 11);
    g_assert_nonnull(strstr(c.out->str, "34/2008/ct-ttg 34/2008/ct-ttg docnum 101 5 19"));
    g_assert_nonnull(strstr(c.out->str, "ttg ttg word 101 16 19 P"));
    g_assert_nonnull(strstr(c.out->str, "và va word 102"));
    g_assert_nonnull(strstr(c.out->str, "vn vn word 103 28 30 P"));
    g_string_free(c.out, TRUE);

    /* Stopping: the callback's FALSE ends the run after that token. */
    render_ctx s = {g_string_new(""), FALSE, FALSE, 0, 2};
    next = tracuu_tokenizer_run(tk, "một hai ba bốn", strlen("một hai ba bốn"), 0, render_cb, &s);
    g_assert_cmpint(s.calls, ==, 2);
    g_assert_cmpuint(next, ==, 2);
    g_string_free(s.out, TRUE);

    /* Empty and NULL input give nothing and keep the position. */
    render_ctx e = {g_string_new(""), FALSE, FALSE, 0, 0};
    g_assert_cmpuint(tracuu_tokenizer_run(tk, "", 0, 7, render_cb, &e), ==, 7);
    g_assert_cmpuint(tracuu_tokenizer_run(tk, NULL, 0, 7, render_cb, &e), ==, 7);
    g_assert_cmpint(e.calls, ==, 0);
    g_string_free(e.out, TRUE);
    tracuu_tokenizer_free(tk);
    tracuu_tokenizer_free(NULL);
}

static void
test_invalid_bytes(void)
{
    static const struct {
        const char *input;
        size_t len;
        const char *expected;
    } rows[] = {
        /* A stray byte, a truncated sequence, an overlong NUL, a surrogate: each replaced. */
        {"a\xff"
         "b",
         3, "a 0 1 | b 2 3"},
        {"xin\xc3 ch\xc3\xa0o", 10, "xin 0 3 | chào 5 10"},
        {"c\xe0\x80\x80"
         "d",
         5, "c 0 1 | d 4 5"},
        {"\xed\xa0\x80vi\xe1\xbb\x87t", 9, "việt 3 9"},
        {"\xf4\x90\x80\x80z", 5, "z 4 5"},
        /* NUL bytes inside: not the end of the text. */
        {"một\0hai", 9, "một 0 5 | hai 6 9"},
        /* Truncated at the very end. */
        {"hà\xe1\xbb", 5, "hà 0 3"},
    };
    tracuu_tokenizer *tk = new_tokenizer();
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        render_ctx c = {g_string_new(""), FALSE, FALSE, 0, 0};
        tracuu_tokenizer_run(tk, rows[i].input, rows[i].len, 0, render_cb, &c);
        /* Keep only "term start end" of each token. */
        GString *got = g_string_new("");
        g_auto(GStrv) toks = g_strsplit(c.out->str, " | ", -1);
        for (char **t = toks; *t && **t; t++) {
            g_auto(GStrv) f = g_strsplit(*t, " ", -1);
            g_string_append_printf(got, "%s%s %s %s", got->len ? " | " : "", f[0], f[4], f[5]);
        }
        g_test_message("row %zu", i);
        g_assert_cmpstr(got->str, ==, rows[i].expected);
        g_string_free(got, TRUE);
        g_string_free(c.out, TRUE);
    }
    tracuu_tokenizer_free(tk);
}

static void
test_long_tokens(void)
{
    tracuu_tokenizer *tk = new_tokenizer();
    /* 10,000 letters: one token, cut at MAX_TERM bytes, offsets covering the whole run. */
    GString *s = g_string_new("x ");
    for (int i = 0; i < 10000; i++)
        g_string_append(s, "ệ");
    g_string_append(s, " y");
    render_ctx c = {g_string_new(""), FALSE, FALSE, 0, 0};
    tracuu_tokenizer_run(tk, s->str, s->len, 0, render_cb, &c);
    g_auto(GStrv) toks = g_strsplit(c.out->str, " | ", -1);
    g_assert_cmpuint(g_strv_length(toks), ==, 3);
    g_auto(GStrv) f = g_strsplit(toks[1], " ", -1);
    g_assert_cmpuint(strlen(f[0]), ==, 120); /* 40 × 3 bytes */
    g_assert_cmpuint(strlen(f[1]), ==, 40);  /* "eee..." */
    g_assert_cmpstr(f[4], ==, "2");
    g_assert_cmpstr(f[5], ==, "30002");
    g_string_free(c.out, TRUE);

    /* The same letters decomposed (e + two marks each) give the same term. */
    GString *d = g_string_new("");
    for (int i = 0; i < 10000; i++)
        g_string_append(d, "e\xcc\x82\xcc\xa3");
    g_autofree char *nfc = render(s->str + 2, 30000, 1);
    g_autofree char *nfd = render(d->str, (gssize)d->len, 1);
    g_assert_cmpstr(nfc, ==, nfd);

    /* A long run of combining marks alone gives no token and does not hang. */
    GString *m = g_string_new("");
    for (int i = 0; i < 20000; i++)
        g_string_append(m, "\xcc\x81");
    g_autofree char *marks = render(m->str, (gssize)m->len, 1);
    g_assert_cmpstr(marks, ==, "");

    /* A long number, a long Thai run, a long docnum-like chain. */
    GString *n = g_string_new("");
    for (int i = 0; i < 5000; i++)
        g_string_append(n, "1.");
    g_string_append(n, "1");
    g_autofree char *num = render(n->str, (gssize)n->len, 1);
    g_assert_cmpuint(strlen(num), ==, 120);
    GString *th = g_string_new("");
    for (int i = 0; i < 3000; i++)
        g_string_append(th, "ภาษาไทย");
    g_autofree char *thai = render(th->str, (gssize)th->len, 1);
    g_assert_true(g_str_has_prefix(thai, "ภาษา ไทย ภาษา ไทย"));
    GString *dn = g_string_new("1/2020/AB");
    for (int i = 0; i < 100; i++)
        g_string_append(dn, "-CD");
    g_autofree char *dns = docnums_of(dn->str);
    g_assert_cmpstr(dns, ==, ""); /* too long to be one number: its words are still indexed */
    g_autofree char *dnt = terms_of(dn->str);
    g_assert_true(g_str_has_prefix(dnt, "1 2020 ab cd cd"));

    g_string_free(s, TRUE);
    g_string_free(d, TRUE);
    g_string_free(m, TRUE);
    g_string_free(n, TRUE);
    g_string_free(th, TRUE);
    g_string_free(dn, TRUE);
    tracuu_tokenizer_free(tk);
}

static gboolean
count_cb(const tracuu_token *t, gpointer user_data)
{
    (*(guint64 *)user_data)++;
    return TRUE;
}

/*
 * Text that makes every token start an e-mail, host name, URL or document number attempt that
 * fails: each attempt must cost a bounded amount, or the run becomes quadratic (minutes here).
 */
static void
test_linear_time(void)
{
    static const char *const units[] = {"a.", "x@a.",  "http://-", "1/AB-",   "a@",        "1.",
                                        "1/", "1-AB-", "1-2020-",  "1/ab - ", "１／ＡＢ－"};
    tracuu_tokenizer *tk = new_tokenizer();
    for (size_t u = 0; u < G_N_ELEMENTS(units); u++) {
        GString *s = g_string_new("");
        while (s->len < 1000000)
            g_string_append(s, units[u]);
        guint64 n = 0;
        gint64 t0 = g_get_monotonic_time();
        tracuu_tokenizer_run(tk, s->str, s->len, 0, count_cb, &n);
        double secs = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
        g_test_message("%s x %zu: %" G_GUINT64_FORMAT " tokens in %.3f s", units[u],
                       s->len / strlen(units[u]), n, secs);
        g_assert_cmpuint(n, >, 0);
        /* Linear work is a few milliseconds; quadratic is minutes. */
        g_assert_cmpfloat(secs, <, 10.0);
        g_string_free(s, TRUE);
    }
    tracuu_tokenizer_free(tk);
}

/* Checks, for any bytes, the invariants every caller relies on. */
typedef struct {
    size_t len;
    uint32_t last_pos;
    size_t last_start;
    gboolean any;
} invariant_ctx;

static gboolean
invariant_cb(const tracuu_token *t, gpointer user_data)
{
    invariant_ctx *c = user_data;
    g_assert_cmpuint(t->term_len, >, 0);
    g_assert_cmpuint(t->term_len, <=, TRACUU_TOKENIZER_MAX_TERM);
    g_assert_true(g_utf8_validate(t->term, (gssize)t->term_len, NULL));
    g_assert_true(g_utf8_validate(t->folded, (gssize)t->folded_len, NULL));
    g_assert_cmpuint(t->end, <=, c->len);
    g_assert_cmpuint(t->start, <, t->end);
    if (t->flags & TRACUU_TOKEN_PART) {
        g_assert_true(c->any);
        g_assert_cmpuint(t->pos, ==, c->last_pos);
    } else {
        if (c->any) {
            g_assert_cmpuint(t->pos, ==, c->last_pos + 1);
            g_assert_cmpuint(t->start, >=, c->last_start);
        }
        c->last_pos = t->pos;
        c->last_start = t->start;
    }
    c->any = TRUE;
    return TRUE;
}

static void
test_random_bytes(void)
{
    tracuu_tokenizer *tk = new_tokenizer();
    GRand *r = g_rand_new_with_seed(20260101);
    static const char *const pieces[] = {
        "a", "Đ",       "ệ",  "\xcc\x81", "/",    "-",        "–",  " ",   "1", "2008", "@",
        ".", "http://", "ภา", "東",       "\xff", "\xe1\xbb", "QĐ", "TTg", ",", "\0"};
    for (int round = 0; round < 2000; round++) {
        GString *s = g_string_new("");
        int n = g_rand_int_range(r, 0, 60);
        for (int i = 0; i < n; i++) {
            if (g_rand_boolean(r)) {
                const char *p = pieces[g_rand_int_range(r, 0, G_N_ELEMENTS(pieces))];
                g_string_append_len(s, p, *p ? (gssize)strlen(p) : 1);
            } else {
                g_string_append_c(s, (char)g_rand_int_range(r, 0, 256));
            }
        }
        invariant_ctx c = {s->len, 0, 0, FALSE};
        tracuu_tokenizer_run(tk, s->str, s->len, 0, invariant_cb, &c);
        g_string_free(s, TRUE);
    }
    g_rand_free(r);
    tracuu_tokenizer_free(tk);
}

static gboolean
collect_cb(const tracuu_token *t, gpointer user_data)
{
    /* Words, numbers, e-mails and URLs; a docnum in lowercase may need its context. */
    if (!(t->flags & TRACUU_TOKEN_PART) && t->kind != TRACUU_TOKEN_DOCNUM)
        g_ptr_array_add(user_data, g_strdup_printf("%s\t%s", t->term, t->folded));
    return TRUE;
}

/*
 * The same property on generated text full of the hard cases: NFD marks, letters whose case
 * folding is special (ß, İ, final sigma, µ, ǅ, ligatures), Vietnamese vowel clusters with
 * misplaced tones, URL and e-mail pieces.
 */
static void
test_idempotent_random(void)
{
    static const char *const pieces[] = {
        "a", "Đ",    "ệ",   "\xcc\x81", "\xcc\x80", "\xcc\xa3", "\xcc\x82", "/",  "-",   "–", " ",
        "1", "2008", "@",   ".",        "'",        "’",        "http://",  "QĐ", "TTg", "ß", "İ",
        "Σ", "ς",    "µ",   "Ⴀ",        "ǅ",        "ﬁ",        "ŉ",        "ǰ",  "Ω",   "K", "Å",
        "ό", "ΐ",    "ừ",   "ươ",       "uy",       "oa",       "qu",       "gi", "ê",   "ô", "ơ",
        "ư", "ă",    "â",   "y",        "i",        "o",        "u",        "e",  "ng",  "h", "k",
        "x", "ǘ",    "ḗ",   "ṩ",        "ẞ",        "ǈ",        "ĳ",        "ø",  "æ",   "ﬀ", "ᾳ",
        "ͅ",  "١",    ".vn", "www.",     ",",
    };
    tracuu_tokenizer *tk = new_tokenizer();
    GRand *r = g_rand_new_with_seed(7);
    GPtrArray *terms = g_ptr_array_new_with_free_func(g_free);
    for (int round = 0; round < 3000; round++) {
        GString *s = g_string_new("");
        int n = g_rand_int_range(r, 1, 13);
        for (int i = 0; i < n; i++)
            g_string_append(s, pieces[g_rand_int_range(r, 0, G_N_ELEMENTS(pieces))]);
        tracuu_tokenizer_run(tk, s->str, s->len, 0, collect_cb, terms);
        g_string_free(s, TRUE);
    }
    g_assert_cmpuint(terms->len, >, 3000);
    for (guint i = 0; i < terms->len; i++) {
        g_auto(GStrv) tf = g_strsplit(terms->pdata[i], "\t", 2);
        GPtrArray *again = g_ptr_array_new_with_free_func(g_free);
        tracuu_tokenizer_run(tk, tf[0], strlen(tf[0]), 0, collect_cb, again);
        if (again->len != 1 || strcmp(again->pdata[0], terms->pdata[i]) != 0)
            g_test_message("term \"%s\" gives %u tokens, first \"%s\"", tf[0], again->len,
                           again->len ? (char *)again->pdata[0] : "");
        g_assert_cmpuint(again->len, ==, 1);
        g_assert_cmpstr(again->pdata[0], ==, terms->pdata[i]);
        g_ptr_array_free(again, TRUE);
    }
    g_ptr_array_free(terms, TRUE);
    g_rand_free(r);
    tracuu_tokenizer_free(tk);
}

/* A term tokenized again gives itself: the index and a query typed as a term agree. */
static void
test_idempotent(void)
{
    static const char *const texts[] = {
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
        "Quyết định số 1115/QĐ-TTg ngày 20/06/2026 của Thủ tướng Chính phủ về thuỷ lợi",
        "Uỷ ban nhân dân tỉnh Khánh Hoà; email: ubnd@khanhhoa.gov.vn; https://khanhhoa.gov.vn",
        ("Ho\xcc\x80"
         "a Straße ภาษาไทย 東京 İstanbul"),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autofree char *once = terms_of(texts[i]);
        g_autofree char *twice = terms_of(once);
        g_assert_cmpstr(once, ==, twice);
        g_autofree char *f1 = folded_of(texts[i]);
        g_autofree char *f2 = folded_of(f1);
        g_assert_cmpstr(f1, ==, f2);
    }
}

/*
 * Our scanner splits Vietnamese where ICU's word break iterator does: on real text (Nghị định
 * 30/2020 and its appendices), every word ICU gives is one of our tokens (or a piece of one of
 * our document numbers, e-mails or URLs), except where the header says we differ on purpose: a
 * full stop between letters ("v.v", "TP.HCM") splits.
 */
typedef struct {
    GHashTable *spans; /* "start:end" of our words and pieces */
} span_ctx;

static gboolean
span_cb(const tracuu_token *t, gpointer user_data)
{
    span_ctx *c = user_data;
    g_hash_table_add(c->spans, g_strdup_printf("%zu:%zu", t->start, t->end));
    return TRUE;
}

static void
test_icu_agreement(void)
{
    g_autofree char *dir = tracuu_test_shared_or_skip("samples/nd30_2020_markdown");
    if (dir == NULL)
        return;
    static const char *const files[] = {"noi-dung.md", "phu-luc-I.md", "phu-luc-II.md",
                                        "phu-luc-III.md", "phu-luc-VI.md"};
    tracuu_tokenizer *tk = new_tokenizer();
    UErrorCode err = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "vi", NULL, 0, &err);
    g_assert_true(U_SUCCESS(err));
    guint icu_words = 0, agree = 0, dotted = 0, shown = 0; /* dotted: either difference */
    for (size_t f = 0; f < G_N_ELEMENTS(files); f++) {
        g_autofree char *path = g_build_filename(dir, files[f], NULL);
        g_autofree char *text = NULL;
        gsize len;
        if (!g_file_get_contents(path, &text, &len, NULL)) {
            g_test_skip("nd30_2020_markdown not found");
            break;
        }
        span_ctx c = {g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
        tracuu_tokenizer_run(tk, text, len, 0, span_cb, &c);

        /* UTF-16 for ICU, with the byte offset of every unit. */
        glong n16 = 0;
        g_autofree gunichar2 *u = g_utf8_to_utf16(text, (glong)len, NULL, &n16, NULL);
        g_assert_nonnull(u);
        g_autofree size_t *off = g_new(size_t, n16 + 1);
        size_t b = 0;
        for (glong k = 0; k < n16;) {
            gunichar cp = g_utf8_get_char(text + b);
            off[k++] = b;
            if (cp >= 0x10000)
                off[k++] = b;
            b = (size_t)(g_utf8_next_char(text + b) - text);
        }
        off[n16] = len;
        ubrk_setText(bi, (const UChar *)u, (int32_t)n16, &err);
        g_assert_true(U_SUCCESS(err));
        int32_t a = ubrk_first(bi);
        for (int32_t z = ubrk_next(bi); z != UBRK_DONE; a = z, z = ubrk_next(bi)) {
            if (ubrk_getRuleStatus(bi) < UBRK_WORD_NONE_LIMIT)
                continue;
            icu_words++;
            g_autofree char *key = g_strdup_printf("%zu:%zu", off[a], off[z]);
            if (g_hash_table_contains(c.spans, key)) {
                agree++;
                continue;
            }
            g_autofree char *word = g_strndup(text + off[a], off[z] - off[a]);
            /* The documented differences: letters joined by a full stop, and underscores,
             * which ICU keeps as words ("______" signature lines) and we do not. */
            gboolean has_dot = strchr(word, '_') != NULL;
            for (const char *p = word; *p; p++)
                if (*p == '.' && p > word && g_ascii_isalpha(p[-1]))
                    has_dot = TRUE;
            if (has_dot) {
                dotted++;
                continue;
            }
            if (shown++ < (getenv("SHOW_ALL") ? 100000 : 20))
                g_test_message("ICU word not ours: \"%s\"", word);
        }
        g_hash_table_unref(c.spans);
    }
    ubrk_setText(bi, NULL, 0, &err);
    ubrk_close(bi);
    tracuu_tokenizer_free(tk);
    g_test_message("%u ICU words: %u ours too, %u with a full stop or _, %u other", icu_words,
                   agree, dotted, icu_words - agree - dotted);
    if (icu_words == 0)
        return;
    g_assert_cmpuint(icu_words, >, 20000);
    g_assert_cmpuint(icu_words - agree - dotted, <=, icu_words / 1000);
}

/* ---------------------------------------------------------------------------------------- */
/* Whole-value normalisation for metadata.                                                   */

/* Whole texts to NFC: exact, invalid bytes replaced, long inputs in one piece of output. */
static void
test_text_nfc(void)
{
    static const struct {
        const char *input, *want;
    } rows[] = {
        {"Vie\xcc\xa3\xcc\x82t Nam", "Việt Nam"}, /* marks in non-canonical order */
        {"Vi\xc3\xaa\xcc\xa3t", "Việt"},          /* partly composed */
        {"Việt Nam", "Việt Nam"},
        {"a\xff" "b", "a\xef\xbf\xbd" "b"},           /* invalid byte: U+FFFD */
        {"\xe1\xbb", "\xef\xbf\xbd"},              /* truncated sequence at the end */
        {"", ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *got = tracuu_text_nfc(rows[i].input, -1);
        g_assert_cmpstr(got, ==, rows[i].want);
    }
    /* 6 MB of decomposed text, with and without spaces: pieces join without losing a mark. */
    for (int spaced = 0; spaced < 2; spaced++) {
        GString *in = g_string_new(NULL), *want = g_string_new(NULL);
        for (int i = 0; i < 300000; i++) {
            g_string_append(in, spaced ? "thu\xcc\x9b\xcc\x80 " : "thu\xcc\x9b\xcc\x80");
            g_string_append(want, spaced ? "thừ " : "thừ");
        }
        g_autofree char *got = tracuu_text_nfc(in->str, (gssize)in->len);
        g_assert_cmpuint(strlen(got), ==, want->len);
        g_assert_true(strcmp(got, want->str) == 0);
        g_string_free(in, TRUE);
        g_string_free(want, TRUE);
    }
}

/* Display values keep their case and punctuation; only tone placement changes. */
static void
test_text_fix_tones(void)
{
    static const struct {
        const char *input, *want;
    } rows[] = {
        {"Uỷ ban nhân dân thành phố Đà Nẵng", "Ủy ban nhân dân thành phố Đà Nẵng"},
        {"UỶ BAN NHÂN DÂN", "ỦY BAN NHÂN DÂN"},
        {"Ủy ban nhân dân", "Ủy ban nhân dân"},
        {"hoà nhập, thuỷ lợi, khoẻ mạnh", "hòa nhập, thủy lợi, khỏe mạnh"},
        {"Hoà Bình", "Hòa Bình"},
        {"quý, già, hoàng, người", "quý, già, hoàng, người"},
        {"Uy\xcc\x89 ban", "Ủy ban"}, /* NFD input */
        {"34/2008/CT-TTg  (bản sao)", "34/2008/CT-TTg  (bản sao)"},
        {"Straße", "Straße"},
        {"", ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *got = tracuu_text_fix_tones(rows[i].input, -1);
        g_assert_cmpstr(got, ==, rows[i].want);
    }
    g_autofree char *bad = tracuu_text_fix_tones("ho\xffà", -1);
    g_assert_true(g_utf8_validate(bad, -1, NULL));
    g_autofree char *part = tracuu_text_fix_tones("Uỷ ban", 4);
    g_assert_cmpstr(part, ==, "Ủy");
}

static void
test_text_normalize(void)
{
    static const struct {
        const char *input;
        const char *normalized;
        const char *folded;
    } rows[] = {
        {"Bộ Tài chính", "bộ tài chính", "bo tai chinh"},
        {"  UỶ BAN   NHÂN\tDÂN \n TỈNH KHÁNH HOÀ  ", "ủy ban nhân dân tỉnh khánh hòa",
         "uy ban nhan dan tinh khanh hoa"},
        {"Ho\xcc\x80"
         "a Bi\xcc\x80nh",
         "hòa bình", "hoa binh"},
        {"Văn phòng Trung ương Đảng (VPTW)", "văn phòng trung ương đảng (vptw)",
         "van phong trung uong dang (vptw)"},
        {"Nghị định 30/2020/NĐ-CP", "nghị định 30/2020/nđ-cp", "nghi dinh 30/2020/nd-cp"},
        {"a\xff"
         "b",
         "a\xef\xbf\xbd"
         "b",
         "a\xef\xbf\xbd"
         "b"},
        {"Trư\xc2\xadờng\xe2\x80\x8b"
         "Đại",
         "trường đại", "truong dai"},
        {"", "", ""},
        {" \t\n", "", ""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *n = tracuu_text_normalize(rows[i].input, -1);
        g_autofree char *f = tracuu_text_fold(rows[i].input, -1);
        g_assert_cmpstr(n, ==, rows[i].normalized);
        g_assert_cmpstr(f, ==, rows[i].folded);
    }
    /* An explicit length stops there, even before a NUL. */
    g_autofree char *n = tracuu_text_normalize("Hà Nội", 3);
    g_assert_cmpstr(n, ==, "hà");
}

/* The per-character fold agrees with the string fold, and the dashes are those of numbers. */
static void
test_char_fold(void)
{
    static const struct {
        gunichar in, out;
    } rows[] = {
        {'A', 'a'},       {'z', 'z'},       {'5', '5'},     {' ', ' '},
        {0x1ED8, 'o'},    /* Ộ */
        {0x1EF1, 'u'},    /* ự */
        {0x0110, 'd'},    /* Đ */
        {0x0111, 'd'},    /* đ */
        {0x00C0, 'a'},    /* À */
        {0x0130, 'i'},    /* İ: i and a dot above, which goes */
        {0x00DF, 0x00DF}, /* ß folds to "ss": one character keeps its simple folding */
        {0x0301, 0},      /* a lone combining acute is left out */
        {0x0E01, 0x0E01}, /* Thai ko kai */
        {0x0416, 0x0436}, /* Cyrillic Zhe */
        {0x1D400, 0x1D400},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
        g_assert_cmphex(tracuu_char_fold(rows[i].in), ==, rows[i].out);

    /* Character by character, the fold of a Vietnamese text is the string fold. */
    const char *text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc";
    GString *by_char = g_string_new(NULL);
    for (const char *p = text; *p; p = g_utf8_next_char(p))
        g_string_append_unichar(by_char, tracuu_char_fold(g_utf8_get_char(p)));
    g_autofree char *whole = tracuu_text_fold(text, -1);
    g_assert_cmpstr(by_char->str, ==, whole);
    g_string_free(by_char, TRUE);

    static const gunichar dashes[] = {'-',    0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015,
                                      0x2212, 0x2E3A, 0x2E3B, 0xFE58, 0xFE63, 0xFF0D};
    for (size_t i = 0; i < G_N_ELEMENTS(dashes); i++) {
        g_assert_true(tracuu_char_is_dash(dashes[i]));
        /* Each one joins the groups of a number as "-" does. */
        char dash[8] = {0};
        g_unichar_to_utf8(dashes[i], dash);
        g_autofree char *text = g_strdup_printf("34/2008/CT%sTTg", dash);
        g_autofree char *term = NULL;
        g_assert_true(tracuu_docnum_normalize(text, -1, &term, NULL));
        g_assert_cmpstr(term, ==, "34/2008/ct-ttg");
    }
    static const gunichar not_dashes[] = {'_', '/', '~', 0x00AD, 0x2016, 0x2043, 0x2E3C, 0};
    for (size_t i = 0; i < G_N_ELEMENTS(not_dashes); i++)
        g_assert_false(tracuu_char_is_dash(not_dashes[i]));
}

/* Runs @cmd with the shell, with PROG set to tracuu-tokenize; returns its stdout. */
static char *
run_cli(const char *prog, const char *cmd, int *status)
{
    g_autofree char *script = g_strdup_printf("PROG='%s'; %s", prog, cmd);
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    char *out = NULL;
    GError *error = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, status, &error));
    g_assert_no_error(error);
    return out;
}

static void
test_cli(void)
{
    const char *root = g_getenv("TRACUU_BUILD_ROOT");
    g_autofree char *prog =
        g_build_filename(root ? root : ".", "tokenizer", "tracuu-tokenize", NULL);
    if (!root || !g_file_test(prog, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("tracuu-tokenize not built (TRACUU_BUILD_ROOT unset)");
        return;
    }
    int status;
    g_autofree char *json = run_cli(
        prog, "printf 'Theo 34/2008/CT-TTg, \\304\\220I\\341\\273\\206N' | \"$PROG\"", &status);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_cmpstr(
        json, ==,
        "{\"term\":\"theo\",\"folded\":\"theo\",\"kind\":\"word\",\"pos\":0,\"start\":0,\"end\":4}"
        "\n"
        "{\"term\":\"34/2008/ct-ttg\",\"folded\":\"34/2008/ct-ttg\",\"kind\":\"docnum\",\"pos\":1,"
        "\"start\":5,\"end\":19}\n"
        "{\"term\":\"34\",\"folded\":\"34\",\"kind\":\"number\",\"pos\":1,\"start\":5,\"end\":7,"
        "\"part\":true}\n"
        "{\"term\":\"2008\",\"folded\":\"2008\",\"kind\":\"number\",\"pos\":1,\"start\":8,"
        "\"end\":12,\"part\":true}\n"
        "{\"term\":\"ct\",\"folded\":\"ct\",\"kind\":\"word\",\"pos\":1,\"start\":13,\"end\":15,"
        "\"part\":true}\n"
        "{\"term\":\"ttg\",\"folded\":\"ttg\",\"kind\":\"word\",\"pos\":1,\"start\":16,\"end\":19,"
        "\"part\":true}\n"
        "{\"term\":\"\xc4\x91i\xe1\xbb\x87n\",\"folded\":\"dien\",\"kind\":\"word\",\"pos\":2,"
        "\"start\":21,\"end\":28}\n");
    g_autofree char *count =
        run_cli(prog, "printf 'Theo 34/2008/CT-TTg' | \"$PROG\" --count", &status);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_cmpstr(count, ==, "6\n");
    g_autofree char *empty = run_cli(prog, "\"$PROG\" --count </dev/null", &status);
    g_assert_cmpstr(empty, ==, "0\n");
    g_autofree char *help = run_cli(prog, "\"$PROG\" --help", &status);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_nonnull(strstr(help, "--count"));
    g_assert_nonnull(strstr(help, "standard input"));
    g_autofree char *bad = run_cli(prog, "\"$PROG\" --no-such-option </dev/null", &status);
    g_assert_false(g_spawn_check_wait_status(status, NULL));
    g_assert_cmpstr(bad, ==, ""); /* a usage error prints no tokens */
}

static void
test_kind_names(void)
{
    g_assert_cmpstr(tracuu_token_kind_name(TRACUU_TOKEN_WORD), ==, "word");
    g_assert_cmpstr(tracuu_token_kind_name(TRACUU_TOKEN_NUMBER), ==, "number");
    g_assert_cmpstr(tracuu_token_kind_name(TRACUU_TOKEN_DOCNUM), ==, "docnum");
    g_assert_cmpstr(tracuu_token_kind_name(TRACUU_TOKEN_EMAIL), ==, "email");
    g_assert_cmpstr(tracuu_token_kind_name(TRACUU_TOKEN_URL), ==, "url");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tokenizer/terms", test_terms);
    g_test_add_func("/tokenizer/folded", test_folded);
    g_test_add_func("/tokenizer/nfd", test_nfd);
    g_test_add_func("/tokenizer/tokens", test_tokens);
    g_test_add_func("/tokenizer/mixed-scripts", test_mixed_scripts);
    g_test_add_func("/tokenizer/docnum/table", test_docnum_table);
    g_test_add_func("/tokenizer/docnum/context", test_docnum_context);
    g_test_add_func("/tokenizer/docnum/congbao", test_docnum_congbao);
    g_test_add_func("/tokenizer/docnum/lookalikes", test_docnum_lookalikes);
    g_test_add_func("/tokenizer/positions", test_positions);
    g_test_add_func("/tokenizer/invalid-bytes", test_invalid_bytes);
    g_test_add_func("/tokenizer/long-tokens", test_long_tokens);
    g_test_add_func("/tokenizer/random-bytes", test_random_bytes);
    g_test_add_func("/tokenizer/linear-time", test_linear_time);
    g_test_add_func("/tokenizer/idempotent", test_idempotent);
    g_test_add_func("/tokenizer/idempotent-random", test_idempotent_random);
    g_test_add_func("/tokenizer/icu-agreement", test_icu_agreement);
    g_test_add_func("/tokenizer/text-normalize", test_text_normalize);
    g_test_add_func("/tokenizer/text-fix-tones", test_text_fix_tones);
    g_test_add_func("/tokenizer/text-nfc", test_text_nfc);
    g_test_add_func("/tokenizer/kind-names", test_kind_names);
    g_test_add_func("/tokenizer/char-fold", test_char_fold);
    g_test_add_func("/tokenizer/cli", test_cli);
    return g_test_run();
}
