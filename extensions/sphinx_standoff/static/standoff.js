/* sphinx-standoff: the reading edition in the browser.

   Everything here is an enhancement: without the script every note is shown after its paragraph (or beside it,
   on a wide screen), the reading text is shown, paratext is folded, and every link works.

   - the register's filter (by kind of disagreement and by source);
   - the two views of the text, diplomatic and reading, remembered across pages;
   - notes: packed in the margin at their calls on a wide screen, opened in place from their call on a narrow one;
   - previews of notes, discrepancy marks and cross-references, on hover and on keyboard focus;
   - "cite this" for every paragraph (Chicago, BibTeX, CSL-JSON), from the page's citation_* meta tags;
   - search results that say, and link to, the paragraphs and notes where the words are. */
(function () {
  "use strict";

  var VIEW_KEY = "standoff-view";
  var DIPLOMATIC = "standoff-view-diplomatic";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }
  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") {
        node.textContent = attrs[key];
      } else if (key === "className") {
        node.className = attrs[key];
      } else {
        node.setAttribute(key, attrs[key]);
      }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }
  function store(key, value) {
    try {
      if (value === undefined) { return window.localStorage.getItem(key); }
      window.localStorage.setItem(key, value);
    } catch (e) { /* private mode: the view is not remembered */ }
    return null;
  }

  /* -- the register's filter ----------------------------------------------------------------------------- */

  function setupFilter(form) {
    var entries = all("article.standoff-entry");
    var count = form.querySelector(".standoff-filter-count");
    function apply() {
      var kind = form.elements.kind.value;
      var source = form.elements.source.value;
      var shown = 0;
      entries.forEach(function (entry) {
        var sources = (entry.getAttribute("data-sources") || "").split(" ");
        var visible = (!kind || entry.getAttribute("data-kind") === kind) &&
          (!source || sources.indexOf(source) !== -1);
        entry.hidden = !visible;
        if (visible) { shown += 1; }
      });
      all("section.standoff-register-group").forEach(function (group) {
        group.hidden = !group.querySelector("article.standoff-entry:not([hidden])");
      });
      if (count) { count.textContent = shown + " of " + entries.length + " entries shown"; }
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  /* -- notes: margin or inline --------------------------------------------------------------------------- */

  var texts = [];

  function layoutOf(text) {
    return (getComputedStyle(text).getPropertyValue("--standoff-layout") || "").trim() === "margin" ?
      "margin" : "inline";
  }
  function callOf(note) {
    return note.id ? document.querySelector('a.footnote-reference[href="#' + note.id + '"]') : null;
  }
  function notesOf(text) {
    return all(".standoff-margin aside.footnote", text);
  }

  /* On a wide screen, each note is set beside the line of its call, below the note before it. The margin
     column takes no height of its own (the style sheet's .standoff-packed), so a paragraph does not wait for the
     notes of the paragraph before unless its own notes would otherwise start below it: then it moves down, and
     every note starts beside its own paragraph. A very long note is shown in part, with a button for the rest. */
  function pack(text) {
    var notes = notesOf(text);
    notes.forEach(function (note) {
      note.style.marginTop = "";
      note.style.maxHeight = "";
      note.classList.remove("standoff-clipped");
    });
    all(".standoff-block", text).forEach(function (block) { block.style.marginTop = ""; });
    text.style.paddingBottom = "";
    var margin = layoutOf(text) === "margin";
    text.classList.toggle("standoff-packed", margin);
    text.classList.toggle("standoff-notes-folded", !margin);
    notes.forEach(function (note) {
      var call = callOf(note);
      if (call) {
        if (margin) { call.removeAttribute("aria-expanded"); } else {
          call.setAttribute("aria-expanded", note.classList.contains("standoff-open") ? "true" : "false");
        }
      }
    });
    if (!margin) { return; }
    var rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    var gap = 8;
    // where a paragraph's notes are much taller than the paragraph, each is shown shorter, so that the text
    // waits less for them
    var crowded = new Map();
    all(".standoff-block.standoff-has-notes", text).forEach(function (own) {
      var para = own.querySelector(".standoff-para");
      var total = all(".standoff-margin aside.standoff-note", own).reduce(function (sum, note) {
        return sum + note.getBoundingClientRect().height;
      }, 0);
      crowded.set(own, para && total > 2 * para.getBoundingClientRect().height + 8 * rem);
    });
    var previous = -Infinity;
    var block = null;
    notes.forEach(function (note) {
      var height = note.getBoundingClientRect().height;
      if (!height) { return; }
      var button = note.querySelector("button.standoff-more");
      var tight = crowded.get(note.closest(".standoff-block"));
      var longest = (tight ? 8.5 : 16) * rem;
      if (height > longest) {
        if (!button) { button = moreButton(note); }
        if (note.getAttribute("data-expanded") !== "true") {
          note.classList.add("standoff-clipped");
          note.style.maxHeight = (tight ? 6.5 : 11) * rem + "px";
        }
      } else if (button) {
        button.remove();
      }
      var call = callOf(note);
      var at = function () {
        var rect = call ? call.getBoundingClientRect() : null;
        return rect && rect.height ? rect.top - 4 : note.getBoundingClientRect().top;
      };
      var own = note.closest(".standoff-block");
      if (own !== block) {
        block = own;
        // the notes may start lower than their call, but beside their paragraph: if not, the paragraph waits
        var para = own && own.querySelector(".standoff-para");
        var call0 = at();
        var allowed = para ? Math.max(0, para.getBoundingClientRect().bottom - 2.5 * rem - call0) : 0;
        var late = previous + gap - call0 - allowed;
        if (own && late > 0.5) { own.style.marginTop = late + "px"; }
      }
      var top = note.getBoundingClientRect().top;
      var want = Math.max(at(), previous + gap);
      if (want - top > 0.5) { note.style.marginTop = (want - top) + "px"; }
      previous = note.getBoundingClientRect().bottom;
    });
    var bottom = text.getBoundingClientRect().bottom;
    if (previous > bottom) { text.style.paddingBottom = Math.ceil(previous - bottom + gap) + "px"; }
  }

  function moreButton(note) {
    var button = el("button", { type: "button", className: "standoff-more", "aria-expanded": "false",
      text: "Show the whole note" });
    button.addEventListener("click", function () {
      var open = note.getAttribute("data-expanded") !== "true";
      note.setAttribute("data-expanded", open ? "true" : "false");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? "Show less" : "Show the whole note";
      repack();
    });
    // a keyboard user who tabs into the hidden part of a note gets the whole note
    note.addEventListener("focusin", function (event) {
      if (event.target !== button && note.classList.contains("standoff-clipped")) { button.click(); }
    });
    note.appendChild(button);
    return button;
  }

  var packPending = false;
  function repack() {
    if (packPending) { return; }
    packPending = true;
    window.requestAnimationFrame(function () {
      packPending = false;
      texts.forEach(pack);
    });
  }

  function openNote(note, open) {
    note.classList.toggle("standoff-open", open);
    var call = callOf(note);
    if (call) { call.setAttribute("aria-expanded", open ? "true" : "false"); }
  }

  function setupNotes() {
    texts = all(".standoff-text");
    if (!texts.length) { return; }
    texts.forEach(pack);
    window.addEventListener("resize", repack);
    window.addEventListener("load", repack);
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(repack); }
    if (window.ResizeObserver) {
      var widths = new Map();
      var observer = new ResizeObserver(function (records) {
        var changed = records.some(function (record) {
          var width = Math.round(record.contentRect.width);
          var before = widths.get(record.target);
          widths.set(record.target, width);
          return before !== undefined && before !== width;
        });
        if (changed) { repack(); }
      });
      texts.forEach(function (text) { observer.observe(text); });
    }
    all("details", document.querySelector("article[role=main]") || document).forEach(function (details) {
      details.addEventListener("toggle", repack);
    });
    // a call opens its note in place on a narrow screen; on a wide one it points at the note in the margin
    document.addEventListener("click", function (event) {
      var call = event.target.closest && event.target.closest(".standoff-text a.footnote-reference");
      if (!call) { return; }
      var text = call.closest(".standoff-text");
      if (!text || layoutOf(text) === "margin") { return; }
      var note = document.getElementById((call.getAttribute("href") || "").slice(1));
      if (!note || !text.contains(note)) { return; }
      event.preventDefault();
      openNote(note, !note.classList.contains("standoff-open"));
    });
    all(".standoff-text a.footnote-reference").forEach(function (call) {
      var note = document.getElementById((call.getAttribute("href") || "").slice(1));
      if (!note) { return; }
      call.setAttribute("aria-controls", note.id);
      function on() { note.classList.add("standoff-note-active"); }
      function off() { note.classList.remove("standoff-note-active"); }
      call.addEventListener("mouseenter", on);
      call.addEventListener("mouseleave", off);
      call.addEventListener("focus", on);
      call.addEventListener("blur", off);
      note.addEventListener("mouseenter", function () { call.classList.add("standoff-call-active"); });
      note.addEventListener("mouseleave", function () { call.classList.remove("standoff-call-active"); });
    });
    window.addEventListener("hashchange", showTarget);
    showTarget();
  }

  /* what the address points at is shown: a folded paratext opened, a closed note opened, and scrolled to once
     the notes are in place */
  function showTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    var details = target.closest("details");
    if (details && !details.open) { details.open = true; }
    if (target.matches("aside.standoff-note")) { openNote(target, true); }
    window.requestAnimationFrame(function () {
      texts.forEach(pack);
      target.scrollIntoView({ block: "start" });
    });
  }

  /* -- the two views ---------------------------------------------------------------------------------------- */

  var viewButtons = [];

  function applyView(view, remember) {
    var diplomatic = view === "diplomatic";
    document.documentElement.classList.toggle(DIPLOMATIC, diplomatic);
    all("details.standoff-paratext-block").forEach(function (details) { details.open = diplomatic; });
    viewButtons.forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-view") === view ? "true" : "false");
    });
    if (remember) { store(VIEW_KEY, view); }
    repack();
  }

  function setupViews() {
    var heading = document.querySelector(".standoff-text-heading");
    if (!heading || !document.querySelector(".standoff-text")) { return; }
    var hint = el("span", {
      className: "standoff-views-hint",
      id: "standoff-views-hint",
      text: "Reading: emendations applied, paratext folded. Diplomatic: the text as received, errors included.",
    });
    var group = el("div", {
      className: "standoff-views-buttons",
      role: "group",
      "aria-label": "View of the text",
      "aria-describedby": "standoff-views-hint",
    });
    [["reading", "Reading text"], ["diplomatic", "Diplomatic text"]].forEach(function (pair) {
      var button = el("button", { type: "button", "data-view": pair[0], "aria-pressed": "false", text: pair[1] });
      button.addEventListener("click", function () { applyView(pair[0], true); });
      group.appendChild(button);
      viewButtons.push(button);
    });
    heading.appendChild(el("span", { className: "standoff-views" }, [group, hint]));
    var view = store(VIEW_KEY) === "diplomatic" ? "diplomatic" : "reading";
    applyView(view, false);
  }

  /* emendations: the tooltip also opens on a tap, and Escape hides it */
  function setupEmendations() {
    document.addEventListener("click", function (event) {
      var emendation = event.target.closest && event.target.closest("span.standoff-emendation");
      all("span.standoff-emendation.standoff-tip-open").forEach(function (other) {
        if (other !== emendation) { other.classList.remove("standoff-tip-open"); }
      });
      if (emendation) {
        emendation.classList.toggle("standoff-tip-open");
        emendation.classList.remove("standoff-tip-dismissed");
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var emendation = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest("span.standoff-emendation");
      all("span.standoff-emendation.standoff-tip-open").forEach(function (open) {
        open.classList.remove("standoff-tip-open");
      });
      if (emendation) { emendation.classList.add("standoff-tip-dismissed"); }
    });
    document.addEventListener("focusout", function (event) {
      if (event.target.classList && event.target.classList.contains("standoff-emendation")) {
        event.target.classList.remove("standoff-tip-dismissed", "standoff-tip-open");
      }
    });
  }

  /* -- previews ----------------------------------------------------------------------------------------------- */

  var PREVIEWED = [
    ".standoff-text a.footnote-reference",
    "a.standoff-flag",
    "article[role=main] a.reference.internal[href*='#']",
  ].join(", ");
  var NOT_PREVIEWED = "a.standoff-pnum, a.headerlink, [role=doc-backlink], .toctree-wrapper a, " +
    ".standoff-popover a, nav a, .standoff-pairs a, .sidebar-tree a";

  var pages = {};
  var popover = null;
  var current = null;
  var showTimer = 0;
  var hideTimer = 0;
  var returning = null;

  function isTrigger(node) {
    if (!node || !node.matches || !node.matches(PREVIEWED) || node.matches(NOT_PREVIEWED)) { return false; }
    if (node.matches("a.footnote-reference")) {
      var text = node.closest(".standoff-text");
      return !text || layoutOf(text) === "margin";
    }
    return true;
  }

  function fetchPage(url) {
    var key = url.split("#")[0];
    if (!pages[key]) {
      pages[key] = fetch(key, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      }).then(function (html) {
        return new DOMParser().parseFromString(html, "text/html");
      });
      pages[key].catch(function () { delete pages[key]; });
    }
    return pages[key];
  }

  /* a copy that can live in this page: no ids, links made absolute where it came from another page */
  function transplant(node, base) {
    var copy = node.cloneNode(true);
    [copy].concat(all("[id]", copy)).forEach(function (n) { n.removeAttribute("id"); });
    all("[aria-describedby], [aria-controls], [aria-labelledby]", copy).forEach(function (n) {
      n.removeAttribute("aria-describedby");
      n.removeAttribute("aria-controls");
      n.removeAttribute("aria-labelledby");
    });
    all("span.label, .standoff-tip, button.standoff-cite, button.standoff-more", copy).forEach(function (n) { n.remove(); });
    all("[tabindex]", copy).forEach(function (n) { n.removeAttribute("tabindex"); });
    all("a[href]", copy).forEach(function (a) {
      var href = a.getAttribute("href");
      if (base && href && href.charAt(0) !== "#") {
        a.setAttribute("href", new URL(href, base).href);
      } else if (base && href) {
        a.setAttribute("href", base.split("#")[0] + href);
      }
    });
    return copy;
  }

  function describe(target, link, base) {
    var body = el("div", { className: "standoff-popover-body" });
    var title = link.textContent.trim();
    var more = null;
    if (target.matches("aside.footnote")) {
      var label = target.querySelector("span.label");
      title = link.matches("a.standoff-flag") ? "Discrepancy — note " + label.textContent.replace(/[[\]]/g, "") :
        "Note " + (label ? label.textContent.replace(/[[\]]/g, "") : "");
      Array.prototype.slice.call(transplant(target, base).children).forEach(function (child) {
        body.appendChild(child);
      });
    } else if (target.matches("p.standoff-para")) {
      var doc = target.ownerDocument;
      var source = doc.querySelector('meta[name="standoff:source-label"]');
      if (source) { title = source.getAttribute("content") + ", ¶" + target.id.replace(/^p/, ""); }
      body.appendChild(transplant(target, base));
      more = "Go to the passage";
    } else if (target.matches("div.standoff-entity")) {
      var copy = transplant(target, base);
      all(".standoff-mentions, .standoff-spellings, .standoff-identification, .standoff-unmentioned", copy).forEach(function (n) {
        n.remove();
      });
      Array.prototype.slice.call(copy.children).forEach(function (child) { body.appendChild(child); });
      title = "Register of names";
      more = "Open the entry, with every passage";
    } else if (target.matches("[role=doc-biblioentry], .citation")) {
      title = "Bibliography";
      Array.prototype.slice.call(transplant(target, base).children).forEach(function (child) {
        body.appendChild(child);
      });
    } else if (target.matches("section")) {
      var heading = target.querySelector("h1, h2, h3, h4, h5, h6");
      if (heading) { title = heading.textContent.replace(/[#¶]\s*$/, "").trim(); }
      Array.prototype.forEach.call(target.children, function (child) {
        if (!child.matches("h1, h2, h3, h4, h5, h6, section")) { body.appendChild(transplant(child, base)); }
      });
      more = "Open";
    } else {
      body.appendChild(transplant(target, base));
      more = "Open";
    }
    if (more) {
      body.appendChild(el("p", { className: "standoff-popover-more" }, [
        el("a", { href: link.getAttribute("href"), text: more + " →" }),
      ]));
    }
    return { title: title, body: body };
  }

  function contentFor(link) {
    var href = link.getAttribute("href") || "";
    var url = new URL(href, window.location.href);
    var id = decodeURIComponent(url.hash.slice(1));
    if (!id) { return Promise.resolve(null); }
    var samePage = url.pathname === window.location.pathname && url.search === window.location.search;
    if (samePage) {
      var target = document.getElementById(id);
      return Promise.resolve(target ? describe(target, link, null) : null);
    }
    if (window.location.protocol === "file:") { return Promise.resolve(null); }
    return fetchPage(url.href).then(function (doc) {
      var target = doc.getElementById(id);
      return target ? describe(target, link, url.href) : null;
    }, function () { return null; });
  }

  function makePopover() {
    popover = el("div", {
      className: "standoff-popover",
      id: "standoff-popover",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "standoff-popover-title",
      tabindex: "-1",
      hidden: "",
    });
    popover.addEventListener("mouseenter", function () { window.clearTimeout(hideTimer); });
    popover.addEventListener("mouseleave", function () { scheduleHide(); });
  }

  function place(trigger) {
    if (!popover || popover.hidden) { return; }
    var rect = trigger.getBoundingClientRect();
    var width = popover.offsetWidth;
    var height = popover.offsetHeight;
    var left = Math.min(Math.max(8, rect.left + rect.width / 2 - width / 2), window.innerWidth - width - 8);
    var below = window.innerHeight - rect.bottom;
    var top = below >= height + 12 || below >= rect.top ? rect.bottom + 6 : rect.top - height - 6;
    popover.style.left = Math.max(8, left) + "px";
    popover.style.top = Math.max(8, top) + "px";
  }

  function show(trigger) {
    window.clearTimeout(hideTimer);
    if (current === trigger && popover && !popover.hidden) { return; }
    contentFor(trigger).then(function (content) {
      if (!content) { return; }
      if (!popover) { makePopover(); }
      if (current && current !== trigger) { current.setAttribute("aria-expanded", "false"); }
      current = trigger;
      popover.innerHTML = "";
      popover.classList.toggle("standoff-popover-flag", trigger.matches("a.standoff-flag"));
      popover.appendChild(el("p", {
        className: "standoff-popover-title",
        id: "standoff-popover-title",
        text: content.title,
      }));
      popover.appendChild(content.body);
      // right after its trigger, so that Tab goes from the trigger into the preview's links
      trigger.insertAdjacentElement("afterend", popover);
      popover.hidden = false;
      trigger.setAttribute("aria-expanded", "true");
      trigger.setAttribute("aria-controls", "standoff-popover");
      place(trigger);
    });
  }

  function hide(returnFocus) {
    window.clearTimeout(showTimer);
    window.clearTimeout(hideTimer);
    if (!popover || popover.hidden) { return; }
    popover.hidden = true;
    var trigger = current;
    current = null;
    if (trigger) {
      trigger.setAttribute("aria-expanded", "false");
      if (returnFocus) {
        returning = trigger;
        trigger.focus();
        returning = null;
      }
    }
  }

  function scheduleHide() {
    window.clearTimeout(hideTimer);
    hideTimer = window.setTimeout(function () { hide(false); }, 300);
  }

  function setupPreviews() {
    all(PREVIEWED).forEach(function (link) {
      if (link.matches(NOT_PREVIEWED)) { return; }
      link.setAttribute("aria-haspopup", "dialog");
      link.setAttribute("aria-expanded", "false");
    });
    document.addEventListener("pointerover", function (event) {
      if (event.pointerType !== "mouse") { return; }
      var trigger = event.target.closest && event.target.closest("a");
      if (!isTrigger(trigger)) { return; }
      window.clearTimeout(showTimer);
      window.clearTimeout(hideTimer);
      showTimer = window.setTimeout(function () { show(trigger); }, 250);
    });
    document.addEventListener("pointerout", function (event) {
      if (event.pointerType !== "mouse") { return; }
      var trigger = event.target.closest && event.target.closest("a");
      if (!isTrigger(trigger)) { return; }
      window.clearTimeout(showTimer);
      if (current === trigger) { scheduleHide(); }
    });
    document.addEventListener("focusin", function (event) {
      var target = event.target;
      if (popover && (target === popover || popover.contains(target))) {
        window.clearTimeout(hideTimer);
        return;
      }
      if (target === returning) { return; }
      if (isTrigger(target)) {
        show(target);
      } else if (current) {
        hide(false);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && popover && !popover.hidden) {
        var inside = popover.contains(document.activeElement) || document.activeElement === current;
        hide(inside);
      }
    });
    window.addEventListener("scroll", function () { if (current) { place(current); } }, { passive: true });
    window.addEventListener("resize", function () { if (current) { place(current); } });
  }

  /* -- "cite this" -------------------------------------------------------------------------------------------- */

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  var ORGANISATION = /\b(office|department|agency|administration|embassy|committee|council|ministry|project|library|institut|university|press|news|service|bureau|staff|government|association|society|foundation|museum|archive)/i;

  function citationData(paragraph) {
    var number = paragraph.id.replace(/^p/, "");
    var base = meta("standoff:permalink");
    if (!base) {
      base = window.location.href.split("#")[0].split("?")[0];
    }
    var date = meta("citation_publication_date").replace(/\//g, "-");
    return {
      key: (meta("standoff:source") || "passage") + "-p" + number,
      number: number,
      title: meta("citation_title"),
      author: meta("citation_author"),
      date: date,
      edition: meta("standoff:edition") || meta("citation_inbook_title"),
      version: meta("standoff:version"),
      publisher: meta("citation_publisher"),
      label: meta("standoff:source-label") || meta("citation_title"),
      url: base + "#" + paragraph.id,
    };
  }

  function person(name) {
    var words = name.split(/\s+/);
    if (!name || /,/.test(name) || ORGANISATION.test(name) || words.length < 2 || words.length > 4) { return null; }
    if (!words.every(function (w) { return /^[A-ZÀ-Ý]/.test(w); })) { return null; }
    return { family: words[words.length - 1], given: words.slice(0, -1).join(" ") };
  }

  function humanDate(iso) {
    var parts = iso.split("-").map(Number);
    if (parts.length === 3) { return MONTHS[parts[1] - 1] + " " + parts[2] + ", " + parts[0]; }
    if (parts.length === 2) { return MONTHS[parts[1] - 1] + " " + parts[0]; }
    return iso;
  }

  function chicago(d) {
    var out = [];
    if (d.author) { out.push(d.author + ", "); }
    out.push("“" + d.title.replace(/[.,]$/, "") + ",” ");
    if (d.date) { out.push(humanDate(d.date) + ", "); }
    out.push("par. " + d.number + ", in ");
    return {
      before: out.join(""),
      edition: d.edition,
      after: (d.version ? ", version " + d.version : "") + ", " + d.url + ".",
    };
  }

  function bibEscape(text) {
    return text.replace(/([&%$#_])/g, "\\$1").replace(/[{}]/g, "");
  }

  function bibtex(d) {
    var name = person(d.author || "");
    var fields = [];
    if (d.author) {
      fields.push(["author", name ? bibEscape(name.family + ", " + name.given) : "{" + bibEscape(d.author) + "}"]);
    }
    fields.push(["title", bibEscape(d.title)]);
    fields.push(["booktitle", bibEscape(d.edition)]);
    if (d.version) { fields.push(["version", bibEscape(d.version)]); }
    if (d.publisher) { fields.push(["publisher", bibEscape(d.publisher)]); }
    if (d.date) {
      fields.push(["year", d.date.slice(0, 4)]);
      fields.push(["date", d.date]);
    }
    fields.push(["note", "Paragraph " + d.number + (d.version ? "; version " + bibEscape(d.version) : "")]);
    fields.push(["url", d.url]);
    var width = Math.max.apply(null, fields.map(function (f) { return f[0].length; }));
    return "@incollection{" + d.key + ",\n" + fields.map(function (f) {
      return "  " + f[0] + new Array(width - f[0].length + 2).join(" ") + "= {" + f[1] + "}";
    }).join(",\n") + "\n}";
  }

  function csl(d) {
    var item = { id: d.key, type: "chapter", title: d.title };
    if (d.author) {
      var name = person(d.author);
      item.author = [name || { literal: d.author }];
    }
    if (d.date) { item.issued = { "date-parts": [d.date.split("-").map(Number)] }; }
    item["container-title"] = d.edition;
    if (d.version) { item.version = d.version; }
    if (d.publisher) { item.publisher = d.publisher; }
    item.section = "paragraph " + d.number;
    item.URL = d.url;
    return JSON.stringify([item], null, 2);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = el("textarea", { "aria-hidden": "true", style: "position:fixed;top:-100px;opacity:0" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  var dialog = null;
  var opener = null;

  function format(name, id, content, plain) {
    var button = el("button", { type: "button", className: "standoff-copy", "aria-describedby": id, text: "Copy" });
    button.addEventListener("click", function () {
      var status = dialog.querySelector(".standoff-cite-status");
      copyText(plain).then(function () {
        button.textContent = "Copied";
        button.classList.add("standoff-copied");
        status.textContent = name + " copied to the clipboard.";
        window.setTimeout(function () {
          button.textContent = "Copy";
          button.classList.remove("standoff-copied");
        }, 2000);
      }, function () {
        status.textContent = "Could not copy: select the text and copy it by hand.";
      });
    });
    var head = el("div", { className: "standoff-cite-format-head" }, [el("h3", { text: name }), button]);
    content.id = id;
    content.classList.add("standoff-cite-text");
    content.setAttribute("data-format", name);
    return el("div", { className: "standoff-cite-format" }, [head, content]);
  }

  function openCite(button, paragraph) {
    var d = citationData(paragraph);
    if (!dialog) {
      dialog = el("dialog", { className: "standoff-cite-dialog", "aria-labelledby": "standoff-cite-title" });
      dialog.addEventListener("close", function () {
        if (opener) {
          opener.setAttribute("aria-expanded", "false");
          opener.focus();
        }
      });
      dialog.addEventListener("click", function (event) {
        if (event.target === dialog) { dialog.close(); }
      });
      document.body.appendChild(dialog);
    }
    opener = button;
    dialog.innerHTML = "";
    var close = el("button", { type: "button", className: "standoff-cite-close", "aria-label": "Close", text: "×" });
    close.addEventListener("click", function () { dialog.close(); });
    var c = chicago(d);
    var chicagoText = el("p", {}, [
      document.createTextNode(c.before),
      el("cite", { text: d.edition }),
      document.createTextNode(c.after),
    ]);
    var link = el("p", {}, [el("a", { href: d.url, text: d.url })]);
    var inner = el("div", { className: "standoff-cite-inner" }, [
      el("div", { className: "standoff-cite-head" }, [
        el("h2", { id: "standoff-cite-title", text: "Cite ¶ " + d.number + " of " + d.label }),
        close,
      ]),
      format("Permanent link", "standoff-cite-link", link, d.url),
      format("Chicago (note)", "standoff-cite-chicago", chicagoText, c.before + d.edition + c.after),
      // the two code blocks scroll: focusable, so that a keyboard can scroll them too
      format("BibTeX", "standoff-cite-bibtex", el("pre", { text: bibtex(d), tabindex: "0", "aria-label": "BibTeX" }),
        bibtex(d)),
      format("CSL-JSON", "standoff-cite-csl", el("pre", { text: csl(d), tabindex: "0", "aria-label": "CSL-JSON" }),
        csl(d)),
      el("p", { className: "standoff-cite-status", role: "status", "aria-live": "polite" }),
    ]);
    dialog.appendChild(inner);
    button.setAttribute("aria-expanded", "true");
    dialog.showModal();
    close.focus();
  }

  function setupCitation() {
    if (!meta("standoff:source")) { return; }
    all(".standoff-text p.standoff-para[id]").forEach(function (paragraph) {
      var number = paragraph.id.replace(/^p/, "");
      var button = el("button", {
        type: "button",
        className: "standoff-cite",
        "aria-label": "Cite paragraph " + number,
        "aria-haspopup": "dialog",
        "aria-expanded": "false",
        text: "cite",
      });
      button.addEventListener("click", function () { openCite(button, paragraph); });
      var pnum = paragraph.querySelector("a.standoff-pnum");
      if (pnum) { pnum.insertAdjacentElement("afterend", button); } else { paragraph.prepend(button); }
    });
  }

  /* -- search: which source, which paragraph ------------------------------------------------------------------ */

  function termPattern(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(function (t) {
      return t && t.charAt(0) !== "-" && t.length > 1;
    }).map(function (t) {
      t = t.replace(/[^\p{L}\p{N}]/gu, "");
      return t.length > 4 ? t.replace(/(es|s)$/, "") : t;
    }).filter(Boolean);
    if (!terms.length) { return null; }
    return {
      terms: terms,
      regex: new RegExp("(^|[^\\p{L}\\p{N}])(" + terms.map(function (t) {
        return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      }).join("|") + ")", "iu"),
    };
  }

  function passages(doc, pattern) {
    var found = [];
    all(".standoff-text p.standoff-para[id], .standoff-text aside.standoff-note[id], div.standoff-entity[id], " +
      "article.standoff-entry[id], section.standoff-event[id]", doc).forEach(function (node) {
      var text = node.textContent.replace(/\s+/g, " ");
      var match = pattern.regex.exec(text);
      if (!match) { return; }
      var where;
      if (node.matches("p.standoff-para")) {
        where = "¶ " + node.id.replace(/^p/, "");
      } else if (node.matches("aside")) {
        var label = node.querySelector("span.label");
        var block = node.closest(".standoff-block");
        var para = block && block.querySelector("p.standoff-para");
        where = "Note " + (label ? label.textContent.replace(/[[\]]/g, "") : "") + (para ? " (¶ " + para.id.slice(1) + ")" : "");
        text = text.replace(/^\s*\[?\d+\]?\s*/, "");
      } else {
        var name = node.querySelector(".standoff-entity-name, h1, h2, h3, h4, .standoff-entry-head strong");
        where = name ? name.textContent.replace(/[#¶]\s*$/, "").trim() : node.id;
        text = text.replace(name ? name.textContent.replace(/\s+/g, " ") : "", "").replace(/^\s*[¶#]?\s*/, "");
        match = pattern.regex.exec(text);
        if (!match) { match = { index: 0, 1: "" }; }
      }
      var at = match.index + match[1].length;
      var start = Math.max(0, at - 60);
      var snippet = (start ? "…" : "") + text.slice(start, at + 100).trim() + (at + 100 < text.length ? "…" : "");
      found.push({ id: node.id, where: where, snippet: snippet });
    });
    return found;
  }

  function enhanceResult(item, query, pattern) {
    item.setAttribute("data-standoff", "");
    var link = item.querySelector("a");
    if (!link || window.location.protocol === "file:") { return; }
    var href = link.getAttribute("href");
    var url = new URL(href, window.location.href);
    if (url.hash) { return; }
    fetchPage(url.href).then(function (doc) {
      var found = passages(doc, pattern);
      if (!found.length) { return; }
      var highlight = "?highlight=" + encodeURIComponent(pattern.terms.join(" "));
      var page = href.split("#")[0].split("?")[0];
      link.setAttribute("href", page + highlight + "#" + found[0].id);
      var list = el("ul", { className: "standoff-search-passages", "aria-label": "Passages in " + link.textContent });
      found.slice(0, 5).forEach(function (passage) {
        list.appendChild(el("li", {}, [
          el("a", { className: "standoff-search-where", href: page + highlight + "#" + passage.id, text: passage.where }),
          el("span", { className: "standoff-search-snippet", text: passage.snippet }),
        ]));
      });
      if (found.length > 5) {
        list.appendChild(el("li", { text: "and " + (found.length - 5) + " more passages on this page" }));
      }
      link.insertAdjacentElement("afterend", list);
    }, function () { /* the result stays as Sphinx made it */ });
  }

  function setupSearch() {
    var results = document.getElementById("search-results");
    if (!results) { return; }
    var query = new URLSearchParams(window.location.search).get("q") || "";
    var pattern = termPattern(query);
    if (!pattern) { return; }
    function scan() {
      all("ul.search > li:not([data-standoff])", results).forEach(function (item) { enhanceResult(item, query, pattern); });
    }
    new MutationObserver(scan).observe(results, { childList: true, subtree: true });
    scan();
  }

  /* the theme's sidebars are two unnamed complementary landmarks: name them */
  function labelLandmarks() {
    [[".sidebar-drawer", "Navigation"], [".toc-drawer", "On this page"]].forEach(function (pair) {
      var node = document.querySelector(pair[0]);
      if (node && !node.hasAttribute("aria-label")) { node.setAttribute("aria-label", pair[1]); }
    });
  }

  ready(function () {
    labelLandmarks();
    all("form.standoff-filter").forEach(setupFilter);
    setupViews();
    setupEmendations();
    setupCitation();
    setupNotes();
    setupPreviews();
    setupSearch();
  });
})();
