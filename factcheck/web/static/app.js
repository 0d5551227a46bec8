// factcheck serve: sends the text to /check/stream and shows each finding as it arrives.
// Every value from the server is set as text (textContent), never parsed as markup.
"use strict";
(() => {
  const form = document.getElementById("check-form");
  const textArea = document.getElementById("text");
  const fileInput = document.getElementById("file");
  const fileName = document.getElementById("file-name");
  const button = document.getElementById("check");
  const status = document.getElementById("status");
  const list = document.getElementById("findings");
  const downloads = document.getElementById("downloads");
  const template = document.getElementById("finding-template");
  const FIELDS = ["title", "authors", "year", "container", "volume", "pages", "doi", "arxiv", "url"];
  let path = "pasted.md";

  const shown = (value) => {
    if (value === null || value === undefined || value === "") return "";
    if (Array.isArray(value)) {
      return value.map((a) => a.name || [a.given, a.family].filter(Boolean).join(" ")).join("; ");
    }
    return String(value);
  };

  const addFinding = (finding) => {
    const item = template.content.firstElementChild.cloneNode(true);
    const verdict = finding.verdict;
    item.dataset.status = verdict.status;
    item.querySelector(".badge").textContent = verdict.status.replace("_", " ");
    item.querySelector(".claim").textContent = finding.citation.raw;
    item.querySelector(".reason").textContent = verdict.reason;
    const found = verdict.record ? verdict.record.fields : null;
    if (found) {
      const body = item.querySelector(".fields tbody");
      const differs = new Set((verdict.diffs || []).map((d) => d.field));
      for (const name of FIELDS) {
        const claimed = shown(finding.citation.fields[name]);
        const value = shown(found[name]);
        if (!claimed && !value) continue;
        const row = body.insertRow();
        if (differs.has(name)) row.className = "differs";
        for (const cell of [name, claimed, value]) row.insertCell().textContent = cell;
      }
      item.querySelector(".fields").hidden = body.rows.length === 0;
      const record = item.querySelector(".record");
      record.textContent = `Found at ${verdict.source || "a source"}` +
        (verdict.record.url ? `: ${verdict.record.url}` : "");
      record.hidden = false;
    }
    if (verdict.flags && verdict.flags.length) {
      const flags = item.querySelector(".flags");
      flags.textContent = `Flags: ${verdict.flags.join(", ")}`;
      flags.hidden = false;
    }
    list.appendChild(item);
  };

  const finish = (event) => {
    const s = event.summary;
    status.textContent = `Done: ${s.total} checked — ${s.verified} verified, ${s.mismatch} ` +
      `mismatched, ${s.not_found} not found, ${s.unverifiable} unverifiable.`;
    for (const format of ["json", "sarif", "md", "html"]) {
      document.getElementById(`dl-${format}`).href = `/reports/${event.report}.${format}`;
    }
    downloads.hidden = false;
  };

  const handle = (event) => {
    if (event.event === "finding") {
      addFinding(event.finding);
      status.textContent = `Checking… ${list.children.length} decided so far.`;
    } else if (event.event === "done") {
      finish(event);
    } else if (event.event === "error") {
      status.textContent = `Not checked: ${event.message}`;
    }
  };

  const check = async () => {
    list.replaceChildren();
    downloads.hidden = true;
    button.disabled = true;
    status.textContent = "Checking…";
    try {
      const response = await fetch("/check/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: textArea.value, path }),
      });
      if (!response.ok) {
        status.textContent = `Not checked: ${response.status} ${await response.text()}`;
        return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim()) handle(JSON.parse(line));
        }
      }
    } catch (error) {
      status.textContent = `Not checked: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    check();
  });
  textArea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      check();
    }
  });
  textArea.addEventListener("input", () => {
    if (fileInput.value === "") path = "pasted.md";
  });
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    if (!file) return;
    path = file.name;
    fileName.textContent = file.name;
    textArea.value = await file.text();
    fileInput.value = "";
  });
})();
