// End-to-end test of the Miaobi studio in real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core).
//
//   node e2e/studio.mjs URL OUTDIR
//
// URL is a running 'miaobi serve' whose admin password is
// MIAOBI_ADMIN_PASSWORD (default "correct horse battery"); OUTDIR receives a
// full-page PNG screenshot after each step. It signs in, makes a work from
// keywords, creates candidates and a painting, locks line 1 and regenerates,
// rates, reviews, publishes and downloads the bundle, then looks at the
// pages on a phone-sized screen. It exits non-zero with a message naming the
// failed step on any failure.

import { Failure, Run, check } from './lib.mjs';

const [base0, outDir] = process.argv.slice(2);
if (!base0 || !outDir) {
  console.error('usage: node studio.mjs URL OUTDIR');
  process.exit(2);
}
const base = base0.replace(/\/+$/, '') + '/';
const password = process.env.MIAOBI_ADMIN_PASSWORD || 'correct horse battery';
const keywords = '灯、跳舞、翅膀';
const jobTimeout = 120_000;
const run = new Run(outDir, Number(process.env.MIAOBI_E2E_TIMEOUT_MS || 210_000));

// jobState reads the job box's state and message in one step, or null
// when there is none — or when the page is replacing itself because the
// job ended (reading the box in two steps raced that navigation).
async function jobState(page) {
  return page.evaluate(() => {
    const j = document.querySelector('.job[data-job]');
    return j ? { state: j.dataset.state, msg: (j.querySelector('.msg') || {}).innerText || '' } : null;
  }).catch(() => null);
}

async function lines(page) {
  return page.$$eval('input.line', (xs) => xs.map((x) => x.value));
}

async function layoutToggle(page, what, overflow = false) {
  const view = page.locator('#poem-view');
  for (const name of ['vertical', 'horizontal']) {
    await page.click(`[data-layout="${name}"]`);
    const cls = await view.getAttribute('class');
    const other = name === 'vertical' ? 'horizontal' : 'vertical';
    check(cls.split(/\s+/).includes(name) && !cls.split(/\s+/).includes(other),
      `${what}: after clicking the ${name} layout button #poem-view has class "${cls}"`);
    run.log(`${what}: layout ${name}: #poem-view class "${cls}"`);
    if (name === 'vertical') {
      await run.screenshot(page, `${what}-vertical`);
      if (overflow) await run.noOverflow(page, `${what} work page, vertical layout`);
    }
  }
}

