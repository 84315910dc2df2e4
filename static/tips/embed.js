/* Flattr embed: turns <a class="flattr-button" href="{platform}/t/<id>/"> (or an auto-submit
   link) into a small framed widget with the count. Clicking it opens the platform's own
   popup; when the reader has flattred, the popup posts a message and the count updates.
   Sets no cookie and loads nothing but the platform's files. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.URL || !window.postMessage) return;
  var platform = new URL(me.src).origin;
  var here = location.origin;
  var widgets = [];

  function setup(link) {
    if (link.getAttribute("data-flattr")) return;
    var url;
    try { url = new URL(link.href); } catch (e) { return; }
    if (url.origin !== platform) return;
    var q = "origin=" + encodeURIComponent(here), m, frame, popup;
    if ((m = /^(.*)\/t\/(\d+)\/?$/.exec(url.pathname))) {
      frame = m[1] + "/t/" + m[2] + "/widget/?" + q;
      popup = m[1] + "/t/" + m[2] + "/popup/?" + q;
    } else if ((m = /^(.*)\/submit\/$/.exec(url.pathname))) {
      var s = url.search ? url.search.slice(1) + "&" : "";
      frame = m[1] + "/submit/widget/?" + s + q;
      popup = m[1] + "/submit/?" + s + q;
    } else return;
    link.setAttribute("data-flattr", "1");
    var f = document.createElement("iframe");
    f.src = platform + frame;
    f.title = link.textContent || "Flattr";
    f.width = "120";
    f.height = "30";
    f.setAttribute("scrolling", "no");
    f.style.cssText = "border:0;overflow:hidden;vertical-align:middle";
    link.style.display = "none";
    link.parentNode.insertBefore(f, link.nextSibling);
    widgets.push({ link: link, frame: f, popupUrl: platform + popup, popup: null });
  }

  function refresh(w) {
    // The popup could not hand over (e.g. the reader logged in there): reload the count.
    var src = w.frame.src;
    w.frame.src = src;
  }

  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.origin !== platform || !d || typeof d !== "object") return;
    widgets.forEach(function (w, i) {
      if (d.type === "flattr:open" && e.source === w.frame.contentWindow) {
        w.popup = window.open(w.popupUrl, "flattr" + i, "width=480,height=620");
        if (!w.popup) { location.href = w.link.href; return; }
        var timer = setInterval(function () {
          if (w.popup && w.popup.closed) { clearInterval(timer); if (!w.told) refresh(w); }
        }, 500);
        w.told = false;
      } else if (d.type === "flattr:clicked" && w.popup && e.source === w.popup) {
        w.told = true;
        w.frame.contentWindow.postMessage({ type: "flattr:count", total: d.total }, platform);
      }
    });
  });

  function scan() {
    var links = document.querySelectorAll("a.flattr-button");
    for (var i = 0; i < links.length; i++) setup(links[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
