/* The first-party popup: once the reader has flattred, tell the page that opened us, at the
   exact origin it gave (validated by the server), and offer to close. */
(function () {
  "use strict";
  var h = document.getElementById("flattr-handoff");
  if (!h) return;
  var origin = h.getAttribute("data-origin");
  if (window.opener && origin) {
    window.opener.postMessage({
      type: "flattr:clicked",
      thing: parseInt(h.getAttribute("data-thing"), 10),
      total: parseInt(h.getAttribute("data-total"), 10),
      thisMonth: parseInt(h.getAttribute("data-month"), 10)
    }, origin);
  }
  var close = document.querySelector(".js-close");
  if (close && window.opener) {
    close.hidden = false;
    close.addEventListener("click", function () { window.close(); });
  }
})();
