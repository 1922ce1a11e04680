/* 站内搜索: reads the index the build writes under search/ (pipeline/site/search/), plain ES2017.
   Index files are scripts calling hongwangSearch(name, data): browsers load scripts from file://,
   where they refuse fetch. Normalisation, terms and ranking match pipeline/site/search/ exactly. */
(function () {
  "use strict";
  var SPACES = /[\u0000\t\n\u000b\f\r\u001c-\u001f \u0085\u1680\u2028\u2029]+/;
  var IGNORABLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|\ud82f[\udca0-\udca3]|\ud834[\udd73-\udd7a]|\udb40[\udc00-\udfff]|\udb43[\udc00-\udfff]/;
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = {};
  for (var i = 0; i < 64; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;
  var PAGE = 20, AFTER = 100, memo = new Map();

  /* ------------------------------------------------ normalising and terms (text.py, terms.py) */

  function normaliseChar(c) {
    var m = memo.get(c);
    if (m === undefined) {
      m = IGNORABLE.test(c) ? "" : c.normalize("NFKC").toLowerCase();
      memo.set(c, m);
    }
    return m;
  }
  // The normalised text and, for every code unit of it, the code-unit offset of the source character.
  function mapped(text) {
    text = text.normalize("NFC");
    var out = "", from = [], at = 0;
    for (var c of text) {
      var m = normaliseChar(c);
      out += m;
      for (var k = 0; k < m.length; k++) from.push(at);
      at += c.length;
    }
    from.push(at);
    return {text: out, from: from};
  }
  function normalise(text) { return mapped(text).text; }
  function words(query) {
    var seen = [];
    normalise(query).split(SPACES).forEach(function (w) { if (w && seen.indexOf(w) < 0) seen.push(w); });
    return seen;
  }
  function grams(word) {
    var cs = Array.from(word);
    if (cs.length <= 3) return [word];
    var out = [];
    for (var i = 0; i + 3 <= cs.length; i++) {
      var g = cs.slice(i, i + 3).join("");
      if (out.indexOf(g) < 0) out.push(g);
    }
    return out;
  }
  function mix(units, seed) {
    var h = seed >>> 0;
    units.forEach(function (u) { h = Math.imul(h ^ u, 0x01000193) >>> 0; });
    h = (h ^ units.length) >>> 0;
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35) >>> 0;
    return (h ^ (h >>> 16)) >>> 0;
  }
  function filing(term, shards) {
    var units = Array.from(term).map(function (c) { return c.codePointAt(0); });
    var first = mix(units, 0x811c9dc5), second = mix(units, 0x050c5d1f);
    return {shard: first >>> (32 - Math.log2(shards)), key: second * 64 + (first & 63)};
  }

  /* ------------------------------------------------ loading index files */

  var script = document.currentScript, root = new URL(script.getAttribute("data-root") || "./", location.href).href;
  var waiting = {}, cache = {}, version = "";
  window.hongwangSearch = function (name, data) {
    if (waiting[name]) { waiting[name].resolve(data); delete waiting[name]; }
  };
  function load(name) {
    if (cache[name]) return cache[name];
    cache[name] = new Promise(function (resolve, reject) {
      waiting[name] = {resolve: resolve};
      var tag = document.createElement("script");
      tag.src = root + "search/" + name + ".js" + (version ? "?v=" + version : "");
      tag.onerror = function () { delete cache[name]; reject(new Error(name)); };
      tag.onload = function () { tag.remove(); };
      document.head.appendChild(tag);
    });
    return cache[name];
  }

  /* ------------------------------------------------ reading a shard (codec.py) */

  function Reader(text, at) { this.t = text; this.i = at || 0; }
  Reader.prototype.number = function () {
    var value = 0, scale = 1, d;
    do { d = DIGIT[this.t.charCodeAt(this.i++)]; value += (d & 31) * scale; scale *= 32; } while (d & 32);
    return value;
  };
  function postings(shard, key, slots) {
    var parts = shard.split("."), keys = new Reader(parts[0]), counts = new Reader(parts[1]);
    var docs = new Reader(parts[2]), width = Math.ceil(slots / 6), k = 0, offset = 0;
    while (keys.i < parts[0].length) {
      k += keys.number();
      var code = counts.number(), count = Math.floor(code / 2), dense = code % 2, list = [];
      if (dense) {
        for (var c = 0; c < width && (k === key); c++) {
          var bits = DIGIT[parts[2].charCodeAt(docs.i + c)];
          for (var b = 0; b < 6; b++) if (bits & (1 << b)) list.push(c * 6 + b);
        }
        docs.i += width;
      } else {
        for (var n = 0, id = 0; n < count; n++) { id = n ? id + docs.number() : docs.number(); if (k === key) list.push(id); }
      }
      if (k === key) {
        var found = new Map();
        list.forEach(function (id, j) { found.set(id, DIGIT[parts[3].charCodeAt(offset + j)]); });
        return found;
      }
      if (k > key) break;
      offset += count;
    }
    return new Map();
  }
  function lookup(index, term) {
    var f = filing(term, index.shards), name = "s/" + (f.shard >> 8) + "/" + f.shard;
    return load(name).then(function (shard) { return postings(shard, f.key, index.slots); });
  }

  /* ------------------------------------------------ answering (query.py) */

  function unpack(v) { return [(v >> 4) & 1, (v >> 5) & 1, (v & 15) + 1]; }
  function candidates(index, ws) {
    return Promise.all(ws.map(function (w) {
      return Promise.all(grams(w).map(function (g) { return lookup(index, g); })).then(function (lists) {
        var merged = null;
        lists.forEach(function (list) {
          var next = new Map();
          list.forEach(function (v, slot) {
            var u = unpack(v);
            if (merged === null) next.set(slot, u);
            else if (merged.has(slot)) {
              var m = merged.get(slot);
              next.set(slot, [Math.min(m[0], u[0]), Math.min(m[1], u[1]), Math.min(m[2], u[2])]);
            }
          });
          merged = next;
        });
        return merged;
      });
    })).then(function (perWord) {
      var hits = [];
      perWord[0].forEach(function (first, slot) {
        var sum = [0, 0, 0];
        for (var w = 0; w < perWord.length; w++) {
          var v = perWord[w].get(slot);
          if (!v) return;
          sum = [sum[0] + v[0], sum[1] + v[1], sum[2] + v[2]];
        }
        hits.push({slot: slot, title: sum[0], summary: sum[1], count: sum[2], day: index.day(slot)});
      });
      return hits;
    });
  }
  function byRank(a, b) {
    return b.title - a.title || b.summary - a.summary || b.count - a.count || b.day - a.day || a.slot - b.slot;
  }
  function byDate(a, b) { return b.day - a.day || byRank(a, b); }
  function searched(card) { return [card[1], card[6], card[3], card[7]].map(normalise).join("\n"); }
  // A card holds the start of a long text (card[8] === 1); the rest is loaded when needed (query.needs_rest).
  function needsRest(card, ws) {
    var held = searched(card), titleOrg = normalise(card[1]) + "\n" + normalise(card[3]);
    if (!ws.every(function (w) { return held.indexOf(w) >= 0; })) return true;
    if (firstHit(card[6], ws) >= 0 || ws.every(function (w) { return titleOrg.indexOf(w) >= 0; })) return false;
    return Array.from(card[7].slice(0, firstHit(card[7], ws))).length + AFTER >= Array.from(card[7]).length;
  }
  function withText(slot, ws) {
    return load("d/" + (slot >> 8) + "/" + slot).then(function (card) {
      if (card.length < 9 || !needsRest(card, ws)) return card.slice(0, 8);
      return load("t/" + (slot >> 8) + "/" + slot).then(function (rest) { return card.slice(0, 7).concat([card[7] + rest]); });
    });
  }

  function decodeIndex(meta) {
    var cols = meta.columns, n = meta.slots;
    function num(at, width) { var v = 0; for (var i = 0; i < width; i++) v = v * 64 + DIGIT[cols.charCodeAt(at + i)]; return v; }
    meta.kind = function (s) { return num(s, 1); };
    meta.org = function (s) { return num(n + 2 * s, 2); };
    meta.section = function (s) { return num(3 * n + s, 1); };
    meta.day = function (s) { return num(4 * n + 3 * s, 3); };
    meta.year = function (s) { var d = meta.day(s); return d ? new Date(d * 864e5).getUTCFullYear() : 0; };
    return meta;
  }

  /* ------------------------------------------------ the page */

  var $ = function (id) { return document.getElementById(id); };
  var app = $("search-app"), status = $("search-status"), list = $("search-results"), more = $("search-more");
  var groups = [["kind", "类型"], ["org", "单位"], ["section", "栏目"], ["year", "年份"]];
  var state = {q: "", sort: "rank", filters: {}}, index = null, hits = [], shown = 0, checked = [], checking = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function label(group, value) {
    if (group === "kind") return index.kinds[value];
    if (group === "org") return index.orgs[value - 1];
    if (group === "section") return index.sections[value - 1];
    return value + "年";
  }
  function passes(hit, except) {
    return groups.every(function (g) {
      var want = state.filters[g[0]];
      return g[0] === except || want === undefined || index[g[0]](hit.slot) === want;
    });
  }
  function marked(text, ws, start, end) {
    var m = mapped(text), spans = [], frag = document.createDocumentFragment();
    ws.forEach(function (w) {
      for (var at = m.text.indexOf(w); at >= 0; at = m.text.indexOf(w, at + 1)) spans.push([m.from[at], m.from[at + w.length]]);
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var cursor = start;
    spans.forEach(function (s) {
      if (s[0] < cursor || s[1] > end) return;
      frag.appendChild(document.createTextNode(text.slice(cursor, s[0])));
      frag.appendChild(el("mark", "", text.slice(s[0], s[1])));
      cursor = s[1];
    });
    frag.appendChild(document.createTextNode(text.slice(cursor, end)));
    return frag;
  }
  function firstHit(text, ws) {
    var m = mapped(text), first = -1;
    ws.forEach(function (w) { var at = m.text.indexOf(w); if (at >= 0 && (first < 0 || at < first)) first = at; });
    return first < 0 ? -1 : m.from[first];
  }
  // The summary around its first hit; else, when the title and org hold every word, the start of the
  // summary (or text); else the text around its first hit.
  function excerpt(card, ws) {
    var titleOrg = normalise(card[1]) + "\n" + normalise(card[3]), text = card[6];
    if (firstHit(text, ws) < 0) text = ws.every(function (w) { return titleOrg.indexOf(w) >= 0; }) ? card[6] || card[7] : card[7];
    var hit = Math.max(0, firstHit(text, ws));
    var chars = Array.from(text), offsets = [0];
    chars.forEach(function (c, i) { offsets.push(offsets[i] + c.length); });
    var around = 0;
    while (offsets[around + 1] <= hit && around < chars.length) around++;
    var from = Math.max(0, around - 40), to = Math.min(chars.length, around + AFTER);
    var p = el("p", "search-excerpt");
    if (from > 0) p.appendChild(document.createTextNode("……"));
    p.appendChild(marked(text, ws, offsets[from], offsets[to]));
    if (to < chars.length) p.appendChild(document.createTextNode("……"));
    return p;
  }
  function result(card, ws) {
    var li = el("li", "search-result"), h = el("h2"), a = el("a");
    a.href = root + card[0];
    a.appendChild(marked(card[1], ws, 0, card[1].length));
    h.appendChild(a);
    li.appendChild(h);
    var meta = [card[4], card[5], card[3], card[2]].filter(function (x, i, all) { return x && all.indexOf(x) === i; });
    li.appendChild(el("p", "search-meta", meta.join(" · ")));
    li.appendChild(excerpt(card, ws));
    return li;
  }

  function render() {
    var ws = words(state.q), visible = hits.filter(function (h) { return passes(h); }).sort(state.sort === "date" ? byDate : byRank);
    list.textContent = "";
    checked = [];
    shown = 0;
    renderFilters();
    var exact = ws.every(function (w) { return Array.from(w).length <= 3; });
    $("search-browse").hidden = visible.length > 0;
    if (!visible.length) {
      status.textContent = "没有找到包含“" + state.q + "”的内容。可以换一个词，或按单位、栏目浏览：";
      more.hidden = true;
      return;
    }
    status.textContent = (exact ? "找到 " : "约 ") + visible.length + " 条包含“" + ws.join("”“") + "”的结果" + (exact ? "。" : "（长词逐条核对后显示）。");
    showMore(visible, ws);
  }
  function showMore(visible, ws) {
    var run = ++checking, target = checked.length + PAGE;
    more.hidden = true;
    (function batch() {
      if (run !== checking) return;
      if (checked.length >= target || shown >= visible.length) {
        more.hidden = shown >= visible.length;
        if (more.hidden) status.textContent = "找到 " + checked.length + " 条包含“" + ws.join("”“") + "”的结果。";
        more.onclick = function () { showMore(visible, ws); };
        return;
      }
      var next = visible.slice(shown, shown + target - checked.length);
      shown += next.length;
      Promise.all(next.map(function (hit) {
        return withText(hit.slot, ws).catch(function () { return null; });
      })).then(function (cards) {
        if (run !== checking) return;
        cards.forEach(function (card, i) {
          if (!card) return;
          var text = searched(card);
          if (ws.every(function (w) { return text.indexOf(w) >= 0; })) { checked.push(next[i]); list.appendChild(result(card, ws)); }
        });
        batch();
      });
    })();
  }
  function renderFilters() {
    var box = $("search-filters");
    box.textContent = "";
    groups.forEach(function (g) {
      var counts = new Map();
      hits.forEach(function (h) {
        if (!passes(h, g[0])) return;
        var v = index[g[0]](h.slot);
        if (g[0] !== "kind" && !v) return;
        counts.set(v, (counts.get(v) || 0) + 1);
      });
      if (!counts.size) return;
      var set = el("fieldset", "search-facet"), order = Array.from(counts.keys());
      set.appendChild(el("legend", "", g[1]));
      order.sort(g[0] === "year" ? function (a, b) { return b - a; } : function (a, b) { return counts.get(b) - counts.get(a) || a - b; });
      order.forEach(function (v) {
        var b = el("button", "", label(g[0], v) + "（" + counts.get(v) + "）");
        b.type = "button";
        b.setAttribute("aria-pressed", String(state.filters[g[0]] === v));
        b.onclick = function () {
          if (state.filters[g[0]] === v) delete state.filters[g[0]]; else state.filters[g[0]] = v;
          remember();
          render();
        };
        set.appendChild(b);
      });
      box.appendChild(set);
    });
  }
  function remember() {
    var p = new URLSearchParams();
    p.set("q", state.q);
    if (state.sort === "date") p.set("sort", "date");
    try { history.replaceState(null, "", "?" + p.toString()); } catch (e) { /* some file:// pages */ }
  }
  function sortButtons() {
    ["rank", "date"].forEach(function (s) {
      var b = $("search-sort-" + s);
      b.setAttribute("aria-pressed", String(state.sort === s));
      b.onclick = function () { state.sort = s; sortButtons(); remember(); render(); };
    });
  }
  function run(query) {
    state.q = query.trim();
    state.filters = {};
    var ws = words(state.q);
    if (!ws.length) return;
    app.hidden = false;
    status.textContent = "正在搜索……";
    load("index").then(function (meta) {
      index = decodeIndex(meta);
      version = meta.version;
      return candidates(index, ws);
    }).then(function (found) { hits = found; render(); }, function () {
      status.textContent = "搜索索引文件缺失或无法读取，请联系网站维护人员重新生成网站。可以按单位、栏目浏览：";
      $("search-browse").hidden = false;
    });
  }

  window.hongwangSearchTest = {normalise: normalise, words: words, grams: grams, filing: filing};
  if (!app) return;
  var params = new URLSearchParams(location.search), box = $("search-q");
  state.sort = params.get("sort") === "date" ? "date" : "rank";
  sortButtons();
  if (params.get("q")) { box.value = params.get("q"); run(params.get("q")); }
  $("search-form").addEventListener("submit", function (e) { e.preventDefault(); run(box.value); remember(); });
})();
