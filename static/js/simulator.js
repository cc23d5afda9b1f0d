// The what-if simulator without reloading: the form's inputs are posted to the API
// (data-api) as they change, and the figures, points and proposals are updated in place.
// Without this script the same form is submitted and the page recomputes on the server.
(function () {
  "use strict";
  var form = document.getElementById("simulator");
  if (!form || !window.fetch) return;
  var vietnamese = (document.documentElement.lang || "vi").indexOf("en") !== 0;
  var timer = null;
  var sent = 0;

  function points(text) {
    // Decimal strings from the API ("12.500") as the page writes them ("12,500").
    return text === null || text === undefined ? "—" : vietnamese ? String(text).replace(".", ",") : String(text);
  }

  function field(name) {
    var input = form.elements.namedItem(name);
    return input ? input.value : undefined;
  }

  function changes() {
    var rows = form.querySelectorAll("tr[data-criterion]");
    var list = [];
    rows.forEach(function (row) {
      var code = row.getAttribute("data-criterion");
      var change = { criterion: code };
      [["v", "value"], ["d", "denominator"], ["c", "choice"]].forEach(function (pair) {
        var value = field(pair[0] + "-" + code);
        if (value !== undefined) change[pair[1]] = value;
      });
      list.push(change);
    });
    return list;
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  function showProblems(messages) {
    var box = document.getElementById("sim-problems");
    box.textContent = "";
    if (!messages.length) {
      box.hidden = true;
      return;
    }
    var list = document.createElement("ul");
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  function showPlans(plans) {
    plans.forEach(function (plan) {
      var card = document.querySelector('#sim-plans [data-goal="' + plan.goal + '"]');
      if (!card) return;
      card.querySelector(".plan-headline").textContent = plan.headline;
      card.querySelector(".plan-check").textContent = plan.check;
      var steps = card.querySelector(".plan-steps");
      steps.textContent = "";
      plan.steps.forEach(function (step) {
        var item = document.createElement("li");
        item.textContent = step.text;
        steps.appendChild(item);
      });
    });
  }

  function show(body) {
    var after = body.after.display;
    setText("sim-total", after.total);
    setText("sim-percent", after.percent);
    setText("sim-band", after.band);
    setText("sim-rank", after.rank);
    body.criteria.forEach(function (line) {
      var cell = form.querySelector('[data-points="' + line.criterion + '"]');
      if (cell) cell.textContent = points(line.points_after);
      var row = form.querySelector('tr[data-criterion="' + line.criterion + '"]');
      if (row) row.classList.toggle("changed", line.changed);
    });
    showPlans(body.plans);
    showProblems([]);
  }

  function recompute() {
    var mine = ++sent;
    form.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": form.getAttribute("data-csrf") || "",
      },
      body: JSON.stringify({
        agency: Number(form.getAttribute("data-agency")),
        source: form.getAttribute("data-source"),
        changes: changes(),
      }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (answer) {
        if (mine !== sent) return; // an older answer arriving after a newer one
        form.removeAttribute("aria-busy");
        if (answer.ok) {
          show(answer.body);
          var query = new URLSearchParams(new FormData(form)).toString();
          window.history.replaceState(null, "", form.getAttribute("action") + "?" + query);
        } else {
          var error = answer.body.error || {};
          var fields = error.fields || {};
          var messages = [];
          Object.keys(fields).forEach(function (key) {
            messages = messages.concat(fields[key]);
          });
          showProblems(messages.length ? messages : [error.message || String(answer.body)]);
        }
      })
      .catch(function () {
        form.removeAttribute("aria-busy");
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(recompute, 250);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    recompute();
  });
})();
