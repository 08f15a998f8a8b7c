// Chat web UI: talks only to /api on its own origin (the frontend proxies to the backend).
"use strict";
const $ = (id) => document.getElementById(id);
let conversationId = null;
let signingUp = false;

function banner(text) {
  const b = $("banner");
  b.textContent = text || "";
  b.hidden = !text;
}

async function api(path, options = {}) {
  let resp;
  try {
    resp = await fetch(path, {
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      ...options,
    });
  } catch (e) {
    throw new Error("Cannot reach the server. Check your connection and try again.");
  }
  const text = await resp.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
  if (!resp.ok) {
    if (resp.status === 401 && !path.startsWith("/api/auth/") && !$("app-view").hidden) {
      sessionEnded();
    }
    const msg = body && body.error ? body.error.message : `Request failed (${resp.status}).`;
    const err = new Error(msg);
    err.status = resp.status;
    throw err;
  }
  return body;
}

// The session was revoked or expired while the app was open: say so, and forget the
// signed-in state the page still shows.
function sessionEnded() {
  conversationId = null;
  $("messages").replaceChildren();
  $("task-list").replaceChildren();
  $("who").hidden = true;
  $("who-email").textContent = "";
  show("auth");
  banner("Your session has ended (you were signed out, perhaps on another device, or it expired). Please sign in again.");
}

// The person's calendar day, so "tomorrow" means their tomorrow.
function localToday() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function show(view) {
  $("auth-view").hidden = view !== "auth";
  $("app-view").hidden = view !== "app";
}

function setAuthMode(up) {
  signingUp = up;
  $("auth-title").textContent = up ? "Create an account" : "Sign in";
  $("auth-submit").textContent = up ? "Sign up" : "Sign in";
  $("auth-toggle").textContent = up ? "Have an account? Sign in" : "No account? Sign up";
  $("name-row").hidden = !up;
  $("password").autocomplete = up ? "new-password" : "current-password";
}

// Shows an error, unless it is the ended session already explained.
function report(e) {
  if (e.status !== 401) banner(e.message);
}

function addMessage(role, text) {
  const li = document.createElement("li");
  li.className = role;
  li.textContent = text;
  $("messages").appendChild(li);
  li.scrollIntoView({ block: "end" });
}

async function refreshTasks() {
  const tasks = await api("/api/tasks");
  const list = $("task-list");
  list.replaceChildren();
  for (const t of tasks) {
    const li = document.createElement("li");
    li.dataset.id = t.id;
    li.className = t.completed ? "done" : "";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = t.completed;
    box.setAttribute("aria-label", `complete ${t.title}`);
    box.addEventListener("change", () => updateTask(t.id, { completed: box.checked }));
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = `#${t.number} ${t.title}` + (t.due_date ? ` · due ${t.due_date}` : "");
    const del = document.createElement("button");
    del.type = "button";
    del.className = "delete";
    del.textContent = "Delete";
    del.addEventListener("click", () => deleteTask(t.id));
    li.append(box, title, del);
    list.appendChild(li);
  }
  $("task-empty").hidden = tasks.length > 0;
  $("task-count").textContent = tasks.length ? `(${tasks.filter((t) => !t.completed).length} open)` : "";
}

async function updateTask(id, patch) {
  try {
    await api(`/api/tasks/${id}`, { method: "PATCH", body: JSON.stringify(patch) });
    banner("");
  } catch (e) { report(e); }
  await refreshTasks().catch(report);
}

async function deleteTask(id) {
  try {
    await api(`/api/tasks/${id}`, { method: "DELETE" });
    banner("");
  } catch (e) { report(e); }
  await refreshTasks().catch(report);
}

// Shows the latest conversation again after a reload or a new sign-in.
async function restoreConversation() {
  const c = await api("/api/chat");
  if (!c || c.conversation_id == null) return;
  conversationId = c.conversation_id;
  for (const m of c.messages) addMessage(m.role === "user" ? "user" : "assistant", m.content);
}

async function enterApp(user) {
  $("who-email").textContent = user.email;
  $("who").hidden = false;
  show("app");
  if (!$("messages").children.length) {
    await restoreConversation().catch(report);
  }
  if (!$("messages").children.length) {
    addMessage("assistant", "Hi! Tell me what to add, list, complete, rename or delete.");
  }
  await refreshTasks().catch(report);
  $("chat-input").focus();
}

$("auth-toggle").addEventListener("click", (ev) => { ev.preventDefault(); setAuthMode(!signingUp); });

$("auth-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = { email: $("email").value, password: $("password").value };
  if (signingUp) body.name = $("name").value;
  $("auth-submit").disabled = true;
  try {
    const res = await api(signingUp ? "/api/auth/sign-up/email" : "/api/auth/sign-in/email", {
      method: "POST", body: JSON.stringify(body),
    });
    banner("");
    await enterApp(res.user);
  } catch (e) {
    banner(e.message);
  } finally {
    $("auth-submit").disabled = false;
  }
});

$("sign-out").addEventListener("click", async () => {
  await api("/api/auth/sign-out", { method: "POST", body: "{}" }).catch(() => {});
  conversationId = null;
  $("messages").replaceChildren();
  $("who").hidden = true;
  show("auth");
});

$("chat-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("chat-input");
  const message = input.value.trim();
  if (!message) return;
  input.value = "";
  addMessage("user", message);
  $("chat-send").disabled = true;
  try {
    const res = await api("/api/chat", {
      method: "POST",
      body: JSON.stringify({ conversation_id: conversationId, message, today: localToday() }),
    });
    conversationId = res.conversation_id;
    addMessage("assistant", res.reply);
    banner("");
    await refreshTasks();
  } catch (e) {
    if (e.status === 401) input.value = message; // kept to send again after signing in
    else addMessage("error", e.message);
  } finally {
    $("chat-send").disabled = false;
    input.focus();
  }
});

(async () => {
  setAuthMode(false);
  try {
    const s = await api("/api/auth/get-session");
    if (s && s.user) { await enterApp(s.user); return; }
  } catch (e) {
    banner(e.message);
  }
  show("auth");
})();
