// Chat page: POST the question to /v1/chat/stream and read its server-sent events (sources, token, done,
// error) from the response body; EventSource cannot POST. The conversation's turns stay in this page and
// go with each question, so follow-ups keep their context.
(() => {
  const form = document.getElementById("ask-form");
  const question = document.getElementById("question");
  const button = document.getElementById("ask-button");
  const conversation = document.getElementById("conversation");
  const template = document.getElementById("turn-template");
  const filtersForm = document.getElementById("chat-filters");
  let history = [];

  function mmss(seconds) {
    const s = Math.floor(seconds);
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }

  function filters() {
    const chosen = {};
    for (const [key, value] of new FormData(filtersForm)) if (String(value).trim()) chosen[key] = String(value).trim();
    return chosen;
  }

  function showSources(list, citations) {
    list.replaceChildren(...citations.map((c) => {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = c.link;
      link.textContent = `${c.call_title || c.call_id} at ${mmss(c.start)}`;
      const who = document.createElement("span");
      who.className = "muted small";
      who.textContent = ` · ${c.speaker || ""} (${c.speaker_role}) · ${c.kind.replaceAll("_", " ")}`;
      const quote = document.createElement("blockquote");
      quote.textContent = `“${c.quote}”`;
      li.append(link, who, quote);
      return li;
    }));
  }

  function* events(buffer) {
    // Complete events end with a blank line; the rest waits for more bytes.
    let end;
    while ((end = buffer.text.indexOf("\n\n")) !== -1) {
      const block = buffer.text.slice(0, end);
      buffer.text = buffer.text.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield [name, JSON.parse(data.join("\n"))];
    }
  }

  async function ask(text) {
    document.getElementById("chat-intro")?.remove();
    const turn = template.content.firstElementChild.cloneNode(true);
    const answer = turn.querySelector(".answer");
    const sources = turn.querySelector(".sources");
    const actions = turn.querySelector(".actions");
    turn.querySelector(".question").textContent = text;
    conversation.append(turn);
    turn.scrollIntoView({ behavior: "smooth", block: "end" });
    button.disabled = true;
    try {
      const response = await fetch("/v1/chat/stream", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "text/event-stream",
          // The session cookie goes with every request on its own; this token proves the page sent it.
          "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content,
        },
        body: JSON.stringify({ question: text, filters: filters(), history }),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(typeof body.detail === "string" ? body.detail : `The server answered ${response.status}.`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const buffer = { text: "" };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer.text += value.replace(/\r\n/g, "\n");
        for (const [name, data] of events(buffer)) {
          if (name === "sources") showSources(sources, data);
          else if (name === "token") answer.textContent += data;
          else if (name === "error") throw new Error(data.detail);
          else if (name === "done") {
            answer.textContent = data.answer;
            showSources(sources, data.citations);
            const blob = new Blob([data.markdown], { type: "text/markdown" });
            actions.querySelector(".download-md").href = URL.createObjectURL(blob);
            actions.querySelector(".copy-md").addEventListener("click", async (e) => {
              await navigator.clipboard.writeText(data.markdown).catch(() => {});
              e.target.textContent = "Copied";
            });
            actions.hidden = false;
            history = [...history, { role: "user", content: text }, { role: "assistant", content: data.answer }].slice(-12);
          }
        }
      }
    } catch (error) {
      answer.classList.add("error");
      answer.textContent = `Could not answer: ${error.message}`;
    } finally {
      answer.classList.remove("pending");
      button.disabled = false;
      question.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text || button.disabled) return;
    question.value = "";
    ask(text);
  });
  question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.getElementById("new-conversation").addEventListener("click", () => {
    history = [];
    conversation.replaceChildren();
    question.focus();
  });
})();
