// End-to-end test of the studio's arena in real headless Chromium.
//
//   node e2e/arena.mjs URL OUTDIR
//
// URL is a running 'miaobi serve' with a corpus holding held-out poems and
// the admin password in MIAOBI_ADMIN_PASSWORD. The administrator starts a
// round (people's poems against Miaobi's) through the arena page; a reader
// made for the test plays all 20 items through the page, while every page
// and every API answer is searched for words that would give a poem's
// source away (MIAOBI_ARENA_LEAKS adds to them: the corpus's authors); the
// reader then sees the sources, tries to answer an item again (refused,
// through the form and the API), and opens the results with their
// intervals. When MIAOBI_ARENA_LOAD names a round already stored (10,000
// poems), its play page's first paint is measured. A screenshot of each step
// goes to OUTDIR.

import { Failure, Run, check } from './lib.mjs';

const [base0, outDir] = process.argv.slice(2);
if (!base0 || !outDir) {
  console.error('usage: node arena.mjs URL OUTDIR');
  process.exit(2);
}
const base = base0.replace(/\/+$/, '') + '/';
const password = process.env.MIAOBI_ADMIN_PASSWORD || 'correct horse battery';
const leaks = ['human', 'miaobi', 'engine:', 'chinese-poetry', 'held-out', 'p_', 'origin', 'version', 'seed ',
  ...(process.env.MIAOBI_ARENA_LEAKS || '').split(',').filter(Boolean)];
const run = new Run(outDir, Number(process.env.MIAOBI_E2E_TIMEOUT_MS || 240_000));
const roundName = '盲评第一轮';

// rng is a small deterministic generator for the reader's answers.
let seed = 7;
function rng(n) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor(seed / 65536) % n; // the high bits: the low ones cycle
}

// noLeak fails when text shows a word that tells a poem's source.
function noLeak(text, where) {
  for (const w of leaks) {
    check(!text.includes(w), `${where} shows "${w}" before the round is answered: …${text.slice(Math.max(0, text.indexOf(w) - 80), text.indexOf(w) + 80)}…`);
  }
}

async function csrfOf(page) {
  const me = await page.request.get(base + 'api/me');
  return (await me.json()).csrf;
}

