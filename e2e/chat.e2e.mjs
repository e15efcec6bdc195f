// Browser end-to-end test of the demo chat page across two gateway nodes.
//
//   node e2e/chat.e2e.mjs <urlA> <urlB> <screenshot.png> [nodeIdA nodeIdB [urlPlain]]
//
// urlA and urlB are two gateway nodes of one cluster (rabbitmq mode) whose
// /topic/chat.# rooms keep a history (gateway.history.destinations). Three
// people in three isolated browser contexts of one headless Chromium:
//   ada   on node A (desktop width)
//   linus on node B (desktop width)
//   grace on node A (phone width)
// Room messages cross the nodes, a direct message reaches only its addressee,
// each page shows the node it is connected to, and a dropped connection comes
// back by itself with its subscriptions. Then history: grace's network goes
// away while ada and linus say five things; back online, her page resumes from
// its last offset and shows exactly those five, once, in order, then live ones;
// and hedy, opening the page fresh on node B, sees the room's last messages.
// urlPlain, if given, is a node without history: the page still works there.
// The screenshot shows the three pages side by side; each page is also saved
// alone next to it (<name>-ada.png, ...); <name>-history.png shows grace's
// resumed page next to hedy's fresh one.
//
// Exit code 0: passed; 1: a check failed; 2: bad arguments. Run by
// src/test/java/io/stompgate/wire/demo/BrowserChatE2ETest.java from `mvn -B verify`.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, basename, extname, join } from 'node:path';

const [urlA, urlB, screenshot, expectedNodeA, expectedNodeB, urlPlain] = process.argv.slice(2);
if (!urlA || !urlB || !screenshot) {
  console.error('usage: node chat.e2e.mjs <urlA> <urlB> <screenshot.png> [nodeIdA nodeIdB [urlPlain]]');
  process.exit(2);
}

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// What Chromium needs on these machines. Playwright's launch() gives the browser a fresh
// temporary --user-data-dir of its own (and refuses one in args), removed when it closes.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run',
];
const WAIT_MS = 15_000;
// stompjs retries after 1, 2, 4, 8, then every 15 s: back online, a page may wait that long.
const RECONNECT_MS = 35_000;
const MISSED = 5;
const OVERALL_MS = 240_000;

const watchdog = setTimeout(() => {
  console.error(`FAILED: the scenario did not finish within ${OVERALL_MS / 1000} s`);
  process.exit(1);
}, OVERALL_MS);

const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

class CheckFailed extends Error {}
function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

const people = [];

/**
 * Opens the page for `name` on `url` in its own browser context and signs in. `steady`: the
 * first connection stays (not so on a node without history, which refuses the first SUBSCRIBE).
 */
