// RealtimeHub dashboard: lists the active topics from /api/topics, follows them live over one
// /api/sse stream (generic envelopes) and shows this node's connections from /api/stats.
// Plain browser JavaScript, no dependencies and no build step.
'use strict';

(() => {
  const params = new URLSearchParams(location.search);
  const token = params.get('access_token') || params.get('token');
  const EVENT_TYPES = [
    'stage', 'progress', 'completion', 'error',
    'enrichment.started', 'enrichment.progress', 'enrichment.completed', 'enrichment.failed',
    'batch.progress',
  ];
  const FAMILIES = { merchant: 'PO sync', bom: 'BOM enrichment', batch: 'OMR batch' };
  const STATUS_TEXT = { running: 'Running', completed: 'Completed', failed: 'Failed' };

  // Merchant and batch percentages are per stage, as the PO sync workflow and the batch pipeline report them; each stage fills its share of the bar.
  const MERCHANT_STAGES = [['ai_parsing', 40], ['database_save', 25], ['shopify_sync', 35]];
  const BATCH_STAGES = [
    ['uploading', 10], ['extracting', 5], ['organizing_qr', 5], ['processing_sheets', 55],
    ['collecting_results', 5], ['generating_csv', 5], ['loading_database', 10], ['cleanup', 5],
  ];
  const MAX_LOG = 150;

  const $ = (id) => document.getElementById(id);
  const jobs = new Map(); // topic -> { topic, family, lastId, status, percent, ..., card }
  let stream = null;
  let streamTopics = new Set();
  let maxStreamTopics = 50;
  let refreshMs = 2000;
  let reopenDelay = 1000;
  let retryAt = 0;
  let logged = 0;

  // ---- Helpers -------------------------------------------------------------------------------

  function url(path, query = new URLSearchParams()) {
    if (token) query.set('access_token', token);
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  }

  // Event ids are "<ms>-<seq>", ordered within a topic.
  function newer(a, b) {
    if (!b) return true;
    const [am, as] = a.split('-').map(Number);
    const [bm, bs] = b.split('-').map(Number);
    return am > bm || (am === bm && as > bs);
  }

  const clamp = (n) => Math.max(0, Math.min(100, Number(n) || 0));
  const num = (n) => (typeof n === 'number' && Number.isFinite(n) ? n : null);
  const LABELS = { ai_parsing: 'AI parsing', organizing_qr: 'Organizing QR codes', generating_csv: 'Generating CSV', shopify_sync: 'Shopify sync' };
  const humanize = (s) => LABELS[s] || (s ? s.charAt(0).toUpperCase() + s.slice(1).replaceAll('_', ' ') : '');

  function overall(stages, stage, percent) {
    let before = 0;
    for (const [name, share] of stages) {
      if (name === stage) return before + (share * clamp(percent)) / 100;
      before += share;
    }
    return null;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 1) return '< 1 s';
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  }

  function clock(timestamp) {
    const d = new Date(timestamp);
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour12: false });
  }

  // ---- What an event means for its job, per family ------------------------------------------

  const reducers = {
    merchant(job, type, d) {
      if (d.poId && d.poId !== job.jobId) {
        Object.assign(job, { jobId: d.poId, stage: undefined, stagePercent: undefined, percent: 0, count: '', message: '' });
      }
      const stage = d.stage || job.stage;
      job.stageEta = true;
      if (type === 'error') {
        // How far the stage got is known only if the page saw it running.
        const reached = stage === job.stage ? job.stagePercent : null;
        job.stageText = humanize(stage);
        job.stageTitle = reached === null || reached === undefined ? '' : `${humanize(stage)}: ${Math.floor(reached)}% when it failed`;
        job.stage = stage;
        job.status = 'failed';
        job.message = d.error || d.message || 'Failed';
        job.percent = job.percent || overall(MERCHANT_STAGES, stage, 0) || 0;
        return;
      }
      const stagePercent = type === 'stage' ? 0 : type === 'completion' ? 100 : num(d.progress) ?? job.stagePercent ?? 0;
      job.stage = stage;
      job.stagePercent = stagePercent;
      job.stageText = humanize(stage);
      job.stageTitle = `${humanize(stage)}: ${Math.floor(stagePercent)}% of this stage`;
      job.percent = overall(MERCHANT_STAGES, stage, stagePercent) ?? stagePercent;
      job.status = type === 'completion' && stage === MERCHANT_STAGES.at(-1)[0] ? 'completed' : 'running';
      if (num(d.totalItems)) job.count = `${d.itemsProcessed ?? 0} of ${d.totalItems} line items`;
      else if (d.chunkProgress) job.count = `chunk ${d.chunkProgress.current} of ${d.chunkProgress.total}`;
      else if (num(d.lineItems)) job.count = `${d.lineItems} line items`;
      job.eta = num(d.etaSeconds);
      job.message = d.message || (type === 'completion' ? `${humanize(stage)} done` : job.message);
    },

    bom(job, type, d) {
      const s = d.state || {};
      job.jobId = '';
      job.status = type === 'enrichment.completed' ? 'completed' : type === 'enrichment.failed' ? 'failed' : 'running';
      job.percent = job.status === 'completed' ? 100 : num(s.percent_complete) ?? job.percent ?? 0;
      job.stageText = [humanize(s.status || 'enriching'), num(s.total_batches) ? `batch ${s.current_batch ?? 0} of ${s.total_batches}` : '']
        .filter(Boolean).join(' · ');
      if (num(s.total_items)) {
        const done = (s.enriched_items ?? 0) + (s.failed_items ?? 0);
        job.count = `${done} of ${s.total_items} items${s.failed_items ? ` (${s.failed_items} unmatched)` : ''}`;
      }
      job.eta = num(s.estimated_time_remaining);
      job.stageEta = false;
      const item = s.current_item;
      job.message = job.status === 'failed'
        ? (d.payload && d.payload.error) || (item && item.message) || 'Enrichment failed'
        : item ? `${item.mpn}: ${item.message || item.status}` : job.status === 'completed' ? 'Enrichment completed' : 'Enrichment started';
    },

    batch(job, type, d) {
      const stage = d.stage || job.stage;
      const stagePercent = num(d.progress_percentage) ?? 0;
      job.jobId = '';
      if (stage === 'completed') {
        Object.assign(job, { status: 'completed', percent: 100, stageText: 'Completed', stageTitle: '' });
      } else if (stage === 'failed') {
        Object.assign(job, { status: 'failed', stageText: job.stage ? `Failed · ${humanize(job.stage)}` : 'Failed', stageTitle: '' });
      } else {
        job.status = 'running';
        job.stage = stage;
        job.percent = overall(BATCH_STAGES, stage, stagePercent) ?? job.percent ?? 0;
        job.stageText = humanize(stage);
        job.stageTitle = `${humanize(stage)}: ${Math.floor(stagePercent)}% of this stage`;
      }
      if (num(d.sheets_total)) {
        job.count = num(d.sheets_processed) !== null ? `${d.sheets_processed} of ${d.sheets_total} sheets` : `${d.sheets_total} sheets`;
      }
      job.eta = num(d.eta_seconds);
      job.stageEta = true;
      job.message = d.message || job.message;
    },
  };

  // ---- Rendering -----------------------------------------------------------------------------

  function cardFor(job) {
    const card = $('card-template').content.firstElementChild.cloneNode(true);
    card.dataset.topic = job.topic;
    card.dataset.family = job.family;
    card.querySelector('.family').textContent = FAMILIES[job.family] || job.family;
    card.querySelector('.topic').textContent = job.topic;
    card.querySelector('.topic').title = job.topic;
    $('cards').prepend(card);
    return card;
  }

  function render(job) {
    const card = job.card;
    const percent = job.status === 'completed' ? 100 : Math.min(99, Math.floor(clamp(job.percent)));
    card.dataset.status = job.status;
    card.querySelector('.status').textContent = STATUS_TEXT[job.status];
    card.querySelector('.job-id').textContent = job.jobId || '';
    card.querySelector('.stage').textContent = job.stageText || '';
    card.querySelector('.job').title = job.stageTitle || job.stageText || '';
    const bar = card.querySelector('.bar');
    bar.setAttribute('aria-valuenow', String(percent));
    bar.firstElementChild.style.width = `${job.status === 'completed' ? 100 : clamp(job.percent)}%`;
    card.querySelector('.percent').textContent = `${percent}%`;
    card.querySelector('.count').textContent = job.count || '';
    const eta = card.querySelector('.eta');
    eta.textContent = job.status === 'completed' ? 'Done' : job.status === 'failed' ? 'Stopped'
      : `${job.stageEta ? 'Stage ETA' : 'ETA'} ${job.eta === null || job.eta === undefined ? '–' : duration(job.eta)}`;
    eta.title = job.stageEta ? 'Time left in the current stage, estimated by the hub' : 'Time left, estimated by the hub';
    const message = card.querySelector('.message');
    message.textContent = job.message || '';
    message.title = job.message || '';
  }

  function renderSummary() {
    const tally = { running: 0, completed: 0, failed: 0 };
    for (const job of jobs.values()) tally[job.status] += 1;
    const parts = Object.entries(tally).map(([status, n]) => {
      const part = document.createElement('span');
      const b = document.createElement('b');
      b.textContent = String(n);
      part.append(b, ` ${status}`);
      return part;
    });
    $('summary').replaceChildren(...parts);
    $('empty').hidden = jobs.size > 0;
  }

  function log(envelope, job) {
    const item = document.createElement('li');
    item.className = `fresh ev-${job.status}`;
    const time = document.createElement('time');
    time.dateTime = envelope.timestamp;
    time.textContent = clock(envelope.timestamp);
    const topic = document.createElement('span');
    topic.className = 'ev-topic';
    const dot = document.createElement('span');
    dot.className = `ev-dot fam-${job.family}`;
    const name = document.createElement('span');
    name.className = 'ev-name';
    name.textContent = envelope.topic;
    topic.append(dot, name);
    const type = document.createElement('span');
    type.className = 'ev-type';
    type.textContent = envelope.type;
    const text = document.createElement('span');
    text.className = 'ev-text';
    text.textContent = [job.stageText, job.message].filter(Boolean).join(' — ');
    text.title = text.textContent;
    item.append(time, topic, type, document.createElement('span'), text);
    // Newest first by the hub's timestamp: an event learnt from the topic list can arrive late.
    const at = Date.parse(envelope.timestamp) || Date.now();
    item.dataset.at = String(at);
    const list = $('events');
    const before = [...list.children].find((li) => Number(li.dataset.at) <= at);
    list.insertBefore(item, before || null);
    while (list.children.length > MAX_LOG) list.lastElementChild.remove();
    logged += 1;
    $('log-count').textContent = `${logged} received`;
  }

  // ---- Applying events -----------------------------------------------------------------------

  // New topics go on top, so running jobs gather there and finished ones sink.
  function ensureJob(topic, family) {
    let job = jobs.get(topic);
    if (!job) {
      job = { topic, family, status: 'running', percent: 0, lastId: null };
      job.card = cardFor(job);
      jobs.set(topic, job);
    }
    return job;
  }

  // Applies an event once: ids at or before the last one applied are replays and are dropped.
  function apply(envelope, logIt) {
    const family = envelope.topic.split(':', 1)[0];
    const reduce = reducers[family];
    if (!reduce) return;
    const job = ensureJob(envelope.topic, family);
    if (!newer(envelope.id, job.lastId)) return;
    job.lastId = envelope.id;
    reduce(job, envelope.type, envelope.data || {});
    render(job);
    if (logIt) log(envelope, job);
    renderSummary();
  }

  // ---- Connection state ----------------------------------------------------------------------

  function setState(state, label) {
    const el = $('stream-state');
    el.dataset.state = state;
    el.querySelector('.state-label').textContent = label;
  }

  // ---- The live stream -----------------------------------------------------------------------

  // Topics still worth following: running jobs, most recent first, up to the stream's limit.
  function wanted() {
    return [...jobs.values()].filter((j) => j.status === 'running').map((j) => j.topic).slice(0, maxStreamTopics);
  }

  function syncStream() {
    const topics = wanted();
    if (topics.length === 0) {
      if (!stream) setState('idle', 'Waiting for jobs');
      return;
    }
    if (stream ? topics.every((t) => streamTopics.has(t)) : Date.now() < retryAt) return;
    open(topics);
  }

  function open(topics) {
    close();
    // The stream resumes each topic after the last event this page applied (a composite
    // Last-Event-ID, "topic=id,topic=id"); topics it has not seen start from their latest event.
    const query = new URLSearchParams();
    for (const topic of topics) query.append('topic', topic);
    const cursor = topics.filter((t) => jobs.get(t).lastId).map((t) => `${t}=${jobs.get(t).lastId}`).join(',');
    if (cursor) query.set('lastEventId', cursor);
    const source = new EventSource(url('api/sse', query));
    stream = source;
    streamTopics = new Set(topics);
    if (!['live', 'reconnecting'].includes($('stream-state').dataset.state)) setState('connecting', 'Connecting…');

    source.onopen = () => {
      reopenDelay = 1000;
      setState('live', 'Live');
    };
    // EventSource reconnects by itself and sends Last-Event-ID; it gives up only on an HTTP error
    // (401, 403, 429, 503), after which the page retries with growing pauses.
    // A merchant 'error' event from the hub also lands here; it is a MessageEvent, not a failure.
    source.onerror = (e) => {
      if (source !== stream || e instanceof MessageEvent) return;
      if (source.readyState === EventSource.CLOSED) {
        stream = null;
        setState('offline', `Offline, retrying in ${Math.round(reopenDelay / 1000)} s`);
        retryAt = Date.now() + reopenDelay;
        setTimeout(syncStream, reopenDelay);
        reopenDelay = Math.min(reopenDelay * 2, 30000);
      } else {
        setState('reconnecting', 'Reconnecting…');
      }
    };
    const onEvent = (e) => {
      if (!e.data) return; // a merchant 'error' listener also hears connection errors, which carry no data
      apply(JSON.parse(e.data), true);
    };
    for (const type of EVENT_TYPES) source.addEventListener(type, onEvent);
  }

  function close() {
    if (stream) stream.close();
    stream = null;
    streamTopics = new Set();
  }

  // ---- Polling the topic list and the connection counts -------------------------------------

  async function getJson(path) {
    const response = await fetch(url(path), { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (response.status === 401 || response.status === 403) {
      const error = new Error('denied');
      error.denied = true;
      throw error;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  async function refreshTopics() {
    const answer = await getJson('api/topics');
    maxStreamTopics = answer.maxStreamTopics || maxStreamTopics;
    refreshMs = Math.max(100, (answer.refreshSeconds || 2) * 1000);
    $('scope').textContent = answer.scope === 'cluster' ? 'shared by every node' : 'this node';
    const listed = new Set(answer.topics.map((t) => t.topic));
    const first = jobs.size === 0;
    // Oldest first, so the most recently active topic ends up on top.
    for (const summary of [...answer.topics].reverse()) {
      // A topic on the stream is kept up to date by it; the list fills in the rest. What the page
      // already showed at load is not news, so only later arrivals go into the log.
      if (!streamTopics.has(summary.topic)) apply(summary.latest, !first);
    }
    for (const [topic, job] of jobs) {
      if (!listed.has(topic)) {
        job.card.remove();
        jobs.delete(topic);
      }
    }
    renderSummary();
    syncStream();
  }

  async function refreshStats() {
    const stats = await getJson('api/stats');
    for (const el of document.querySelectorAll('[data-transport]')) {
      el.textContent = String(stats.connections[el.dataset.transport] ?? 0);
    }
    $('demo-note').hidden = !stats.demo;
  }

  async function poll() {
    try {
      await Promise.all([refreshTopics(), refreshStats()]);
    } catch (error) {
      if (error.denied) {
        close();
        setState('denied', token ? 'Token refused' : 'Sign-in needed: add ?access_token=');
      } else if (!stream || stream.readyState !== EventSource.OPEN) {
        setState('offline', 'Hub unreachable, retrying');
      }
    }
    setTimeout(poll, refreshMs);
  }

  // Tests open the page with ?test=1; the probe reports what the page shows to the headless browser.
  if (params.has('test')) {
    const probe = document.createElement('script');
    probe.src = 'dashboard/probe.js';
    document.head.append(probe);
  }

  poll();
})();
