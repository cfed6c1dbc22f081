// Precis playground: plain JavaScript, no build step, no network beyond this service.
// Sends POST /v1/compress with explain: true and shows the output, the original with every unit marked by its
// reason, per-document decisions, usage and stage timings.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);

  /**
   * The unit reasons of the API (README, POST /v1/compress, units[].reason) mapped to the legend's classes.
   * kept in full: refined, forced; kept as summary: summary; kept in part: cut; dropped: dropped-budget,
   * dropped-document.
   */
  const REASON_CLASS = {
    'refined': 'k-kept',
    'forced': 'k-forced',
    'summary': 'k-summary',
    'heading': 'k-kept',
    'structure': 'k-kept',
    'cut': 'k-cut',
    'dropped-budget': 'k-dropped',
    'dropped-duplicate': 'k-dropped',
    'dropped-document': 'k-dropped-doc',
  };
  const REASON_TEXT = {
    'refined': 'kept: refinement spent budget on it',
    'forced': 'kept: it contains a keep string',
    'summary': "kept as its document's coarse summary (the document's best unit)",
    'heading': "kept: the heading of a kept sentence's section",
    'structure': "kept: a kept unit needs it (a table's header row, the identifying member of a kept member's record)",
    'cut': 'kept in part: nothing fit whole, so its head was cut at a token boundary',
    'dropped-budget': 'dropped: no budget left for it',
    'dropped-duplicate': 'dropped: the same text is kept elsewhere',
    'dropped-document': 'dropped with its whole document',
  };
  const STAGES = [['segmentMs', 'segment'], ['rankMs', 'rank'], ['summariseMs', 'summarise'],
    ['refineMs', 'refine'], ['renderMs', 'render'], ['totalMs', 'total (server)']];
  const SLIDER_STEPS = 1000;
  const MAX_RATIO = 100;
  const LIVE_DELAY_BUDGET_MS = 250;
  const LIVE_DELAY_TEXT_MS = 700;

  const EXAMPLE = {
    query: 'Which elements did Marie Curie discover?',
    documents: [
      {title: 'Ada Lovelace', text: "Ada Lovelace was an English mathematician and writer, chiefly known for her work on Charles Babbage's proposed mechanical general-purpose computer, the Analytical Engine. She was the first to recognise that the machine had applications beyond pure calculation. In 1843 she published what is often regarded as the first algorithm intended to be carried out by such a machine."},
      {title: 'Marie Curie', text: 'Marie Curie was a Polish and naturalised-French physicist and chemist who conducted pioneering research on radioactivity. She was the first woman to win a Nobel Prize and the only person to win Nobel Prizes in two scientific fields. She shared the 1903 Nobel Prize in Physics with her husband Pierre Curie and with Henri Becquerel. In 1911 she won the Nobel Prize in Chemistry for her discovery of the elements polonium and radium. During the First World War she developed mobile radiography units to provide X-ray services to field hospitals.'},
      {title: 'Alan Turing', text: 'Alan Turing was an English mathematician, computer scientist and logician. He formalised the concepts of algorithm and computation with the Turing machine, a model of a general-purpose computer. During the Second World War he worked at Bletchley Park, where he devised techniques for breaking German ciphers. After the war he designed the Automatic Computing Engine, one of the first designs for a stored-program computer.'},
      {title: 'Rosalind Franklin', text: 'Rosalind Franklin was an English chemist and X-ray crystallographer. Her work was central to the understanding of the molecular structures of DNA, RNA, viruses, coal and graphite. Photo 51, an X-ray diffraction image taken in her laboratory in 1952, was key evidence for the double helix. She later led pioneering work on the structure of the tobacco mosaic virus at Birkbeck College in London.'},
    ],
  };

  /** Structured examples, sent as one pasted text: the format is detected (JSON, a log). */
  const STRUCTURED_EXAMPLES = {
    json: {
      query: 'What is the e-mail address of the customer of order A-1043?',
      budget: 120,
      text: (() => {
        const names = ['Ann Lee', 'Bob Stone', 'Chen Wu', 'Dana Ruiz', 'Eli Noor', 'Fay Moss', 'Gus Hale', 'Hana Ito'];
        const orders = names.map((name, i) => ({
          id: 'A-' + (1038 + i),
          status: i === 6 ? 'failed' : 'shipped',
          total: Math.round((19.5 + i * 13.25) * 100) / 100,
          currency: 'EUR',
          customer: {name, email: name.toLowerCase().replace(' ', '.') + '@example.org', country: ['NO', 'PE', 'AU', 'EC'][i % 4]},
          items: [{sku: 'SKU-' + (4400 + i * 7), qty: 1 + (i % 3)}, {sku: 'SKU-' + (5100 + i * 3), qty: 1}],
          ...(i === 6 ? {error: {code: 'card_declined', message: 'The card was declined by the issuer.'}} : {}),
        }));
        return JSON.stringify({object: 'list', has_more: false, data: orders}, null, 2);
      })(),
    },
    log: {
      query: 'Why did the build fail?',
      budget: 150,
      text: (() => {
        const lines = ['[INFO] Scanning for projects...', '[INFO] Building shop-service 2.4.1', '[INFO] --- compiler:3.13.0:compile (default-compile) @ shop-service ---'];
        for (let i = 0; i < 40; i++) lines.push('[INFO] Downloaded from central: repo.maven.apache.org/maven2/org/example/lib' + i + '/1.' + i + '.0/lib' + i + '-1.' + i + '.0.jar (' + (12 + i * 7) + ' kB at ' + (400 + i * 3) + ' kB/s)');
        for (let i = 0; i < 30; i++) lines.push('[INFO] Tests run: ' + (3 + i % 5) + ', Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.' + (10 + i) + ' s -- in shop.Test' + i);
        lines.push('[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.412 s <<< FAILURE! -- in shop.CheckoutTest');
        lines.push('[ERROR] shop.CheckoutTest.refundsAFailedPayment -- Time elapsed: 0.051 s <<< FAILURE!');
        lines.push('org.opentest4j.AssertionFailedError: refund total expected: <49.90> but was: <0.00>');
        for (let i = 0; i < 12; i++) lines.push('\tat shop.Checkout' + (i % 3) + '.step' + i + '(Checkout.java:' + (40 + i) + ')');
        for (let i = 0; i < 20; i++) lines.push('[INFO] Tests run: 2, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.0' + (10 + i) + ' s -- in shop.Later' + i);
        lines.push('[INFO] BUILD FAILURE', '[INFO] Total time:  41.337 s');
        return lines.join('\n');
      })(),
    },
  };

  const state = {
    inputTokens: null,      // from the last response: sets the token slider's range
    controller: null,       // AbortController of the request in flight
    sequence: 0,            // the latest request's number: older responses are ignored
    timer: 0,
    sent: null,             // the documents (title, text) of the request shown in the results
    units: [],
    selected: -1,
  };

  // ---- documents mode ----------------------------------------------------------------------------------------

  function addDocument(title, text, focus) {
    const list = $('documents');
    const li = document.createElement('li');
    li.className = 'document';
    const n = list.children.length + 1;
    li.innerHTML = '<div class="row"><label class="grow">Title <input type="text" class="doc-title" autocomplete="off"></label>'
      + '<button type="button" class="remove">Remove</button></div>'
      + '<label class="doc-text-label">Text <textarea class="doc-text" rows="3" spellcheck="false"></textarea></label>';
    li.querySelector('.doc-title').value = title || '';
    li.querySelector('.doc-text').value = text || '';
    li.querySelector('.remove').addEventListener('click', () => {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      renumberDocuments();
      if (next) next.querySelector('.remove').focus(); else $('add-document').focus();
      scheduleLive(LIVE_DELAY_TEXT_MS);
    });
    list.appendChild(li);
    renumberDocuments();
    if (focus) li.querySelector('.doc-text').focus();
    return li;
  }

  function renumberDocuments() {
    Array.from($('documents').children).forEach((li, i) => {
      li.querySelector('.remove').setAttribute('aria-label', 'Remove document ' + (i + 1));
      li.querySelector('.doc-title').setAttribute('aria-label', 'Title of document ' + (i + 1));
      li.querySelector('.doc-text').setAttribute('aria-label', 'Text of document ' + (i + 1));
    });
  }

  function documentsFromForm() {
    return Array.from($('documents').children).map((li) => ({
      title: li.querySelector('.doc-title').value.trim(),
      text: li.querySelector('.doc-text').value,
    }));
  }

  // ---- retrieval from a stored collection ---------------------------------------------------------------------

  /** Lists the service's collections; the retrieval row shows only when there is one. */
  async function loadCollections() {
    try {
      const r = await fetch('v1/collections');
      if (!r.ok) return;
      const names = (await r.json()).collections.filter((c) => c.documents > 0);
      const select = $('collection');
      select.innerHTML = '';
      names.forEach((c) => {
        const o = document.createElement('option');
        o.value = c.name;
        o.textContent = c.name + ' (' + c.documents.toLocaleString('en') + ' documents)';
        select.appendChild(o);
      });
      $('retrieve').hidden = names.length === 0;
    } catch (e) {
      $('retrieve').hidden = true;
    }
  }

  /** Retrieves the question's best documents (BM25 and vectors, fused) into the documents list, then compresses. */
  async function retrieve() {
    const query = $('query').value.trim();
    const status = $('retrieve-status');
    if (!query) {
      status.textContent = 'Write a question first: it is what the collection is searched for.';
      $('query').focus();
      return;
    }
    const name = $('collection').value;
    const k = Math.max(1, Math.min(100, parseInt($('retrieve-k').value, 10) || 10));
    status.textContent = 'Retrieving…';
    try {
      const r = await fetch('v1/collections/' + encodeURIComponent(name) + '/search', {
        method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({query: query, k: k}),
      });
      const body = await r.json();
      if (!r.ok) {
        status.textContent = body.detail || ('The search failed (' + r.status + ').');
        return;
      }
      $('documents').innerHTML = '';
      body.documents.forEach((d) => addDocument(d.title || d.id, d.text, false));
      status.textContent = 'Retrieved ' + body.documents.length + ' from ' + name + ': '
        + body.documents.map((d, i) => (i + 1) + '. ' + d.id + ' (BM25 #' + (d.bm25Rank || '–') + ', vectors #'
          + (d.vectorRank || '–') + ')').join('; ')
        + (body.warming > 0 ? '. ' + body.warming + ' document' + (body.warming === 1 ? ' is' : 's are')
          + ' still being embedded: vector search finds them once that is done, BM25 already does.' : '');
      scheduleLive(0);
    } catch (e) {
      status.textContent = 'The search failed: ' + e.message;
    }
  }

  function mode() {
    return document.querySelector('input[name="mode"]:checked').value;
  }

  function setMode(m) {
    document.querySelector('input[name="mode"][value="' + m + '"]').checked = true;
    $('context-pane').hidden = m !== 'context';
    $('documents-pane').hidden = m !== 'documents';
    if (m === 'documents' && $('documents').children.length === 0) addDocument('', '', false);
  }

  /** Switching modes carries the text over when the other side is still empty, so nothing pasted is lost. */
  function carryOver(m) {
    const docs = documentsFromForm();
    const docsEmpty = docs.every((d) => !d.text.trim() && !d.title);
    if (m === 'documents' && docsEmpty && $('context').value.trim()) {
      $('documents').innerHTML = '';
      addDocument('', $('context').value, false);
    } else if (m === 'context' && !$('context').value.trim() && !docsEmpty) {
      $('context').value = docs.filter((d) => d.text.trim()).map((d) => d.text).join('\n\n');
      updateContextCount();
    }
  }

  async function addFiles(files) {
    const accepted = Array.from(files).filter((f) => /\.(txt|md|markdown)$/i.test(f.name)
      || f.type === 'text/plain' || f.type === 'text/markdown');
    const refused = Array.from(files).filter((f) => !accepted.includes(f)).map((f) => f.name);
    if (refused.length) showNotice('Not a .txt or .md file, left out: ' + refused.join(', '));
    if (!accepted.length) return;
    const texts = await Promise.all(accepted.map((f) => f.text()));
    if (mode() === 'context') {
      const area = $('context');
      area.value = [area.value, ...texts].filter((t) => t.trim() !== '').join('\n\n');
      updateContextCount();
    } else {
      const list = $('documents');
      // An empty first document is replaced rather than kept as an empty one.
      if (list.children.length === 1 && !documentsFromForm()[0].text.trim() && !documentsFromForm()[0].title) {
        list.innerHTML = '';
      }
      accepted.forEach((f, i) => addDocument(f.name.replace(/\.(txt|md|markdown)$/i, ''), texts[i], false));
    }
    scheduleLive(0);
  }

  function updateContextCount() {
    const n = $('context').value.length;
    $('context-count').textContent = n ? n.toLocaleString('en') + ' characters' : '';
  }

  // ---- budget -------------------------------------------------------------------------------------------------

  function budgetKind() {
    return document.querySelector('input[name="budget-kind"]:checked').value;
  }

  /** The largest token budget the slider offers: the input's tokens when known, else an estimate. */
  function maxTokens() {
    if (state.inputTokens) return Math.max(1, state.inputTokens);
    const chars = mode() === 'context' ? $('context').value.length
      : documentsFromForm().reduce((n, d) => n + d.text.length + d.title.length, 0);
    return Math.max(16, Math.ceil(chars / 3));
  }

  /** Slider positions are logarithmic, so small budgets of large inputs can be picked as well as large ones. */
  function sliderToValue(position) {
    const top = budgetKind() === 'tokens' ? maxTokens() : MAX_RATIO;
    const v = Math.exp(Math.log(top) * position / SLIDER_STEPS);
    return budgetKind() === 'tokens' ? Math.max(1, Math.round(v)) : Math.round(v * 10) / 10;
  }

  function valueToSlider(value) {
    const top = budgetKind() === 'tokens' ? maxTokens() : MAX_RATIO;
    if (!(value >= 1) || top <= 1) return 0;
    return Math.min(SLIDER_STEPS, Math.round(SLIDER_STEPS * Math.log(value) / Math.log(top)));
  }

  function syncSlider() {
    $('budget-slider').value = String(valueToSlider(Number($('budget-value').value)));
    describeBudget();
  }

  function describeBudget() {
    const v = $('budget-value').value;
    const tokens = budgetKind() === 'tokens';
    $('budget-value').setAttribute('aria-label', tokens ? 'Budget in tokens' : 'Compression ratio');
    $('budget-slider').setAttribute('aria-label', tokens ? 'Budget in tokens (logarithmic)' : 'Compression ratio (logarithmic)');
    $('budget-slider').setAttribute('aria-valuetext', tokens ? v + ' tokens' : 'ratio ' + v);
    $('budget-value').step = tokens ? '1' : '0.1';
    let text = tokens ? 'At most ' + v + ' tokens' : 'At most input tokens / ' + v;
    if (state.inputTokens) {
      text += tokens ? ' of ' + state.inputTokens + ' input tokens.'
        : ' = ' + Math.floor(state.inputTokens / Number(v)) + ' of ' + state.inputTokens + ' tokens.';
    } else text += '.';
    $('budget-explain').textContent = text;
  }

  function switchBudgetKind() {
    const kind = budgetKind();
    const old = Number($('budget-value').value);
    let v;
    if (state.inputTokens && old > 0) {
      v = kind === 'tokens' ? Math.max(1, Math.floor(state.inputTokens / old))
        : Math.max(1, Math.round(state.inputTokens / old * 10) / 10);
    } else v = kind === 'tokens' ? Math.max(1, Math.floor(maxTokens() / 4)) : 4;
    $('budget-value').value = String(v);
    $('budget-value').min = '1';
    syncSlider();
  }

  function budgetBody() {
    const raw = $('budget-value').value.trim();
    const v = raw === '' ? NaN : Number(raw);
    // Sent as typed: the service judges it and its problem detail says what is wrong.
    return budgetKind() === 'tokens' ? {maxTokens: Number.isFinite(v) ? v : null} : {ratio: Number.isFinite(v) ? v : null};
  }

  // ---- request ------------------------------------------------------------------------------------------------

  function requestBody() {
    const body = {};
    const q = $('query').value.trim();
    if (q) body.query = q;
    let sent;
    if (mode() === 'context') {
      body.context = $('context').value;
      sent = [{title: '', text: body.context}];
    } else {
      sent = documentsFromForm();
      body.documents = sent.map((d) => (d.title ? {title: d.title, text: d.text} : {text: d.text}));
    }
    body.budget = budgetBody();
    const [kind, name] = $('encoding').value.split(':');
    body[kind] = name;
    body.effort = $('effort').value;
    body.order = $('order').value;
    body.elisionMarker = $('marker').value;
    const keep = $('keep').value.split('\n').map((s) => s.trim()).filter((s) => s);
    if (keep.length) body.keep = keep;
    body.explain = true;
    return {body, sent};
  }

  function hasText() {
    return mode() === 'context' ? $('context').value.trim() !== ''
      : documentsFromForm().some((d) => d.text.trim() !== '');
  }

  function scheduleLive(delay) {
    clearTimeout(state.timer);
    if (!$('live').checked || !hasText()) return;
    state.timer = setTimeout(compress, delay);
  }

  async function compress() {
    clearTimeout(state.timer);
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    const sequence = ++state.sequence;
    const {body, sent} = requestBody();
    const started = performance.now();
    setBusy(true, 'Compressing…');
    let response, payload;
    try {
      response = await fetch('v1/compress', {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'Accept': 'application/json, application/problem+json'},
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const type = response.headers.get('Content-Type') || '';
      payload = type.includes('json') ? await response.json() : await response.text();
    } catch (e) {
      if (e.name === 'AbortError' || sequence !== state.sequence) return;
      setBusy(false, '');
      showError({title: 'The service could not be reached', detail: String(e.message || e)});
      return;
    }
    if (sequence !== state.sequence) return; // a newer request was sent meanwhile
    state.controller = null;
    const received = performance.now();
    if (!response.ok) {
      setBusy(false, '');
      if (payload && typeof payload === 'object') showError(payload, response.status);
      else showError({title: response.statusText || 'Error', detail: String(payload || '').slice(0, 500)}, response.status);
      return;
    }
    hideError();
    render(payload, sent);
    // Painted: after the browser has laid out and drawn the new content (two animation frames).
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (sequence !== state.sequence) return;
      const painted = performance.now();
      const results = $('results');
      results.dataset.roundTripMs = (received - started).toFixed(1);
      results.dataset.paintedMs = (painted - started).toFixed(1);
      results.dataset.sequence = String(sequence);
      setBusy(false, 'Compressed ' + payload.usage.inputTokens.toLocaleString('en') + ' → '
        + payload.usage.outputTokens.toLocaleString('en') + (payload.usage.outputTokens === 1 ? ' token' : ' tokens') + ': server ' + fmtMs(payload.timings.totalMs)
        + ', round trip ' + fmtMs(received - started) + ', painted after ' + fmtMs(painted - started) + '.');
    }));
  }

  function setBusy(busy, text) {
    $('status').textContent = text;
    $('results').setAttribute('aria-busy', busy ? 'true' : 'false');
    $('results').classList.toggle('stale', busy);
    $('summary').classList.toggle('stale', busy);
  }

  function showError(problem, status) {
    $('error-title').textContent = problem.title || 'Error';
    $('error-status').textContent = status ? '(HTTP ' + status + ')' : '';
    $('error-detail').textContent = problem.detail || '';
    $('error').hidden = false;
    $('results').classList.add('stale');
    $('summary').classList.add('stale');
  }

  function showNotice(text) {
    showError({title: 'Files', detail: text});
  }

  function hideError() {
    $('error').hidden = true;
  }

  // ---- results ------------------------------------------------------------------------------------------------

  function fmtMs(ms) {
    return ms >= 100 ? Math.round(ms) + ' ms' : ms.toFixed(ms >= 10 ? 1 : 2) + ' ms';
  }

  function fmtScore(v) {
    return v === null || v === undefined ? '' : Number(v).toFixed(4);
  }

  const ESCAPES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'};
  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, (c) => ESCAPES[c]);
  }

  function render(r, sent) {
    state.sent = sent;
    state.units = r.units || [];
    state.selected = -1;
    const usage = r.usage;
    const inputChanged = state.inputTokens !== usage.inputTokens;
    state.inputTokens = usage.inputTokens;
    if (inputChanged && budgetKind() === 'tokens') syncSlider(); else describeBudget();

    // Meter: output tokens against the budget.
    const share = usage.maxTokens > 0 ? Math.min(1, usage.outputTokens / usage.maxTokens) : 0;
    $('meter-fill').style.width = (share * 100).toFixed(2) + '%';
    const meter = $('meter');
    meter.setAttribute('aria-valuemax', String(usage.maxTokens));
    meter.setAttribute('aria-valuenow', String(usage.outputTokens));
    meter.setAttribute('aria-valuetext', usage.outputTokens + ' of ' + usage.maxTokens + ' tokens');
    $('meter-label').textContent = usage.outputTokens.toLocaleString('en') + ' / '
      + usage.maxTokens.toLocaleString('en') + ' tokens (' + r.encoding + ')';
    $('usage').textContent = 'from ' + usage.inputTokens.toLocaleString('en') + ' input tokens: ratio '
      + usage.ratio + '×, ' + usage.savedTokens.toLocaleString('en') + ' tokens saved';

    // Timings.
    const tbody = $('timings').tBodies[0];
    const total = r.timings.totalMs || 1;
    tbody.innerHTML = STAGES.map(([key, name]) => {
      const ms = r.timings[key];
      const w = key === 'totalMs' ? 100 : Math.min(100, 100 * ms / total);
      return '<tr><th scope="row">' + name + '</th><td class="num">' + escapeHtml(fmtMs(ms)) + '</td>'
        + '<td class="bar-cell"><span class="bar" style="width:' + w.toFixed(1) + '%"></span></td></tr>';
    }).join('');

    $('output').textContent = r.text;
    $('copy-status').textContent = '';

    renderDocumentTable(r.documents, sent);
    renderOriginal(sent, state.units, r.documents);
    resetWhy();
    $('results').hidden = false;
    $('summary').hidden = false;
  }

  function documentName(sent, i) {
    if (sent.length === 1 && mode() === 'context' && !sent[0].title) return 'context';
    return sent[i] && sent[i].title ? sent[i].title : 'Document ' + (i + 1);
  }

  function renderDocumentTable(docs, sent) {
    const rows = docs.map((d) => '<tr data-doc="' + d.index + '">'
      + '<td class="num">' + (d.index + 1) + '</td>'
      + '<td><a href="#doc-' + d.index + '" data-doc-link="' + d.index + '">' + escapeHtml(documentName(sent, d.index)) + '</a></td>'
      + '<td><span class="decision d-' + d.decision + '">' + d.decision + '</span></td>'
      + '<td class="num">' + d.tokensBefore.toLocaleString('en') + '</td>'
      + '<td class="num">' + d.tokensAfter.toLocaleString('en') + '</td>'
      + '<td class="num">' + fmtScore(d.score) + '</td></tr>');
    $('doc-table').tBodies[0].innerHTML = rows.join('');
  }

  /** Units per chunk of a long document; a chunk off screen is neither laid out nor painted (content-visibility). */
  const CHUNK_UNITS = 150;

  /**
   * The original, every unit a span with its legend class, built as one HTML string per document in one pass
   * (one DOM insertion for the whole pane, no listener per span: events are delegated). A long document is cut into
   * chunks at line breaks, so the browser lays out only the chunks in view.
   */
  function renderOriginal(sent, units, docs) {
    const byDoc = sent.map(() => []);
    units.forEach((u, i) => { if (byDoc[u.document]) byDoc[u.document].push(i); });
    const parts = [];
    sent.forEach((d, di) => {
      const decision = docs[di] ? docs[di].decision : '';
      parts.push('<section class="orig-doc" id="doc-' + di + '" aria-label="' + escapeHtml(documentName(sent, di)) + '">');
      parts.push('<h4>' + escapeHtml(documentName(sent, di)) + ' <span class="decision d-' + decision + '">'
        + decision + '</span></h4><div class="orig-text"><div class="chunk">');
      const text = d.text;
      const list = byDoc[di];
      list.sort((a, b) => units[a].start - units[b].start);
      let at = 0;
      let inChunk = 0;
      for (const i of list) {
        const u = units[i];
        if (u.start > at) {
          let gap = text.slice(at, u.start);
          const newline = gap.indexOf('\n');
          if (inChunk >= CHUNK_UNITS && newline >= 0) {
            // The chunk's end is the line break: the gap loses that one newline.
            parts.push(escapeHtml(gap.slice(0, newline)) + '</div><div class="chunk">');
            gap = gap.slice(newline + 1);
            inChunk = 0;
          }
          parts.push(escapeHtml(gap));
        }
        const start = Math.max(u.start, at);
        parts.push('<span class="u ' + (REASON_CLASS[u.reason] || 'k-other') + '" data-u="' + i + '">'
          + escapeHtml(text.slice(start, u.end)) + '</span>');
        at = Math.max(at, u.end);
        inChunk++;
      }
      if (at < text.length) parts.push(escapeHtml(text.slice(at)));
      parts.push('</div></div></section>');
    });
    $('original').innerHTML = parts.join('');
  }

  function unitSpan(i) {
    return $('original').querySelector('span[data-u="' + i + '"]');
  }

  function resetWhy() {
    $('why-summary').textContent = 'Select a unit of the original to see its score and how it was made.';
    $('why-text').hidden = true;
    $('why-tree').innerHTML = '';
  }

  function select(i, scroll) {
    if (i < 0 || i >= state.units.length) return;
    const old = unitSpan(state.selected);
    if (old) old.classList.remove('selected');
    state.selected = i;
    const span = unitSpan(i);
    if (span) {
      span.classList.add('selected');
      if (scroll) span.scrollIntoView({block: 'nearest'});
    }
    const u = state.units[i];
    $('why-summary').textContent = documentName(state.sent, u.document) + ', characters ' + u.start + '–' + u.end
      + (u.locator ? ' (' + u.locator + ')' : '')
      + ': ' + REASON_TEXT[u.reason] + ' (reason "' + u.reason + '"); score ' + fmtScore(u.score) + '.'
      + (u.note ? ' ' + u.note + '.' : '');
    const text = state.sent[u.document] ? state.sent[u.document].text.slice(u.start, u.end) : '';
    $('why-text').textContent = text.length > 600 ? text.slice(0, 600) + '…' : text;
    $('why-text').hidden = false;
    $('why-tree').innerHTML = '';
    if (u.explanation) $('why-tree').appendChild(tree(u.explanation));
  }

  function tree(e) {
    const ul = document.createElement('ul');
    const li = document.createElement('li');
    const value = document.createElement('span');
    value.className = 'value';
    value.textContent = fmtScore(e.value);
    li.appendChild(value);
    li.appendChild(document.createTextNode(' ' + e.description));
    for (const d of e.details || []) li.appendChild(tree(d));
    ul.appendChild(li);
    return ul;
  }

  function showTip(span, x, y) {
    const u = state.units[Number(span.dataset.u)];
    const tip = $('tip');
    const parts = (u.explanation && u.explanation.details || [])
      .filter((d) => d.value !== 0)
      .map((d) => fmtScore(d.value) + ' ' + d.description.split(':')[0]);
    tip.textContent = u.reason + ' · score ' + fmtScore(u.score) + (parts.length ? '\n' + parts.join('\n') : '');
    tip.hidden = false;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.max(4, Math.min(window.innerWidth - w - 4, x + 12)) + 'px';
    tip.style.top = (y + 16 + h > window.innerHeight ? y - h - 8 : y + 16) + 'px';
  }

  // ---- encodings ----------------------------------------------------------------------------------------------

  async function loadEncodings() {
    try {
      const r = await fetch('v1/encodings');
      if (!r.ok) throw new Error('HTTP ' + r.status);
      const listing = await r.json();
      const select = $('encoding');
      select.innerHTML = '';
      const encodings = document.createElement('optgroup');
      encodings.label = 'Encodings';
      for (const e of listing.encodings) {
        const o = new Option(e + (e === listing.defaultEncoding ? ' (default)' : ''), 'encoding:' + e);
        o.selected = e === listing.defaultEncoding;
        encodings.appendChild(o);
      }
      select.appendChild(encodings);
      const models = document.createElement('optgroup');
      models.label = 'Models';
      for (const [family, encoding] of Object.entries(listing.models)) {
        models.appendChild(new Option(family + ' → ' + encoding, 'model:' + family));
      }
      select.appendChild(models);
    } catch (e) {
      showError({title: 'Could not list the encodings', detail: String(e.message || e) + '; cl100k_base is used.'});
    }
  }

  // ---- wiring -------------------------------------------------------------------------------------------------

  function wire() {
    $('form').addEventListener('submit', (e) => { e.preventDefault(); compress(); });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); compress(); }
    });
    $('retrieve-button').addEventListener('click', retrieve);
    loadCollections();
    document.querySelectorAll('input[name="mode"]').forEach((r) => r.addEventListener('change', () => {
      setMode(mode());
      carryOver(mode());
      state.inputTokens = null;
      scheduleLive(0);
    }));
    $('example').addEventListener('click', () => {
      setMode('documents');
      $('documents').innerHTML = '';
      EXAMPLE.documents.forEach((d) => addDocument(d.title, d.text, false));
      $('query').value = EXAMPLE.query;
      document.querySelector('input[name="budget-kind"][value="tokens"]').checked = true;
      $('budget-value').value = '100';
      state.inputTokens = null;
      syncSlider();
      compress();
    });
    document.querySelectorAll('[data-example]').forEach((b) => b.addEventListener('click', () => {
      const example = STRUCTURED_EXAMPLES[b.dataset.example];
      setMode('context');
      $('context').value = example.text;
      updateContextCount();
      $('query').value = example.query;
      document.querySelector('input[name="budget-kind"][value="tokens"]').checked = true;
      $('budget-value').value = String(example.budget);
      state.inputTokens = null;
      syncSlider();
      compress();
    }));
    $('add-document').addEventListener('click', () => addDocument('', '', true));
    $('files').addEventListener('change', (e) => { addFiles(e.target.files); e.target.value = ''; });
    document.querySelectorAll('[data-drop]').forEach((zone) => {
      zone.addEventListener('dragover', (e) => {
        if (Array.from(e.dataTransfer.types).includes('Files')) { e.preventDefault(); zone.classList.add('over'); }
      });
      zone.addEventListener('dragleave', () => zone.classList.remove('over'));
      zone.addEventListener('drop', (e) => {
        if (!e.dataTransfer.files.length) return;
        e.preventDefault();
        zone.classList.remove('over');
        addFiles(e.dataTransfer.files);
      });
    });

    // Text changes: recompress after a pause, and the token slider's range follows the input.
    const textChanged = () => { state.inputTokens = null; scheduleLive(LIVE_DELAY_TEXT_MS); };
    $('context').addEventListener('input', () => { updateContextCount(); textChanged(); });
    $('documents').addEventListener('input', textChanged);
    for (const id of ['query', 'marker', 'keep']) $(id).addEventListener('input', () => scheduleLive(LIVE_DELAY_TEXT_MS));
    for (const id of ['encoding', 'effort', 'order']) $(id).addEventListener('change', () => {
      if (id === 'encoding') state.inputTokens = null;
      scheduleLive(0);
    });
    $('live').addEventListener('change', () => scheduleLive(0));

    document.querySelectorAll('input[name="budget-kind"]').forEach((r) => r.addEventListener('change', () => {
      switchBudgetKind();
      scheduleLive(LIVE_DELAY_BUDGET_MS);
    }));
    $('budget-slider').addEventListener('input', () => {
      $('budget-value').value = String(sliderToValue(Number($('budget-slider').value)));
      describeBudget();
      scheduleLive(LIVE_DELAY_BUDGET_MS);
    });
    $('budget-value').addEventListener('input', () => { syncSlider(); scheduleLive(LIVE_DELAY_TEXT_MS); });

    // Units: hover shows a tip, click or arrow keys select and explain.
    const original = $('original');
    original.addEventListener('mouseover', (e) => {
      const span = e.target.closest('span[data-u]');
      if (span) showTip(span, e.clientX, e.clientY); else $('tip').hidden = true;
    });
    original.addEventListener('mouseleave', () => { $('tip').hidden = true; });
    original.addEventListener('click', (e) => {
      const span = e.target.closest('span[data-u]');
      if (span) select(Number(span.dataset.u), false);
    });
    original.addEventListener('keydown', (e) => {
      if (!state.units.length) return;
      const n = state.units.length;
      let next = null;
      if (e.key === 'ArrowDown' || e.key === 'ArrowRight') next = state.selected < 0 ? 0 : Math.min(n - 1, state.selected + 1);
      else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') next = state.selected < 0 ? 0 : Math.max(0, state.selected - 1);
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = n - 1;
      else if (e.key === 'Escape') { $('tip').hidden = true; return; }
      if (next !== null) { e.preventDefault(); select(next, true); }
    });
    $('doc-table').addEventListener('click', (e) => {
      const link = e.target.closest('a[data-doc-link]');
      if (!link) return;
      e.preventDefault();
      const section = $('doc-' + link.dataset.docLink);
      if (section) {
        section.scrollIntoView({block: 'start'});
        const first = state.units.findIndex((u) => u.document === Number(link.dataset.docLink));
        if (first >= 0) select(first, false);
        original.focus({preventScroll: true});
      }
    });

    $('copy').addEventListener('click', async () => {
      const text = $('output').textContent;
      try {
        await navigator.clipboard.writeText(text);
        $('copy-status').textContent = 'Copied.';
      } catch (e) {
        const range = document.createRange();
        range.selectNodeContents($('output'));
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        const ok = document.execCommand && document.execCommand('copy');
        $('copy-status').textContent = ok ? 'Copied.' : 'Selected: press Ctrl+C to copy.';
      }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    wire();
    setMode('context');
    syncSlider();
    loadEncodings();
  });
})();
