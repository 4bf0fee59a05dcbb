// What the studio's browser tests share: a run with a named current step,
// a watchdog, logging with elapsed seconds, screenshots, and the checks
// every page gets (no uncaught page errors, no 5xx answers, no error
// flash after a form).

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export class Failure extends Error {}

export function check(cond, msg) {
  if (!cond) throw new Failure(msg);
}

// Run holds one test run's state.
export class Run {
  constructor(outDir, timeoutMs) {
    this.outDir = outDir;
    this.timeoutMs = timeoutMs;
    this.step = 'start';
    this.shot = 0;
    this.current = null; // the page in use, for a screenshot on failure
    this.started = Date.now();
    this.problems = []; // uncaught page errors and server errors, fatal at the end
    this.warnings = []; // console errors, reported
    fs.mkdirSync(outDir, { recursive: true });
  }

  log(msg) {
    console.log(`[${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
  }

  async screenshot(page, name) {
    this.shot++;
    const file = path.join(this.outDir, `${String(this.shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.log(`screenshot ${file}`);
  }

  watchPage(page, label) {
    page.on('pageerror', (e) => this.problems.push(`${label}: uncaught error in the page at ${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.warnings.push(`${label}: console error at ${page.url()}: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 500) this.problems.push(`${label}: ${r.request().method()} ${r.url()} answered ${r.status()}`);
    });
  }

  // noErrorFlash fails when the page shows an error message (a flash that
  // is not an "ok" one), as the studio does when a form was refused.
  async noErrorFlash(page, what) {
    const f = page.locator('.flash:not(.ok)');
    if (await f.count()) {
      throw new Failure(`${what}: the page says: ${(await f.first().innerText()).trim()}`);
    }
  }

  // submit clicks a button that posts a form and waits for the next page.
  async submit(page, selector, what) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
    await this.noErrorFlash(page, what);
  }

  // noOverflow fails when the page is wider than the screen, naming the
  // elements that stick out.
  async noOverflow(page, what) {
    // A phone widens its layout viewport (innerWidth) to fit a page too
    // wide for it: the screen is the context's viewport.
    const screen = page.viewportSize().width;
    const m = await page.evaluate((screen) => {
      const wide = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > screen + 1 && getComputedStyle(el).position !== 'fixed') {
          wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right ${Math.round(r.right)})`);
        }
      }
      return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide: wide.slice(0, 8) };
    }, screen);
    this.log(`${what}: scrollWidth ${m.scroll}, innerWidth ${m.inner}, screen ${screen}`);
    check(m.scroll <= m.inner + 1 && m.inner <= screen, `${what}: the page is wider than the screen (scrollWidth ${m.scroll}, innerWidth ${m.inner}, screen ${screen}); too wide: ${m.wide.join(', ')}`);
  }

  async launch() {
    const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    this.log(`chromium ${browser.version()}`);
    return browser;
  }

  // signIn signs in through the login form.
  async signIn(page, base, name, password) {
    await page.goto(base + 'login');
    await page.fill('input[name="name"]', name);
    await page.fill('input[name="password"]', password);
    await this.submit(page, '#login', `sign in as ${name}`);
  }

  // main runs fn(this) under the watchdog and exits the process: 0 when it
  // passed and no page error or server error was seen.
  main(fn) {
    const watchdog = setTimeout(() => {
      console.error(`FAIL: step "${this.step}": the test took longer than ${this.timeoutMs / 1000} s`);
      process.exit(1);
    }, this.timeoutMs);
    const body = async () => {
      try {
        await fn(this);
      } catch (err) {
        if (this.current) {
          const file = path.join(this.outDir, 'failure.png');
          await this.current.screenshot({ path: file, fullPage: true }).then(() => console.error(`screenshot of the failure: ${file} (page ${this.current.url()})`), () => {});
        }
        throw err;
      }
      for (const w of this.warnings) this.log(`warning: ${w}`);
      check(this.problems.length === 0, `errors during the run:\n  ${this.problems.join('\n  ')}`);
    };
    body().then(() => {
      clearTimeout(watchdog);
      this.log(`PASS: ${this.shot} screenshots in ${this.outDir}`);
      process.exit(0);
    }, (err) => {
      clearTimeout(watchdog);
      for (const w of this.warnings) console.error(`warning: ${w}`);
      for (const p of this.problems) console.error(`error: ${p}`);
      console.error(`FAIL: step "${this.step}": ${err instanceof Failure ? err.message : err.stack || err}`);
      process.exit(1);
    });
  }
}
