# Run through `odoo-bin shell` by setup/test.sh after the test database is
# installed: compiles the web asset bundles once and commits them, as Odoo's
# own test runner does before its browser tests (pytest-odoo does not), so that
# each browser test does not compile them again inside its rolled-back
# transaction.
qweb = env["ir.qweb"]  # noqa: F821 (env is given by odoo-bin shell)
links = qweb._pregenerate_assets_bundles()
# and the lazy bundles our screens load: Chart.js (the Campaign Monitor's
# charts) and the spreadsheet engine (the Campaigns dashboard)
for bundle in (
    "web.assets_tests",
    "web.assets_frontend",
    "web.assets_backend",
    "web.chartjs_lib",
    "spreadsheet.o_spreadsheet",
):
    links += qweb._get_asset_bundle(bundle, css=True, js=True).js()
    links += qweb._get_asset_bundle(bundle, css=True, js=True).css()
env.cr.commit()  # noqa: F821
print(f"pregenerated {len(links)} asset files")
