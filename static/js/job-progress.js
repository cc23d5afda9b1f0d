// A job's page follows the job: it polls the job's JSON until it is done or failed and
// shows its progress, its error or its result. Without this script a reload does the same.
(function () {
  "use strict";

  const root = document.getElementById("job");
  if (!root || !window.fetch || root.dataset.finished) return;
  const POLL_MS = 500;
  const bar = document.getElementById("job-progress");
  const text = document.getElementById("job-progress-text");
  const announce = document.getElementById("job-announce");

  function show(state) {
    document.getElementById("job-status").textContent = state.status_label;
    document.getElementById("job-attempts").textContent = state.attempts;
    const p = state.progress || {};
    if (p.total > 0) {
      bar.max = p.total;
      bar.value = Math.min(p.done, p.total);
      text.textContent = root.dataset.labelRunning
        .replace("{done}", p.done)
        .replace("{total}", p.total);
    } else if (state.status === "queued") {
      text.textContent = root.dataset.labelQueued;
    }
    if (state.status === "done" || state.status === "failed") {
      announce.textContent = state.status_label;
      window.location.reload(); // the server renders the result, or the error, in full
      return true;
    }
    return false;
  }

  function poll() {
    fetch(root.dataset.statusUrl, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((state) => {
        if (!state || !show(state)) window.setTimeout(poll, POLL_MS);
      })
      .catch(() => window.setTimeout(poll, POLL_MS * 4));
  }
  poll();
})();
