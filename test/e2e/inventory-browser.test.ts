import { mkdirSync, readFileSync, copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InventoryWorld } from "./inventory-fixture.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const artifacts = join(root, "test-artifacts");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Debian's Chromium, headless, with nothing reaching outside the machine. */
const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const r = await axe.run((globalThis as any).document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(" ")) }));
  });
  return result;
}

describe("the agent inventory in a real browser", () => {
  const world = new InventoryWorld();
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await world.start();
    world.github.authorizeAs = "alice";
    browser = await chromium.launch(CHROMIUM);
    // The page's CSP forbids inline script; the accessibility checker is injected as one, so this test context bypasses it.
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await world.stop();
  });

  it("signs in with GitHub and lands on the agents view", async () => {
    await page.goto(`${world.base}/agent-policy/`);
    // Redirected to sign-in, to the (fake) GitHub authorize page, and back through the callback.
    await page.waitForURL(`${world.base}/agent-policy/`);
    expect(await page.locator("header").innerText()).toContain("Signed in as alice");
    expect(await page.locator("h1").innerText()).toBe("Agents");
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === "agent_policy_session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    await page.screenshot({ path: join(artifacts, "inventory-agents.png"), fullPage: true });
  });

  it("sorts the agents table by a column and filters its rows", async () => {
    const names = () => page.locator("table.sortable tbody tr th[scope=row]").allInnerTexts();
    // Deny 7d is the 9th column.
    const denials = async () => (await page.locator("table.sortable tbody tr td:nth-child(9)").allInnerTexts()).map(Number);
    const deny7 = page.getByRole("button", { name: "Deny 7d" });
    await deny7.click();
    expect(await page.locator("th", { has: deny7 }).getAttribute("aria-sort")).toBe("ascending");
    const ascending = await denials();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    expect((await names()).at(-1)).toBe("copilot");
    await deny7.click();
    expect(await page.locator("th", { has: deny7 }).getAttribute("aria-sort")).toBe("descending");
    expect(await denials()).toEqual([...ascending].sort((a, b) => b - a));
    expect((await names())[0]).toBe("copilot");

    await page.getByLabel("Filter assistants").fill("devin");
    expect(await page.locator("table.sortable tbody tr:visible").count()).toBe(1);
    expect(await page.locator("table.sortable tbody tr:visible th").innerText()).toBe("devin");
    await page.getByLabel("Filter assistants").fill("");
  });

  for (const [path, title] of [
    ["", "Agents"],
    ["activity", "Activity"],
    ["waiting", "Waiting for a human"],
    ["posture", "Posture"],
    ["drift", "Drift"],
  ] as const) {
    it(`${title}: opens, has no accessibility violations, and is keyboard reachable`, async () => {
      await page.goto(`${world.base}/agent-policy/${path}`);
      expect(await page.locator("h1").innerText()).toBe(title);
      expect(await axeViolations(page)).toEqual([]);
      // The first Tab reaches the navigation, visibly focused.
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => (globalThis as any).document.activeElement?.closest("nav") !== null)).toBe(true);
      await page.screenshot({ path: join(artifacts, `inventory-${path || "agents"}.png`), fullPage: true });
    });
  }

  it("filters the activity by verdict with the form and follows its links to GitHub", async () => {
    await page.goto(`${world.base}/agent-policy/activity`);
    await page.getByLabel("Verdict").selectOption("deny");
    await page.getByLabel("Assistant").selectOption("copilot");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/decision=deny/);
    expect(await page.locator("table.sortable tbody tr").count()).toBe(6);
    const hrefs = await page.locator("table.sortable tbody a").evaluateAll((as) => as.map((a) => (a as any).href));
    expect(hrefs.some((h) => /\/acme\/api\/pull\/7$/.test(h))).toBe(true);
    // Planted markup never ran.
    expect(await page.evaluate(() => (globalThis as any).document.querySelectorAll("img").length)).toBe(0);
    await page.screenshot({ path: join(artifacts, "inventory-activity-filtered.png"), fullPage: true });
  });

  it("signs out", async () => {
    await page.goto(`${world.base}/agent-policy/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    expect(await page.locator("h1").innerText()).toBe("Signed out");
    const response = await page.request.get(`${world.base}/agent-policy/api/agents`);
    expect(response.status()).toBe(401);
  });
});

// Keeps the README's screenshot reproducible: `UPDATE_DOCS_SCREENSHOT=1 npx vitest run test/e2e/inventory-browser.test.ts`.
if (process.env.UPDATE_DOCS_SCREENSHOT) {
  afterAll(() => copyFileSync(join(artifacts, "inventory-agents.png"), join(root, "docs/inventory-agents.png")));
}
