// app.js - the tracuu search page: the URL is the state, the JSON API (docs/http-api.md) the data.
//
// Every value that comes from a document (titles, snippets, file names, metadata) reaches the
// page as a DOM text node (textContent, createTextNode), never as HTML: a title holding
// <script> shows as those characters. Snippets arrive HTML-escaped with <mark> around the
// matches (docs/protocol.md); they are parsed into text and <mark> elements here, not handed
// to innerHTML. The Content-Security-Policy (docs/web.md) forbids inline script anyway.
'use strict';

const PAGE_SIZE = 10;
const FACETS = [
  // [facet name in the API, filter parameter, Vietnamese heading]
  ['doc_type', 'type', 'Loại văn bản'],
  ['issuer', 'issuer', 'Cơ quan ban hành'],
  ['year', 'year', 'Năm'],
  ['kind', 'kind', 'Loại tệp'],
];
// Filters the URL may carry beside the facets' (links of the document view use them).
const FILTERS = ['type', 'issuer', 'year', 'kind', 'date', 'number', 'cites', 'parent'];
const FILTER_NAMES = {
  type: 'Loại văn bản', issuer: 'Cơ quan ban hành', year: 'Năm', kind: 'Loại tệp',
  date: 'Ngày', number: 'Số hiệu', cites: 'Trích dẫn', parent: 'Thuộc thư',
};
const KIND_NAMES = {
  pdf: 'PDF', mail: 'Thư điện tử', attachment: 'Tệp đính kèm', html: 'Trang HTML',
  text: 'Văn bản thuần', docx: 'Word (DOCX)', doc: 'Word (DOC)', odt: 'OpenDocument',
  xlsx: 'Excel', ods: 'Bảng tính', jsonl: 'Nhập từ JSONL', article: 'Điều (của một văn bản)',
};
const SORTS = ['relevance', '-date', 'date'];
// The document's fields shown in its table, in this order, with their Vietnamese names.
const META_FIELDS = [
  ['doc_title', 'Thuộc văn bản'], ['article', 'Điều'], ['heading', 'Tên điều'],
  ['chapter', 'Chương'], ['number', 'Số, ký hiệu'], ['doc_type', 'Loại văn bản'], ['issuer', 'Cơ quan ban hành'],
  ['date', 'Ngày'], ['signer', 'Người ký'], ['subject', 'Tiêu đề thư'], ['from', 'Người gửi'],
  ['to', 'Người nhận'], ['cc', 'Đồng gửi (Cc)'], ['message_id', 'Message-ID'],
  ['attachment', 'Tên tệp đính kèm'], ['kind', 'Loại tệp'], ['mime', 'Kiểu nội dung'],
  ['secrecy', 'Độ mật'], ['stamp', 'Dấu độ mật in trên văn bản'], ['access', 'Nhãn truy cập'],
  ['path', 'Đường dẫn'], ['id', 'Mã tài liệu'],
];
const SECRECY_NAMES = { mat: 'Mật', 'toi-mat': 'Tối mật', 'tuyet-mat': 'Tuyệt mật' };

const $ = (id) => document.getElementById(id);

// ---- small DOM helpers (text only) ----

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// ---- text: folding, snippets, highlights ----

// The accent-free form, as the index's folded terms: NFD, no combining marks, đ -> d, lower case.
function fold(s) {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
    .toLowerCase();
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function unescapeHtml(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e] !== undefined ? ENTITIES[e] : m;
  });
}

// A snippet (HTML-escaped text, matches in <mark>...</mark>) as DOM nodes: text nodes and
// <mark> elements holding text nodes. Any other tag-like text stays text.
function snippetNodes(snippet) {
  const frag = document.createDocumentFragment();
  let inMark = false;
  for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') { inMark = true; continue; }
    if (part === '</mark>') { inMark = false; continue; }
    if (!part) continue;
    const t = document.createTextNode(unescapeHtml(part));
    frag.append(inMark ? el('mark', {}, t) : t);
  }
  return frag;
}

