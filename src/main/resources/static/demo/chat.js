// The stompgate chat demo: chat rooms on /topic/chat.<room> and direct messages
// on /user/<name>/queue/inbox, straight through the gateway with @stomp/stompjs
// (served from its WebJar, so there is no front-end build).
//
// Rooms keep a history when the gateway has one for them (gateway.history.destinations,
// docs/protocol.md §7): a room opened fresh subscribes with x-stream-offset: first and
// shows what the gateway retains (its last minutes); every MESSAGE carries its
// x-stream-offset, and after a reconnect each room subscribes again with
// offset=<last shown + 1>, so a page that was away gets exactly what it missed. A
// gateway without history refuses the header with an ERROR naming the destination: the
// page then stops sending it and subscribes again without it (one reconnect, once).
//
// User-provided text only ever reaches the DOM as text (textContent, text
// nodes, data-* attributes), never as HTML.
import { Client, ReconnectionTimeMode } from '/webjars/stomp__stompjs/7.2.1/esm6/index.js';

const NAME = /^[\p{L}\p{N}._-]{1,32}$/u;
const ROOM = /^[a-z0-9_-]{1,32}$/;          // one word of a topic key: no dots, no wildcards
const INBOX = '/user/queue/inbox';          // where this user's direct messages arrive
const KEPT_MESSAGES = 300;                  // per conversation
const STORE = 'stompgate.demo';
const STREAM_OFFSET = 'x-stream-offset';    // SUBSCRIBE: where to start; MESSAGE: its place in the history
const RECOVERED = 'x-stream-recovered';     // RECEIPT of such a SUBSCRIBE: false if some of it had expired
const NO_HISTORY = /keeps no history/;      // the gateway's ERROR for x-stream-offset where it keeps none
const PRESENCE = 'x-presence';              // MESSAGE on /presence/<key>: snapshot, join or leave
const NO_PRESENCE = /not under presence/;   // the gateway's ERROR for /presence/<key> where it tracks none

const $ = (id) => document.getElementById(id);

/** An element; string children become text nodes, so nothing here is parsed as HTML. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A stable hue per node id, so each node has its own colour everywhere on the page. */
function hue(node) {
  let h = 0x811c9dc5;                       // FNV-1a: ids that differ in one letter get far-apart hues
  for (const ch of node) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
  return h % 360;
}

function nodeChip(node, title) {
  const chip = el('span', { class: 'node', title }, node);
  chip.style.setProperty('--hue', hue(node));
  return chip;
}

const time = (d = new Date()) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

const saved = (() => {
  try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch { return {}; }
})();
function save() {
  saved.name = state.me;
  saved.rooms = [...state.conversations.values()].filter((c) => c.room).map((c) => c.room);
  try {
    localStorage.setItem(STORE, JSON.stringify(saved));
  } catch { /* private mode: nothing to remember */ }
}

const state = {
  me: null,
  client: null,
  node: null,              // x-node of CONNECTED: the node this page's connection is on
  everConnected: false,
  conversations: new Map(), // id -> conversation
  active: null,
  knownUsers: new Set(),
  seq: 0,
  // Whether the gateway keeps a history for rooms: null until it says (the first room's
  // RECEIPT or MESSAGE), false once it refused x-stream-offset. Learned, not configured.
  history: null,
  // Whether the gateway tracks who is in the rooms (docs/protocol.md §9): null until it says
  // (a snapshot), false once it refused /presence/chat.<room>. Learned, not configured.
  presence: null,
  quietReconnect: false,   // the next reconnect follows a refusal: no "reconnected" notes
};

// --- connection -------------------------------------------------------------

function setStatus(kind, text) {
  const status = $('status');
  status.dataset.state = kind;
  if (kind === 'connected') {
    status.dataset.node = state.node;
    status.style.setProperty('--hue', hue(state.node));
  } else {
    delete status.dataset.node;
  }
  $('status-text').textContent = text;
  $('send').disabled = kind !== 'connected';
}

function showError(text) {
  const box = $('error');
  box.textContent = text;
  box.hidden = !text;
}

