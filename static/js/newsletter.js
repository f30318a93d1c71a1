// The newsletter box without a reload: the same post the form makes without JavaScript, sent in
// the background (the page's Origin says it is ours), with the answer said in the box.

function enhance(form) {
  const status = form.querySelector("[data-status]");
  const button = form.querySelector('button[type="submit"]');
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    button.disabled = true;
    status.textContent = form.dataset.pending; // in the page's language
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "omit", // nothing of the reader's is needed, so nothing is sent
        headers: { Accept: "application/json" },
      });
      const answer = await response.json();
      status.textContent = answer.message || answer.error;
      status.classList.toggle("newsletter-box__status--error", !response.ok);
      if (response.ok) form.querySelector('input[name="email"]').value = "";
    } catch {
      form.submit(); // the server's own page answers instead
      return;
    } finally {
      button.disabled = false;
    }
  });
}

document.querySelectorAll("form[data-newsletter]").forEach(enhance);