run.main(async () => {
  const browser = await run.launch();
  try {
    const admin = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    admin.setDefaultTimeout(30_000);
    const ap = await admin.newPage();
    run.current = ap;
    run.watchPage(ap, 'admin');

    run.step = 'admin signs in and makes a reader';
    await run.signIn(ap, base, 'admin', password);
    const made = await ap.request.post(base + 'api/users', {
      data: { name: 'reader1', password: 'a reader password' },
      headers: { 'X-CSRF-Token': await csrfOf(ap) },
    });
    check(made.status() === 201, `POST /api/users answered ${made.status()}: ${await made.text()}`);

    run.step = 'admin starts a round';
    await ap.goto(base + 'arena');
    await ap.fill('#new-round input[name="name"]', roundName);
    await ap.fill('#new-round input[name="size"]', '20');
    await ap.fill('#new-round input[name="per_form"]', '8');
    await ap.uncheck('#new-round input[value="published"]');
    await run.submit(ap, '#new-round button', run.step);
    await run.screenshot(ap, 'arena-building');
    const deadline = Date.now() + 150_000;
    let roundID = '';
    while (!roundID) {
      const res = await ap.request.get(base + 'api/arena/rounds');
      const r = (await res.json()).rounds.find((x) => x.name === roundName);
      check(r, `the round "${roundName}" is not listed`);
      check(r.state !== 'failed', `the round failed: ${r.note}`);
      if (r.state === 'open') {
        roundID = r.id;
        run.log(`round ${r.id} open: ${r.note}`);
        break;
      }
      check(Date.now() < deadline, `the round was not open after 150 s (state ${r.state})`);
      await new Promise((ok) => setTimeout(ok, 500));
    }
    await ap.goto(base + 'arena');
    await run.screenshot(ap, 'arena-open');

    run.step = 'reader plays';
    const reader = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    reader.setDefaultTimeout(30_000);
    const rp = await reader.newPage();
    run.current = rp;
    run.watchPage(rp, 'reader');
    // Every document and API answer the reader's browser gets while playing.
    const bodies = [];
    let playing = true;
    rp.on('response', async (r) => {
      const type = r.request().resourceType();
      if (playing && (type === 'document' || r.url().includes('/api/'))) {
        bodies.push(r.text().then((t) => [r.url(), t], () => [r.url(), '']));
      }
    });
    await run.signIn(rp, base, 'reader1', 'a reader password');
    await rp.goto(base + 'arena');
    check(await rp.locator('#new-round').count() === 0, 'a reader sees the form that starts rounds');
    check(await rp.locator(`a[href="/arena/${roundID}"]`).count() === 1, 'the reader has no link to play the round');
    await Promise.all([rp.waitForURL(new RegExp(`/arena/${roundID}$`)), rp.click(`a[href="/arena/${roundID}"]`)]);
    let first = null;
    let pairs = 0;
    for (let i = 1; ; i++) {
      const form = rp.locator('form#answer');
      if (await form.count() === 0) break;
      check(i <= 20, 'more than 20 items were dealt');
      noLeak(await rp.content(), `item ${i}'s page`);
      const item = await rp.inputValue('input[name="item"]');
      const slots = await rp.$$eval('fieldset.arena-poem', (fs) => fs.map((f) => f.dataset.slot));
      const progress = (await rp.locator('.progress-text').innerText()).trim();
      check(progress.includes(String(i)) && progress.includes('20'), `item ${i} says "${progress}"`);
      const given = { human: [], scores: [], better: '' };
      for (const s of slots) {
        const g = rng(2);
        const sc = 1 + rng(9); // 1–9: the second post below gives 10
        await rp.check(`input[name="guess_${s}"][value="${g}"]`);
        await rp.selectOption(`select[name="score_${s}"]`, String(sc));
        given.human.push(g === 1);
        given.scores.push(sc);
      }
      if (slots.length === 2) {
        pairs++;
        given.better = rng(2) ? 'A' : 'B';
        await rp.check(`input[name="better"][value="${given.better}"]`);
      }
      if (i === 1 || (i === 2 && slots.length === 1)) await run.screenshot(rp, `arena-item-${i}-${slots.length === 2 ? 'pair' : 'single'}`);
      if (!first) first = { item, slots, given };
      // The answer to the last item is the reveal, which shows the sources.
      if (progress.startsWith('第 20 ') || progress.includes(' 20 题') || progress.startsWith('Item 20 ')) playing = false;
      await run.submit(rp, 'form#answer button', `answer item ${i}`);
    }
    playing = false;
    for (const [url, text] of await Promise.all(bodies)) {
      if (!url.includes('/static/')) noLeak(text, `the answer to ${url}`);
    }
    run.log(`answered 20 items (${pairs} pairs); ${bodies.length} documents and API answers held no source`);
    check(pairs >= 8, `only ${pairs} of 20 items were pairs`);

    run.step = 'reveal';
    check(await rp.locator('#reveal').count() === 1, 'after the last item there is no reveal table');
    const revealed = await rp.locator('#reveal tr').count() - 1;
    check(revealed === 20 + pairs, `the reveal shows ${revealed} poems, want ${20 + pairs}`);
    const sources = await rp.locator('#reveal td:nth-child(5)').allInnerTexts();
    check(sources.some((s) => s.startsWith('human')) && sources.some((s) => s.startsWith('miaobi')), `the reveal's sources: ${sources.slice(0, 4)}`);
    run.log(`reveal: ${(await rp.locator('#score-line').innerText()).trim()}`);
    await run.screenshot(rp, 'arena-reveal');

    run.step = 'an answer cannot be changed';
    const csrf = await csrfOf(rp);
    const again = { csrf, item: first.item, better: 'B' };
    for (const s of first.slots) {
      again[`guess_${s}`] = '1';
      again[`score_${s}`] = '10';
    }
    await rp.goto(base + 'arena/' + roundID); // a page to post from
    const res = await rp.request.post(base + `arena/${roundID}/answer`, { form: again, maxRedirects: 0 });
    check(res.status() === 303, `posting the form again answered ${res.status()}`);
    await rp.goto(base + 'arena/' + roundID);
    const flash = await rp.locator('.flash:not(.ok)').innerText().catch(() => '');
    check(/cannot be changed|不能更改/.test(flash), `posting an answered item again shows "${flash}"`);
    const api = await rp.request.post(base + `api/arena/items/${first.item}/answer`, {
      data: { human: first.slots.map(() => false), scores: first.slots.map(() => 1), ...(first.slots.length === 2 ? { better: 'A' } : {}) },
      headers: { 'X-CSRF-Token': csrf },
    });
    check(api.status() === 409, `answering item 1 again through the API: ${api.status()} ${await api.text()}`);
    const mine = await (await rp.request.get(base + `api/arena/rounds/${roundID}/mine`)).json();
    const firstItem = mine.items[0];
    const kept = firstItem.poems.map((p) => [p.human, p.score]);
    check(JSON.stringify(kept) === JSON.stringify(first.given.human.map((h, i) => [h, first.given.scores[i]])) &&
      (firstItem.better || '') === first.given.better,
    `item 1's answer changed: now ${JSON.stringify(kept)} ${firstItem.better}, given ${JSON.stringify(first.given)}`);
    run.log(`a second answer to item 1: form "${flash.trim()}", API ${api.status()}`);

    run.step = 'results';
    await rp.goto(base + `arena/results?round=${roundID}`);
    const rows = await rp.locator('#by-source tr').count() - 1;
    check(rows === 2, `the results table has ${rows} sources, want 2 (human, miaobi)`);
    const cis = await rp.locator('#by-source td.ci').allInnerTexts();
    // Per source: taken for human [lo, hi], mean score [lo, hi], strength [lo, hi].
    check(cis.length === 6 && [0, 3].every((i) => /^\d+% \[\d+%, \d+%\]$/.test(cis[i])) && [1, 2, 4, 5].every((i) => /\[[-+\d.]+, [-+\d.]+\]$/.test(cis[i])),
      `the results' intervals: ${cis}`);
    const whiskers = await rp.locator('svg.chart line.ci').count();
    check(whiskers >= 4, `the charts draw ${whiskers} interval whiskers`);
    run.log(`results: ${(await rp.locator('#by-source').innerText()).replace(/\s+/g, ' ')}; ${whiskers} whiskers`);
    await run.screenshot(rp, 'arena-results');
    await rp.goto(base + `arena/results?round=${roundID}&lang=en`);
    await run.screenshot(rp, 'arena-results-en');
    await rp.goto(base + 'arena?lang=zh');

    run.step = 'phone';
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      locale: 'zh-CN', storageState: await reader.storageState(),
    });
    const pp = await phone.newPage();
    run.current = pp;
    run.watchPage(pp, 'phone');
    for (const [url, name] of [[`arena/${roundID}`, 'phone-reveal'], [`arena/results?round=${roundID}`, 'phone-results'], ['arena', 'phone-arena']]) {
      await pp.goto(base + url);
      await run.screenshot(pp, name);
      await run.noOverflow(pp, `${name} (390 px)`);
    }
    await phone.close();
    run.current = rp;

    const load = process.env.MIAOBI_ARENA_LOAD;
    if (load) {
      run.step = 'first paint with 10,000 poems stored';
      const list = await (await rp.request.get(base + 'api/arena/rounds')).json();
      const lr = list.rounds.find((x) => x.name === load);
      check(lr && lr.poems >= 10000, `the load round "${load}" is missing or small: ${JSON.stringify(lr)}`);
      // paint loads url in a fresh page and returns Chromium's first paint
      // and the server's time to the first byte, in ms.
      const paint = async (url, shot) => {
        const p = await reader.newPage();
        await p.goto(url);
        await p.waitForFunction(() => performance.getEntriesByName('first-paint').length > 0, null, { timeout: 10_000, polling: 20 })
          .catch(() => { throw new Failure(`Chromium recorded no first paint for ${url}`); });
        const t = await p.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return { fp: performance.getEntriesByName('first-paint')[0].startTime, ttfb: nav.responseStart - nav.requestStart };
        });
        if (shot) await run.screenshot(p, shot);
        await p.close();
        return t;
      };
      const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const round = [];
      for (let i = 0; i < 7; i++) round.push(await paint(base + `arena/${lr.id}`, i === 0 ? 'arena-load-round' : ''));
      // The floor: the same Chromium painting a static file of the same server.
      const floor = [];
      for (let i = 0; i < 6; i++) floor.push(await paint(base + 'static/style.css'));
      const later = round.slice(1);
      run.log(`first paint, ${lr.poems} poems stored: first visit (deals) ${round[0].fp.toFixed(0)} ms (server ${round[0].ttfb.toFixed(0)} ms); ` +
        `later visits median ${median(later.map((t) => t.fp)).toFixed(0)} ms (${later.map((t) => t.fp.toFixed(0)).join(', ')}; server ${later.map((t) => t.ttfb.toFixed(0)).join(', ')} ms); ` +
        `a static file: median ${median(floor.map((t) => t.fp)).toFixed(0)} ms (${floor.map((t) => t.fp.toFixed(0)).join(', ')})`);
    }
    await reader.close();
    await admin.close();
  } finally {
    await browser.close();
  }
});