function connect(name) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const client = new Client({
    brokerURL: `${scheme}://${location.host}/ws?user=${encodeURIComponent(name)}`,
    reconnectDelay: 1000,                 // first retry after 1 s, then 2, 4, ... up to 15 s
    maxReconnectDelay: 15000,
    reconnectTimeMode: ReconnectionTimeMode.EXPONENTIAL,
    connectionTimeout: 10000,
    heartbeatIncoming: 10000,
    heartbeatOutgoing: 10000,
  });
  client.beforeConnect = () => {
    if (state.everConnected) setStatus('reconnecting', `reconnecting… (was on ${state.node})`);
    else setStatus('connecting', 'connecting…');
  };
  client.onConnect = (frame) => {
    const previous = state.node;
    state.node = frame.headers['x-node'] || 'unknown node';
    setStatus('connected', `connected to ${state.node}`);
    showError('');
    const notes = state.everConnected && !state.quietReconnect;
    state.quietReconnect = false;
    // A new connection has no subscriptions: take every conversation up again; rooms with
    // a history resume after the last message they show. The note goes first, so what
    // was missed comes in below it.
    for (const conv of state.conversations.values()) {
      if (notes) {
        const note = previous === state.node ? `reconnected to ${state.node}` : `reconnected: ${previous} → ${state.node}`;
        const start = historyStart(conv);
        addNote(conv, start?.startsWith('offset=') ? `${note} · resuming from ${start.replace('=', ' ')}` : note);
      }
      subscribe(conv);
    }
    state.everConnected = true;
  };
  client.onWebSocketClose = () => {
    for (const conv of state.conversations.values()) setReady(conv, false);
    if (client.active) setStatus('reconnecting', state.everConnected ? `reconnecting… (was on ${state.node})` : 'connecting…');
  };
  client.onStompError = (frame) => {
    const message = frame.headers.message || 'error';
    if (NO_PRESENCE.test(message) && state.presence !== false) {
      // This gateway tracks no presence for rooms (off by default): as for history, it closes
      // the connection, stompjs reconnects, and the rooms subscribe again without it.
      state.presence = false;
      state.quietReconnect = true;
      showMembers();
      return;
    }
    if (NO_HISTORY.test(message) && state.history !== false) {
      // This gateway keeps no history for rooms (history is off by default): it closes the
      // connection, stompjs reconnects, and the rooms subscribe again without the header.
      state.history = false;
      state.quietReconnect = true;
      for (const conv of state.conversations.values()) {
        if (conv.room) addNote(conv, 'this gateway keeps no history for rooms: you see new messages only');
      }
      showDest();
      return;
    }
    showError(`The gateway said: ${message}`);
  };
  client.onWebSocketError = () => {
    if (!state.everConnected) showError(`Cannot reach ${client.brokerURL.replace(/\?.*/, '')}; retrying.`);
  };
  state.client = client;
  client.activate();
}

function subscribe(conv) {
  const receipt = `sub-${++state.seq}`;
  const headers = { receipt };
  const start = historyStart(conv);
  if (start) headers[STREAM_OFFSET] = start;
  setReady(conv, false);
  // The RECEIPT means the subscription is in place cluster-wide (docs/protocol.md §2). With
  // x-stream-offset it comes before the history, and says whether all of it was still there.
  state.client.watchForReceipt(receipt, (frame) => {
    setReady(conv, true);
    const recovered = frame.headers[RECOVERED];
    if (recovered === undefined) return;
    learnHistory();
    if (recovered === 'false' && start?.startsWith('offset=')) {
      addNote(conv, 'some messages expired while you were away', 'warn');
    }
  });
  const seen = { last: null };           // the last offset this subscription delivered
  conv.subscription = state.client.subscribe(conv.destination, (message) => onMessage(conv, message, seen), headers);
  if (conv.room && state.presence !== false) {
    conv.presence = state.client.subscribe(`/presence/chat.${conv.room}`, (message) => onPresence(conv, message));
  }
}

