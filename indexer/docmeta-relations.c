/* docmeta-relations.c - what a document does to others (amends, repeals, ...) and when it is in force. */
#include "docmeta-private.h"

#include "tracuu-schema-rules.h"
#include "tracuu-tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text citing more numbers than this is a compilation; the rest are left out, which keeps the
   time linear in the length whatever the text. */
#define MAX_TARGETS 2000
/* How far before a number its verb is looked for (bytes), and how far after it. */
#define BEFORE_BYTES 600
#define AFTER_BYTES 240

void
docmeta_relation_free(gpointer data)
{
    tracuu_docmeta_relation *r = data;
    if (!r)
        return;
    g_free(r->kind);
    g_free(r->number);
    g_strfreev(r->articles);
    g_free(r);
}

/* ---------------------------------------------------------------------------------------- */
/* The document numbers of a text, as the tokenizer recognises them. */

typedef struct {
    size_t start, end; /* bytes in the text */
    char *term;        /* normal form: "13/2015/tt-btc" */
} numref;

static void
numref_clear(gpointer data)
{
    g_free(((numref *)data)->term);
}

static gboolean
collect_number(const tracuu_token *t, gpointer user_data)
{
    GArray *refs = user_data;
    if (t->kind != TRACUU_TOKEN_DOCNUM || (t->flags & TRACUU_TOKEN_PART))
        return TRUE;
    numref r = {t->start, t->end, g_strndup(t->term, t->term_len)};
    g_array_append_val(refs, r);
    return refs->len < MAX_TARGETS;
}

static GArray *
find_numbers(tracuu_tokenizer *tk, const char *text, size_t len)
{
    GArray *refs = g_array_new(FALSE, TRUE, sizeof(numref));
    g_array_set_clear_func(refs, numref_clear);
    if (tk)
        tracuu_tokenizer_run(tk, text, len, 0, collect_number, refs);
    return refs;
}

/* ---------------------------------------------------------------------------------------- */
/* The verbs that say what a document does to the one it names, folded (no diacritics). */

typedef struct {
    const char *folded;
    const char *kind;
} verb;

static const verb verbs_before[] = {
    {"sua doi", "amends"},
    {"bo sung", "amends"},
    {"thay the", "replaces"},
    {"bai bo", "repeals"},
    {"huy bo", "repeals"},
    {"huong dan", "guides"},
    {"quy dinh chi tiet", "guides"},
    {"dinh chinh", "corrects"},
    {"dinh chi", "suspends"},
    {"tam ngung", "suspends"},
    {"tam dung", "suspends"},
};

/* Said after the number: "Thông tư số X hết hiệu lực kể từ ...", "... bị bãi bỏ". "Hết hiệu
   lực" is only here: its subject stands before it, and a number after it is some other
   document's ("Chương V của Nghị định này hết hiệu lực theo quy định của Nghị định số ...",
   vbpl doc_000109). */
static const verb verbs_after[] = {
    {"het hieu luc", "repeals"},
    {"bi bai bo", "repeals"},
    {"bi thay the", "replaces"},
    {"duoc thay the bang", "replaces"},
};

static gboolean
is_word_char(char c)
{
    return g_ascii_isalnum(c) || (guchar)c >= 0x80;
}

/* The last place in @f where @w stands as whole words, or -1. */
static gssize
last_word(const char *f, const char *w)
{
    size_t wl = strlen(w);
    gssize best = -1;
    for (const char *p = strstr(f, w); p; p = strstr(p + 1, w)) {
        if ((p == f || !is_word_char(p[-1])) && !is_word_char(p[wl]))
            best = p - f;
    }
    return best;
}

/* Whether the words around the verb at @at..@end in @f say it is passive ("được sửa đổi, bổ
   sung bởi ..."): then the number after it did something to another document, not this one. */
