/* Inside the widget frame: ask the embedding page (and only it) to open the popup, and take
   the new count from it. Without the embed script the link opens the thing page. */
(function () {
  "use strict";
  var a = document.getElementById("flattr-widget");
  var origin = a && a.getAttribute("data-origin");
  if (!origin || window.parent === window) return;
  a.addEventListener("click", function (e) {
    e.preventDefault();
    window.parent.postMessage({ type: "flattr:open" }, origin);
  });
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.source !== window.parent || e.origin !== origin || !d || d.type !== "flattr:count") return;
    var n = parseInt(d.total, 10);
    if (!isNaN(n)) a.querySelector("[data-count]").textContent = String(n);
  });
})();