/** Who is in a room: the snapshot, then joins and leaves, from every node (docs/protocol.md §9). */
function onPresence(conv, message) {
  const body = JSON.parse(message.body);
  const kind = message.headers[PRESENCE];
  if (kind === 'snapshot') {
    state.presence = true;
    conv.members = new Set(body.users.map((u) => u.user));
  } else if (kind === 'join') {
    conv.members.add(body.user);
  } else if (kind === 'leave') {
    conv.members.delete(body.user);
  }
  for (const name of conv.members) rememberUser(name);
  if (state.active === conv) showMembers();
}

/**
 * The x-stream-offset of a room's SUBSCRIBE: after the last message the room shows, or, when
 * it shows none yet, everything the gateway retains (the room's last minutes). None for the
 * inbox, and none once the gateway said it keeps no history.
 */
function historyStart(conv) {
  if (!conv.room || state.history === false) return null;
  return conv.lastOffset === null ? 'first' : `offset=${conv.lastOffset + 1n}`;
}

function learnHistory() {
  if (state.history === true) return;
  state.history = true;
  showDest();
}

function onMessage(conv, message, seen) {
  const offsetHeader = message.headers[STREAM_OFFSET];
  let offset = null;
  if (offsetHeader !== undefined && /^\d{1,19}$/.test(offsetHeader)) {
    offset = BigInt(offsetHeader);
    // Nothing is shown twice: a subscription taken up again starts after the last message the
    // room shows, and the gateway sends each message once, in offset order. A repeat on one
    // subscription would be a gateway bug: dropped, and said in the console. (Offsets are not
    // compared across subscriptions: a gateway restarted in local mode counts from 0 again.)
    if (seen.last !== null && offset <= seen.last) {
      console.warn(`stompgate demo: ${conv.destination} repeated offset ${offset} (after ${seen.last}); not shown again`);
      return;
    }
    seen.last = offset;
    conv.lastOffset = offset;
    learnHistory();
  }
  const sender = message.headers['x-sender'] || '(unknown)';
  if (sender !== state.me) rememberUser(sender);
  const sentAt = Number(message.headers['x-sent-at']);
  addMessage(conv, {
    sender,
    text: message.body,
    via: message.headers['x-node'] || '?',
    fromNode: message.headers['x-sender-node'],
    direct: conv.direct,
    at: Number.isFinite(sentAt) && sentAt > 0 ? new Date(sentAt) : undefined,
    offset,
  });
}

// --- conversations ----------------------------------------------------------

function conversation(id, props) {
  let conv = state.conversations.get(id);
  if (conv) return conv;
  conv = { id, unread: 0, ready: false, subscription: null, presence: null, members: new Set(), lastOffset: null, ...props };
  conv.log = el('ol', { class: 'log', dataset: { conv: id }, 'aria-label': conv.title, hidden: '' });
  conv.badge = el('span', { class: 'badge', hidden: '' });
  conv.tab = el('button', {
    type: 'button', class: 'tab', dataset: { conv: id, ready: 'false' },
    onclick: () => activate(conv),
  }, el('span', { class: 'label' }, conv.title), conv.badge);
  const item = el('li', {}, conv.tab);
  if (conv.room) {
    item.append(el('button', {
      type: 'button', class: 'leave', title: `Leave ${conv.title}`, 'aria-label': `Leave ${conv.title}`,
      onclick: () => leave(conv),
    }, '×'));
  }
  conv.item = item;
  (conv.room ? $('rooms') : $('direct')).append(item);
  $('logs').append(conv.log);
  state.conversations.set(id, conv);
  if (state.client?.connected) subscribe(conv);
  return conv;
}

function joinRoom(room) {
  return conversation(`room:${room}`, {
    room, title: `# ${room}`, destination: `/topic/chat.${room}`, direct: false,
  });
}

function inbox() {
  return conversation('inbox', {
    title: 'Inbox', destination: INBOX, direct: true,
  });
}

function leave(conv) {
  if (state.client?.connected && conv.subscription) conv.subscription.unsubscribe();
  if (state.client?.connected && conv.presence) conv.presence.unsubscribe();
  conv.item.remove();
  conv.log.remove();
  state.conversations.delete(conv.id);
  if (state.active === conv) activate(state.conversations.values().next().value);
  save();
}