// The words of a query worth highlighting in a document's text: plain words and phrases,
// without fields (type:...), operators, or excluded items (-word). A word typed with
// diacritics marks itself only (thư, not thủ); one typed without marks every accent (thu: thư,
// thủ, thu), as the engine weighs them (docs/query-language.md).
function queryWords(q) {
  const exact = new Set(), folded = new Set();
  const re = /(-|\+)?(?:([A-Za-z_]+):)?("([^"]*)"?|[^\s()"]+)/g;
  let m;
  while ((m = re.exec(q)) !== null) {
    if (m[1] === '-' || m[2]) continue;
    const item = m[4] !== undefined ? m[4] : m[3];
    if (/^(OR|AND|NOT|NEAR(\/\d+)?)$/.test(item)) continue;
    for (const w of item.match(/[\p{L}\p{N}]+/gu) || []) {
      const lower = w.normalize('NFC').toLowerCase();
      if (fold(w) === lower) folded.add(lower);
      else exact.add(lower);
    }
  }
  return { exact, folded, size: exact.size + folded.size,
           has: (w) => exact.has(w.normalize('NFC').toLowerCase()) || folded.has(fold(w)) };
}

const WORD = /[\p{L}\p{N}]+/gu;

// Appends @text to @parent with the words of @words (queryWords()) in <mark>; returns the count.
function appendHighlighted(parent, text, words) {
  if (!words.size) { parent.append(document.createTextNode(text)); return 0; }
  let last = 0, n = 0, m;
  WORD.lastIndex = 0;
  while ((m = WORD.exec(text)) !== null) {
    if (!words.has(m[0])) continue;
    if (m.index > last) parent.append(document.createTextNode(text.slice(last, m.index)));
    parent.append(el('mark', {}, m[0]));
    last = m.index + m[0].length;
    n++;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
  return n;
}

// The string indexes of UTF-8 byte offsets into @text (the offsets of "pages").
function byteOffsetsToIndexes(text, offsets) {
  const sorted = offsets.map((o, i) => [o, i]).sort((a, b) => a[0] - b[0]);
  const out = new Array(offsets.length).fill(text.length);
  let bytes = 0, k = 0, i = 0;
  while (k < sorted.length) {
    if (i >= text.length) break;
    while (k < sorted.length && sorted[k][0] <= bytes) out[sorted[k++][1]] = i;
    const cp = text.codePointAt(i);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return out;
}

function showDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (iso || '');
}

function showValue(name, v) {
  if (Array.isArray(v)) return v.map((x) => showValue(name, x)).join(', ');
  if (name === 'date') return String(v).split('..').map((d) => showDate(d) || '…').join(' – ');
  if (name === 'kind') return KIND_NAMES[v] || String(v);
  if (name === 'secrecy' || name === 'stamp') return SECRECY_NAMES[v] || String(v);
  return String(v);
}

function showNumber(n) {
  return Number(n).toLocaleString('vi-VN');
}

// ---- the state, which is the URL ----

// {q, sort, page, doc, filters: {name: [values]}} from a query string.
function stateFromUrl(search) {
  const p = new URLSearchParams(search);
  const st = { q: p.get('q') || '', sort: p.get('sort') || 'relevance', page: 1, doc: p.get('doc'),
               filters: {} };
  if (!SORTS.includes(st.sort)) st.sort = 'relevance';
  const page = parseInt(p.get('page') || '1', 10);
  st.page = Number.isFinite(page) && page > 0 ? page : 1;
  for (const f of FILTERS) {
    const vs = p.getAll(f).filter((v) => v !== '');
    if (vs.length) st.filters[f] = [...new Set(vs)];
  }
  return st;
}

function urlFor(st) {
  const p = new URLSearchParams();
  if (st.doc) {
    p.set('doc', st.doc);
    if (st.q) p.set('q', st.q);
    return '/?' + p.toString();
  }
  if (st.q) p.set('q', st.q);
  for (const f of FILTERS) for (const v of st.filters[f] || []) p.append(f, v);
  if (st.sort !== 'relevance') p.set('sort', st.sort);
  if (st.page > 1) p.set('page', String(st.page));
  const s = p.toString();
  return s ? '/?' + s : '/';
}

function withChanges(st, change) {
  const next = { q: st.q, sort: st.sort, page: st.page, doc: null, filters: {} };
  for (const [k, v] of Object.entries(st.filters)) next.filters[k] = v.slice();
  change(next);
  for (const k of Object.keys(next.filters)) if (!next.filters[k].length) delete next.filters[k];
  return next;
}

let state = stateFromUrl(location.search);
let lastSearchUrl = '/';

function go(st, focusId) {
  state = st;
  history.pushState(null, '', urlFor(st));
  render(focusId);
}

// A link that navigates within the page (and still opens in a new tab with a middle click).
function navLink(st, text, attrs) {
  const a = el('a', Object.assign({ href: urlFor(st) }, attrs || {}), text);
  a.addEventListener('click', (ev) => {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    go(st, st.doc ? 'doc-title' : 'results-title');
  });
  return a;
}

// ---- the API ----

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, options) {
  let r;
  try {
    r = await fetch(path, Object.assign({ credentials: 'same-origin',
                                          headers: { Accept: 'application/json' } }, options || {}));
  } catch (e) {
    throw new ApiError(0, 'network', 'Không kết nối được với máy chủ tra cứu.');
  }
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok || !body || body.ok === false) {
    const err = body && body.error ? body.error : {};
    throw new ApiError(r.status, err.code || 'http', err.message || `HTTP ${r.status}`);
  }
  return body;
}

