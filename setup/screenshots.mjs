// README screenshots: logs in to a running demo (setup/run.sh) with Debian's
// Chromium driven by playwright-core, opens each screen and saves a PNG into
// docs/screenshots/. Usage: node setup/screenshots.mjs [base URL]
import { chromium } from "playwright-core";

const base = process.argv[2] || "http://localhost:8069";
// [file name, path, optional text of a row or item to open first]
const shots = [
    ["campaign-monitor", "/odoo/action-campaign_reporting.campaign_monitor_action"],
    ["campaigns", "/odoo/action-marketing_resource_mgmt.action_utm_campaign_controller"],
    [
        "campaigns-kanban",
        "/odoo/action-marketing_resource_mgmt.action_utm_campaign_controller?view_type=kanban",
    ],
    ["segments", "/odoo/action-marketing_resource_mgmt.action_marketing_segment"],
    ["routing-rules", "/odoo/action-crm_lead_routing.crm_routing_rule_action"],
    ["dashboard", "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action", "Campaigns"],
    ["journey", "/odoo/action-marketing_resource_mgmt.action_marketing_journey", ".o_data_row"],
    ["scenario", "/odoo/action-marketing_resource_mgmt.action_marketing_scenario", ".o_data_row"],
    ["offers", "/odoo/action-marketing_resource_mgmt.action_marketing_offer"],
];

const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(`${base}/web/login`);
await page.fill("input[name=login]", "admin");
await page.fill("input[name=password]", "admin");
await Promise.all([page.waitForURL(/\/odoo/), page.click("button[type=submit]")]);
for (const [name, path, open] of shots) {
    await page.goto(base + path);
    await page.waitForSelector(".o_action_manager .o_action", { timeout: 30000 });
    await page.waitForTimeout(1500);
    if (open) {
        const target = open.startsWith(".")
            ? page.locator(open).first()
            : page.getByText(open, { exact: true }).first();
        await target.click();
        await page.waitForTimeout(3000);
    }
    await page.screenshot({ path: `docs/screenshots/${name}.png` });
    console.log(`docs/screenshots/${name}.png`);
}
await browser.close();