function setReady(conv, ready) {
  conv.ready = ready;
  conv.tab.dataset.ready = String(ready);
  conv.tab.title = ready ? `subscribed to ${conv.destination}` : `subscribing to ${conv.destination}…`;
}

function activate(conv) {
  if (!conv) return;
  for (const c of state.conversations.values()) {
    const on = c === conv;
    c.log.hidden = !on;
    c.tab.classList.toggle('active', on);
    c.tab.setAttribute('aria-current', on ? 'true' : 'false');
  }
  state.active = conv;
  conv.unread = 0;
  showUnread(conv);
  $('conv-title').textContent = conv.title;
  showDest();
  $('to').hidden = !conv.direct;
  $('text').placeholder = conv.direct ? 'Direct message' : `Message ${conv.title}`;
  scrollToEnd(conv, true);
}

/** The active conversation's destination, and whether the gateway keeps its history. */
function showDest() {
  const conv = state.active;
  if (!conv) return;
  $('conv-dest').textContent = conv.direct ? `${INBOX} · send to /user/<name>/queue/inbox` : conv.destination;
  const history = $('conv-history');
  history.hidden = !conv.room || state.history !== true;
  showMembers();
}

/** The active room's members, where the gateway tracks them. */
function showMembers() {
  const conv = state.active;
  const members = $('conv-members');
  if (!conv || !conv.room || state.presence !== true) {
    members.hidden = true;
    return;
  }
  const names = [...conv.members].sort();
  members.textContent = names.length ? `here: ${names.join(', ')}` : 'here: nobody';
  members.title = `${names.length} subscribed to ${conv.destination}, on any node (/presence/chat.${conv.room})`;
  members.dataset.count = String(names.length);
  members.hidden = false;
}

function showUnread(conv) {
  conv.badge.textContent = conv.unread > 99 ? '99+' : String(conv.unread);
  conv.badge.hidden = conv.unread === 0;
}

function scrollToEnd(conv, force) {
  const logs = $('logs');
  if (force || logs.scrollHeight - logs.scrollTop - logs.clientHeight < 80) logs.scrollTop = logs.scrollHeight;
}

function append(conv, item) {
  const logs = $('logs');
  const nearEnd = logs.scrollHeight - logs.scrollTop - logs.clientHeight < 80;
  conv.log.append(item);
  while (conv.log.childElementCount > KEPT_MESSAGES) conv.log.firstElementChild.remove();
  if (conv === state.active) {
    if (nearEnd) logs.scrollTop = logs.scrollHeight;
  } else if (item.classList.contains('msg') && !item.classList.contains('mine')) {
    conv.unread++;
    showUnread(conv);
  }
}

function addMessage(conv, { sender, to, text, via, fromNode, direct, pending, at, offset }) {
  const mine = sender === state.me;
  const who = el('span', { class: 'who' });
  if (mine) {
    who.append(direct && to ? `you → ${to}` : 'you');
  } else {
    // Clicking a name starts a direct message to that user.
    who.append(el('button', { type: 'button', class: 'name', title: `Direct message ${sender}`,
      onclick: () => startDirect(sender) }, sender));
    if (direct) who.append(' → you');
  }
  const route = el('span', { class: 'route' });
  if (pending) {
    route.append(el('span', { class: 'pending' }, 'sending…'));
  } else {
    if (fromNode && fromNode !== via) {
      route.append(nodeChip(fromNode, `sent through ${fromNode} (x-sender-node, as the sender's page said)`), ' → ');
    }
    route.append(nodeChip(via, `delivered by ${via} (x-node)`));
  }
  const item = el('li', {
    class: `msg${mine ? ' mine' : ''}${direct ? ' direct' : ''}`,
    dataset: { sender, node: via ?? '', fromNode: fromNode ?? '', to: to ?? '', offset: offset?.toString() ?? '' },
  },
  el('div', { class: 'meta' }, who, el('time', { title: at ? 'sent at (x-sent-at, as the sender\'s page said)' : undefined }, time(at)), route),
  el('div', { class: 'text' }, text));
  append(conv, item);
  return item;
}