function searchParams(st, offset, limit, withFacets) {
  const p = new URLSearchParams();
  p.set('q', st.q);
  p.set('offset', String(offset));
  p.set('limit', String(limit));
  if (st.sort !== 'relevance') p.set('sort', st.sort);
  if (withFacets) p.set('facets', FACETS.map((f) => f[0]).join(','));
  for (const [f, vs] of Object.entries(st.filters)) for (const v of vs) p.append(f, v);
  return '/api/search?' + p.toString();
}

// ---- login ----

let whoami = null; // {user, login_required}, or null when the daemon has no login

async function loadWhoami() {
  try {
    const w = await api('/api/whoami');
    whoami = { user: w.user || null, login_required: !!w.login_required };
  } catch (e) {
    whoami = null; // no such endpoint: the daemon has no login form (bearer tokens only)
  }
  showAccount();
}

function showAccount() {
  const signedIn = whoami && whoami.user;
  $('account').hidden = !signedIn;
  $('who').textContent = signedIn ? `Người dùng: ${whoami.user}` : '';
}

function showLogin(why) {
  for (const id of ['results-view', 'doc-view']) $(id).hidden = true;
  $('status').textContent = '';
  renderSuggest(null);
  $('error').hidden = true;
  $('login').hidden = false;
  $('login-why').textContent = why || 'Vui lòng đăng nhập để tra cứu.';
  $('login-user').focus();
}

async function login(ev) {
  ev.preventDefault();
  const body = new URLSearchParams();
  body.set('user', $('login-user').value);
  body.set('password', $('login-password').value);
  const errorBox = $('login-error');
  errorBox.hidden = true;
  try {
    const r = await api('/api/login', {
      method: 'POST', body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    });
    $('login-password').value = '';
    whoami = { user: r.user, login_required: true };
    showAccount();
    $('login').hidden = true;
    render('main');
  } catch (e) {
    errorBox.textContent = e.status === 401 ? 'Sai tên đăng nhập hoặc mật khẩu.'
                                            : `Không đăng nhập được: ${e.message}`;
    errorBox.hidden = false;
    $('login-password').focus();
  }
}

