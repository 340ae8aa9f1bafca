/*
  ZEDLine Support — the first-visit guided tour.

  The server renders the user's steps as JSON (#zl-tour-data, templates/_tour.html) while the
  tour is not done. This script shows them one at a time: a ring around the real control, the
  rest of the page dimmed (clicks still reach it: the tour never blocks work) and a small dialog
  with "Next", "Back", "Skip tour" and "Don't show again".

  Where it runs: the tour starts on the list of requests (`start`). A step whose element is not
  on the page is skipped. A step with `follow` opens that link on "Next" and the tour goes on
  there; the position is kept in sessionStorage, so a reload resumes where it was.
  "Skip tour" (or Esc) closes it for this browser tab; "Don't show again" and "Finish" tell the
  server (POST `done`). The Help menu's "Take the tour again" form clears what this tab kept.

  Keys: Esc closes, Tab stays inside the dialog, → / Enter next, ← back.
  Plain ES2020, loaded with <script defer>. Without it nothing is lost: /help says the same.
*/
(() => {
  "use strict";

  const doc = document;
  const PREFIX = "zl-tour:";
  const PHONE = "(max-width: 29.99em)";
  const GAP = 14;
  const MARGIN = 8;

  const store = {
    get(key) {
      try {
        return JSON.parse(window.sessionStorage.getItem(key) || "null") || {};
      } catch (_) {
        return {};
      }
    },
    set(key, value) {
      try {
        window.sessionStorage.setItem(key, JSON.stringify(value));
      } catch (_) {
        /* storage may be off: the tour then simply starts over on the list */
      }
    },
    clear() {
      try {
        const keys = [];
        for (let i = 0; i < window.sessionStorage.length; i += 1) {
          const key = window.sessionStorage.key(i);
          if (key && key.startsWith(PREFIX)) keys.push(key);
        }
        keys.forEach((key) => window.sessionStorage.removeItem(key));
      } catch (_) {
        /* nothing kept, nothing to clear */
      }
    },
  };

  // "Take the tour again": forget that this tab skipped or finished the tour.
  doc.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-tour-replay")) store.clear();
  });

  // The Help menu and the phone menu drop down in the same place: one at a time.
  doc.addEventListener(
    "toggle",
    (event) => {
      const opened = event.target;
      if (!(opened instanceof HTMLDetailsElement) || !opened.open) return;
      if (!opened.matches(".help-menu, .mobile-menu")) return;
      doc.querySelectorAll(".help-menu[open], .mobile-menu[open]").forEach((other) => {
        if (other !== opened) other.open = false;
      });
    },
    true
  );

  const dataEl = doc.getElementById("zl-tour-data");
  if (!dataEl) return;
  let tour;
  try {
    tour = JSON.parse(dataEl.textContent || "");
  } catch (_) {
    return;
  }
  const steps = Array.isArray(tour.steps) ? tour.steps : [];
  if (!steps.length) return;

  const key = PREFIX + tour.user;
  const saved = store.get(key);
  if (saved.off) return;

  const here = window.location.pathname;
  let from;
  let shownBefore = 0;
  if (saved.path === here && Number.isInteger(saved.from)) {
    from = saved.from;
    shownBefore = Number.isInteger(saved.shown) ? saved.shown : 0;
  } else if (here === tour.start) {
    from = 0;
  } else {
    return;
  }

  const labels = tour.labels || {};
  const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const isPhone = () => window.matchMedia(PHONE).matches;

  const visible = (el) => {
    if (!el || !el.isConnected || !el.getClientRects().length) return false;
    const rect = el.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) return false;
    return window.getComputedStyle(el).visibility !== "hidden";
  };

  const find = (selectors) => {
    for (const selector of selectors || []) {
      let found;
      try {
        found = Array.from(doc.querySelectorAll(selector)).find(visible);
      } catch (_) {
        found = null;
      }
      if (found) return found;
    }
    return null;
  };

  const followLink = (step) => {
    if (!step.follow) return null;
    const link = find([step.follow]);
    if (!(link instanceof HTMLAnchorElement) || link.origin !== window.location.origin) return null;
    return link;
  };

  // The steps this page can show, from `from` on, up to the first one that leads elsewhere.
  const plan = [];
  for (let i = from; i < steps.length; i += 1) {
    if (!find(steps[i].target)) continue;
    plan.push(i);
    if (followLink(steps[i])) break;
  }
  if (!plan.length) return;
  const last = plan[plan.length - 1];
  const leadsOn = Boolean(followLink(steps[last]));
  const total = shownBefore + plan.length + (leadsOn ? steps.length - last - 1 : 0);
  let pos = Math.max(0, plan.indexOf(saved.path === here ? saved.at : -1));

  /* ── the dialog ─────────────────────────────────────────────────────────── */

  const el = (tag, cls, text) => {
    const node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  };
  const button = (cls, text) => {
    const b = el("button", cls, text);
    b.type = "button";
    return b;
  };

  const ring = el("div", "tour-ring");
  ring.setAttribute("aria-hidden", "true");
  const dialog = el("div", "tour");
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-labelledby", "tour-title");
  dialog.setAttribute("aria-describedby", "tour-text");
  dialog.tabIndex = -1;
  const count = el("p", "tour__count");
  count.id = "tour-count";
  const title = el("h2", "tour__title");
  title.id = "tour-title";
  const text = el("p", "tour__text");
  text.id = "tour-text";
  const back = button("btn btn--secondary btn--sm", labels.back || "Back");
  const next = button("btn btn--primary btn--sm tour__next", labels.next || "Next");
  const skip = button("tour__link", labels.skip || "Skip tour");
  const never = button("tour__link", labels.never || "Don't show again");
  const nav = el("div", "tour__nav");
  nav.append(back, next);
  const more = el("div", "tour__more");
  more.append(skip, never);
  const label = el("p", "tour__label", labels.dialog || "Guided tour");
  const head = el("div", "tour__head");
  head.append(label, count);
  dialog.append(head, title, text, nav, more);

  let target = null;
  let frame = 0;
  let returnFocus = null;
  let open = false;

  const remember = (extra) =>
    store.set(key, Object.assign({ path: here, from, at: plan[pos], shown: shownBefore }, extra));

  const place = () => {
    frame = 0;
    if (!open) return;
    const step = steps[plan[pos]];
    if (!visible(target)) target = find(step.target);
    if (!target) {
      close();
      return;
    }
    const r = target.getBoundingClientRect();
    const pad = 6;
    ring.style.top = `${r.top - pad}px`;
    ring.style.left = `${r.left - pad}px`;
    ring.style.width = `${r.width + pad * 2}px`;
    ring.style.height = `${r.height + pad * 2}px`;

    if (isPhone()) {
      dialog.style.top = "";
      dialog.style.left = "";
      return;
    }
    doc.documentElement.style.removeProperty("--zl-tour-space");
    const vw = doc.documentElement.clientWidth;
    const vh = window.innerHeight;
    const w = dialog.offsetWidth;
    const h = dialog.offsetHeight;
    const clampX = (x) => Math.min(Math.max(x, MARGIN), vw - w - MARGIN);
    const clampY = (y) => Math.min(Math.max(y, MARGIN), vh - h - MARGIN);
    let top;
    let left;
    if (vh - r.bottom >= h + GAP + MARGIN) {
      top = r.bottom + GAP;
      left = clampX(r.left);
    } else if (r.top >= h + GAP + MARGIN) {
      top = r.top - GAP - h;
      left = clampX(r.left);
    } else if (vw - r.right >= w + GAP + MARGIN) {
      top = clampY(r.top);
      left = r.right + GAP;
    } else if (r.left >= w + GAP + MARGIN) {
      top = clampY(r.top);
      left = r.left - GAP - w;
    } else {
      // A control as large as the screen: the dialog sits in its lower part.
      top = vh - h - MARGIN * 3;
      left = clampX(r.left + GAP);
    }
    dialog.style.top = `${Math.round(top)}px`;
    dialog.style.left = `${Math.round(left)}px`;
  };

  const schedule = () => {
    if (!frame) frame = window.requestAnimationFrame(place);
  };

  const header = () => {
    const bar = doc.querySelector(".site-header");
    return bar ? bar.getBoundingClientRect().height : 0;
  };

  // Bring the control into the part of the screen the dialog leaves free. On a phone the
  // page gets room below its end, so that its last controls can scroll above the sheet.
  const reveal = () => {
    if (isPhone()) {
      doc.documentElement.style.setProperty("--zl-tour-space", `${dialog.offsetHeight}px`);
    }
    const r = target.getBoundingClientRect();
    const topFree = header() + MARGIN * 2;
    const bottomFree = window.innerHeight - (isPhone() ? dialog.offsetHeight + MARGIN * 2 : MARGIN * 2);
    if (getComputedStyle(target).position === "fixed" || target.closest(".site-header")) return;
    if (r.top >= topFree && r.bottom <= bottomFree) return;
    let delta;
    if (r.height > bottomFree - topFree) delta = r.top - topFree;
    else delta = r.top + r.height / 2 - (topFree + bottomFree) / 2;
    window.scrollBy({ top: delta, behavior: reducedMotion() ? "auto" : "smooth" });
  };

  const show = () => {
    const step = steps[plan[pos]];
    target = find(step.target);
    if (!target) {
      close();
      return;
    }
    const atEnd = pos === plan.length - 1;
    count.textContent = (labels.count || "Step {n} of {total}")
      .replace("{n}", String(shownBefore + pos + 1))
      .replace("{total}", String(total));
    title.textContent = step.title;
    text.textContent = step.text;
    back.disabled = pos === 0;
    next.textContent = atEnd && !leadsOn ? labels.finish || "Finish" : labels.next || "Next";
    dialog.dataset.step = step.id;
    remember({});
    reveal();
    place();
  };

  const tell = () => {
    // The page does not wait for the answer; if it is lost, the tour simply shows again.
    window
      .fetch(tour.done, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-CSRFToken": tour.csrf,
          "X-Requested-With": "fetch",
        },
        body: new URLSearchParams({ _csrf_token: tour.csrf }),
      })
      .catch(() => {});
  };

  function close() {
    if (!open) return;
    open = false;
    ring.remove();
    dialog.remove();
    doc.documentElement.classList.remove("has-tour");
    doc.documentElement.style.removeProperty("--zl-tour-space");
    window.removeEventListener("scroll", schedule, true);
    window.removeEventListener("resize", schedule);
    doc.removeEventListener("keydown", onKey, true);
    const backTo = returnFocus && returnFocus.isConnected ? returnFocus : doc.getElementById("main");
    if (backTo && typeof backTo.focus === "function") backTo.focus({ preventScroll: true });
  }

  const goNext = () => {
    if (pos < plan.length - 1) {
      pos += 1;
      show();
      dialog.focus({ preventScroll: true });
      return;
    }
    const link = leadsOn ? followLink(steps[last]) : null;
    if (link) {
      const there = new URL(link.href, window.location.href);
      store.set(key, { path: there.pathname, from: last + 1, shown: shownBefore + plan.length });
      close();
      window.location.assign(there.href);
      return;
    }
    store.set(key, { off: true });
    tell();
    close();
  };

  const goBack = () => {
    if (pos === 0) return;
    pos -= 1;
    show();
    dialog.focus({ preventScroll: true });
  };

  next.addEventListener("click", goNext);
  back.addEventListener("click", goBack);
  skip.addEventListener("click", () => {
    store.set(key, { off: true });
    close();
  });
  never.addEventListener("click", () => {
    store.set(key, { off: true });
    tell();
    close();
  });

  function onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      store.set(key, { off: true });
      close();
      return;
    }
    if (!dialog.contains(doc.activeElement)) return;
    if (event.key === "Tab") {
      const items = Array.from(dialog.querySelectorAll("button")).filter((b) => !b.disabled);
      if (!items.length) return;
      const first = items[0];
      const lastItem = items[items.length - 1];
      const active = doc.activeElement;
      if (event.shiftKey && (active === first || active === dialog)) {
        event.preventDefault();
        lastItem.focus();
      } else if (!event.shiftKey && active === lastItem) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === "ArrowRight" || (event.key === "Enter" && event.target === dialog)) {
      event.preventDefault();
      goNext();
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      goBack();
    }
  }

  const start = () => {
    open = true;
    returnFocus = doc.activeElement;
    doc.documentElement.classList.add("has-tour");
    doc.body.append(ring, dialog);
    window.addEventListener("scroll", schedule, { passive: true, capture: true });
    window.addEventListener("resize", schedule);
    doc.addEventListener("keydown", onKey, true);
    show();
    dialog.focus({ preventScroll: true });
  };

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();
