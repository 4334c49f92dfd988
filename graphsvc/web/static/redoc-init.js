/* ReDoc on /redoc, from the vendored redoc bundle. Its styles are <style> elements that
 * carry this response's nonce (the page's CSP allows that nonce, not 'unsafe-inline'). */
(function () {
  "use strict";
  var root = document.getElementById("redoc");
  window.Redoc.init(root.getAttribute("data-spec-url"),
                    { nonce: root.getAttribute("data-nonce") }, root);
})();