async function logout() {
  // A POST of the daemon is a form (a cross-site request cannot pass for one): an empty one.
  try {
    await api('/api/logout', {
      method: 'POST', body: new URLSearchParams(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    });
  } catch (e) { /* gone already */ }
  await loadWhoami();
  clear($('hits'));
  clear($('doc-text'));
  if (whoami && whoami.login_required && !whoami.user) showLogin('Bạn đã đăng xuất.');
  else render('main');
}

// ---- rendering ----

let generation = 0; // answers to an older navigation are dropped

function showError(e) {
  if (e instanceof ApiError && e.status === 401) {
    showLogin('Phiên làm việc đã hết hạn hoặc bạn chưa đăng nhập.');
    return;
  }
  const box = $('error');
  clear(box);
  box.append(el('p', {}, e instanceof ApiError && e.code === 'bad_query'
    ? 'Không đọc được câu truy vấn: ' : 'Lỗi: ', e.message));
  box.hidden = false;
}

async function render(focusId) {
  const gen = ++generation;
  $('error').hidden = true;
  $('login').hidden = true;
  $('q').value = state.q;
  if (state.doc) await renderDoc(gen);
  else await renderSearch(gen);
  if (gen === generation && focusId && $(focusId)) $(focusId).focus();
}

function chip(name, value) {
  const label = `${FILTER_NAMES[name] || name}: ${showValue(name, value)}`;
  return el('button', {
    type: 'button', class: 'chip', 'data-filter': name, 'data-value': value,
    'aria-label': `Bỏ lọc ${label}`,
    onclick: () => go(withChanges(state, (n) => {
      n.filters[name] = n.filters[name].filter((v) => v !== value);
      n.page = 1;
    }), 'results-title'),
  }, label, el('span', { 'aria-hidden': 'true', class: 'x' }, ' ×'));
}

function renderChips() {
  const box = $('chips');
  clear(box);
  for (const [name, vs] of Object.entries(state.filters)) for (const v of vs) box.append(chip(name, v));
  if (box.firstChild) {
    box.append(navLink(withChanges(state, (n) => { n.filters = {}; n.page = 1; }),
                       'Bỏ tất cả bộ lọc', { class: 'clear-all' }));
  }
}

function renderFacets(facets) {
  const box = $('facet-lists');
  clear(box);
  for (const [fname, param, heading] of FACETS) {
    const counts = (facets || {})[fname];
    if (!counts || !Object.keys(counts).length) continue;
    const list = el('ul', { class: 'facet' });
    let entries = Object.entries(counts);
    if (fname === 'year') entries.sort((a, b) => b[0].localeCompare(a[0]));
    for (const [value, count] of entries) {
      const active = (state.filters[param] || []).includes(value);
      const st = withChanges(state, (n) => {
        n.filters[param] = active ? n.filters[param].filter((v) => v !== value)
                                  : (n.filters[param] || []).concat([value]);
        n.page = 1;
      });
      const a = navLink(st, showValue(param, value), {
        class: active ? 'facet-value active' : 'facet-value',
        'data-facet': param, 'data-value': value, 'aria-current': active ? 'true' : null,
      });
      a.append(el('span', { class: 'count', 'data-count': count }, showNumber(count)));
      list.append(el('li', {}, a));
    }
    box.append(el('section', { class: 'facet-group', 'data-facet': param },
                  el('h3', {}, heading), list));
  }
}

function hitItem(hit, n) {
  const docState = { q: state.q, sort: 'relevance', page: 1, doc: hit.id, filters: {} };
  const meta = el('p', { class: 'hit-meta' });
  const bits = [];
  if (hit.number) bits.push(el('span', { class: 'number' }, hit.number));
  if (hit.doc_type) bits.push(el('span', { class: 'type' }, hit.doc_type));
  else if (hit.kind) bits.push(el('span', { class: 'type' }, showValue('kind', hit.kind)));
  if (hit.date) bits.push(el('time', { datetime: hit.date }, showDate(hit.date)));
  if (hit.issuer) bits.push(el('span', { class: 'issuer' }, hit.issuer));
  else if (hit.from) bits.push(el('span', { class: 'issuer' }, hit.from));
  bits.forEach((b, i) => { if (i) meta.append(' · '); meta.append(b); });
  const title = el('h3', { class: 'hit-title' },
                   navLink(docState, hit.title || hit.attachment || hit.id, { class: 'hit-link' }));
  const snippet = el('p', { class: 'snippet' }, snippetNodes(hit.snippet || ''));
  if (hit.page) snippet.append(el('span', { class: 'page' }, ` (trang ${hit.page})`));
  // An article unit (docs/protocol.md): "Điều 12. heading" is its title; the document it
  // belongs to, by number and title, links to that document.
  const inDoc = hit.kind === 'article' && hit.parent
    ? el('p', { class: 'hit-doc' }, 'Thuộc ',
         navLink({ q: state.q, sort: 'relevance', page: 1, doc: hit.parent, filters: {} },
                 [hit.number, hit.doc_title].filter(Boolean).join(' — ') || hit.parent,
                 { class: 'hit-doc-link' }),
         hit.chapter ? ` · ${hit.chapter}` : '')
    : null;
  const badges = el('p', { class: 'badges' });
  if (hit.secrecy) badges.append(el('span', { class: 'badge secret' }, showValue('secrecy', hit.secrecy)));
  return el('li', { class: 'hit', value: n, 'data-id': hit.id },
            el('span', { class: 'hit-n', 'aria-hidden': 'true' }, `${n}.`), title, inDoc, meta,
            snippet, badges.firstChild ? badges : null);
}

function renderPager(total) {
  const box = $('pager');
  clear(box);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages <= 1) return;
  const at = (p) => withChanges(state, (n) => { n.page = p; });
  if (state.page > 1) box.append(navLink(at(state.page - 1), '‹ Trang trước', { rel: 'prev', class: 'prev' }));
  box.append(el('span', { class: 'where' }, `Trang ${state.page} / ${pages}`));
  if (state.page < pages) box.append(navLink(at(state.page + 1), 'Trang sau ›', { rel: 'next', class: 'next' }));
}

