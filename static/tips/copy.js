/* Copy buttons for embed codes; without JavaScript the code stays selectable in its box. */
(function () {
  "use strict";
  document.querySelectorAll(".js-copy").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    if (!box) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () {
        button.textContent = button.getAttribute("data-copied");
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.value).then(done);
      } else {
        box.select();
        document.execCommand("copy");
        done();
      }
    });
  });
})();
