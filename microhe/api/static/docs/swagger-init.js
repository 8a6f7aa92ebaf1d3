/* Starts Swagger UI on /docs (no inline script: the page's CSP allows scripts from this
 * server only). The OpenAPI document's URL comes from the page (data-openapi-url).
 * validatorUrl null: no badge fetched from validator.swagger.io. */
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  if (!el || !window.SwaggerUIBundle) return;
  window.ui = window.SwaggerUIBundle({
    url: el.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
