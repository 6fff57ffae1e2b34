// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so keyboard and screen-reader users land on it.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
  // Instant filter over a list (the org tree).
  document.querySelectorAll("input[data-filter]").forEach((box) => {
    const items = document.querySelectorAll(box.dataset.filter);
    box.addEventListener("input", () => {
      const q = box.value.trim().toLowerCase();
      items.forEach((li) => {
        li.hidden = q !== "" && !(li.dataset.text || "").toLowerCase().includes(q);
      });
    });
  });
  // Confirm destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (e) => { if (!confirm(f.dataset.confirm)) e.preventDefault(); });
  });
  // Show that a long upload is in progress.
  document.querySelectorAll("button[data-busy]").forEach((b) => {
    b.form.addEventListener("submit", () => { b.disabled = true; b.textContent = b.dataset.busy; });
  });
  document.querySelectorAll("[data-back]").forEach((a) => {
    a.addEventListener("click", (e) => { e.preventDefault(); history.back(); });
  });
});

// Show-if rules in form previews and forms: a field shows when the field it depends on has the
// given value (for checkboxes: includes it). Mirrors the server's rule; the server decides.
document.addEventListener("DOMContentLoaded", () => {
  const deps = document.querySelectorAll("[data-show-if]");
  if (!deps.length) return;
  const valueOf = (form, name) => {
    const els = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    const vals = [];
    els.forEach((el) => {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      let v = el.value;
      try { v = JSON.parse(v); } catch (_) { /* plain text */ }
      vals.push(v);
    });
    return vals;
  };
  const update = () => deps.forEach((d) => {
    const form = d.closest("form");
    const want = JSON.stringify(JSON.parse(d.dataset.showValue));
    d.hidden = !valueOf(form, d.dataset.showIf).some((v) => JSON.stringify(v) === want);
  });
  document.addEventListener("change", update);
  update();
});
document.addEventListener("click", (e) => {
  if (e.target.closest("[data-print]")) window.print();
});
