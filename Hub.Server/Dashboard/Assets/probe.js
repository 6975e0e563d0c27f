// Loaded only when the page is opened with ?test=1: reports what the dashboard shows, read from the
// page itself, to the headless-browser test (window.__result), and sets window.__done once a job has
// completed, a job has failed and the connection counts are on screen while the stream is live.
'use strict';

(() => {
  function read() {
    const bars = [...document.querySelectorAll('#cards .card')].map((card) => ({
      topic: card.dataset.topic,
      family: card.dataset.family,
      status: card.dataset.status,
      statusText: card.querySelector('.status').textContent,
      percent: Number(card.querySelector('[role=progressbar]').getAttribute('aria-valuenow')),
      stage: card.querySelector('.stage').textContent,
      count: card.querySelector('.count').textContent,
      eta: card.querySelector('.eta').textContent,
    }));
    const transports = {};
    for (const el of document.querySelectorAll('[data-transport]')) transports[el.dataset.transport] = el.textContent;
    return {
      bars,
      failed: bars.filter((b) => b.status === 'failed').map((b) => b.topic),
      transports,
      state: document.getElementById('stream-state').dataset.state,
      logEntries: document.querySelectorAll('#events li').length,
    };
  }

  function check() {
    const result = read();
    window.__result = result;
    const completed = result.bars.some((b) => b.status === 'completed' && b.percent === 100);
    const counted = Object.values(result.transports).every((v) => /^\d+$/.test(v)) && Number(result.transports.sse) >= 1;
    if (completed && result.failed.length > 0 && counted && result.state === 'live') {
      window.__done = true;
    } else {
      setTimeout(check, 200);
    }
  }

  check();
})();
