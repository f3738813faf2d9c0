"use strict";
// Swagger UI from the installed swagger-ui-bundle package (no CDN), over our own OpenAPI.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
