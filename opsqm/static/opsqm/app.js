// Site-wide behaviour that templates ask for with data attributes (no inline handlers: the CSP forbids them).
//   <select data-autosubmit>           submits its form when changed
//   <button data-confirm="确定删除？">   asks before the click (or the form's submit) goes on
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target.closest ? e.target.closest("[data-autosubmit]") : null;
    if (el && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
})();

// htmx requests carry Django's CSRF token as a header, read from the csrftoken cookie (the page
// itself prints no token outside its forms).
document.addEventListener("htmx:configRequest", function (e) {
  var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (m) { e.detail.headers["X-CSRFToken"] = decodeURIComponent(m[1]); }
});
