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