static gboolean
is_passive(const char *f, gssize at, gssize end)
{
    static const char *const marks[] = {"duoc ", "da duoc ", "bi ", "da "};
    /* "... bổ sung bởi khoản 1 Điều 2 Thông tư số ...": the agent, whatever stands before. */
    if (strncmp(f + end, " boi ", 5) == 0)
        return TRUE;
    /* "được sửa đổi, bổ sung": the mark stands before the first of the two verbs. */
    static const char *const first[] = {"sua doi, ", "sua doi "};
    for (size_t i = 0; i < G_N_ELEMENTS(first); i++) {
        size_t fl = strlen(first[i]);
        if ((size_t)at >= fl && strncmp(f + at - fl, first[i], fl) == 0) {
            at -= (gssize)fl;
            break;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(marks); i++) {
        size_t ml = strlen(marks[i]);
        if ((size_t)at >= ml && strncmp(f + at - ml, marks[i], ml) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Whether the verb at @at in @f is part of another document's name, "Luật sửa đổi, bổ sung
   một số điều của Luật ..." in a Thông tư: a type other than @own_type (folded) before it. */
static gboolean
is_named(const char *f, gssize at, const char *own_type)
{
    static const char *const types[] = {"luat ", "nghi dinh ", "nghi quyet ", "thong tu ",
                                        "quyet dinh ", "phap lenh "};
    if (!own_type)
        return FALSE;
    if ((size_t)at >= 9 && strncmp(f + at - 9, "sua doi, ", 9) == 0)
        at -= 9;
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        size_t tl = strlen(types[i]);
        if ((size_t)at >= tl && strncmp(f + at - tl, types[i], tl) == 0 &&
            ((size_t)at == tl || !is_word_char(f[at - tl - 1])) &&
            strncmp(own_type, types[i], tl - 1) != 0)
            return TRUE;
    }
    return FALSE;
}

/* The kind the folded words @before the number give, and where its verb ends (*@verb_end);
   @own_type is the document's type, folded, or NULL. */
static const char *
kind_before(const char *before, gssize *verb_end, const char *own_type)
{
    gssize at[G_N_ELEMENTS(verbs_before)];
    for (size_t i = 0; i < G_N_ELEMENTS(verbs_before); i++)
        at[i] = last_word(before, verbs_before[i].folded);
    gssize best = -1;
    const verb *v = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(verbs_before); i++) {
        if (at[i] < 0)
            continue;
        /* A verb inside a longer one is no verb of its own: "định chỉ" (suspends) in "quy định
           chi tiết" (guides, vbpl doc_000377), folded alike as whole words. */
        size_t len = strlen(verbs_before[i].folded);
        gboolean inside = FALSE;
        for (size_t j = 0; j < G_N_ELEMENTS(verbs_before) && !inside; j++) {
            size_t lj = strlen(verbs_before[j].folded);
            inside = j != i && at[j] >= 0 && lj > len && at[j] <= at[i] &&
                     at[i] + (gssize)len <= at[j] + (gssize)lj;
        }
        /* Otherwise the later place wins, which is the verb nearest the number ("bổ sung"
           after "sửa đổi, " is the same verb). */
        if (!inside && at[i] > best) {
            best = at[i];
            v = &verbs_before[i];
        }
    }
    if (!v) {
        *verb_end = 0;
        return "cites";
    }
    *verb_end = best + (gssize)strlen(v->folded);
    return is_passive(before, best, *verb_end) || is_named(before, best, own_type) ? "cites"
                                                                                   : v->kind;
}

/*
 * A repeal said far after the number, past its date, issuer and name ("2. Quyết định số X ngày
 * ... của Thủ tướng Chính phủ ban hành Hệ thống ngành kinh tế Việt Nam hết hiệu lực kể từ ngày
 * ...", vbpl doc_000232), beyond kind_after()'s 60 bytes: only in the formal words "hết hiệu
 * lực (thi hành) (kể) từ ngày" in the folded @sentence after the number, and only when the
 * number is the subject (is_subject()).
 */
static gboolean
is_far_repeal(const char *sentence)
{
    static const char *const tails[] = {"thi hanh ke tu ngay", "thi hanh tu ngay", "ke tu ngay",
                                        "tu ngay"};
    for (const char *p = strstr(sentence, "het hieu luc "); p;
         p = strstr(p + 1, "het hieu luc ")) {
        if (p > sentence && is_word_char(p[-1]))
            continue;
        for (size_t i = 0; i < G_N_ELEMENTS(tails); i++)
            if (g_str_has_prefix(p + strlen("het hieu luc "), tails[i]))
                return TRUE;
    }
    return FALSE;
}

/* Whether the folded words @lead between the clause start (or the number before) and a number
   make it the subject of its clause: for the first number of the clause (@first), a clause
   number and a type ("2. thong tu so", "; quyet dinh so"); for a later one, when the number
   before is a subject too (@after_subject), a type joined to it ("... va thong tu so"). Not a
   number in another's name ("... tai dieu 52 nghi dinh so", doc_000476), nor the last of a list
   of amenders ("theo Luật số A, ... và Luật số B", doc_000468). */
static gboolean
is_subject(const char *lead, gboolean first, gboolean after_subject)
{
    static GRegex *re[2];
    if (g_once_init_enter(&re[0])) {
        re[1] = g_regex_new("\\bva\\s[a-z]+(?:\\s[a-z]+){0,4}\\sso$", G_REGEX_OPTIMIZE, 0, NULL);
        GRegex *r = g_regex_new("^(?:(?:\\d{1,3}[a-z]?\\.|[a-z]\\))\\s)?[a-z]+(?:\\s[a-z]+){0,4}$",
                                G_REGEX_OPTIMIZE, 0, NULL);
        g_assert(r && re[1]);
        g_once_init_leave(&re[0], r);
    }
    return first ? g_regex_match(re[0], lead, 0, NULL)
                 : after_subject && g_regex_match(re[1], lead, 0, NULL);
}

/* The folded sentence after byte @from of @text: up to a line end, ";" or ". ", at most
   4 * AFTER_BYTES, not cut at the next number. Caller frees with g_free(). */
static char *
sentence_after(const char *text, size_t len, size_t from)
{
    size_t lim = MIN(len, from + 4 * AFTER_BYTES), e = from;
    while (e < lim && text[e] != '\n' && text[e] != ';' &&
           !(text[e] == '.' && (e + 1 == len || text[e + 1] == ' ' || text[e + 1] == '\n')))
        e++;
    while (e > from && e < len && ((guchar)text[e] & 0xC0) == 0x80)
        e--;
    return tracuu_text_fold(text + from, (gssize)(e - from));
}

static const char *
kind_after(const char *after)
{
    for (size_t i = 0; i < G_N_ELEMENTS(verbs_after); i++) {
        gssize at = last_word(after, verbs_after[i].folded);
        if (at >= 0 && at < 60)
            return verbs_after[i].kind;
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Articles: "Điều 5, Điều 7 của", "khoản 2 Điều 3", "các Điều 5, 7 và 9". */

static GRegex *
article_regex(void)
{
    static GRegex *re;
    if (g_once_init_enter(&re)) {
        GRegex *r = g_regex_new("\\bdieu\\s+(\\d{1,4}[a-z]?)\\b((?:\\s*(?:,|va)\\s*\\d{1,4}[a-z]?"
                                "\\b(?!\\s*(?:/|thang|nam|ngay)))*)",
                                G_REGEX_OPTIMIZE, 0, NULL);
        g_assert(r);
        g_once_init_leave(&re, r);
    }
    return re;
}

static void
add_article(GPtrArray *arts, const char *a, size_t len)
{
    g_autofree char *s = g_strndup(a, len);
    for (guint i = 0; i < arts->len; i++)
        if (strcmp(g_ptr_array_index(arts, i), s) == 0)
            return;
    g_ptr_array_add(arts, g_steal_pointer(&s));
}

/* The articles named in the folded words @f (between the verb and the number). */
static void
read_articles(const char *f, GPtrArray *arts)
{
    g_autoptr(GMatchInfo) m = NULL;
    g_regex_match(article_regex(), f, 0, &m);
    for (; g_match_info_matches(m); g_match_info_next(m, NULL)) {
        int s, e;
        g_match_info_fetch_pos(m, 1, &s, &e);
        add_article(arts, f + s, (size_t)(e - s));
        g_match_info_fetch_pos(m, 2, &s, &e);
        for (int i = s; i < e;) {
            if (!g_ascii_isdigit(f[i])) {
                i++;
                continue;
            }
            int j = i;
            while (j < e && g_ascii_isalnum(f[j]))
                j++;
            add_article(arts, f + i, (size_t)(j - i));
            i = j;
        }
    }
}

/* ---------------------------------------------------------------------------------------- */

typedef struct {
    tracuu_docmeta *meta;
    char *own;      /* the document's own number, normal form, or NULL */
    char *own_type; /* the document's type, folded ("thong tu"), or NULL */
} reader;

static void
add_relation(reader *rd, const char *kind, const char *term, const char *written,
             GPtrArray *arts)
{
    if (rd->own && strcmp(term, rd->own) == 0)
        return;
    GPtrArray *rels = rd->meta->relations;
    tracuu_docmeta_relation *r = NULL;
    for (guint i = 0; i < rels->len && !r; i++) {
        tracuu_docmeta_relation *x = g_ptr_array_index(rels, i);
        g_autofree char *xt = NULL;
        if (strcmp(x->kind, kind) == 0 && tracuu_docnum_normalize(x->number, -1, &xt, NULL) &&
            strcmp(xt, term) == 0)
            r = x;
    }
    if (!r) {
        r = g_new0(tracuu_docmeta_relation, 1);
        r->kind = g_strdup(kind);
        r->number = g_strdup(written);
        r->articles = g_new0(char *, 1);
        g_ptr_array_add(rels, r);
    }
    GPtrArray *all = g_ptr_array_new();
    for (char **a = r->articles; *a; a++)
        g_ptr_array_add(all, *a);
    for (guint i = 0; i < arts->len; i++) {
        const char *a = g_ptr_array_index(arts, i);
        if (!g_strv_contains((const char *const *)r->articles, a))
            g_ptr_array_add(all, g_strdup(a));
    }
    g_ptr_array_add(all, NULL);
    g_free(r->articles);
    r->articles = (char **)g_ptr_array_free(all, FALSE);
}

/* Start of the clause that holds byte @at of @text: after a line end, ";" or ". ". */
static size_t
clause_start(const char *text, size_t at, size_t floor)
{
    size_t lim = at > BEFORE_BYTES ? at - BEFORE_BYTES : 0;
    lim = MAX(lim, floor);
    size_t i = at;
    while (i > lim) {
        char c = text[i - 1];
        if (c == '\n' || c == ';' || (c == '.' && (text[i] == ' ' || text[i] == '\n')))
            break;
        i--;
    }
    while (i < at && ((guchar)text[i] & 0xC0) == 0x80)
        i++;
    return i;
}

static size_t
line_start(const char *text, size_t at)
{
    size_t i = at;
    while (i > 0 && text[i - 1] != '\n' && at - i < 4096)
        i--;
    while (i < at && ((guchar)text[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* Whether the folded words @after a number say it was itself acted on by others ("... được sửa
   đổi, bổ sung bởi Thông tư số ..."): a verb in the passive. */
static gboolean
has_own_passive(const char *after)
{
    for (size_t i = 0; i < G_N_ELEMENTS(verbs_before); i++) {
        const char *w = verbs_before[i].folded;
        size_t wl = strlen(w);
        for (const char *p = strstr(after, w); p; p = strstr(p + 1, w)) {
            if ((p == after || !is_word_char(p[-1])) && !is_word_char(p[wl]) &&
                is_passive(after, p - after, p - after + (gssize)wl))
                return TRUE;
        }
    }
    return FALSE;
}

/* Whether bytes @from..@to of @text stand in one clause, and not too far apart. */
static gboolean
same_clause(const char *text, size_t from, size_t to)
{
    if (to - from > 4 * BEFORE_BYTES)
        return FALSE;
    for (size_t i = from; i < to; i++) {
        char c = text[i];
        if (c == '\n' || c == ';' || (c == '.' && (text[i + 1] == ' ' || text[i + 1] == '\n')))
            return FALSE;
    }
    return TRUE;
}

/* The relations of the numbers in @text: each gets the kind its clause gives. */
static void
read_text(reader *rd, tracuu_tokenizer *tk, const char *text, size_t len)
{
    g_autoptr(GArray) refs = find_numbers(tk, text, len);
    /* The last number of the clause read with a verb of this document's and followed by its own
       amenders ("sửa đổi ... Thông tư số A ... được sửa đổi, bổ sung bởi X và Y"): a number after
       the amenders that has amenders of its own (", Thông tư số B ... được sửa đổi, bổ sung bởi
       Z") is not one more amender but the next object of the same verb (vbpl doc_000142). */
    const char *head_kind = NULL;
    size_t head_start = 0;
    gboolean prev_subject = FALSE; /* the number before is the subject of its clause */
    for (guint i = 0; i < refs->len; i++) {
        const numref *n = &g_array_index(refs, numref, i);
        size_t prev_end = i > 0 ? g_array_index(refs, numref, i - 1).end : 0;
        size_t next_start = i + 1 < refs->len ? g_array_index(refs, numref, i + 1).start : len;
        g_autofree char *raw = g_strndup(text + n->start, n->end - n->start);
        g_autofree char *nfc = tracuu_text_nfc(raw, -1);
        g_autofree char *written = tracuu_schema_number_written(nfc, -1);

        size_t ls = line_start(text, n->start);
        g_autofree char *line = tracuu_text_fold(text + ls, (gssize)MIN(n->start - ls, 64));
        size_t cs = clause_start(text, n->start, 0);
        g_autofree char *before = tracuu_text_fold(text + cs, (gssize)(n->start - cs));
        size_t ae = MIN(next_start, n->end + AFTER_BYTES);
        while (ae > n->end && ae < len && ((guchar)text[ae] & 0xC0) == 0x80)
            ae--;
        g_autofree char *after = tracuu_text_fold(text + n->end, (gssize)(ae - n->end));
        char *stop = strpbrk(after, ";\n");
        if (stop)
            *stop = '\0';

        gssize verb_end = 0;
        const char *kind;
        if (docmeta_has_prefix_word(line, "can cu")) {
            kind = "based_on";
            prev_subject = FALSE;
            verb_end = (gssize)strlen(before);
            /* "Căn cứ Điều 5 của Luật số ..." names articles of the basis. */
            gssize at = last_word(before, "can cu");
            verb_end = at >= 0 ? at : 0;
        } else {
            const char *k = kind_after(after);
            size_t from = MAX(cs, prev_end);
            g_autofree char *lead = tracuu_text_fold(text + from, (gssize)(n->start - from));
            gboolean subject = is_subject(lead, prev_end <= cs, prev_subject);
            prev_subject = subject;
            if (!k && subject) {
                g_autofree char *sentence = sentence_after(text, len, n->end);
                if (is_far_repeal(sentence))
                    k = "repeals";
            }
            kind = k ? k : kind_before(before, &verb_end, rd->own_type);
            if (k)
                verb_end = 0;
            /* "Nghị định số 205/2025/NĐ-CP ... sửa đổi, bổ sung ... Nghị định số 111/2015/NĐ-CP":
               a verb after another number (not this document's) is that document's verb. */
            const numref *p = i > 0 ? &g_array_index(refs, numref, i - 1) : NULL;
            if (!k && p && p->end > cs && !(rd->own && strcmp(p->term, rd->own) == 0)) {
                g_autofree char *upto = tracuu_text_fold(text + cs, (gssize)(p->end - cs));
                if (verb_end > (gssize)strlen(upto))
                    kind = "cites";
            }
        }
        g_autofree char *upto_next =
            tracuu_text_fold(text + n->end, (gssize)(MIN(next_start, n->end + 4 * AFTER_BYTES) -
                                                     n->end));
        for (char *c = upto_next; *c; c++)
            if (*c == ';' || *c == '\n' || (*c == '.' && (c[1] == ' ' || c[1] == '\0'))) {
                *c = '\0';
                break;
            }
        gboolean acted_on = has_own_passive(upto_next);
        if (head_kind && !same_clause(text, head_start, n->start))
            head_kind = NULL;
        if (strcmp(kind, "based_on") != 0 && acted_on) {
            if (strcmp(kind, "cites") == 0 && head_kind)
                kind = head_kind;
            else if (strcmp(kind, "cites") != 0) {
                head_kind = kind;
                head_start = n->start;
            }
        }
        /* The articles between the verb (or the previous number) and this number. */
        size_t from = MAX(cs + 0, prev_end);
        g_autofree char *near = NULL;
        if (from > cs) {
            near = tracuu_text_fold(text + from, (gssize)(n->start - from));
        } else {
            near = g_strdup(before + verb_end);
        }
        g_autoptr(GPtrArray) arts = g_ptr_array_new_with_free_func(g_free);
        read_articles(near, arts);
        add_relation(rd, kind, n->term, written, arts);
    }
}

/* A number cited only as "cites" when another relation names it says nothing more. */
static void
drop_plain_cites(GPtrArray *rels)
{
    for (guint i = rels->len; i-- > 0;) {
        tracuu_docmeta_relation *r = g_ptr_array_index(rels, i);
        if (strcmp(r->kind, "cites") != 0)
            continue;
        g_autofree char *t = NULL;
        tracuu_docnum_normalize(r->number, -1, &t, NULL);
        for (guint j = 0; j < rels->len; j++) {
            tracuu_docmeta_relation *x = g_ptr_array_index(rels, j);
            g_autofree char *xt = NULL;
            if (j != i && strcmp(x->kind, "cites") != 0 &&
                tracuu_docnum_normalize(x->number, -1, &xt, NULL) && t && strcmp(xt, t) == 0) {
                g_ptr_array_remove_index(rels, i);
                break;
            }
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Validity dates, read on the folded text (accents and tone placement do not matter). */

typedef struct {
    GRegex *effective; /* "có hiệu lực (thi hành) (kể) từ ngày ..." */
    GRegex *after;     /* "... sau 45 ngày kể từ ngày ký" */
    GRegex *until;     /* "có hiệu lực đến hết ngày ...", "hết hiệu lực từ ngày ..." */
    GRegex *term;      /* "có hiệu lực trong thời hạn 12 tháng kể từ ngày ký" */
} date_regexes;

#define DATE_RE                                                                                \
    "(?:(\\d{1,2}) thang (\\d{1,2}) nam (\\d{4})|(\\d{1,2}) ?[/.-] ?(\\d{1,2}) ?[/.-] ?(\\d{4})"  \
    "|(ky ban hanh|ky|ban hanh|thong qua|cong bo))"

static const date_regexes *
get_date_regexes(void)
{
    static date_regexes *re;
    if (g_once_init_enter(&re)) {
        date_regexes *r = g_new0(date_regexes, 1);
        GRegexCompileFlags f = G_REGEX_OPTIMIZE;
        /* "từ 01 tháng 01 năm 2026" without "ngày" (doc_000340): only before a written date. */
        r->effective = g_regex_new("\\bco hieu luc(?: thi hanh)?(?: ke)? tu (?:ngay |(?=\\d))"
                                   DATE_RE, f, 0, NULL);
        r->after = g_regex_new("\\bco hieu luc(?: thi hanh)?(?: ke)?(?: tu)? sau (\\d{1,3}) ngay"
                               ",?(?: ke)? tu ngay (?:ky|ban hanh|cong bo)",
                               f, 0, NULL);
        r->until = g_regex_new("\\b(?:co hieu luc(?: thi hanh)?|thuc hien|ap dung) den(?: het)? "
                               "ngay " DATE_RE "|\\bhet hieu luc(?: thi hanh)?(?: ke)? tu ngay "
                               DATE_RE,
                               f, 0, NULL);
        r->term = g_regex_new("\\bco hieu luc(?: thi hanh)? trong thoi han (\\d{1,3}) "
                              "(ngay|thang|nam),?(?: ke)? tu ngay (?:ky|ban hanh)",
                              f, 0, NULL);
        g_assert(r->effective && r->after && r->until && r->term);
        g_once_init_leave(&re, r);
    }
    return re;
}

/* How surely the sentence before @at in @f is about the document itself: 2 when it names the
   document's own type ("Luật này ..." in a law, @self is "luat nay"), 1 for another "... này"
   ("Các quyết định này" in a law are the court's decisions), 0 otherwise. */
static int
about_itself(const char *f, int at, const char *self)
{
    int from = MAX(0, at - 120);
    for (int i = at; i > from; i--)
        if (f[i - 1] == '.' && f[i] == ' ')
            from = i;
    g_autofree char *s = g_strndup(f + from, (gsize)(at - from));
    if (last_word(s, "nay") < 0)
        return 0;
    return self && last_word(s, self) >= 0 ? 2 : 1;
}

static GDate *
date_of(GMatchInfo *m, int group, const char *signed_on)
{
    for (int g = group; g <= group + 3; g += 3) {
        g_autofree char *d = g_match_info_fetch(m, g);
        g_autofree char *mo = g_match_info_fetch(m, g + 1);
        g_autofree char *y = g_match_info_fetch(m, g + 2);
        if (d && *d && mo && *mo && y && *y) {
            int dd = atoi(d), mm = atoi(mo), yy = atoi(y);
            if (!g_date_valid_dmy((GDateDay)dd, (GDateMonth)mm, (GDateYear)yy))
                return NULL;
            return g_date_new_dmy((GDateDay)dd, (GDateMonth)mm, (GDateYear)yy);
        }
    }
    g_autofree char *word = g_match_info_fetch(m, group + 6);
    if (word && *word && signed_on) {
        int y, mo, d;
        if (sscanf(signed_on, "%4d-%2d-%2d", &y, &mo, &d) == 3 &&
            g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y))
            return g_date_new_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y);
    }
    return NULL;
}

static char *
iso(const GDate *d)
{
    if (!d)
        return NULL;
    return g_strdup_printf("%04d-%02d-%02d", g_date_get_year(d), g_date_get_month(d),
                           g_date_get_day(d));
}

static GDate *
signing_date(const char *signed_on)
{
    int y, mo, d;
    if (signed_on && sscanf(signed_on, "%4d-%2d-%2d", &y, &mo, &d) == 3 &&
        g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y))
        return g_date_new_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y);
    return NULL;
}

/* The first date of @re in @f said about the document itself (of type @self, see
   about_itself()), else the first said about "... này", else (with @any) the first. */
static GDate *
first_date(GRegex *re, const char *f, int group, const char *signed_on, const char *self,
           gboolean any)
{
    GDate *fallback = NULL, *weak = NULL;
    g_autoptr(GMatchInfo) m = NULL;
    g_regex_match(re, f, 0, &m);
    for (; g_match_info_matches(m); g_match_info_next(m, NULL)) {
        int s, e;
        g_match_info_fetch_pos(m, 0, &s, &e);
        GDate *d = NULL;
        if (group > 0)
            d = date_of(m, group, signed_on);
        if (!d)
            continue;
        int about = about_itself(f, s, self);
        if (about == 2 || (about == 1 && !self)) {
            if (fallback)
                g_date_free(fallback);
            if (weak)
                g_date_free(weak);
            return d;
        }
        if (about == 1 && !weak)
            weak = d;
        else if (!fallback && any)
            fallback = d;
        else
            g_date_free(d);
    }
    if (weak) {
        if (fallback)
            g_date_free(fallback);
        return weak;
    }
    return fallback;
}

/*
 * Whether the phrase at @at in @f (folded line by line) has the document itself (@self,
 * "thong tu nay") for its subject: its clause (after a line end, ";" or ". ") starts with @self,
 * after a
 * clause number ("2. ", "a) "), and the phrase follows it at once ("Thông tư này hết hiệu lực
 * kể từ ...") or after its first verb ("Thông tư này có hiệu lực kể từ ... và hết hiệu lực kể
 * từ ...", doc_000291). An end date is read only so: other subjects have terms and periods of
 * their own (an approval's 12 months in doc_000352, a fee's period "Kể từ ngày Thông tư này có
 * hiệu lực thi hành đến hết ngày ..." in doc_000050, another law's article in doc_000025).
 */
static gboolean
is_said_of_self(const char *f, int at, const char *self)
{
    if (!self)
        return FALSE;
    int from = at;
    while (from > 0 && at - from < 400 && f[from - 1] != '\n' && f[from - 1] != ';' &&
           !(f[from - 1] == '.' && f[from] == ' '))
        from--;
    g_autofree char *clause = g_strndup(f + from, (gsize)(at - from));
    size_t sl = strlen(self);
    const char *p = NULL; /* the last @self of the clause */
    for (const char *x = strstr(clause, self); x; x = strstr(x + 1, self))
        if ((x == clause || !is_word_char(x[-1])) && x[sl] == ' ')
            p = x;
    if (!p)
        return FALSE;
    const char *b = p;
    while (b > clause && b[-1] == ' ')
        b--;
    if (b > clause) {
        /* Only a clause number before it: digits (and a letter) and "." or ")", or "a)". */
        char c = b[-1];
        const char *t = b - 1;
        while (t > clause && g_ascii_isalnum(t[-1]))
            t--;
        size_t ml = (size_t)(b - 1 - t);
        if ((c != '.' && c != ')') || ml == 0 || ml > 4 ||
            !(g_ascii_isdigit(*t) || (ml == 1 && c == ')')) || (t > clause && is_word_char(t[-1])))
            return FALSE;
    }
    const char *between = p + sl + 1;
    size_t bl = strlen(between);
    return bl == 0 || (g_str_has_prefix(between, "co hieu luc") && bl >= 4 &&
                       strcmp(between + bl - 4, " va ") == 0);
}

/* The first date of the until regex in @f said of the document itself (is_said_of_self()). */
static GDate *
own_end_date(GRegex *re, const char *f, const char *signed_on, const char *self)
{
    g_autoptr(GMatchInfo) m = NULL;
    g_regex_match(re, f, 0, &m);
    for (; g_match_info_matches(m); g_match_info_next(m, NULL)) {
        int s, e;
        g_match_info_fetch_pos(m, 0, &s, &e);
        if (!is_said_of_self(f, s, self))
            continue;
        /* The regex has two alternatives of DATE_RE, of 7 groups each. */
        GDate *d = date_of(m, 1, signed_on);
        if (!d)
            d = date_of(m, 8, signed_on);
        if (d)
            return d;
    }
    return NULL;
}

/* @text folded line by line, the lines kept apart by "\n" (tracuu_text_fold() makes them
   spaces), for is_said_of_self(); blank lines are left out. Caller frees with g_free(). */
static char *
fold_lines(const char *text, size_t len)
{
    GString *out = g_string_sized_new(len);
    const char *end = text + len;
    for (const char *p = text; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        g_autofree char *line = tracuu_text_fold(p, (gssize)(le - p));
        if (*line)
            g_string_append_printf(out, "%s%s", out->len ? "\n" : "", line);
        p = le + 1;
    }
    return g_string_free(out, FALSE);
}

static void
read_validity(tracuu_docmeta *meta, const char *text, size_t len, const char *folded)
{
    const date_regexes *r = get_date_regexes();
    g_autofree char *type = meta->doc_type ? tracuu_text_fold(meta->doc_type, -1) : NULL;
    g_autofree char *self = type ? g_strconcat(type, " nay", NULL) : NULL;
    GDate *eff = first_date(r->effective, folded, 1, meta->date, self, FALSE);
    g_autoptr(GMatchInfo) m = NULL;
    if (!eff && g_regex_match(r->after, folded, 0, &m)) {
        g_autofree char *days = g_match_info_fetch(m, 1);
        eff = signing_date(meta->date);
        if (eff)
            g_date_add_days(eff, (guint)atoi(days));
    }
    if (!eff)
        eff = first_date(r->effective, folded, 1, meta->date, self, TRUE);
    meta->effective_date = iso(eff);

    /* An end date needs the lines (see is_said_of_self()): folded again, in the few texts that
       have the words at all. */
    g_autofree char *lines = NULL;
    if (g_regex_match(r->until, folded, 0, NULL) || g_regex_match(r->term, folded, 0, NULL))
        lines = fold_lines(text, len);
    GDate *end = lines ? own_end_date(r->until, lines, meta->date, self) : NULL;
    g_autoptr(GMatchInfo) t = NULL;
    if (lines)
        g_regex_match(r->term, lines, 0, &t);
    while (t && g_match_info_matches(t)) {
        int s, e;
        g_match_info_fetch_pos(t, 0, &s, &e);
        if (is_said_of_self(lines, s, self))
            break;
        g_match_info_next(t, NULL);
    }
    if (!end && t && g_match_info_matches(t)) {
        g_autofree char *n = g_match_info_fetch(t, 1);
        g_autofree char *unit = g_match_info_fetch(t, 2);
        end = eff ? g_date_copy(eff) : signing_date(meta->date);
        int k = atoi(n);
        if (end && k > 0) {
            if (strcmp(unit, "ngay") == 0)
                g_date_add_days(end, (guint)k);
            else if (strcmp(unit, "thang") == 0)
                g_date_add_months(end, (guint)k);
            else
                g_date_add_years(end, (guint)k);
            g_date_subtract_days(end, 1);
        }
    }
    meta->end_date = iso(end);
    if (eff)
        g_date_free(eff);
    if (end)
        g_date_free(end);
}

/* ---------------------------------------------------------------------------------------- */

/* One tokenizer per thread, made on first use: ICU state is costly to set up per document. */
static void
free_tokenizer(gpointer tk)
{
    tracuu_tokenizer_free(tk);
}

static GPrivate tokenizer_key = G_PRIVATE_INIT(free_tokenizer);

static tracuu_tokenizer *
thread_tokenizer(void)
{
    tracuu_tokenizer *tk = g_private_get(&tokenizer_key);
    if (!tk) {
        tk = tracuu_tokenizer_new(NULL);
        g_private_set(&tokenizer_key, tk);
    }
    return tk;
}

void
docmeta_read_relations(tracuu_docmeta *meta, const char *text, size_t len)
{
    reader rd = {meta, NULL, meta->doc_type ? tracuu_text_fold(meta->doc_type, -1) : NULL};
    if (meta->number)
        tracuu_docnum_normalize(meta->number, -1, &rd.own, NULL);
    tracuu_tokenizer *tk = thread_tokenizer();
    /* The trích yếu first, as one clause: in the text it may be cut over several lines
       ("SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA THÔNG TƯ" / "SỐ 13/2015/TT-BTC"). */
    if (meta->title)
        read_text(&rd, tk, meta->title, strlen(meta->title));
    read_text(&rd, tk, text, len);
    drop_plain_cites(meta->relations);
    g_free(rd.own);
    g_free(rd.own_type);

    g_autofree char *folded = tracuu_text_fold(text, (gssize)len);
    read_validity(meta, text, len, folded);
}

tracuu_relation *
tracuu_docmeta_relations_fields(const tracuu_docmeta *meta, size_t *n)
{
    *n = meta->relations->len;
    if (*n == 0)
        return NULL;
    tracuu_relation *out = g_new0(tracuu_relation, *n);
    for (guint i = 0; i < meta->relations->len; i++) {
        const tracuu_docmeta_relation *r = g_ptr_array_index(meta->relations, i);
        out[i] = (tracuu_relation){.kind = r->kind,
                                   .number = r->number,
                                   .articles = (const char *const *)r->articles,
                                   .n_articles = g_strv_length(r->articles)};
    }
    return out;
}
