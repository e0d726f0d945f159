// The live preview: shows the report's pages and updates in place after each
// rebuild, fetching only the pages whose hash changed. Every text from the
// audit (outline, diagnostics, the PDF's name) is set with textContent: it is
// never markup.
"use strict";

window.previewLoadedAt = Date.now();
let shown = [];
let state = { pages: [], sizes: [], outline: [] };
// null fits the pages to the width; otherwise a factor of their size.
let zoom = null;
const ZOOMS = [0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3];
// CSS pixels per point.
const PX_PER_PT = 96 / 72;

const $ = id => document.getElementById(id);

// Each page is a box with its picture, sized before the picture arrives so
// that nothing jumps while it loads, and its number under it.
function showPages() {
  const pages = $("pages");
  const total = state.pages.length;
  state.pages.forEach((hash, i) => {
    let box = pages.children[i];
    if (!box) {
      box = document.createElement("div");
      box.className = "page";
      box.id = "page-" + (i + 1);
      const img = document.createElement("img");
      img.alt = "Page " + (i + 1);
      const label = document.createElement("div");
      label.className = "page-number";
      box.append(img, label);
      pages.appendChild(box);
    }
    const img = box.firstChild;
    const size = state.sizes[i];
    if (size) {
      img.width = Math.round(size[0] * PX_PER_PT);
      img.height = Math.round(size[1] * PX_PER_PT);
    }
    box.lastChild.textContent = (i + 1) + " / " + total;
    if (shown[i] !== hash) {
      img.src = "/page/" + i + ".svg?v=" + hash;
      img.dataset.hash = hash;
    }
  });
  while (pages.children.length > state.pages.length) pages.lastChild.remove();
  shown = state.pages.slice();
  applyZoom();
}

// The outline: the PDF's bookmarks, each a link to its place.
function showOutline() {
  $("outline").replaceChildren(...state.outline.map((entry, i) => {
    const a = document.createElement("a");
    a.className = "level-" + Math.min(entry.level, 3);
    a.textContent = entry.title;
    a.dataset.index = i;
    a.addEventListener("click", () => {
      const top = headingTop(entry);
      if (top !== null) window.scrollTo({ top: top - headerHeight() - 8 });
    });
    return a;
  }));
  markPlace();
}

function showProblems() {
  const problems = $("problems");
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
}

// A time of day as 14:02:11.
function clock(ms) {
  const t = new Date(ms);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map(n => String(n).padStart(2, "0")).join(":");
}

function showStatus() {
  const status = $("status");
  const n = state.pages.length;
  const pages = n + (n === 1 ? " page" : " pages");
  if (!state.updated) {
    status.textContent = "Waiting for the first build…";
  } else if (state.ok) {
    status.textContent = "Updated " + clock(state.updated) + " · " + pages;
  } else {
    status.textContent = "Build failed " + clock(state.updated) + (n ? " · showing the last good " + pages : "");
  }
  status.classList.toggle("failed", !!state.updated && !state.ok);
  const pdf = $("pdf");
  pdf.hidden = !state.pdf;
  if (state.pdf) {
    pdf.textContent = state.pdf;
    pdf.href = "/report.pdf?v=" + state.updated;
  }
}

function show(next) {
  state = next;
  showPages();
  showOutline();
  showProblems();
  showStatus();
  document.body.dataset.version = state.version;
}

// Zoom: fit to the width, or a factor of the pages' size.
function applyZoom() {
  const pages = $("pages");
  pages.classList.toggle("fit", zoom === null);
  for (const box of pages.children) {
    const img = box.firstChild;
    img.style.width = zoom === null ? "" : Math.round(img.width * zoom) + "px";
  }
  $("zoom-level").textContent = zoom === null ? "Fit" : Math.round(zoom * 100) + "%";
}

// The factor the pages are shown at now.
function currentZoom() {
  const img = document.querySelector("#pages img");
  return img && img.width ? img.clientWidth / img.width : 1;
}

function setZoom(next) {
  const page = currentPage();
  zoom = next;
  applyZoom();
  const box = $("page-" + page);
  if (box) window.scrollTo({ top: box.offsetTop - headerHeight() - 8 });
  markPlace();
}

$("zoom-in").addEventListener("click", () => {
  const now = currentZoom();
  setZoom(ZOOMS.find(z => z > now + 0.001) || ZOOMS[ZOOMS.length - 1]);
});
$("zoom-out").addEventListener("click", () => {
  const now = currentZoom();
  setZoom([...ZOOMS].reverse().find(z => z < now - 0.001) || ZOOMS[0]);
});
$("zoom-level").addEventListener("click", () => setZoom(null));

function headerHeight() {
  return document.querySelector("header").offsetHeight;
}

// Where a heading is in the page, in CSS pixels from the top of the document.
function headingTop(entry) {
  const box = $("page-" + entry.page);
  if (!box) return null;
  const img = box.firstChild;
  const size = state.sizes[entry.page - 1];
  const scale = size ? img.clientHeight / size[1] : 0;
  return box.getBoundingClientRect().top + window.scrollY + (entry.y || 0) * scale;
}

// The reading line: a little below the header. A heading above it is one
// the reader has reached; a click on the outline puts its heading there.
function readingLine() {
  return window.scrollY + headerHeight() + 16;
}

// The page the reading line is on, from 1.
function currentPage() {
  const line = readingLine();
  let page = 1;
  for (const box of $("pages").children) {
    if (box.getBoundingClientRect().top + window.scrollY > line) break;
    page = Number(box.id.slice(5));
  }
  return page;
}

// Marks the page and the outline entry the reader is at.
function markPlace() {
  const n = state.pages.length;
  $("where").textContent = n ? "Page " + currentPage() + " of " + n : "";
  const line = readingLine();
  let current = -1;
  state.outline.forEach((entry, i) => {
    const top = headingTop(entry);
    if (top !== null && top <= line) current = i;
  });
  for (const a of $("outline").children) {
    const here = Number(a.dataset.index) === current;
    if (here !== a.classList.contains("current")) {
      a.classList.toggle("current", here);
      if (here) a.scrollIntoView({ block: "nearest" });
    }
  }
}

let marking = false;
window.addEventListener("scroll", () => {
  if (marking) return;
  marking = true;
  requestAnimationFrame(() => {
    marking = false;
    markPlace();
  });
});
window.addEventListener("resize", markPlace);

fetch("/state").then(r => r.json()).then(show);
const events = new EventSource("/events");
events.onmessage = e => show(JSON.parse(e.data));
