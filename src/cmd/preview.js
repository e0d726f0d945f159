// The live preview: shows the report's pages and updates in place after each
// rebuild, fetching only the pages whose hash changed. Every text from the
// audit (outline, diagnostics) is set with textContent: it is never markup.
"use strict";

window.previewLoadedAt = Date.now();
let shown = [];

function show(state) {
  const pages = document.getElementById("pages");
  state.pages.forEach((hash, i) => {
    let img = pages.children[i];
    if (!img) {
      img = document.createElement("img");
      img.id = "page-" + (i + 1);
      img.alt = "Page " + (i + 1);
      pages.appendChild(img);
    }
    if (shown[i] !== hash) {
      img.src = "/page/" + i + ".svg?v=" + hash;
      img.dataset.hash = hash;
    }
  });
  while (pages.children.length > state.pages.length) pages.lastChild.remove();
  shown = state.pages.slice();

  const outline = document.getElementById("outline");
  outline.replaceChildren(...state.outline.map(entry => {
    const a = document.createElement("a");
    a.className = "level-" + Math.min(entry.level, 2);
    a.textContent = entry.title;
    a.addEventListener("click", () => {
      const page = document.getElementById("page-" + entry.page);
      if (page) page.scrollIntoView();
    });
    return a;
  }));

  const problems = document.getElementById("problems");
  problems.replaceChildren(...state.diagnostics.map(d => {
    const div = document.createElement("div");
    const place = document.createElement("span");
    place.className = "place";
    place.textContent = d.file ? d.file + ":" + d.line + ":" + d.column + ": " : "";
    const severity = document.createElement("span");
    severity.className = "severity-" + d.severity;
    severity.textContent = d.severity + ": ";
    const message = document.createElement("span");
    message.textContent = d.message;
    div.append(place, severity, message);
    for (const h of d.hints || []) {
      const hint = document.createElement("div");
      hint.className = "hint";
      hint.textContent = "hint: " + h;
      div.appendChild(hint);
    }
    return div;
  }));
  problems.classList.toggle("shown", state.diagnostics.some(d => d.severity === "error"));
  document.getElementById("status").textContent = "build " + state.version;
  document.body.dataset.version = state.version;
}

fetch("/state").then(r => r.json()).then(show);
const events = new EventSource("/events");
events.onmessage = e => show(JSON.parse(e.data));
