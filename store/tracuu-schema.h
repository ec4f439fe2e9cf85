/* tracuu-schema.h - how tracuu lays documents out in the index: prefixes, slots, keys. */
#pragma once

/*
 * One place for the contract between tracuu-indexer (which writes) and tracuu-searchd and the
 * client (which read). The store itself knows nothing of it. Changing anything here that
 * changes what is in an index bumps TRACUU_SCHEMA_VERSION, so an old index is detected and
 * rebuilt rather than silently searched wrong.
 *
 * Terms. Text terms come from the tokenizer (tracuu-tokenizer.h):
 *   ""    body, accented form:   "đường"   (the term of each token), without positions
 *   "F"   body, folded form:     "Fduong"  (the folded of each token, always, even if equal),
 *         positional
 *   "S"   title accented, "XS" title folded, without positions (title words are also indexed
 *         into the body, after the text, so that plain words find titles; S/XS let ranking
 *         weigh them)
 * Positions: only the folded body terms and the subject's XU terms have them, so that a
 * token is placed once, not once per form (half the index was positions of the accented copy).
 * A phrase or NEAR of words as typed is placed by the folded terms and requires the accented
 * ones (searchd/compile.c, placed_query()). The text from 1; the title's body copy 100
 * positions after the text's last token; the subject's XU terms 100 after that. The gaps keep
 * phrase and NEAR queries from matching across fields. Pieces of a document number, e-mail or
 * URL (TRACUU_TOKEN_PART) get the position of the whole token, in every field.
 * Boolean terms (wdf 0), values normalised with tracuu_text_fold() unless said otherwise; a
 * boolean term longer than TRACUU_STORE_MAX_TERM bytes is cut there (searchd cuts its filter
 * terms the same way), except "Q", which is refused (a cut id could merge two documents):
 *   "Q"   unique id of the document: "Q" + id as given, not folded (see below)
 *   "XF"  source file: "XF" + 40 hex of SHA-1 of the absolute path; every document that came
 *         from that file (mbox messages, attachments) carries it, so deleting it removes them all
 *   "K"   kind: "Kpdf", "Kmail", "Kattachment", "Kdocx", "Khtml", "Ktext", "Kjson"
 *   "XN"  document number, folded docnum form: "XN34/2008/ct-ttg"
 *   "XC"  a number this document cites, folded docnum form: "XC34/2008/ct-ttg"
 *   "XT"  document type, folded: "XTquyet dinh"
 *   "XI"  issuer, folded: "XIthu tuong chinh phu"; its words are also "XIW" + folded word
 *   "XG"  signer, folded
 *   "D"   date "D20081203", "Y" year "Y2008", "M" month "M200812" (a date known only to
 *         the month or year makes only M and Y, or only Y)
 *   "A"   mail sender address, lowercase: "Avanthu@chinhphu.gov.vn"; words of the name as "AW"
 *         (folded), and also the pieces of the address ("AWvanthu", "AWchinhphu", "AWgov")
 *   "XTO" mail recipient (To and Cc) address, lowercase; words of names as "XTOW" (likewise)
 *   "XU"  mail subject words, folded (positional, for subject:"...")
 *   "XM"  Message-ID without <>, exactly as written (not folded): "XMabc@host"
 *   "XP"  parent: id of the message an attachment came from, as given
 *   "XCT" content type, lowercase: "XCTapplication/pdf"
 *   "XR"  a relation the document states (field relations): "XR" + kind + ":" + the
 *         target's folded docnum form: "XRamends:13/2015/tt-btc" (tracuu_schema_relation_term);
 *         the target of every relation is also an "XC" term, so that cites: finds it
 * Validity (issue 14): no terms; the values TRACUU_SLOT_EFFECTIVE and TRACUU_SLOT_END below
 * (searchd reads them, and the relations other documents state, to compute a status as of a
 * date at query time: a status is never stored, since it changes with the day and the archive).
 * Access terms (docs/access-control.md; searchd's visibility filter is made of them alone):
 *   "XA"  an access label, as given (labels are already lower-case ASCII): "XAso-tttt"; a
 *         document with no label has the one term TRACUU_TERM_UNLABELLED ("XA-", which no
 *         label can be: a label starts with a letter or digit)
 *   "XL"  the secrecy level by name, exactly one per document: "XLnone", "XLmat",
 *         "XLtoi-mat", "XLtuyet-mat" (a document without one is visible to admins only)
 *   "XV"  a mail participant, lowercase address: every address of the document's own From,
 *         To and Cc, and of its participants field (the message an attachment came from)
 * Article units (issue 14; indexer/tracuu-legal-structure.h finds the articles): beside each
 * document whose text has articles (Điều), each article is a document of its own:
 *   id "<parent id>#dieu-<N>", N the number as written ("12", "12a"); an article of a text
 *   attached after the first whose numbering starts again (a Quy chế "ban hành kèm theo") is
 *   "<parent id>#dieu-<N>-<k>", k = 2, 3... for the second, third text;
 *   "Karticle" (kind "article"), "XP" + the parent's id, "XD" + the folded number ("XD12a");
 *   the parent's XF file key, number, type, issuer, date, signer, access terms (XA, XL, XV)
 *   and content type are repeated, so access filtering and deletion by file work unchanged;
 *   its text is the article's (from "Điều N." to the next article), its title
 *   "Điều N. <heading>" (title terms S/XS), its cites are those of its own text.
 * A document without "Karticle" is a whole document: relations, status and facets consider
 * only those. A --from-jsonl document's units are deleted by "XP" + its id before it is
 * written again (imported documents have no other children).
 *
 * Ids: a document from a file has id = first 16 hex of SHA-1 of the absolute path (for a
 * Maildir message, of its identity path: its Maildir's cur/ and the unique part of its name,
 * without new/ and the ":2,FLAGS" info, so that delivery and flag renames keep the id and the
 * "XF" key; an index made before keeps its old ids until the next run, which finds the old
 * keys gone and the new ones new, with no version bump); the n-th
 * message of an mbox is "<file id>:<n>" (n from 1); the k-th attachment of a message is
 * "<message id>/<k>" (k from 1); --from-jsonl documents keep the id they were given.
 */

