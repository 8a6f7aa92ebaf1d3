/* Starts ReDoc on /redoc (no inline script). The OpenAPI document's URL comes from the
 * page (data-openapi-url). */
(function () {
  "use strict";
  var el = document.getElementById("redoc");
  if (!el || !window.Redoc) return;
  window.Redoc.init(el.getAttribute("data-openapi-url"), {}, el);
})();
