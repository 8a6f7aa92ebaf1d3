/* The SPARQL query page (templates/sparql.html): runs the query by POST to the endpoint and renders
   the results; its settings come from the page's JSON data block (no inline script: CSP). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  var endpoint = config.endpoint;
  var autorun = config.autorun;
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var form = document.getElementById("form");
  var editor = document.getElementById("query");
  var statusEl = document.getElementById("status");
  var notice = document.getElementById("notice");
  var results = document.getElementById("results");
  var download = document.getElementById("download");

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? "error" : "";
  }
  // Results come from the data and the query from the URL (anyone can send that link): an
  // IRI becomes a link only for http, https and mailto, never javascript:, data: and such.
  function linkable(iri) { return /^(https?|mailto):/i.test(iri); }
  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri" && linkable(term.value)) {
      var a = el("a", term.value); a.href = term.value; td.appendChild(a);
    } else if (term.type === "uri") {
      td.textContent = term.value;
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else if (term.type === "triple") {
      td.textContent = "<< " + [term.value.subject, term.value.predicate, term.value.object]
        .map(function (t) { return t.value; }).join(" ") + " >>";
    } else {
      td.appendChild(document.createTextNode(term.value));
      if (term["xml:lang"]) td.appendChild(el("span", " @" + term["xml:lang"], "lang"));
      else if (term.datatype) td.appendChild(el("span", " ^^" + term.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:"), "dt"));
    }
    return td;
  }
  function showTable(data) {
    results.textContent = "";
    if (data.boolean !== undefined) { results.appendChild(el("p", "ASK: " + data.boolean)); return; }
    var vars = data.head.vars, rows = data.results.bindings;
    var table = el("table"), head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", "?" + v)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    results.appendChild(table);
  }
  function run() {
    var query = editor.value;
    var fmt = download.value;
    var body = new URLSearchParams({ query: query });
    if (fmt) {
      body.set("format", fmt);
      setStatus("Downloading…");
      window.location.href = endpoint + "?" + body.toString();
      return;
    }
    setStatus("Running…");
    notice.style.display = "none";
    var started = performance.now();
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: body
    }).then(function (resp) {
      return resp.text().then(function (text) { return { resp: resp, text: text }; });
    }).then(function (r) {
      var ms = Math.round(performance.now() - started);
      if (!r.resp.ok) {
        results.textContent = "";
        setStatus("HTTP " + r.resp.status + ": " + r.text, true);
        return;
      }
      if (r.resp.headers.get("X-Result-Truncated") === "true") {
        notice.textContent = "Result truncated to the first " + r.resp.headers.get("X-Row-Cap") +
          " rows (row cap). Add LIMIT/OFFSET to page through it.";
        notice.style.display = "block";
      }
      var type = (r.resp.headers.get("Content-Type") || "").split(";")[0];
      if (type === "application/sparql-results+json") {
        var data = JSON.parse(r.text);
        showTable(data);
        setStatus((data.results ? data.results.bindings.length + " rows" : "done") + " in " + ms + " ms");
      } else {
        results.textContent = "";
        results.appendChild(el("pre", r.text));
        setStatus("graph (" + type + ") in " + ms + " ms");
      }
    }).catch(function (err) { setStatus("Request failed: " + err, true); });
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
  editor.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var q = examples[Number(a.getAttribute("data-index"))];
      editor.value = q.text;
      editor.focus();
      results.textContent = "";
      setStatus(q.params.length ? "Loaded " + q.name + "; its parameters (" + q.params.join(", ") +
        ") are unbound here; use its REST URL to bind them." : "Loaded " + q.name + ".");
    });
  });
  if (autorun) run();
})();