run.main(async () => {
  const browser = await run.launch();
  try {
    // Desktop. The locale makes Chinese the default language, as for most
    // of the studio's users; English is checked once below.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    ctx.setDefaultTimeout(30_000);
    const page = await ctx.newPage();
    run.current = page;
    run.watchPage(page, 'desktop');

    run.step = 'sign in';
    await page.goto(base + 'login');
    await run.screenshot(page, 'login');
    await page.fill('input[name="name"]', 'admin');
    await page.fill('input[name="password"]', password);
    await run.submit(page, '#login', run.step);
    check(page.url() === base, `after signing in the browser is at ${page.url()}, not ${base}`);
    check(await page.locator('#keywords').count() === 1, 'after signing in the home page has no #keywords field');
    await run.screenshot(page, 'home');

    run.step = 'switch language';
    await page.goto(base + '?lang=en');
    await page.getByText('Sign out').first().waitFor({ timeout: 5_000 }).catch(() => {
      throw new Failure('with ?lang=en the page does not say "Sign out"');
    });
    check((await page.getAttribute('html', 'lang')) === 'en', 'with ?lang=en <html lang> is not "en"');
    await run.screenshot(page, 'home-en');
    await page.goto(base + '?lang=zh');
    await page.getByText('退出').first().waitFor({ timeout: 5_000 }).catch(() => {
      throw new Failure('with ?lang=zh the page does not say "退出"');
    });

    run.step = 'new work';
    await page.fill('#keywords', keywords);
    await page.selectOption('select[name="form"]', '七绝');
    await Promise.all([page.waitForURL(/\/works\/[^/?]+/), page.click('#start')]);
    await run.noErrorFlash(page, run.step);
    const workURL = page.url().replace(/\?.*$/, '');
    run.log(`work ${workURL}`);
    await run.screenshot(page, 'work-new');

    run.step = 'create candidates and painting';
    await Promise.all([page.waitForURL(/[?&]job=/), page.click('#create')]);
    await run.noErrorFlash(page, run.step);
    // The page follows the job over server-sent events and replaces itself
    // (without ?job=) when it is done; a job that ended before the page
    // loaded is rendered as done (or failed) and the page stays.
    await run.screenshot(page, 'work-job').catch((e) => run.warnings.push(`screenshot of the running job: ${e.message}`));
    await page.waitForFunction(() => {
      const job = document.querySelector('.job[data-job]');
      return !new URL(location.href).searchParams.has('job') || (job && job.dataset.state !== 'queued' && job.dataset.state !== 'running' && job.dataset.state !== '');
    }, null, { timeout: jobTimeout, polling: 250 }).catch(async () => {
      const msg = await page.locator('.job .msg').innerText().catch(() => '?');
      throw new Failure(`the create job did not finish within ${jobTimeout / 1000} s; its progress says: ${msg}`);
    });
    const created = new URL(page.url()).searchParams.has('job') ? await jobState(page) : null;
    if (created) {
      check(created.state !== 'failed', `the create job failed: ${created.msg}`);
      if (created.state === 'done') {
        // The job may also just have ended and the page be about to go.
        await page.waitForURL((u) => !u.searchParams.has('job'), { timeout: 3_000 }).catch(() =>
          run.warnings.push('the create job ended before its page loaded; the page kept the finished job\'s progress box'));
      }
    }
    await page.waitForLoadState('load');
    for (const sel of ['#candidates', '#poem', '#painting']) {
      await page.locator(sel).waitFor({ timeout: jobTimeout }).catch(() => {
        throw new Failure(`after the create job the work page has no ${sel}`);
      });
    }
    const nCands = await page.locator('#candidates ol.cands > li').count();
    check(nCands > 0, 'the candidates list is empty');
    const img = page.locator('#painting img');
    check(await img.evaluate((i) => i.complete && i.naturalWidth > 0), 'the painting image did not load');
    const before = await lines(page);
    check(before.length >= 2, `the poem has ${before.length} lines`);
    run.log(`${nCands} candidates; poem: ${before.join('，')}`);
    await run.screenshot(page, 'work-created');

    run.step = 'layout toggle';
    await layoutToggle(page, 'desktop');

    run.step = 'lock line 1 and regenerate';
    let after = before;
    for (let attempt = 1; attempt <= 3; attempt++) {
      await page.check('#lock-line-1');
      const boxes = page.locator('input[name="lock-1"]');
      const n = await boxes.count();
      check(n === [...after[0]].length, `line 1 has ${n} lock boxes for ${[...after[0]].length} characters`);
      for (let i = 0; i < n; i++) check(await boxes.nth(i).isChecked(), `ticking #lock-line-1 left character ${i + 1} of line 1 unlocked`);
      check(!(await page.locator('input[name="lock-2"]:checked').count()), 'ticking #lock-line-1 locked characters of line 2');
      const prev = after;
      await run.submit(page, '#regenerate', run.step);
      after = await lines(page);
      run.log(`regenerate ${attempt}: ${after.join('，')}`);
      check(after.length === prev.length, `after regenerating the poem has ${after.length} lines, not ${prev.length}`);
      check(after[0] === before[0], `line 1 was locked but changed: "${before[0]}" → "${after[0]}"`);
      check(await page.locator('#lock-line-1').isChecked(), 'after regenerating, line 1 no longer shows as locked');
      const locked = await page.locator('#poem-view p').first().locator('span.locked').count();
      check(locked === [...before[0]].length, `after regenerating the poem view marks ${locked} characters of line 1 as locked`);
      if (after.slice(1).some((l, i) => l !== prev[i + 1])) break;
      check(attempt < 3, `regenerating 3 times changed none of lines 2–${before.length}: ${after.join('，')}`);
      run.log('no unlocked line changed; regenerating again');
    }
    await run.screenshot(page, 'work-regenerated');

    run.step = 'rate';
    await page.selectOption('#rate-score', '8');
    await run.submit(page, '#rate', run.step);
    const rated = page.locator('#rated');
    check(await rated.count() === 1, 'after rating the poem no rating (#rated) is shown');
    const ratedText = await rated.innerText();
    check(/\b8\b/.test(ratedText), `the rating shown is "${ratedText}", not 8`);
    run.log(`rated: ${ratedText}`);
    await run.screenshot(page, 'work-rated');

    run.step = 'sound';
    await page.check('#sound-music');
    await page.selectOption('#sound-mode', '商');
    await page.fill('#sound input[name="trim"]', '20');
    await run.submit(page, '#set-sound', run.step);
    const audio = page.locator('#hear-music');
    check(await audio.count() === 1, 'after choosing music the page has no player (#hear-music)');
    const src = new URL(await audio.getAttribute('src'), page.url()).toString();
    const snd = await page.request.get(src);
    const sndBody = await snd.body();
    run.log(`GET ${src}: ${snd.status()} ${snd.headers()['content-type']} ${sndBody.length} bytes`);
    check(snd.status() === 200 && (snd.headers()['content-type'] || '').startsWith('audio/'), `GET ${src} answered ${snd.status()} ${snd.headers()['content-type']}`);
    // The browser itself must be able to play it: load the player and read
    // the duration it finds (the music was trimmed to 20 s).
    const duration = await audio.evaluate((a) => new Promise((resolve) => {
      a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true });
      a.addEventListener('error', () => resolve(-1), { once: true });
      a.preload = 'metadata';
      a.load();
      setTimeout(() => resolve(-2), 60000);
    }));
    run.log(`the player reads the music as ${duration} s`);
    check(duration > 18 && duration < 23, `the browser reads the music as ${duration} s long, not about 20 s`);
    await run.screenshot(page, 'work-sound');

    run.step = 'film';
    await page.selectOption('#film-aspect', '16:9');
    await Promise.all([page.waitForURL(/[?&]job=/), page.click('#make-film')]);
    await run.noErrorFlash(page, run.step);
    // The progress bar follows the render; the page replaces itself when done.
    let sawProgress = 0;
    await page.waitForFunction(() => {
      const job = document.querySelector('.job[data-job]');
      return !new URL(location.href).searchParams.has('job') || (job && job.dataset.state !== 'queued' && job.dataset.state !== 'running' && job.dataset.state !== '');
    }, null, { timeout: jobTimeout, polling: 250 }).catch(async () => {
      const msg = await page.locator('.job .msg').innerText().catch(() => '?');
      throw new Failure(`the film job did not finish within ${jobTimeout / 1000} s; its progress says: ${msg}`);
    });
    if (new URL(page.url()).searchParams.has('job')) {
      const filmed = await jobState(page);
      check(!filmed || filmed.state !== 'failed', `the film job failed: ${filmed && filmed.msg}`);
      await page.waitForURL((u) => !u.searchParams.has('job'), { timeout: 5_000 }).catch(() => page.goto(workURL));
    }
    await page.waitForLoadState('load');
    const player = page.locator('#film-player');
    check(await player.count() === 1, 'after the film job the page has no film player (#film-player)');
    const filmSecs = await player.evaluate((v) => new Promise((resolve) => {
      if (v.readyState >= 1) { resolve(v.duration); return; }
      v.addEventListener('loadedmetadata', () => resolve(v.duration), { once: true });
      v.addEventListener('error', () => resolve(-1), { once: true });
      v.load();
      setTimeout(() => resolve(-2), 60000);
    }));
    run.log(`the film player reads ${filmSecs} s`);
    check(filmSecs > 5, `the browser reads the film as ${filmSecs} s long`);
    await player.evaluate((v) => { v.currentTime = Math.min(4, v.duration / 2); });
    await page.waitForTimeout(800);
    await run.screenshot(page, 'work-film');

    run.step = 'review';
    await run.submit(page, '#go-review', run.step);
    await page.locator('#review').waitFor();
    check(await page.locator('.stages li.now').innerText() === '审核', `the current stage is "${await page.locator('.stages li.now').innerText()}", not 审核`);
    await run.screenshot(page, 'work-review');

    run.step = 'publish';
    const ack = page.locator('#review input[name="ack"]');
    if (await ack.count()) {
      run.log(`review not ready: ${(await page.locator('#review p.warn').innerText().catch(() => '')).trim()}; ticking ack`);
      await ack.check();
    }
    await run.submit(page, '#publish', run.step);
    const dl = page.locator('a#download');
    check(await dl.count() === 1, 'after publishing the page has no download link (a#download)');
    // The published work shows its value traits and Lovelace report.
    const traits = await page.locator('#report #traits tr').count() - 1;
    check(traits === 7, `the published work shows ${traits} value traits, want 7`);
    const lovelace = (await page.locator('#lovelace').innerText()).trim();
    check(lovelace.length > 40, `the Lovelace report says "${lovelace}"`);
    run.log(`Lovelace report: ${lovelace}`);
    await run.screenshot(page, 'work-published');

    run.step = 'download';
    const href = new URL(await dl.getAttribute('href'), page.url()).toString();
    const res = await page.request.get(href);
    const body = await res.body();
    run.log(`GET ${href}: ${res.status()} ${res.headers()['content-type']} ${body.length} bytes`);
    check(res.status() === 200, `GET ${href} answered ${res.status()}`);
    check((res.headers()['content-type'] || '').startsWith('application/zip'), `GET ${href} has Content-Type ${res.headers()['content-type']}, not application/zip`);
    check(body.length > 22 && body[0] === 0x50 && body[1] === 0x4b, `GET ${href} did not return a zip file`);

    // Phone: the same session on a 390×844 screen.
    run.step = 'phone';
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      locale: 'zh-CN', storageState: await ctx.storageState(),
    });
    phone.setDefaultTimeout(30_000);
    const pp = await phone.newPage();
    run.current = pp;
    run.watchPage(pp, 'phone');
    await pp.goto(base);
    check(await pp.locator('#keywords').count() === 1, 'on the phone the home page has no #keywords field');
    await run.screenshot(pp, 'phone-home');
    await pp.goto(workURL);
    await pp.locator('#poem').waitFor();
    await run.screenshot(pp, 'phone-work');
    run.step = 'phone: no horizontal overflow';
    await run.noOverflow(pp, 'phone work page');
    run.step = 'phone: layout toggle';
    await layoutToggle(pp, 'phone', true);
    await run.noOverflow(pp, 'phone work page, after the layout toggle');
    await phone.close();
    await ctx.close();
  } finally {
    await browser.close();
  }
});