/* 2: document data is the fields JSON, a NUL byte and the text (1 held the text in the JSON);
 * the kind, type, issuer and signer terms of a value with "_" read it as a space. */
/* 3: the access terms XA, XL and XV; the fields access, secrecy and participants. */
/* 4: the stored field stamp, which relabelling a file without reading it needs. */
/* Not bumped for the stored field source (where the original bytes are): it changes no term
 * and no search; documents of an older index lack it and the file endpoint says to rebuild. */
/* Not bumped for the stored field ocr becoming the JSON boolean true (it was the string
 * "true") nor for ocr_pages (the 1-based numbers of the pages whose text OCR read): no term
 * changes; a document of an older index keeps "true" and lacks ocr_pages until it is read
 * again (a run with --ocr-... changed, or a rebuild). */
/* 5: the fields relations, effective_date and end_date; the "XR" relation terms, the "XC"
 * term of each relation's target, the values TRACUU_SLOT_EFFECTIVE and TRACUU_SLOT_END. */
/* 6: article units (below): kind "article", the term XD, the fields article, heading, chapter
 * and doc_title. */
/* 7: positions only on the folded terms (F, XU): the accented "" and the title's S and XS
 * terms have none, so an older searchd would find no exact phrase (index size, issue 15);
 * value slot 5 (the number) is no longer written. */
#define TRACUU_SCHEMA_VERSION 7

