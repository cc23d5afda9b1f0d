// Copy an embed's <iframe> code from its read-only box (templates/embeds/_code.html).
(function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (button.dataset.bound) return;
    button.dataset.bound = "1";
    button.addEventListener("click", function () {
      var box = document.getElementById(button.dataset.copy);
      var status = document.getElementById(button.dataset.copy + "-status");
      box.focus();
      box.select();
      var done = function () { status.textContent = button.dataset.done; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
