// The score import's progress bar: the bytes of the upload as the browser sends them, then
// the server's own progress (rows read and checked, points computed, agencies saved),
// polled from the JSON address the page names under a token this script picks.
// Without this script both forms post as plain HTML forms. With it, the upload is sent by
// XMLHttpRequest and the page then shows the very response the server sent; the
// confirmation stays a plain navigation (its redirect and message are the server's), and
// the page polls while it waits. Every text comes from the page's data-label-* attributes.
(function () {
  "use strict";

  const root = document.getElementById("score-import");
  if (!root || !window.fetch || !window.FormData || !window.crypto) return;
  const POLL_MS = 400;
  const lang = document.documentElement.lang || "vi";

  function newToken() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function label(name, done, total) {
    const key = "label" + name.replace(/(^|-)([a-z])/g, (_, dash, c) => c.toUpperCase());
    const text = root.dataset[key] || root.dataset.labelWaiting;
    return text
      .replace("{done}", Number(done).toLocaleString(lang))
      .replace("{total}", Number(total).toLocaleString(lang));
  }

  function kilobytes(bytes) {
    return Math.ceil(bytes / 1024);
  }

  // A bar, the text beside it (every poll) and a status announced once a phase, so that a
  // screen reader is told each step without a count read out every 400 ms.
  function display(form) {
    const region = document.getElementById(form.dataset.progressRegion);
    const bar = region.querySelector("progress");
    const text = region.querySelector(".import-progress-text");
    const status = region.querySelector("[aria-live]");
    let announced = "";
    return {
      show(step, value, max, message) {
        region.hidden = false;
        if (max > 0) {
          bar.max = max;
          bar.value = Math.min(value, max);
        } else {
          bar.removeAttribute("value"); // indeterminate: the total is not known yet
        }
        if (text.textContent !== message) text.textContent = message;
        if (step !== announced) {
          announced = step;
          status.textContent = message;
        }
      },
      hide() {
        region.hidden = true;
        text.textContent = status.textContent = announced = "";
      },
    };
  }

  function showState(view, state) {
    if (state.state === "done" || state.state === "failed") {
      view.show(state.state, 1, 1, label(state.state, 0, 0));
      return;
    }
    const name = state.phase === "read" && !state.total ? "read-unknown" : state.phase;
    view.show(state.phase, state.done, state.total, label(name, state.done, state.total));
  }

  // Ask for the server's progress every POLL_MS, one request at a time, until stopped or
  // the server says it has finished. A missed answer (404 before the server has written
  // anything, a dropped connection) is simply asked again.
  function poll(url, view) {
    let stopped = false;
    let timer = 0;
    function ask() {
      const options = { credentials: "same-origin", cache: "no-store" };
      fetch(url, { ...options, headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((state) => {
          if (stopped || !state) return;
          showState(view, state);
          if (state.state !== "running") stopped = true;
        })
        .catch(() => {})
        .then(() => {
          if (!stopped) timer = window.setTimeout(ask, POLL_MS);
        });
    }
    timer = window.setTimeout(ask, POLL_MS); // the server has only just been asked
    return function stop() {
      stopped = true;
      window.clearTimeout(timer);
    };
  }

  function progressUrl(token) {
    return root.dataset.progressUrl.replace("/TOKEN/", "/" + token + "/");
  }

  // The page the server answered with, shown as if the browser had posted the form itself;
  // an answer from elsewhere (a redirect to the login page) is opened at its own address.
  function showResponse(form, xhr) {
    const posted = new URL(form.action, window.location.href);
    const answered = new URL(xhr.responseURL || posted.href);
    if (answered.origin !== posted.origin || answered.pathname !== posted.pathname) {
      window.location.assign(answered.href);
      return;
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  function upload(form, view, done) {
    const token = newToken();
    form.elements.progress_token.value = token;
    const file = form.elements.file.files[0];
    const xhr = new XMLHttpRequest();
    let stop = null;
    const size = file ? file.size : 0;
    // The browser counts the bytes of the whole request (the file, the other fields and
    // the multipart boundaries); the person knows the file's size. The share of the request
    // sent is shown as bytes of the file, so the count ends on "n/n KB" with the n it began
    // with: counting the request's own bytes began at 0/12 KB and ended at 13/13 KB.
    function showSent(part) {
      const sent = Math.min(size, Math.round(size * part));
      view.show("upload", sent, size, label("upload", kilobytes(sent), kilobytes(size)));
    }
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) showSent(event.loaded / event.total);
    });
    xhr.upload.addEventListener("load", () => {
      showSent(1); // every byte is sent, even if the browser merged its last progress events
      view.show("waiting", 0, 0, label("waiting", 0, 0));
      stop = poll(progressUrl(token), view);
    });
    xhr.addEventListener("load", () => {
      if (stop) stop();
      const outcome = xhr.status < 400 ? "done" : "failed";
      view.show(outcome, 1, 1, label(outcome, 0, 0));
      showResponse(form, xhr);
    });
    for (const failure of ["error", "abort", "timeout"]) {
      xhr.addEventListener(failure, () => {
        if (stop) stop();
        view.show("offline", 0, 1, label("offline", 0, 0));
        done();
      });
    }
    showSent(0);
    xhr.send(new FormData(form));
  }

  function navigate(form, view) {
    const token = newToken();
    form.elements.progress_token.value = token;
    view.show("waiting", 0, 0, label("waiting", 0, 0));
    return poll(progressUrl(token), view); // this page stays, and polls, until answered
  }

  document.querySelectorAll("form[data-progress-mode]").forEach((form) => {
    const view = display(form);
    const buttons = form.querySelectorAll("button[type=submit]");
    let busy = false;
    let stopPolling = null;
    function setBusy(value) {
      busy = value;
      buttons.forEach((button) => {
        if (value) button.setAttribute("aria-disabled", "true");
        else button.removeAttribute("aria-disabled");
      });
    }
    form.addEventListener("submit", (event) => {
      if (busy) {
        event.preventDefault(); // one import at a time
        return;
      }
      setBusy(true);
      if (form.dataset.progressMode === "upload") {
        event.preventDefault();
        upload(form, view, () => setBusy(false));
      } else {
        stopPolling = navigate(form, view);
      }
    });
    // Back to this page from the browser's cache: ready for another try.
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted) return;
      if (stopPolling) stopPolling();
      setBusy(false);
      view.hide();
    });
  });
})();