// The engine's "did you mean" (docs/http-api.md): a link that runs it as the query.
function renderSuggest(suggest) {
  const box = $('suggest');
  clear(box);
  box.hidden = !suggest;
  if (!suggest) return;
  box.append('Có phải bạn muốn tìm: ',
             navLink(withChanges(state, (n) => { n.q = suggest; n.page = 1; }),
                     el('b', {}, suggest), { class: 'suggest-link' }));
}

function renderNoResults() {
  const box = $('noresults');
  clear(box);
  box.append(el('p', {}, 'Không tìm thấy văn bản nào', state.q ? ` cho «${state.q}»` : '', '.'));
  const tips = el('ul', {});
  if (Object.keys(state.filters).length && state.q) {
    tips.append(el('li', {}, navLink(withChanges(state, (n) => { n.filters = {}; n.page = 1; }),
                                     `Tìm «${state.q}» không kèm bộ lọc`, { class: 'suggest-nofilter' })));
  }
  const folded = fold(state.q);
  if (state.q && folded !== state.q.toLowerCase()) {
    // The accent-free form matches every accent of the same syllables (docs/query-language.md):
    // a word typed with the wrong diacritics is found this way.
    tips.append(el('li', {}, navLink(withChanges(state, (n) => { n.q = folded; n.page = 1; }),
                                     `Tìm không dấu: «${folded}»`, { class: 'suggest-folded' })));
  }
  tips.append(el('li', {}, 'Thử ít từ hơn, hoặc bỏ dấu ngoặc kép và dấu trừ.'));
  box.append(tips);
  box.hidden = false;
}

async function renderSearch(gen) {
  $('doc-view').hidden = true;
  document.title = state.q ? `${state.q} — Tra cứu văn bản` : 'Tra cứu văn bản';
  $('sort').value = state.sort;
  const range = ((state.filters.date || [])[0] || '').split('..');
  $('date-from').value = /^\d{4}-\d{2}-\d{2}$/.test(range[0] || '') ? range[0] : '';
  $('date-to').value = /^\d{4}-\d{2}-\d{2}$/.test(range[1] || '') ? range[1] : '';
  $('status').textContent = 'Đang tìm…';
  let r;
  try {
    r = await api(searchParams(state, (state.page - 1) * PAGE_SIZE, PAGE_SIZE, true));
  } catch (e) {
    if (gen !== generation) return;
    $('status').textContent = '';
    renderSuggest(null);
    $('results-view').hidden = true;
    showError(e);
    return;
  }
  if (gen !== generation) return;
  lastSearchUrl = urlFor(state);
  $('results-view').hidden = false;
  renderChips();
  renderFacets(r.facets);
  const hits = $('hits');
  clear(hits);
  const first = (state.page - 1) * PAGE_SIZE;
  r.hits.forEach((h, i) => hits.append(hitItem(h, first + i + 1)));
  hits.setAttribute('start', String(first + 1));
  const took = typeof r.took_ms === 'number'
    ? r.took_ms.toLocaleString('vi-VN', { maximumFractionDigits: 1 }) : '?';
  $('status').textContent = r.total
    ? `Tìm thấy ${showNumber(r.total)} kết quả (${took} ms)` +
      (r.hits.length ? `; hiển thị ${showNumber(first + 1)}–${showNumber(first + r.hits.length)}.` : '.')
    : `Không có kết quả (${took} ms).`;
  $('status').dataset.total = String(r.total);
  renderSuggest(r.suggest);
  $('noresults').hidden = true;
  if (!r.total) renderNoResults();
  renderPager(r.total);
}

