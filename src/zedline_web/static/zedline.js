/*
  ZEDLine Support — small progressive enhancements.
  Every page works without this file; it only adds comfort.

    1. data-confirm        confirm() before a form is submitted
    2. live updates        <body data-live-url="…"> + [data-live-region="id"]
    3. textarea auto-grow  every textarea grows with its text (opt out: data-autogrow="off")
    4. reply visibility    form gets .is-internal when the "internal" radio is checked

  Plain ES2020, loaded with <script defer>. No dependencies.
*/
(() => {
  "use strict";

  const doc = document;

  /* ── 1. Confirmation ─────────────────────────────────────────────────────
     <form data-confirm="Delete this?">            asks on every submit
     <button data-confirm="Close the request?">    asks when this button submits */
  doc.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      const submitter = event.submitter;
      const message =
        (submitter && submitter.getAttribute("data-confirm")) ||
        form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // A data-confirm button that is not a submit button (e.g. a link styled as button)
  doc.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-confirm]") : null;
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  /* ── Toast ─────────────────────────────────────────────────────────────── */
  let toastEl = null;
  let toastTimer = 0;

  const toast = (text) => {
    if (!toastEl) {
      toastEl = doc.createElement("div");
      toastEl.className = "toast";
      toastEl.setAttribute("role", "status");
      toastEl.setAttribute("aria-live", "polite");
      doc.body.appendChild(toastEl);
    }
    toastEl.innerHTML =
      '<svg class="icon" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" ' +
      'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">' +
      '<path d="m5 12.5 4.5 4.5L19 7.5"/></svg>';
    const label = doc.createElement("span");
    label.textContent = text;
    toastEl.appendChild(label);
    // force a reflow so the transition runs again when toasts follow each other
    void toastEl.offsetWidth;
    toastEl.classList.add("is-visible");
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => toastEl.classList.remove("is-visible"), 2600);
  };

  /* ── 3. Textarea auto-grow ─────────────────────────────────────────────── */
  const grow = (ta) => {
    if (!(ta instanceof HTMLTextAreaElement) || ta.getAttribute("data-autogrow") === "off") return;
    ta.style.height = "auto";
    const border = ta.offsetHeight - ta.clientHeight;
    ta.style.height = `${ta.scrollHeight + border}px`;
  };

  const growAll = (root) => root.querySelectorAll("textarea").forEach(grow);

  doc.addEventListener("input", (event) => grow(event.target));

  /* ── 4. Reply visibility (public / internal) ───────────────────────────── */
  const syncVisibility = (form) => {
    if (!(form instanceof HTMLFormElement)) return;
    const internal = form.querySelector('input[name="visibility"][value="internal"]');
    if (!internal) return;
    form.classList.toggle("is-internal", internal.checked);
  };

  const syncAllVisibility = (root) =>
    root.querySelectorAll('input[name="visibility"]').forEach((input) => syncVisibility(input.form));

  doc.addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.name === "visibility") {
      syncVisibility(target.form);
    }
  });

  // Restore the state after a form reset
  doc.addEventListener("reset", (event) => {
    window.setTimeout(() => syncVisibility(event.target), 0);
  });

  /* ── 2. Live updates ────────────────────────────────────────────────────
     <body data-live-url="/p/acme/live"> and parts of the page marked with
     data-live-region="unique-id". On each server event the page is fetched
     again and the marked parts are swapped. Regions where the person is
     typing are left alone until the next event. */
  const isTyping = (region) => {
    const active = doc.activeElement;
    return (
      active &&
      region.contains(active) &&
      (active instanceof HTMLInputElement ||
        active instanceof HTMLTextAreaElement ||
        active instanceof HTMLSelectElement)
    );
  };

  const startLive = () => {
    const url = doc.body.getAttribute("data-live-url");
    if (!url || !("EventSource" in window) || !("DOMParser" in window)) return;

    let busy = false;
    let again = false;
    let debounce = 0;

    const refresh = async () => {
      if (busy) {
        again = true;
        return;
      }
      const regions = doc.querySelectorAll("[data-live-region]");
      if (!regions.length) return;
      busy = true;
      try {
        const response = await fetch(window.location.href, {
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "text/html" },
        });
        if (!response.ok) return;
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        const updated = [];
        regions.forEach((region) => {
          const id = region.getAttribute("data-live-region");
          const source = Array.from(fresh.querySelectorAll("[data-live-region]")).find(
            (el) => el.getAttribute("data-live-region") === id
          );
          if (!source || source.innerHTML === region.innerHTML || isTyping(region)) return;
          region.innerHTML = source.innerHTML;
          growAll(region);
          syncAllVisibility(region);
          updated.push(id);
        });
        if (updated.length) {
          doc.dispatchEvent(new CustomEvent("zedline:updated", { detail: { regions: updated } }));
          toast("Updated");
        }
      } catch (_) {
        /* offline or server restarting: the next event will try again */
      } finally {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      }
    };

    let source = null;
    const connect = () => {
      source = new EventSource(url, { withCredentials: true });
      const onChange = () => {
        // several events in a burst → one refresh
        window.clearTimeout(debounce);
        debounce = window.setTimeout(refresh, 150);
      };
      // The server names its events "change"; unnamed ones count too.
      source.addEventListener("change", onChange);
      source.addEventListener("message", onChange);
      // After a dropped connection the browser reconnects by itself; whatever happened
      // meanwhile was not streamed, so catch up once the stream is back.
      let dropped = false;
      source.addEventListener("error", () => {
        dropped = true;
      });
      source.addEventListener("open", () => {
        if (dropped) {
          dropped = false;
          refresh();
        }
      });
    };
    connect();

    // Close the stream when leaving; reconnect (and catch up) when the page
    // comes back from the browser's back/forward cache.
    window.addEventListener("pagehide", () => source && source.close());
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) {
        connect();
        refresh();
      }
    });
  };

  /* ── Start ─────────────────────────────────────────────────────────────── */
  const init = () => {
    growAll(doc);
    syncAllVisibility(doc);
    startLive();
  };

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
