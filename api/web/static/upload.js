// Upload page: send the file with XHR (fetch has no upload progress), then poll the call's status until it
// is done or failed, marking each pipeline stage as it passes.
(() => {
  const form = document.getElementById("upload-form");
  const panel = document.getElementById("progress-panel");
  const bar = document.getElementById("upload-progress");
  const message = document.getElementById("upload-message");
  const open = document.getElementById("open-call");
  const button = document.getElementById("upload-button");
  const steps = Array.from(document.querySelectorAll("#steps li"));

  function mark(step) {
    const at = steps.findIndex((li) => li.dataset.step === step);
    steps.forEach((li, i) => {
      li.classList.toggle("done", i < at || step === "done");
      li.classList.toggle("now", i === at && step !== "done");
    });
  }

  function poll(id) {
    fetch(`/v1/calls/${id}`)
      .then((r) => r.json())
      .then((call) => {
        if (call.status === "failed") {
          message.textContent = `Failed while ${call.failed_stage}: ${call.error}`;
          message.className = "error";
          open.hidden = false;
          button.disabled = false;
          return;
        }
        mark(call.status);
        if (call.status === "done") {
          message.textContent = "Done: transcribed, analysed and indexed.";
          open.hidden = false;
          open.focus();
          button.disabled = false;
          return;
        }
        message.textContent = `Processing: ${call.status}…`;
        setTimeout(() => poll(id), 1000);
      })
      .catch(() => setTimeout(() => poll(id), 2000));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = document.getElementById("file").files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    const title = document.getElementById("title").value.trim();
    if (title) data.append("title", title);
    const channel = document.getElementById("rep_channel").value;
    if (channel) data.append("rep_channel", channel);
    const metadata = {};
    for (const input of form.querySelectorAll("[data-meta]")) {
      if (input.value.trim()) metadata[input.name] = input.value.trim();
    }
    data.append("metadata", JSON.stringify(metadata));

    panel.hidden = false;
    open.hidden = true;
    button.disabled = true;
    message.className = "";
    message.textContent = "Uploading…";
    bar.value = 0;
    mark("uploaded");
    steps[0].classList.replace("done", "now");

    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/calls");
    // The session cookie goes with every request on its own; this token proves the page sent it.
    xhr.setRequestHeader("X-CSRF-Token", document.querySelector('meta[name="csrf-token"]').content);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON: reported below */ }
      if (xhr.status !== 202) {
        message.textContent = body.detail ? (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail)) : `Upload failed (${xhr.status}).`;
        message.className = "error";
        button.disabled = false;
        return;
      }
      bar.value = 100;
      open.href = `/calls/${body.id}`;
      message.textContent = body.created ? "Uploaded." : "This file was uploaded before: it is the same call.";
      poll(body.id);
    });
    xhr.addEventListener("error", () => {
      message.textContent = "The upload did not reach the server.";
      message.className = "error";
      button.disabled = false;
    });
    xhr.send(data);
  });
})();
