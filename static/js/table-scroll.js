// A data table wider than the screen scrolls inside its own .table-wrap (WCAG 1.4.10
// allows two-dimensional scrolling for data tables only). A keyboard user must be able
// to scroll it, so a wrap that overflows becomes a focusable region named by its table's
// caption; one that fits is left alone (no useless Tab stop). Re-checked on resize.
(function () {
  function label(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      if (!caption.id) caption.id = "table-caption-" + Math.random().toString(36).slice(2, 9);
      wrap.setAttribute("aria-labelledby", caption.id);
      return true;
    }
    var table = wrap.querySelector("table[aria-label]");
    if (table) {
      wrap.setAttribute("aria-label", table.getAttribute("aria-label"));
      return true;
    }
    return false;
  }

  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        if (!wrap.hasAttribute("tabindex")) {
          wrap.setAttribute("tabindex", "0");
          wrap.setAttribute("role", "region");
          if (!label(wrap)) wrap.setAttribute("aria-label", document.documentElement.lang === "en" ? "Table" : "Bảng");
          wrap.dataset.scrollRegion = "1";
        }
      } else if (wrap.dataset.scrollRegion) {
        ["tabindex", "role", "aria-labelledby", "aria-label", "data-scroll-region"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
    });
  }

  var timer;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update);
  else update();
})();
