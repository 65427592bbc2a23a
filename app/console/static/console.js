// Panhuo console: progressive enhancement only. Every form also works without this file.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// GET filter forms: leave empty inputs out of the URL (the server ignores them anyway).
function dropEmptyOnSubmit(form) {
  form.addEventListener("submit", () => {
    for (const el of form.elements) {
      if (el.name && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA")
          && el.type !== "checkbox" && el.type !== "radio" && el.value === "") {
        el.disabled = true;
      }
    }
    setTimeout(() => { for (const el of form.elements) el.disabled = false; }, 0);
  });
}

function confirmOnSubmit(form) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// Match form: show only the inputs of the chosen source (text / stored need / patent).
function toggleSources(form) {
  const radios = form.querySelectorAll('input[name="source"]');
  if (!radios.length) return;
  const update = () => {
    const chosen = form.querySelector('input[name="source"]:checked');
    for (const box of form.querySelectorAll("[data-source]")) {
      const on = chosen && box.dataset.source === chosen.value;
      box.hidden = !on;
      for (const el of box.querySelectorAll("input, select, textarea")) el.disabled = !on;
    }
  };
  radios.forEach((r) => r.addEventListener("change", update));
  update();
}

function showFieldError(form, name, message) {
  const input = form.querySelector(`[name="${name}"]`);
  const id = `err-${name.replace(/\./g, "-")}`;
  let span = document.getElementById(id);
  if (!span) {
    span = document.createElement("span");
    span.className = "field-error";
    span.id = id;
    (input ? input.closest(".field") || form : form).appendChild(span);
  }
  span.textContent = message;
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
  }
}

function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll('[aria-invalid="true"]').forEach((el) => el.removeAttribute("aria-invalid"));
  const old = form.querySelector(".flash.error");
  if (old) old.remove();
}

// Import: drag-and-drop onto the zone, upload with fetch, then go to the job page.
function enhanceUpload(form) {
  const zone = form.querySelector("[data-dropzone]");
  const input = form.querySelector('input[type="file"]');
  const label = document.getElementById("filename");
  const showName = () => { label.textContent = input.files.length ? input.files[0].name : ""; };
  input.addEventListener("change", showName);
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showName();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadWithProgress(form);
  });
}

function uploadWithProgress(form) {
  clearErrors(form);
  const box = document.getElementById("upload-progress");
  const bar = box.querySelector("progress");
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.setRequestHeader("Accept", "application/json");
  request.setRequestHeader("X-CSRF-Token", csrfToken());
  request.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) bar.value = Math.round((100 * event.loaded) / event.total);
  });
  request.addEventListener("load", () => {
    box.hidden = true;
    let body = {};
    try { body = JSON.parse(request.responseText); } catch (e) { body = {}; }
    if (request.status === 202 && body.url) {
      window.location.assign(body.url);
      return;
    }
    const fields = body.fields || {};
    for (const e of body.errors || []) fields[e.field] = e.message;
    Object.entries(fields).forEach(([name, message]) => showFieldError(form, name, message));
    const note = document.createElement("p");
    note.className = "flash error";
    note.setAttribute("role", "alert");
    note.textContent = body.message || body.detail || "上传失败，请重试";
    form.prepend(note);
  });
  request.addEventListener("error", () => { box.hidden = true; });
  box.hidden = false;
  bar.value = 0;
  request.send(new FormData(form));
}

// Import job page: poll the job until it has finished, updating the bar and the counts.
function pollJob(section) {
  const finished = (state) => state === "succeeded" || state === "failed";
  if (finished(section.dataset.state)) return;
  const tick = async () => {
    const response = await fetch(section.dataset.jobStatus, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    document.getElementById("job-progress").value = job.progress;
    document.getElementById("job-progress-text").textContent =
      `${job.processed} / ${job.total_rows ?? "?"} 行（${job.progress}%）`;
    for (const dd of section.querySelectorAll("[data-count]")) dd.textContent = job[dd.dataset.count];
    if (finished(job.state)) {
      window.location.reload(); // the server renders the summary and the failed rows
    } else {
      setTimeout(tick, 700);
    }
  };
  setTimeout(tick, 300);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-drop-empty]").forEach(dropEmptyOnSubmit);
  document.querySelectorAll("form[data-confirm]").forEach(confirmOnSubmit);
  document.querySelectorAll('form[action="/console/matches"]').forEach(toggleSources);
  const upload = document.getElementById("upload-form");
  if (upload) enhanceUpload(upload);
  const job = document.querySelector("[data-job-status]");
  if (job) pollJob(job);
});
