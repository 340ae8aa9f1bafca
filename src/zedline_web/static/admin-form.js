/* The request form builder's comforts; every page works without them.
   - A field editor ([data-fb-editor]) shows its options box only for choice kinds.
   - Typing in the "Add a field" form draws the new field in the preview ([data-fb-preview]).
   - A copy button ([data-copy-button]) copies the portal link ([data-copy-source]). */
(function () {
  "use strict";

  var CHOICE_KINDS = ["select", "multiselect"];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function valueOf(form, name) {
    var input = form.elements.namedItem(name);
    if (!input) { return ""; }
    if (input instanceof RadioNodeList) { return input.value; }
    if (input.type === "checkbox") { return input.checked ? "on" : ""; }
    return input.value;
  }

  function options(form) {
    return valueOf(form, "options").split("\n")
      .map(function (line) { return line.trim(); })
      .filter(function (line, i, all) { return line && all.indexOf(line) === i; });
  }

  function labelWithMark(tag, attrs, text, required) {
    var label = el(tag, attrs, text);
    if (required) {
      label.appendChild(el("span", { "class": "field__req", "aria-hidden": "true" }, "*"));
    }
    return label;
  }

  /* The same markup as the `field` macro of the templates, for one field definition. */
  function drawField(form) {
    var kind = valueOf(form, "kind") || "text";
    var label = valueOf(form, "label").trim();
    var help = valueOf(form, "help_text").trim();
    var required = valueOf(form, "required") === "on";
    var id = "fb_new";
    var box = el("div", { "class": "field field--" + kind });
    var control;
    if (kind === "multiselect") {
      var group = el("fieldset", { "class": "field__group" });
      group.appendChild(labelWithMark("legend", { "class": "field__label" }, label, required));
      if (help) { group.appendChild(el("p", { "class": "field__help" }, help)); }
      var checks = el("div", { "class": "checks" });
      options(form).forEach(function (opt, i) {
        var row = el("label", { "class": "check", "for": id + "-" + i });
        row.appendChild(el("input", { "class": "check__input", "type": "checkbox", "id": id + "-" + i }));
        row.appendChild(el("span", { "class": "check__label" }, opt));
        checks.appendChild(row);
      });
      group.appendChild(checks);
      box.appendChild(group);
      return box;
    }
    if (kind === "checkbox") {
      var single = el("label", { "class": "check check--single", "for": id });
      single.appendChild(el("input", { "class": "check__input", "type": "checkbox", "id": id }));
      single.appendChild(labelWithMark("span", { "class": "check__label" }, label, required));
      box.appendChild(single);
      if (help) { box.appendChild(el("p", { "class": "field__help field__help--after" }, help)); }
      return box;
    }
    box.appendChild(labelWithMark("label", { "class": "field__label", "for": id }, label, required));
    if (help) { box.appendChild(el("p", { "class": "field__help" }, help)); }
    if (kind === "textarea") {
      control = el("textarea", { "class": "input", "rows": "5", "id": id });
    } else if (kind === "select") {
      control = el("select", { "class": "input", "id": id });
      control.appendChild(el("option", { "value": "" }, "…"));
      options(form).forEach(function (opt) { control.appendChild(el("option", {}, opt)); });
    } else {
      var types = { number: "number", date: "date", email: "email", phone: "tel" };
      control = el("input", { "class": "input", "type": types[kind] || "text", "id": id });
      if (kind === "number" || kind === "date") { control.classList.add("input--short"); }
    }
    box.appendChild(control);
    return box;
  }

  function setUpEditor(form) {
    var kind = form.querySelector("[data-fb-kind]");
    var optionsBox = form.querySelector("[data-fb-options]");
    var preview = document.querySelector("[data-fb-preview]");
    var slot = preview && preview.querySelector("[data-fb-preview-slot]");
    var hasErrors = optionsBox && optionsBox.querySelector(".field--invalid");

    var kindHint = form.querySelector("[data-fb-kind-hint]");

    function update() {
      if (kind && kindHint && kind.selectedOptions.length) {
        kindHint.textContent = kind.selectedOptions[0].getAttribute("data-hint") || "";
      }
      if (kind && optionsBox) {
        optionsBox.hidden = CHOICE_KINDS.indexOf(kind.value) === -1 && !hasErrors;
      }
      if (slot && form.hasAttribute("action") && !/\/\d+$/.test(form.getAttribute("action"))) {
        var label = valueOf(form, "label").trim();
        var forClients = valueOf(form, "audience") !== "staff";
        preview.hidden = !label || !forClients;
        slot.replaceChildren(label ? drawField(form) : "");
      }
    }
    form.addEventListener("input", function () { hasErrors = false; update(); });
    form.addEventListener("change", update);
    update();
  }

  function setUpCopy(button) {
    var source = document.querySelector("[data-copy-source]");
    if (!source) { return; }
    button.hidden = false;
    var text = button.querySelector("span");
    var original = text ? text.textContent : "";
    button.addEventListener("click", function () {
      source.select();
      var done = function () {
        if (text) { text.textContent = button.getAttribute("data-copied") || original; }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-fb-editor]").forEach(setUpEditor);
    document.querySelectorAll("[data-copy-button]").forEach(setUpCopy);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