#define TRACUU_PREFIX_FOLDED "F"
#define TRACUU_PREFIX_TITLE "S"
#define TRACUU_PREFIX_TITLE_FOLDED "XS"
#define TRACUU_PREFIX_ID "Q"
#define TRACUU_PREFIX_FILE "XF"
#define TRACUU_PREFIX_KIND "K"
#define TRACUU_PREFIX_NUMBER "XN"
#define TRACUU_PREFIX_CITES "XC"
#define TRACUU_PREFIX_TYPE "XT"
#define TRACUU_PREFIX_ISSUER "XI"
#define TRACUU_PREFIX_ISSUER_WORD "XIW"
#define TRACUU_PREFIX_SIGNER "XG"
#define TRACUU_PREFIX_DATE "D"
#define TRACUU_PREFIX_YEAR "Y"
#define TRACUU_PREFIX_MONTH "M"
#define TRACUU_PREFIX_FROM "A"
#define TRACUU_PREFIX_FROM_WORD "AW"
#define TRACUU_PREFIX_TO "XTO"
#define TRACUU_PREFIX_TO_WORD "XTOW"
#define TRACUU_PREFIX_SUBJECT "XU"
#define TRACUU_PREFIX_MESSAGE_ID "XM"
#define TRACUU_PREFIX_PARENT "XP"
#define TRACUU_PREFIX_MIME "XCT"
#define TRACUU_PREFIX_LABEL "XA"
#define TRACUU_TERM_UNLABELLED "XA-"
#define TRACUU_PREFIX_LEVEL "XL"
#define TRACUU_PREFIX_PARTICIPANT "XV"
#define TRACUU_PREFIX_RELATION "XR"
#define TRACUU_PREFIX_ARTICLE "XD"
/* The kind of an article unit (term "Karticle"): a document without it is a whole document. */
#define TRACUU_KIND_ARTICLE "article"

/* Value slots: sorting, ranges and facets, and only what one of them reads (a slot costs
 * bytes in every document that has it). Strings as shown. */
enum {
    TRACUU_SLOT_DATE = 0,     /* "YYYYMMDD", or "YYYYMM" / "YYYY" when only that is known
                                 (sorts and ranges as bytes: a prefix sorts first) */
    TRACUU_SLOT_DOC_TYPE = 1, /* display form: "Quyết định" */
    TRACUU_SLOT_ISSUER = 2,   /* display form: "Thủ tướng Chính phủ" */
    TRACUU_SLOT_YEAR = 3,     /* "YYYY" */
    TRACUU_SLOT_KIND = 4,     /* "pdf", "mail"... */
    /* 5: the number's display form until schema 7; nothing sorted or counted by it (a hit
     * shows the stored field), so it is left empty. */
    TRACUU_SLOT_EFFECTIVE = 6, /* effective_date as "YYYYMMDD" ("YYYYMM", "YYYY"), absent
                                  when unknown */
    TRACUU_SLOT_END = 7,       /* end_date, the same form */
};

/*
 * Document data: the document's fields as a JSON object (without the text), then one NUL byte,
 * then the whole extracted text as raw UTF-8. A page of hits parses only the small fields
 * object and takes the text as it is for snippets and "get". The fields are those of the
 * table in tracuu-fields.h marked TRACUU_FIELD_STORED, all strings unless said:
 *   id, path, kind, mime, title, number, doc_type, issuer, date (YYYY-MM-DD), signer,
 *   cites (array of display numbers), subject, from, to, cc (mailboxes shown as
 *   "Name <address>, ..."), message_id, in_reply_to, parent, attachment (file name), pages
 *   (array of byte offsets into the text where each PDF page starts, first is 0), access
 *   (array of labels), secrecy (level name, absent for none), participants (array of
 *   addresses), stamp (the level printed on the document, absent for none), source (where the
 *   original bytes are: tracuu_schema_source in tracuu-schema-rules.h; absent for documents
 *   imported from JSONL, entries of archives and indexes made before it existed), relations
 *   (array of {"kind", "number", "articles": [string]}, "articles" left out when empty),
 *   effective_date and end_date (YYYY-MM-DD); on an
 *   article unit: article (its number as written), heading, chapter ("Chương II. TITLE", absent
 *   outside chapters), doc_title (the parent document's title).
 * Absent fields are left out, not null. The rules that make the terms above from values
 * (folding, document numbers, dates, abbreviations) are functions in tracuu-schema-rules.h,
 * which both sides call.
 */

/* Index metadata keys. */
#define TRACUU_META_SCHEMA_VERSION "tracuu.schema_version"
#define TRACUU_META_TOKENIZER_VERSION "tracuu.tokenizer_version"
/* Per source file: key "file:" + 40 hex SHA-1 of its absolute path; value is a JSON object
 * {"path", "mtime", "size", "status": "ok"|"failed", "reason", "ndocs", "access"}, where
 * "access" is the access-map result its documents got: "LABEL;LABEL|LEVEL" ("|none" for no
 * rule), compared on each run to relabel a file the map now treats otherwise. */
#define TRACUU_META_FILE_PREFIX "file:"
