// After a failed submit: focus the error summary (templates/_error_summary.html) so a
// screen reader reads it and a keyboard user starts from it; its links move the focus to
// their field, with the field's label in view. Without an error, an address ending in
// #<id> of an element made focusable for it (tabindex="-1": a review row just saved)
// gets the focus, so the next Tab continues from there rather than from the top.
(function () {
  function byHash(hash) {
    if (!hash || hash.length < 2) return null;
    try {
      return document.getElementById(decodeURIComponent(hash.slice(1)));
    } catch (error) {
      return null;
    }
  }

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && byHash(link.getAttribute("href"));
      if (!field) return;
      event.preventDefault();
      var label = field.id && document.querySelector("label[for='" + CSS.escape(field.id) + "']");
      (label || field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
    return;
  }
  var target = byHash(window.location.hash);
  if (target && target.hasAttribute("tabindex")) target.focus();
})();