async function person(browser, name, url, viewport, extra = {}, steady = true) {
  const context = await browser.newContext({ viewport, ...extra });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const p = { name, url, context, page, node: null, problems: [], console: [] };
  page.on('console', (m) => p.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => p.problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { p.problems.push(`unexpected dialog: ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on('requestfailed', (r) => p.console.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  people.push(p);

  const response = await page.goto(url);
  check(response && response.ok(), `${name}: GET ${url} answered ${response?.status()}`);
  check((await page.title()).includes('stompgate'), `${name}: ${url} is not the demo page (title "${await page.title()}")`);
  await page.fill('#name', name);
  await page.click('#login-form button[type=submit]');
  await page.locator('#status[data-state="connected"]').waitFor();
  p.node = await page.locator('#status').getAttribute('data-node');
  const statusText = await page.locator('#status-text').textContent();
  check(!steady || statusText === `connected to ${p.node}`, `${name}: status says "${statusText}", node ${p.node}`);
  return p;
}

const msgSelector = (conv, sender) => `ol.log[data-conv="${conv}"] li.msg[data-sender="${sender}"]`;

/** Waits until `p` shows a message from `sender` with exactly `text` in conversation `conv`; returns its route. */
async function sees(p, conv, sender, text) {
  const msg = p.page.locator(msgSelector(conv, sender)).filter({ hasText: text }).last();
  try {
    await msg.waitFor({ state: 'attached' });
  } catch (e) {
    throw new CheckFailed(`${p.name} did not see "${text}" from ${sender} in ${conv} within ${WAIT_MS} ms`);
  }
  const shown = await msg.locator('.text').textContent();
  check(shown === text, `${p.name}: message shows "${shown}", expected "${text}"`);
  return { via: await msg.getAttribute('data-node'), from: await msg.getAttribute('data-from-node'), msg };
}

async function ready(p, conv) {
  try {
    await p.page.locator(`.tab[data-conv="${conv}"][data-ready="true"]`).waitFor();
  } catch (e) {
    throw new CheckFailed(`${p.name}: no RECEIPT for the subscription of ${conv} within ${WAIT_MS} ms`);
  }
}

async function open(p, conv) {
  await p.page.click(`.tab[data-conv="${conv}"]`);
}

async function say(p, text, to) {
  if (to !== undefined) await p.page.fill('#to', to);
  await p.page.fill('#text', text);
  await p.page.press('#text', 'Enter');
}

const LOBBY = 'room:lobby';

async function scenario(browser) {
  const desktop = { width: 720, height: 640 };
  const phone = { width: 390, height: 720 };

  // Each page shows the node it is connected to (CONNECTED's x-node), and the two nodes differ.
  const ada = await person(browser, 'ada', urlA, desktop);
  const linus = await person(browser, 'linus', urlB, desktop);
  const grace = await person(browser, 'grace', urlA, phone, { isMobile: true, hasTouch: true });
  log(`signed in: ada on ${ada.node}, linus on ${linus.node}, grace on ${grace.node}`);
  check(ada.node !== linus.node, `ada and linus should be on different nodes, both show ${ada.node}`);
  check(grace.node === ada.node, `grace and ada opened the same node but show ${grace.node} and ${ada.node}`);
  if (expectedNodeA) check(ada.node === expectedNodeA, `ada's page shows node ${ada.node}, expected ${expectedNodeA}`);
  if (expectedNodeB) check(linus.node === expectedNodeB, `linus's page shows node ${linus.node}, expected ${expectedNodeB}`);

  // Everyone is in the lobby (the default room), subscribed cluster-wide, and has an inbox.
  for (const p of [ada, linus, grace]) {
    await ready(p, LOBBY);
    await ready(p, 'inbox');
  }
  log('lobby and inbox subscriptions confirmed by RECEIPT on all three pages');

  // Each page shows who is in the lobby, from both nodes (presence, /presence/chat.lobby).
  for (const p of [ada, linus, grace]) {
    try {
      await p.page.locator('#conv-members', { hasText: 'here: ada, grace, linus' }).waitFor();
    } catch (e) {
      const shown = await p.page.locator('#conv-members').textContent();
      throw new CheckFailed(`${p.name}'s lobby does not show ada, grace and linus as members: "${shown}"`);
    }
  }
  log('the lobby shows its members, ada, grace and linus, on all three pages');

  // A room message crosses the cluster: sent through node A, delivered by node B to linus.
  const hello = "Hi everyone! I'm on the first node.";
  await say(ada, hello);
  let seen = await sees(linus, LOBBY, 'ada', hello);
  check(seen.via === linus.node && seen.from === ada.node,
      `linus should see ada's message as ${ada.node} → ${linus.node}, shows ${seen.from} → ${seen.via}`);
  seen = await sees(grace, LOBBY, 'ada', hello);
  check(seen.via === grace.node, `grace should see ada's message via ${grace.node}, shows ${seen.via}`);
  seen = await sees(ada, LOBBY, 'ada', hello);
  check(await seen.msg.evaluate((e) => e.classList.contains('mine')), "ada's own message is not shown as hers");
  log('ada → lobby: linus (other node) and grace (same node) see it, with sender and node');

  const reply = 'Hi ada, I read you from the second node.';
  await say(linus, reply);
  seen = await sees(ada, LOBBY, 'linus', reply);
  check(seen.via === ada.node && seen.from === linus.node,
      `ada should see linus's reply as ${linus.node} → ${ada.node}, shows ${seen.from} → ${seen.via}`);
  await sees(grace, LOBBY, 'linus', reply);
  log('linus → lobby: ada and grace see it');

  // User text is text: markup in a message is shown, not interpreted.
  const markup = 'Markup stays text: <b>not bold</b> <img src=x onerror=alert(1)>';
  await say(ada, markup);
  seen = await sees(linus, LOBBY, 'ada', markup);
  check(await seen.msg.locator('.text b, .text img').count() === 0, 'message markup became elements');
  log('markup in a message is shown as text');

  // A dropped connection comes back by itself, subscriptions included.
  await grace.page.evaluate(() => window.stompgateDemo.client.forceDisconnect());
  try {
    await grace.page.locator('#status[data-state="reconnecting"]').waitFor({ timeout: 5000 });
  } catch (e) {
    throw new CheckFailed("grace's page never showed 'reconnecting' after its WebSocket dropped");
  }
  await grace.page.locator('#status[data-state="connected"]').waitFor();
  await ready(grace, LOBBY);
  await ready(grace, 'inbox');
  await grace.page.locator(`ol.log[data-conv="${LOBBY}"] li.note`, { hasText: 'reconnected' }).waitFor();
  const back = "Back again: my connection dropped and came back.";
  await say(grace, back);
  await sees(grace, LOBBY, 'grace', back);
  seen = await sees(linus, LOBBY, 'grace', back);
  check(seen.from === grace.node && seen.via === linus.node, `linus sees grace's message as ${seen.from} → ${seen.via}`);
  log('grace: dropped, showed reconnecting, reconnected and resubscribed by herself');

  // A direct message reaches its addressee on the other node, and nobody else.
  const secret = 'psst, ada: this one is only for you.';
  await open(linus, 'inbox');
  await say(linus, secret, 'ada');
  await linus.page.locator('ol.log[data-conv="inbox"] li.msg.mine .sent').last().waitFor();
  await ada.page.locator('.tab[data-conv="inbox"] .badge:not([hidden])', { hasText: '1' }).waitFor();
  seen = await sees(ada, 'inbox', 'linus', secret);
  check(seen.via === ada.node && seen.from === linus.node,
      `ada should get the direct message as ${linus.node} → ${ada.node}, shows ${seen.from} → ${seen.via}`);
  await open(ada, 'inbox');
  log('linus → ada direct: confirmed by RECEIPT, arrives in ada\'s inbox across the nodes');

  // grace, on ada's node and subscribed to her own inbox, gets nothing of it. A later
  // lobby message from linus reaches grace after the direct one had reached ada's node.
  await open(linus, LOBBY);
  const pointer = 'ada, check your inbox.';
  await say(linus, pointer);
  await sees(grace, LOBBY, 'linus', pointer);
  await sees(ada, LOBBY, 'linus', pointer);
  check(await grace.page.locator('ol.log[data-conv="inbox"] li.msg').count() === 0, 'grace got a direct message');
  check(await grace.page.getByText(secret).count() === 0, "grace's page shows the direct message to ada");
  check(await grace.page.locator('.tab[data-conv="inbox"] .badge').isHidden(), "grace's inbox shows unread messages");
  check(await linus.page.locator('ol.log[data-conv="inbox"] li.msg:not(.mine)').count() === 0,
      "the sender's inbox received its own direct message to ada");
  log('the direct message reached only ada: grace (same node as ada) and linus saw nothing of it');

  for (const p of people) {
    check(p.problems.length === 0, `${p.name}: ${p.problems.join('; ')}`);
  }
  return { ada, linus, grace };
}

/** The room messages `p` shows in `conv`, in page order: sender, text and x-stream-offset. */
async function shown(p, conv) {
  return p.page.locator(`ol.log[data-conv="${conv}"] li.msg`).evaluateAll((items) => items.map((li) => ({
    sender: li.dataset.sender, text: li.querySelector('.text').textContent, offset: li.dataset.offset,
  })));
}

/** Every message carries an offset, each once, growing down the page. */
function offsetsGrowOnce(p, messages) {
  check(messages.every((m) => /^\d+$/.test(m.offset)), `${p.name}: a room message without x-stream-offset`);
  for (let i = 1; i < messages.length; i++) {
    check(BigInt(messages[i].offset) > BigInt(messages[i - 1].offset),
        `${p.name}: offset ${messages[i].offset} ("${messages[i].text}") shown after ${messages[i - 1].offset}`);
  }
}

const said = (messages) => messages.map((m) => `${m.sender}: ${m.text}`);

async function history(browser, { ada, linus, grace }) {
  const before = await shown(grace, LOBBY);
  check(before.length >= 5, `grace's lobby shows ${before.length} messages before she goes away`);
  offsetsGrowOnce(grace, before);
  check(await grace.page.locator('#conv-history').isVisible(), "grace's lobby does not say it keeps history");

  // grace's network goes away: her WebSocket drops, and no new one can open.
  await grace.context.setOffline(true);
  await grace.page.evaluate(() => window.stompgateDemo.client.forceDisconnect());
  try {
    await grace.page.locator('#status[data-state="reconnecting"]').waitFor({ timeout: 5000 });
  } catch (e) {
    throw new CheckFailed("grace's page never showed 'reconnecting' after her network went away");
  }
  log(`grace offline after offset ${before.at(-1).offset}`);

  // Meanwhile ada (node A) and linus (node B) say five things, one after the other.
  await open(ada, LOBBY);
  const missed = [];
  for (let i = 1; i <= MISSED; i++) {
    const p = i % 2 ? ada : linus;
    const text = `While grace was away, ${i} of ${MISSED}`;
    await say(p, text);
    await sees(ada, LOBBY, p.name, text);
    await sees(linus, LOBBY, p.name, text);
    missed.push({ sender: p.name, text });
  }
  check(JSON.stringify(await shown(grace, LOBBY)) === JSON.stringify(before), 'grace got messages while offline');
  log(`ada and linus said ${MISSED} things while grace was offline`);

  // Back online: stompjs reconnects by itself, the lobby resumes from grace's last offset + 1.
  await grace.context.setOffline(false);
  try {
    await grace.page.locator('#status[data-state="connected"]').waitFor({ timeout: RECONNECT_MS });
  } catch (e) {
    throw new CheckFailed(`grace's page did not reconnect within ${RECONNECT_MS} ms of coming back online`);
  }
  await ready(grace, LOBBY);
  const resumeNote = `resuming from offset ${BigInt(before.at(-1).offset) + 1n}`;
  await grace.page.locator(`ol.log[data-conv="${LOBBY}"] li.note`, { hasText: resumeNote }).waitFor();
  await sees(grace, LOBBY, missed.at(-1).sender, missed.at(-1).text);

  // Then live ones.
  const welcome = 'Welcome back, grace!';
  await say(linus, welcome);
  await sees(grace, LOBBY, 'linus', welcome);
  const thanks = 'Thanks! I read what I missed.';
  await say(grace, thanks);
  await sees(linus, LOBBY, 'grace', thanks);
  await sees(grace, LOBBY, 'grace', thanks);

  const after = await shown(grace, LOBBY);
  offsetsGrowOnce(grace, after);
  check(JSON.stringify(after.slice(0, before.length)) === JSON.stringify(before),
      "grace's messages from before she went away changed when she came back");
  const expected = [...missed, { sender: 'linus', text: welcome }, { sender: 'grace', text: thanks }];
  check(JSON.stringify(said(after.slice(before.length))) === JSON.stringify(said(expected)),
      `grace, back, shows ${JSON.stringify(said(after.slice(before.length)))}; expected the ${MISSED} she missed, `
      + `once, in order, then the live ones: ${JSON.stringify(said(expected))}`);
  check(await grace.page.locator('li.note.warn').count() === 0, "grace's page says messages expired; none did");
  const notes = await grace.page.locator(`ol.log[data-conv="${LOBBY}"] li.note`).allTextContents();
  check(notes.at(-1).includes(resumeNote), `grace's last note is "${notes.at(-1)}"`);
  log(`grace back: resumed after offset ${before.at(-1).offset}, shows the ${MISSED} she missed once and in order, then live ones`);

  // linus saw everything since the lobby began; the resumed page and his agree message for message.
  const all = await shown(linus, LOBBY);
  offsetsGrowOnce(linus, all);
  const graceOffsets = after.map((m) => m.offset);
  const linusTail = all.filter((m) => BigInt(m.offset) >= BigInt(after[0].offset)).map((m) => m.offset);
  check(JSON.stringify(graceOffsets) === JSON.stringify(linusTail),
      `grace's offsets ${graceOffsets.join(',')} differ from linus's ${linusTail.join(',')}`);

  // A page opened fresh shows the room's last minutes: everything the lobby kept, in order.
  const hedy = await person(browser, 'hedy', urlB, { width: 720, height: 640 });
  await ready(hedy, LOBBY);
  await sees(hedy, LOBBY, 'grace', thanks);
  const fresh = await shown(hedy, LOBBY);
  offsetsGrowOnce(hedy, fresh);
  check(JSON.stringify(fresh) === JSON.stringify(all),
      `hedy, new on node B, shows ${fresh.length} lobby messages; linus has ${all.length}: ${JSON.stringify(said(fresh))}`);
  check(await hedy.page.locator('.text b, .text img').count() === 0, "markup from the history became elements on hedy's page");
  check(await hedy.page.locator('#conv-history').isVisible(), "hedy's lobby does not say it keeps history");
  log(`hedy opened the page fresh on ${hedy.node}: the lobby's ${fresh.length} messages from its history, in order`);

  for (const p of people) {
    check(p.problems.length === 0, `${p.name}: ${p.problems.join('; ')}`);
    const repeats = p.console.filter((line) => line.includes('repeated offset'));
    check(repeats.length === 0, `${p.name}: ${repeats.join('; ')}`);
  }
  return { hedy, resumedAfter: before.at(-1).offset };
}

/** A node without history: the page learns it from the ERROR, drops x-stream-offset, and works. */
async function withoutHistory(browser) {
  const zoe = await person(browser, 'zoe', urlPlain, { width: 720, height: 640 }, {}, false);
  // That node tracks no presence either: a second refusal, a second quiet reconnect.
  await zoe.page.waitForFunction(() => window.stompgateDemo.state.presence === false);
  await ready(zoe, LOBBY);
  await zoe.page.locator('#status[data-state="connected"]').waitFor();
  zoe.node = await zoe.page.locator('#status').getAttribute('data-node');
  await ready(zoe, 'inbox');
  await zoe.page.locator(`ol.log[data-conv="${LOBBY}"] li.note`, { hasText: 'keeps no history' }).waitFor();
  const text = 'No history here, and the room works all the same.';
  await say(zoe, text);
  const seen = await sees(zoe, LOBBY, 'zoe', text);
  check(await seen.msg.getAttribute('data-offset') === '', 'a message without history shows an offset');
  check(await zoe.page.locator('#error').isHidden(), `zoe's page shows an error: ${await zoe.page.locator('#error').textContent()}`);
  check(await zoe.page.locator('#conv-history').isHidden(), "zoe's lobby says it keeps history");
  check(await zoe.page.evaluate(() => window.stompgateDemo.state.history) === false, "zoe's page did not learn 'no history'");
  check(await zoe.page.locator('#conv-members').isHidden(), "zoe's lobby shows members where the node tracks none");
  check(zoe.problems.length === 0, `zoe: ${zoe.problems.join('; ')}`);
  log(`zoe on ${zoe.node} (no history): refused once, subscribed again without x-stream-offset, chats`);
  await zoe.context.close();
}

async function screenshots(browser, { ada, linus, grace }) {
  mkdirSync(dirname(screenshot), { recursive: true });
  const stem = join(dirname(screenshot), basename(screenshot, extname(screenshot)));
  const panels = [];
  for (const [p, what] of [[ada, 'desktop, node A'], [linus, 'desktop, node B'], [grace, 'phone width, node A']]) {
    await p.page.locator('.logs').evaluate((e) => { e.scrollTop = e.scrollHeight; });
    const png = await p.page.screenshot();
    writeFileSync(`${stem}-${p.name}.png`, png);
    panels.push({ title: `${p.name} · ${what}`, detail: `${p.url} · connected to ${p.node}`, png });
  }
  const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; padding: 20px 24px 24px; background: #dfe3ea;
           font-family: system-ui, "DejaVu Sans", sans-serif; color: #1d2330; }
    h1 { margin: 0 0 4px; font-size: 20px; }
    p { margin: 0 0 16px; color: #4a5365; font-size: 14px; }
    .row { display: flex; gap: 20px; align-items: flex-start; }
    figure { margin: 0; }
    figcaption { margin-bottom: 6px; font-size: 14px; }
    figcaption b { font-size: 15px; }
    figcaption span { display: block; color: #5b6477; font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
    img { display: block; border-radius: 8px; box-shadow: 0 1px 3px rgb(0 0 0 / 0.25); }
  </style></head><body>
    <h1>stompgate chat demo: three browsers, two gateway nodes, one RabbitMQ</h1>
    <p>Each page shows the node it is connected to; each message, the node it was sent through → the node
       that delivered it (its x-node header), one chip when both are the same.
       Linus's direct message reached ada's inbox on the other node, and nobody else.</p>
    <div class="row">${panels.map((x) => `<figure><figcaption><b>${escape(x.title)}</b>
      <span>${escape(x.detail)}</span></figcaption>
      <img src="data:image/png;base64,${x.png.toString('base64')}"></figure>`).join('')}</div>
  </body></html>`;
  const page = await browser.newPage({ viewport: { width: 1940, height: 800 } });
  await page.setContent(html);
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  log(`screenshot: ${screenshot} (and ${stem}-{ada,linus,grace}.png)`);
}

async function historyScreenshot(browser, { grace, hedy, resumedAfter }) {
  const stem = join(dirname(screenshot), basename(screenshot, extname(screenshot)));
  // grace's lobby from the note where she came back: the messages she missed, then live ones.
  await grace.page.locator(`ol.log[data-conv="${LOBBY}"] li.note`).last()
    .evaluate((note) => note.scrollIntoView({ block: 'start' }));
  await hedy.page.locator('.logs').evaluate((e) => { e.scrollTop = e.scrollHeight; });
  const panels = [];
  for (const [p, what] of [
    [grace, `phone width, node A: offline while ${MISSED} messages were sent, back and resumed after offset ${resumedAfter}`],
    [hedy, 'desktop, node B: opened the page fresh; the lobby shows its history']]) {
    panels.push({ title: `${p.name} · ${what}`, detail: `${p.url} · connected to ${p.node}`, png: await p.page.screenshot() });
  }
  const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; padding: 20px 24px 24px; background: #dfe3ea;
           font-family: system-ui, "DejaVu Sans", sans-serif; color: #1d2330; }
    h1 { margin: 0 0 4px; font-size: 20px; }
    p { margin: 0 0 16px; color: #4a5365; font-size: 14px; max-width: 1100px; }
    .row { display: flex; gap: 20px; align-items: flex-start; }
    figure { margin: 0; }
    figcaption { margin-bottom: 6px; font-size: 14px; max-width: 720px; }
    figcaption b { font-size: 15px; }
    figcaption span { display: block; color: #5b6477; font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
    img { display: block; border-radius: 8px; box-shadow: 0 1px 3px rgb(0 0 0 / 0.25); }
  </style></head><body>
    <h1>stompgate chat demo: history and resume</h1>
    <p>The lobby keeps a history (gateway.history.destinations=/topic/chat.#, a RabbitMQ stream). Grace's network went
       away while ada and linus said ${MISSED} things; back online, her page subscribed again with
       x-stream-offset: offset=${BigInt(resumedAfter) + 1n} and shows exactly those ${MISSED}, once and in order, below the
       note, then the live ones. Hedy opened the page fresh (x-stream-offset: first) and sees what the lobby said.</p>
    <div class="row">${panels.map((x) => `<figure><figcaption><b>${escape(x.title)}</b>
      <span>${escape(x.detail)}</span></figcaption>
      <img src="data:image/png;base64,${x.png.toString('base64')}"></figure>`).join('')}</div>
  </body></html>`;
  const page = await browser.newPage({ viewport: { width: 1220, height: 800 } });
  await page.setContent(html);
  await page.screenshot({ path: `${stem}-history.png`, fullPage: true });
  await page.close();
  log(`screenshot: ${stem}-history.png`);
}

async function failureScreenshots() {
  const stem = join(dirname(screenshot), basename(screenshot, extname(screenshot)));
  for (const p of people) {
    try {
      mkdirSync(dirname(screenshot), { recursive: true });
      await p.page.screenshot({ path: `${stem}-failed-${p.name}.png` });
      console.error(`  saved ${stem}-failed-${p.name}.png`);
    } catch { /* the page may be gone */ }
  }
}

let browser;
let code = 0;
try {
  log(`urlA=${urlA} urlB=${urlB} chromium=${CHROMIUM}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  log(`chromium ${browser.version()} started`);
  const cast = await scenario(browser);
  await screenshots(browser, cast);
  const resumed = await history(browser, cast);
  await historyScreenshot(browser, { ...cast, ...resumed });
  if (urlPlain) await withoutHistory(browser);
  log('PASSED');
} catch (e) {
  code = 1;
  console.error(`FAILED: ${e instanceof CheckFailed ? e.message : e.stack || e}`);
  for (const p of people) {
    const lines = [...p.problems, ...p.console];
    if (lines.length) console.error(`--- ${p.name}'s browser console:\n  ${lines.slice(-40).join('\n  ')}`);
  }
  await failureScreenshots();
} finally {
  if (browser) await browser.close().catch(() => {});
  clearTimeout(watchdog);
}
process.exit(code);
