/* The SPARQL query page's editor: YASGUI (vendored, /static/vendor/yasgui) over this
 * server's /sparql, and nothing else.
 *
 * - One endpoint: requestConfig.endpoint is a function returning this server's /sparql, so
 *   no tab can query another server; the endpoint field and catalogue are hidden and empty.
 * - No remote look-ups: prefix completion from the instance's own prefixes (data-prefixes),
 *   not prefix.cc; the Linked Open Vocabularies class/property completers are off.
 * - No storage: persistenceId null, so each visit starts from the query in the page's URL.
 * - Result links: an IRI this server publishes (data-local: [IRI prefix, local path, exact])
 *   opens the local page instead of w3id.org.
 * - The named queries (the list beside the editor) open in a tab of their own.
 * - A query the server has answered already (format=html: the page's #sparql-answered block)
 *   is shown in the results view as it is, not run a second time.
 * - Share links: the share button's link is this page's address with the query in its
 *   fragment (#query=...&tabTitle=...&outputFormat=..., YASGUI's form); opening one loads
 *   and runs that query. Only those three are read: the endpoint, method, headers, extra
 *   arguments and graphs a link may carry are ignored (one endpoint, requests as set here).
 *
 * Without this script (or without YASGUI) the plain form in the page does the same work
 * on the server (format=html); this script hides it once the editor is drawn.
 */
(function () {
  "use strict";
  var mount = document.getElementById("yasgui");
  var Yasgui = window.Yasgui;
  if (!mount || !Yasgui || !Yasgui.Yasqe) return; // the plain form stays

  var endpoint = mount.getAttribute("data-endpoint");
  var prefixes = JSON.parse(mount.getAttribute("data-prefixes") || "{}");
  var rules = JSON.parse(mount.getAttribute("data-local") || "[]");
  var form = document.getElementById("plain");
  var plainResults = document.getElementById("plain-results");
  var textarea = document.getElementById("query");
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;

  // Where an IRI is served on this server (a path), or null: the longest matching rule.
  function localPath(iri) {
    var best = null;
    rules.forEach(function (r) {
      var prefix = r[0], path = r[1], exact = r[2];
      if (exact ? iri === prefix : iri.indexOf(prefix) === 0) {
        if (!best || prefix.length > best[0].length) best = r;
      }
    });
    return best ? best[1] + (best[2] ? "" : iri.slice(best[0].length)) : null;
  }
  window.microheLocalPath = localPath; // for the browser tests and the console

  // Prefix completion (and PREFIX lines added as a prefix is typed) from this instance.
  var prefixLines = Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; });
  Yasqe.forkAutocompleter("prefixes", { name: "instancePrefixes", get: prefixLines, persistenceId: null }, false);
  Yasqe.defaults.autocompleters = ["instancePrefixes", "variables"];
  Yasqe.defaults.prefixCcApi = null;
  if (Yasgui.defaults.yasqe) {
    Yasgui.defaults.yasqe.autocompleters = ["instancePrefixes", "variables"];
    Yasgui.defaults.yasqe.prefixCcApi = null;
  }
  if (Yasr.plugins && Yasr.plugins.table && Yasr.plugins.table.defaults) {
    Yasr.plugins.table.defaults.openIriInNewWindow = false; // local pages open in this tab
  }

  // A share link (YASGUI's share button): the query in the fragment.
  function shared() {
    var hash = window.location.hash.replace(/^#/, "");
    if (!hash) return null;
    var params = new URLSearchParams(hash);
    var query = params.get("query");
    if (query === null) return null;
    var plugin = params.get("outputFormat");
    return { query: query, name: params.get("tabTitle") || null,
             plugin: plugin && Yasr.plugins && Yasr.plugins[plugin] ? plugin : null };
  }
  // ... made from this page's own address: never its ?query=...&format=html (the server
  // would run that query too when the link is opened)
  if (Yasgui.Tab && Yasgui.Tab.prototype.getShareableLink) {
    var shareLink = Yasgui.Tab.prototype.getShareableLink;
    Yasgui.Tab.prototype.getShareableLink = function (base) {
      return shareLink.call(this, base || window.location.origin + window.location.pathname);
    };
  }
  var link = shared();
  var answeredEl = document.getElementById("sparql-answered");
  var answered = answeredEl && !link ? JSON.parse(answeredEl.textContent) : null;

  mount.hidden = false;
  var yasgui = new Yasgui(mount, {
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    copyEndpointOnNewTab: false,
    tabName: "Query",
    endpointCatalogueOptions: { getData: function () { return []; }, keys: [],
                                renderItem: function () {} },
    requestConfig: {
      endpoint: function () { return endpoint; },
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    yasqe: { value: link ? link.query : (textarea ? textarea.value : ""), persistenceId: null, editorHeight: "22rem" },
    yasr: { prefixes: prefixes, persistenceId: null, maxPersistentResponseSize: 0 },
  });
  window.microheYasgui = yasgui;
  if (form) form.hidden = true;
  if (plainResults) plainResults.hidden = true;

  // Result links: IRIs published here open the local page; other IRIs open the lookup
  // route (/resource?iri=: what this store holds about them, e.g. urn:epass: IRIs); an IRI
  // of any other scheme (javascript:, data:, ...) is never a link.
  var resource = mount.getAttribute("data-resource");
  function relink(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".yasr a[href]"), function (a) {
      var iri = a.getAttribute("href");
      if (a.hasAttribute("data-iri")) return; // done already
      // this server's own links (YASR's "try the query" link, pages) stay as they are
      if (iri.charAt(0) === "/" || iri.indexOf(window.location.origin + "/") === 0) return;
      var path = localPath(iri);
      if (path === null && resource && /^(https?|urn|mailto):/i.test(iri)) {
        path = resource + "?iri=" + encodeURIComponent(iri);
      }
      if (path !== null) {
        a.setAttribute("data-iri", iri);
        a.setAttribute("href", path);
        a.removeAttribute("target");
      } else if (!/^(https?|mailto):/i.test(iri)) {
        a.removeAttribute("href");
      }
    });
  }
  new MutationObserver(function () { relink(mount); }).observe(mount, { childList: true, subtree: true });

  // The named queries: each opens in its own tab (or its tab is selected again).
  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var name = a.getAttribute("data-name");
      var text = new URL(a.href, window.location.href).searchParams.get("query") || "";
      var existing = yasgui.tabNameTaken(name);
      var tab = existing || yasgui.addTab(true, { name: name, yasqe: { value: text } });
      if (existing) {
        tab.select();
        tab.setQuery(text);
      }
      var yasqe = tab.getYasqe();
      if (yasqe) yasqe.focus();
    });
  });

  function openShared(found) {
    var tab = yasgui.getTab();
    if (!tab) return;
    if (found.name) tab.setName(found.name);
    if (found.plugin && tab.getYasr()) tab.getYasr().selectPlugin(found.plugin);
    tab.setQuery(found.query);
    tab.query().catch(function () {});
  }
  window.addEventListener("hashchange", function () {
    var found = shared();
    if (found) openShared(found);
  });

  var first = yasgui.getTab();
  if (link) {
    openShared(link);
  } else if (answered && first && first.getYasr()) {
    first.getYasr().setResponse(answered);  // the server's answer: the query is not run again
  } else if (mount.getAttribute("data-autorun") === "true" && first) {
    first.query().catch(function () {});
  }
})();
