// Debian Chromium driven by playwright-core (no downloaded browsers here), with the flags this
// machine needs, and screenshots kept under test-artifacts/screenshots.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ARTIFACTS } from './local-stack';

export const DEMO_PASSWORD = 'vmpool-demo';
export const ADMIN_EMAIL = 'admin@vmpool.local';
export const PRODUCER_EMAIL = 'producer@vmpool.local';
const SCREENSHOTS = join(ARTIFACTS, 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  email: string,
): Promise<Page> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page
    .getByRole('form', { name: 'Sign in with email' })
    .getByRole('button', { name: /sign in/i })
    .click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 60_000 });
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