function searchLink(filters, text, cls) {
  return navLink({ q: '', sort: 'relevance', page: 1, doc: null, filters }, text, { class: cls });
}

async function renderDocList(box, heading, st, cls) {
  let r;
  try { r = await api(searchParams(st, 0, 50, false)); } catch (e) { return; }
  if (!r.hits.length) return;
  const list = el('ul', { class: cls });
  for (const h of r.hits) {
    const label = [h.number, h.title || h.attachment || h.id].filter(Boolean).join(' — ');
    list.append(el('li', {}, navLink({ q: state.q, sort: 'relevance', page: 1, doc: h.id, filters: {} },
                                     label)));
  }
  box.append(el('h3', {}, heading), list);
  if (r.total > r.hits.length) box.append(el('p', {}, navLink(st, `Xem cả ${showNumber(r.total)}`)));
}

// The articles (Điều) of the document @id, in their order, each a link that opens that article
// alone; each item has the anchor "dieu-N".
async function renderArticles(box, id) {
  let r;
  const st = { q: 'unit:article', sort: 'relevance', page: 1, doc: null, filters: { parent: [id] } };
  try { r = await api(searchParams(st, 0, 1000, false)); } catch (e) { return; }
  if (!r.hits.length) return;
  const list = el('ol', { class: 'articles' });
  for (const h of r.hits) {
    list.append(el('li', { id: `dieu-${h.article}`, 'data-article': h.article || '' },
                   navLink({ q: state.q, sort: 'relevance', page: 1, doc: h.id, filters: {} },
                           h.title || h.id, { class: 'article-link' }),
                   h.chapter ? el('span', { class: 'chapter' }, ` (${h.chapter})`) : null));
  }
  box.append(el('h3', {}, `Các điều (${showNumber(r.total)})`), list);
}

