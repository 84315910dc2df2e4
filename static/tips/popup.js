/* The first-party popup: right after the reader clicked in it, tell the page that opened us
   the new count, at the exact origin it gave (validated by the server, which renders the
   hand-off only once, after this popup's own click), and offer to close. */
(function () {
  "use strict";
  var h = document.getElementById("flattr-handoff");
  var origin = h && h.getAttribute("data-origin");
  if (h && window.opener && origin) {
    window.opener.postMessage({
      type: "flattr:clicked",
      thing: parseInt(h.getAttribute("data-thing"), 10),
      total: parseInt(h.getAttribute("data-total"), 10),
      thisMonth: parseInt(h.getAttribute("data-month"), 10)
    }, origin);
  }
  // What stands in the way (budget, wallet, e-mail) is fixed in a new tab, so this window
  // keeps its link to the page that opened it: back here, look again.
  if (document.querySelector("[data-fix-elsewhere]")) {
    window.addEventListener("focus", function () { location.reload(); });
  }
  var close = document.querySelector(".js-close");
  if (close && window.opener) {
    close.hidden = false;
    close.addEventListener("click", function () { window.close(); });
  }
})();
