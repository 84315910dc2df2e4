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
    // The page's language picks the widget's (one URL, one cached answer): lang="fr-CA" -> fr.
    var lang = (document.documentElement.lang || "").toLowerCase().split("-")[0];
    var wq = /^[a-z]{2,3}$/.test(lang) ? q + "&lang=" + lang : q;
    if ((m = /^(.*)\/t\/(\d+)\/?$/.exec(url.pathname))) {
      frame = m[1] + "/t/" + m[2] + "/widget/?" + wq;
      popup = m[1] + "/t/" + m[2] + "/popup/?" + q;
    } else if ((m = /^(.*)\/submit\/$/.exec(url.pathname))) {
      var s = url.search ? url.search.slice(1) + "&" : "";
      frame = m[1] + "/submit/widget/?" + s + wq;
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

  function tell(w, message) {
    if (w.frame.contentWindow) w.frame.contentWindow.postMessage(message, platform);
  }

  function refresh(w) {
    // The popup closed without handing a result over (it may have lost its link to this
    // page on the way, e.g. through a payment page): the widget fetches the count as it is.
    if (w.popup && !w.told) tell(w, { type: "flattr:refresh" });
  }

  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.origin !== platform || !d || typeof d !== "object") return;
    widgets.forEach(function (w, i) {
      if (d.type === "flattr:open" && e.source === w.frame.contentWindow) {
        w.told = false;
        w.popup = window.open(w.popupUrl, "flattr" + i, "width=480,height=620");
        if (!w.popup) { location.href = w.link.href; return; }
        var timer = setInterval(function () {
          if (!w.popup || w.popup.closed) { clearInterval(timer); refresh(w); }
        }, 500);
      } else if (d.type === "flattr:clicked" && w.popup && e.source === w.popup) {
        w.told = true;
        tell(w, { type: "flattr:count", total: d.total, flattred: true });
      }
    });
  });

  // Back on this page after the popup (closed, or left aside): a popup that lost its link
  // to this page looks closed at once, so the first refresh may come too early; this one
  // comes when the reader is done.
  window.addEventListener("focus", function () { widgets.forEach(refresh); });

  function scan() {
    var links = document.querySelectorAll("a.flattr-button");
    for (var i = 0; i < links.length; i++) setup(links[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