async function renderDoc(gen) {
  $('results-view').hidden = true;
  $('status').textContent = 'Đang mở văn bản…';
  let d;
  try {
    d = (await api('/api/doc/' + encodeURIComponent(state.doc))).doc;
  } catch (e) {
    if (gen !== generation) return;
    $('status').textContent = '';
    renderSuggest(null);
    $('doc-view').hidden = true;
    if (e instanceof ApiError && e.status === 404) {
      const box = $('error');
      clear(box);
      box.append(el('p', {}, 'Không tìm thấy văn bản này (mã không có, hoặc bạn không có quyền xem).'),
                 el('p', {}, navLink({ q: state.q, sort: 'relevance', page: 1, doc: null, filters: {} },
                                     'Về trang tìm kiếm')));
      box.hidden = false;
      return;
    }
    showError(e);
    return;
  }
  if (gen !== generation) return;
  $('status').textContent = '';
  renderSuggest(null);
  const title = d.title || d.attachment || d.subject || d.id;
  document.title = `${title} — Tra cứu văn bản`;
  $('doc-title').textContent = title;
  $('back').href = lastSearchUrl;
  $('back').onclick = (ev) => {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    ev.preventDefault();
    if (history.length > 1 && lastSearchUrl !== '/') history.back();
    else go(withChanges(state, () => {}), 'results-title');
  };
  const dl = $('download');
  dl.href = `/api/doc/${encodeURIComponent(d.id)}/file`;
  dl.textContent = d.attachment ? `Tải tệp gốc (${d.attachment})` : 'Tải tệp gốc';

  const body = $('doc-meta').tBodies[0];
  clear(body);
  for (const [name, label] of META_FIELDS) {
    const v = d[name];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    body.append(el('tr', { 'data-field': name }, el('th', { scope: 'row' }, label),
                   el('td', {}, showValue(name, v))));
  }
  if (Array.isArray(d.pages) && d.pages.length)
    body.append(el('tr', { 'data-field': 'pages' }, el('th', { scope: 'row' }, 'Số trang'),
                   el('td', {}, String(d.pages.length))));

  const links = $('doc-links');
  clear(links);
  if (d.parent && d.kind === 'article') {
    links.append(el('h3', {}, 'Văn bản chứa điều này'),
                 el('p', {}, navLink({ q: state.q, sort: 'relevance', page: 1, doc: d.parent, filters: {} },
                                     [d.number, d.doc_title].filter(Boolean).join(' — ') || 'Mở văn bản',
                                     { class: 'parent-link' })));
  } else if (d.parent) {
    links.append(el('h3', {}, 'Thư gốc'),
                 el('p', {}, navLink({ q: state.q, sort: 'relevance', page: 1, doc: d.parent, filters: {} },
                                     'Mở thư chứa tệp này', { class: 'parent-link' })));
  }
  if (Array.isArray(d.cites) && d.cites.length) {
    const list = el('ul', { class: 'cites' });
    for (const num of d.cites) list.append(el('li', {}, searchLink({ number: [num] }, num, 'cite-link')));
    links.append(el('h3', {}, 'Văn bản được trích dẫn'), list);
  }
  const pending = [];
  if (!d.parent) pending.push(renderArticles(links, d.id));
  // The children of a document that are not its articles: a mail's attachments.
  if (d.kind === 'mail' || !d.parent)
    pending.push(renderDocList(links, 'Tệp đính kèm',
                               { q: 'unit:document', sort: 'relevance', page: 1, doc: null,
                                 filters: { parent: [d.id] } },
                               'attachments'));
  if (d.number)
    pending.push(renderDocList(links, 'Văn bản trích dẫn văn bản này',
                               { q: '', sort: '-date', page: 1, doc: null, filters: { cites: [d.number] } },
                               'cited-by'));

  const text = $('doc-text');
  clear(text);
  const words = queryWords(state.q);
  const t = d.text || '';
  const starts = Array.isArray(d.pages) && d.pages.length > 1 ? byteOffsetsToIndexes(t, d.pages) : [0];
  let marks = 0;
  starts.forEach((from, i) => {
    const to = i + 1 < starts.length ? starts[i + 1] : t.length;
    if (starts.length > 1) text.append(el('p', { class: 'page-no', id: `trang-${i + 1}` }, `Trang ${i + 1}`));
    const pre = el('div', { class: 'page-text' });
    marks += appendHighlighted(pre, t.slice(from, to), words);
    text.append(pre);
  });
  text.dataset.marks = String(marks);
  $('doc-view').hidden = false;
  await Promise.all(pending);
}

// ---- wiring ----

function init() {
  $('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(withChanges(state, (n) => { n.q = $('q').value.trim(); n.page = 1; }), 'results-title');
  });
  $('sort').addEventListener('change', () => {
    go(withChanges(state, (n) => { n.sort = $('sort').value; n.page = 1; }));
  });
  $('dates').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const a = $('date-from').value, b = $('date-to').value;
    go(withChanges(state, (n) => {
      n.filters.date = a || b ? [`${a}..${b}`] : [];
      n.page = 1;
    }), 'results-title');
  });
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('home').addEventListener('click', (ev) => {
    ev.preventDefault();
    go(stateFromUrl(''), 'q');
  });
  window.addEventListener('popstate', () => {
    state = stateFromUrl(location.search);
    render();
  });
  loadWhoami().then(() => {
    if (whoami && whoami.login_required && !whoami.user) showLogin();
    else render();
  });
}

document.addEventListener('DOMContentLoaded', init);
