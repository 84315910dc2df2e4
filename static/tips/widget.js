/* Inside the widget frame. The page is one cached answer for every embedding site, so the
   origin to talk to comes from this frame's own URL (?origin=), checked here as the server
   checks it. Clicking asks the embedding page (and only it) to open the popup; without the
   embed script the link opens the thing page. When the embedding page hands over the
   popup's result ("flattr:count"), the widget shows it ("Flattred" and the new count) at
   once, then fetches the fresh count past every cache (?fresh=) in case others clicked
   too. It reads nothing of the visitor: no cookie, no storage. */
(function () {
  "use strict";
  var a = document.getElementById("flattr-widget");
  if (!a || window.parent === window) return;
  var params = new URLSearchParams(location.search);
  var origin = params.get("origin") || "";
  if (!/^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(origin)) return;
  var count = a.querySelector("[data-count]");

  function show(total) {
    var n = parseInt(total, 10);
    if (!isNaN(n) && n >= 0) count.textContent = String(n);
  }

  function markFlattred() {
    var label = a.querySelector("[data-label]"), done = a.querySelector("[data-flattred]");
    if (label && done) { label.hidden = true; done.hidden = false; }
  }

  function fetchFresh(atLeast) {
    if (!window.fetch || !window.DOMParser) return;
    params.set("fresh", String(Date.now()));
    fetch(location.pathname + "?" + params.toString(), { credentials: "omit", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.querySelector("[data-count]");
        var n = fresh ? parseInt(fresh.textContent, 10) : NaN;
        // Never below what the popup just said: the reader's own click counts.
        if (!isNaN(n) && !(atLeast > n)) show(n);
      })
      .catch(function () {});
  }

  a.addEventListener("click", function (e) {
    e.preventDefault();
    window.parent.postMessage({ type: "flattr:open" }, origin);
  });
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.source !== window.parent || e.origin !== origin || !d) return;
    if (d.type === "flattr:count") {
      // The popup's result, handed over by the embedding page.
      show(d.total);
      if (d.flattred) markFlattred();
      fetchFresh(parseInt(d.total, 10));
    } else if (d.type === "flattr:refresh") {
      // The popup closed without a result (it may have lost its link to the embedding
      // page on the way): whatever happened in it, show the count as it is now.
      fetchFresh(NaN);
    }
  });
})();