function addNote(conv, text, kind) {
  append(conv, el('li', { class: kind ? `note ${kind}` : 'note' }, `${time()} · ${text}`));
}

function rememberUser(name) {
  if (state.knownUsers.has(name)) return;
  state.knownUsers.add(name);
  $('known-users').append(el('option', { value: name }));
}

function startDirect(name) {
  activate(inbox());
  $('to').value = name;
  $('text').focus();
}

// --- sending ----------------------------------------------------------------

function send(text) {
  const conv = state.active;
  const headers = {
    'content-type': 'text/plain;charset=utf-8', 'x-sender': state.me, 'x-sender-node': state.node,
    'x-sent-at': String(Date.now()),      // so that a message from the history shows when it was said
  };
  if (!conv.direct) {
    // Shown when it comes back through the room's subscription, with the node that delivered it.
    state.client.publish({ destination: conv.destination, body: text, headers });
    return true;
  }
  const to = $('to').value.trim();
  if (!NAME.test(to)) {
    showError('Direct messages need a recipient: letters, digits, ".", "_" or "-", up to 32.');
    $('to').focus();
    return false;
  }
  rememberUser(to);
  const receipt = `dm-${++state.seq}`;
  const entry = addMessage(conv, { sender: state.me, to, text, direct: true, pending: true });
  // The RECEIPT means the broker has the message; whoever is connected as `to` gets it.
  state.client.watchForReceipt(receipt, () => {
    const route = entry.querySelector('.route');
    route.replaceChildren(el('span', { class: 'sent', title: 'accepted by the broker (RECEIPT)' }, `sent ✓ via ${state.node}`));
  });
  state.client.publish({
    destination: `/user/${encodeURIComponent(to)}/queue/inbox`, body: text, headers: { ...headers, receipt },
  });
  return true;
}

// --- wiring -----------------------------------------------------------------

function start(name) {
  state.me = name;
  $('me').textContent = name;
  $('login').hidden = true;
  $('chat').hidden = false;
  const rooms = Array.isArray(saved.rooms) && saved.rooms.length ? saved.rooms.filter((r) => ROOM.test(r)) : ['lobby'];
  const first = rooms.map(joinRoom)[0];
  inbox();
  activate(first || inbox());
  save();
  connect(name);
}

async function stop() {
  const client = state.client;
  state.client = null;
  if (client) await client.deactivate();
  for (const conv of state.conversations.values()) { conv.item.remove(); conv.log.remove(); }
  state.conversations.clear();
  Object.assign(state, { node: null, everConnected: false, active: null });
  setStatus('idle', 'not connected');
  showError('');
  $('chat').hidden = true;
  $('login').hidden = false;
  $('name').focus();
}

$('endpoint').textContent = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
$('name').value = new URLSearchParams(location.search).get('name') || saved.name || '';
setStatus('idle', 'not connected');

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = $('name').value.trim();
  const ok = NAME.test(name);
  $('name-problem').textContent = ok ? '' : 'Use 1 to 32 letters, digits, ".", "_" or "-".';
  $('name-problem').hidden = ok;
  if (ok) start(name);
});

$('join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const room = $('room').value.trim().toLowerCase().replace(/^#\s*/, '');
  const ok = ROOM.test(room);
  $('room-problem').textContent = ok ? '' : 'A room is 1 to 32 of a–z, 0–9, "_" or "-".';
  $('room-problem').hidden = ok;
  if (!ok) return;
  activate(joinRoom(room));
  $('room').value = '';
  save();
});

$('send-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value;
  if (!text.trim() || !state.client?.connected || !state.active) return;
  if (send(text)) {
    $('text').value = '';
    showError('');
  }
});

$('logout').addEventListener('click', () => stop());

// For poking around in the browser's console (and for the end-to-end test).
window.stompgateDemo = { state, get client() { return state.client; } };
